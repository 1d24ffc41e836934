/** Validation of opened frames into typed protocol messages. */
import type { z } from 'zod';
import { fail, openFrame, verifyFrame, type Result } from './frame.js';
import { DownlinkMessage, UplinkMessage } from './messages.js';

const UPLINK_TYPES = new Set(UplinkMessage.options.map((o) => o.shape.type.value));
const DOWNLINK_TYPES = new Set(['ack', 'time', 'cmd', 'refusal']);

/** Validates a parsed uplink body; the error says which field is wrong. */
export function parseUplink(body: Record<string, unknown>): Result<UplinkMessage> {
  if (!UPLINK_TYPES.has(body.type as never)) {
    return fail('unknown_type', `message type ${JSON.stringify(body.type)} is not a protocol v1 uplink type`);
  }
  return validate(UplinkMessage, body);
}

/** Validates a parsed downlink body. */
export function parseDownlink(body: Record<string, unknown>): Result<DownlinkMessage> {
  if (!DOWNLINK_TYPES.has(body.type as string)) {
    return fail(
      'unknown_type',
      `message type ${JSON.stringify(body.type)} is not a protocol v1 downlink type`,
    );
  }
  return validate(DownlinkMessage, body);
}

/** Opens, authenticates and validates a downlink frame, as a device does. */
export function decodeDownlink(frame: Buffer | string, secret: string): Result<DownlinkMessage> {
  const opened = openFrame(frame);
  if (!opened.ok) return opened;
  if (!verifyFrame(opened.value, secret)) return fail('bad_signature', 'the frame signature does not match');
  return parseDownlink(opened.value.body);
}

function validate<S extends z.ZodType>(schema: S, body: unknown): Result<z.infer<S>> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? issue.path.join('.') : 'message';
  return fail('invalid_message', `${where}: ${issue?.message ?? 'invalid'}`);
}
