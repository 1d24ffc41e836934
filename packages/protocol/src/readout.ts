/**
 * Offline read-out files (T2.6): a technician reads a unit's memory on site when the place has no network
 * and uploads the file to the center, which ingests it like live data.
 *
 * The file is UTF-8 text, one signed frame per line ("\n"): a `readout` header, any number of `events`
 * frames, and a `readout_end` trailer that counts them. Every frame is signed with the device secret, so a
 * forged or altered file is refused, and a file cut short is recognised by its missing trailer.
 */
import { encodeFrame, fail, openFrame, verifyFrame, type Result } from './frame.js';
import { parseUplink } from './codec.js';
import type { EventsMessage } from './messages.js';
import {
  MAX_EVENTS_PER_BATCH,
  PROTOCOL_VERSION,
  ReadoutEnd,
  ReadoutHeader,
  type DeviceEvent,
} from './messages.js';

/** Largest read-out file the center accepts: 72 h of a busy unit fits many times over. */
export const MAX_READOUT_BYTES = 64 * 1024 * 1024;

/** Writes a read-out file for `events` of device `dev`, as a unit's service interface would. */
export function encodeReadout(dev: string, secret: string, events: DeviceEvent[], now = Date.now()): string {
  const sorted = [...events].sort((a, b) => a.seq - b.seq);
  const lines: string[] = [];
  const header: ReadoutHeader = {
    v: PROTOCOL_VERSION,
    type: 'readout',
    dev,
    ts: now,
    from: sorted[0]?.seq ?? 1,
    to: sorted.at(-1)?.seq ?? 0,
    count: sorted.length,
  };
  lines.push(encodeFrame(header, secret).toString('utf8'));
  let frames = 0;
  for (let i = 0; i < sorted.length; i += MAX_EVENTS_PER_BATCH) {
    const batch: EventsMessage = {
      v: PROTOCOL_VERSION,
      type: 'events',
      dev,
      ts: now,
      events: sorted.slice(i, i + MAX_EVENTS_PER_BATCH),
    };
    lines.push(encodeFrame(batch, secret).toString('utf8'));
    frames++;
  }
  const end: ReadoutEnd = {
    v: PROTOCOL_VERSION,
    type: 'readout_end',
    dev,
    ts: now,
    frames,
    events: sorted.length,
  };
  lines.push(encodeFrame(end, secret).toString('utf8'));
  return lines.join('\n') + '\n';
}

/** A read-out file, authenticated and validated. */
export interface Readout {
  header: ReadoutHeader;
  batches: EventsMessage[];
  /** False when the file was cut short: the batches before the cut are still authentic and usable. */
  complete: boolean;
  /** Why the file is incomplete, for the person who uploaded it. */
  problem?: string;
}

/**
 * Parses and authenticates a read-out file. A frame with a wrong signature, another device's frame or an
 * invalid message refuses the whole file; a file cut short yields its complete, authentic frames with
 * `complete: false`.
 */
export function parseReadout(text: string, secretOf: (dev: string) => string | undefined): Result<Readout> {
  if (Buffer.byteLength(text) > MAX_READOUT_BYTES) {
    return fail('frame_too_large', `a read-out file may hold at most ${MAX_READOUT_BYTES} bytes`);
  }
  const endsCleanly = text.endsWith('\n');
  const lines = text.split('\n');
  if (endsCleanly) lines.pop();
  let lastPartial: string | undefined;
  if (!endsCleanly) lastPartial = lines.pop();

  const firstLine = lines[0];
  if (firstLine === undefined) return fail('malformed_frame', 'the file is empty or holds no complete frame');
  const first = openFrame(firstLine);
  if (!first.ok) return fail(first.error.code, `line 1: ${first.error.message}`);
  const dev = first.value.dev;
  const secret = secretOf(dev);
  if (secret === undefined) return fail('unknown_device', `device ${dev} is not registered`);

  let header: ReadoutHeader | undefined;
  let end: ReadoutEnd | undefined;
  const batches: EventsMessage[] = [];
  for (const [index, line] of lines.entries()) {
    const where = `line ${index + 1}`;
    const opened = openFrame(line);
    if (!opened.ok) return fail(opened.error.code, `${where}: ${opened.error.message}`);
    if (!verifyFrame(opened.value, secret)) {
      return fail(
        'bad_signature',
        `${where}: the signature does not match device ${dev}; the file is refused`,
      );
    }
    if (opened.value.dev !== dev) return fail('topic_mismatch', `${where}: frame of another device`);
    const type = opened.value.body.type;
    if (index === 0) {
      const parsed = ReadoutHeader.safeParse(opened.value.body);
      if (!parsed.success)
        return fail('invalid_message', `${where}: the file must start with a readout header`);
      header = parsed.data;
      continue;
    }
    if (end) return fail('malformed_frame', `${where}: nothing may follow the readout_end frame`);
    if (type === 'readout_end') {
      const parsed = ReadoutEnd.safeParse(opened.value.body);
      if (!parsed.success) return fail('invalid_message', `${where}: invalid readout_end frame`);
      end = parsed.data;
      continue;
    }
    const message = parseUplink(opened.value.body);
    if (!message.ok) return fail(message.error.code, `${where}: ${message.error.message}`);
    if (message.value.type !== 'events') {
      return fail('invalid_message', `${where}: a read-out file holds only events frames`);
    }
    batches.push(message.value);
  }
  if (!header) return fail('invalid_message', 'the file must start with a readout header');
  const events = batches.reduce((n, b) => n + b.events.length, 0);
  if (end) {
    if (end.frames !== batches.length || end.events !== events) {
      return fail(
        'invalid_message',
        `the trailer counts ${end.frames} frames / ${end.events} events but the file holds ${batches.length} / ${events}`,
      );
    }
    return { ok: true, value: { header, batches, complete: true } };
  }
  const cut = lastPartial !== undefined && lastPartial.length > 0 ? ' (its last line is cut off)' : '';
  return {
    ok: true,
    value: {
      header,
      batches,
      complete: false,
      problem: `the file is truncated${cut}: it has no readout_end frame; ${events} of ${header.count} events are usable`,
    },
  };
}
