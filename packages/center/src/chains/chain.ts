/**
 * The links of the hash chains (ADR 0701): what of a record is hashed, and how. A link's hash is the
 * SHA-256 of the previous hash in lowercase hex followed by the canonical record, as UTF-8; the first link
 * of a chain follows 64 zeros. Hashes are kept as hex in memory (the array literal of the ledger's statement
 * wants hex too) and stored as 32 bytes. The writer
 * (the ledger's group) and the verifier compute the canonical record with the same functions here, the
 * writer from what it is about to store, the verifier from what it reads back.
 */
import { hash } from 'node:crypto';

/** The "previous hash" of a chain's first link. */
export const GENESIS = '0'.repeat(64);

/**
 * JSON with every object's keys in code-unit order, at any depth: the same text for the body the gateway
 * decoded and for the one read back from `jsonb` (which keeps its own key order). Numbers and strings are
 * spelled by JSON.stringify, the same way on both sides since both are JavaScript values.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (const k of keys) {
    if (obj[k] === undefined) continue;
    out += `${out === '{' ? '' : ','}${JSON.stringify(k)}:${canonicalJson(obj[k])}`;
  }
  return `${out}}`;
}

/** A raw frame as hashed. Times are epoch milliseconds. */
export interface RawLink {
  id: number;
  deviceNo: number;
  receivedAt: number;
  source: string;
  frame: string;
}

/** An event as hashed. */
export interface EventLink {
  id: number;
  deviceNo: number;
  seq: number;
  kind: string;
  deviceTime: number;
  time: number;
  rawId: number;
  receivedAt: number;
  source: string;
  flags: readonly string[];
  body: Record<string, unknown>;
}

/** The canonical text of a raw frame: its tag, columns, and the frame exactly as stored. */
export function rawText(r: RawLink): string {
  return JSON.stringify(['raw', r.id, r.deviceNo, r.receivedAt, r.source, r.frame]);
}

/** The canonical text of an event. */
export function eventText(e: EventLink): string {
  return `["event",${e.id},${e.deviceNo},${e.seq},${JSON.stringify(e.kind)},${e.deviceTime},${e.time},${e.rawId},${e.receivedAt},${JSON.stringify(e.source)},${JSON.stringify(e.flags)},${canonicalJson(e.body)}]`;
}

/**
 * The hash of a link, in hex. One-shot `crypto.hash` on one string: a quarter of the CPU of a `createHash`
 * object per link (0.6 against 2.3 µs, bench/chains.ts), on the ledger's event loop five times per frame.
 */
export function link(prev: string, text: string): string {
  return hash('sha256', prev + text);
}

/** `rint`: to the nearest integer, halves to even (PostgreSQL's rounding of a timestamp's microseconds). */
function rint(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 ? f + 1 : d < 0.5 ? f : f % 2 === 0 ? f : f + 1;
}

/** Seconds from 1970 to 2000, PostgreSQL's epoch. */
const PG_EPOCH_S = 946_684_800;

/**
 * The epoch milliseconds a time written as `to_timestamp(ms / 1000.0)` reads back as
 * `round(extract(epoch from t) * 1000)`: `ms` itself for every time a unit can send today, computed the way
 * PostgreSQL computes it so that a time far off (a unit's clock in year 9999) hashes the same on both sides.
 */
export function storedMs(ms: number): number {
  const us = rint((ms / 1000 - PG_EPOCH_S) * 1_000_000);
  if (Math.abs(us) < Number.MAX_SAFE_INTEGER) {
    const r = us % 1000;
    const q = (us - r) / 1000 + (r >= 500 ? 1 : r <= -500 ? -1 : 0);
    return q + PG_EPOCH_S * 1000;
  }
  const big = BigInt(us);
  const r = big % 1000n;
  const q = big / 1000n + (r >= 500n ? 1n : r <= -500n ? -1n : 0n);
  return Number(q + BigInt(PG_EPOCH_S * 1000));
}
