/**
 * The signed frame: how every protocol v1 message travels, over MQTT and in offline read-out files.
 *
 * A frame is the message as compact JSON (one line, no tab or newline in it, as JSON.stringify writes it),
 * a TAB, and the lowercase hex HMAC-SHA256 of the JSON bytes keyed with the device's secret. Signing the
 * exact bytes spares device makers any canonical-JSON rules, and lets the center authenticate a message
 * whatever broker carried it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { MAX_FRAME_BYTES, PROTOCOL_VERSION } from './messages.js';

/** Stable reasons for refusing a frame or a message; they appear in `refusal` messages and in metrics. */
export const REFUSAL_CODES = [
  'frame_too_large',
  'malformed_frame',
  'malformed_json',
  'unsupported_version',
  'unknown_type',
  'invalid_message',
  'unknown_device',
  'bad_signature',
  'topic_mismatch',
  'device_disabled',
  'overloaded',
  'seq_out_of_range',
  // v1.1: a sequence number already stored with other content (ADR 0504).
  'seq_reused',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** Why a frame or message was refused, in words meant for a device maker reading logs. */
export interface ProtocolError {
  code: RefusalCode;
  message: string;
}

/** A frame split into its parts; `body` is the parsed JSON, not yet validated or authenticated. */
export interface OpenedFrame {
  /** The whole frame as text (what the center keeps as the raw message). */
  text: string;
  json: string;
  signature: string;
  body: Record<string, unknown>;
  /** The `dev` field of the body, needed to find the key that checks the signature. */
  dev: string;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: ProtocolError };

const SIGNATURE = /^[0-9a-f]{64}$/;

/** HMAC-SHA256 of the UTF-8 bytes of `json`, keyed with `secret`: what a frame's signature is. */
function mac(json: string, secret: string) {
  return createHmac('sha256', secret).update(json, 'utf8');
}

/** Signs `json` with `secret` (HMAC-SHA256, hex). */
export function sign(json: string, secret: string): string {
  return mac(json, secret).digest('hex');
}

/** Encodes a message as a signed frame. */
export function encodeFrame(message: object, secret: string): Buffer {
  const json = JSON.stringify(message);
  return Buffer.from(`${json}\t${sign(json, secret)}`, 'utf8');
}

/** Splits a frame and parses its JSON; checks size, shape and version, not the signature. */
export function openFrame(frame: Buffer | string): Result<OpenedFrame> {
  const size = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.length;
  if (size > MAX_FRAME_BYTES) {
    return fail('frame_too_large', `frame of ${size} bytes exceeds the limit of ${MAX_FRAME_BYTES}`);
  }
  const text = typeof frame === 'string' ? frame : frame.toString('utf8');
  const tab = text.lastIndexOf('\t');
  if (tab < 0) return fail('malformed_frame', 'a frame is JSON, a TAB and a hex HMAC-SHA256 signature');
  const json = text.slice(0, tab);
  const signature = text.slice(tab + 1);
  if (!SIGNATURE.test(signature)) {
    return fail('malformed_frame', 'the signature must be 64 lowercase hex characters');
  }
  let body: unknown;
  try {
    body = JSON.parse(json);
  } catch {
    return fail('malformed_json', 'the frame does not hold valid JSON');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return fail('malformed_json', 'a message is a JSON object');
  }
  const record = body as Record<string, unknown>;
  if (record.v !== PROTOCOL_VERSION) {
    return fail(
      'unsupported_version',
      `protocol version ${JSON.stringify(record.v)} is not supported; use 1`,
    );
  }
  if (typeof record.dev !== 'string' || record.dev.length === 0) {
    return fail('invalid_message', 'the message must name its device in "dev"');
  }
  return { ok: true, value: { text, json, signature, body: record, dev: record.dev } };
}

/** True when the frame was signed with `secret`; constant time. */
export function verifyFrame(frame: OpenedFrame, secret: string): boolean {
  const expected = mac(frame.json, secret).digest();
  const given = Buffer.from(frame.signature, 'hex');
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function fail<T>(code: RefusalCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}
