/**
 * Bounds on what a unit's numbers and clock can plausibly say (ADR 0408). A unit numbers its events one by
 * one and stamps each when it happens, before the frame that carries it is sent: a sequence number far above
 * what the center acknowledged, or an event stamped well after its own frame, is a broken counter or clock
 * (or a forged unit), not a record of what happened. Checked on the in-memory mark, per frame, before a
 * group is written.
 */
import { sql, type RawBuilder } from 'kysely';

/**
 * Default of `SDE_INGEST_MAX_SEQ_AHEAD`: how far above its acknowledged mark a unit's sequence numbers may
 * go. A home unit keeps 72 h of events (T2.4), a portable one 24 h (T3); 72 h of heartbeats at the shortest
 * interval a unit can be set to (5 s) are 51,840 events, and the largest read-out file (64 MiB) holds at
 * most about 1.4 million of the smallest events. A million numbers is 72 h at 3.9 events/s, or 58 days
 * offline at the fastest reporting: a unit further ahead than that has a broken counter.
 */
export const DEFAULT_MAX_SEQ_AHEAD = 1_000_000;

/**
 * How far after its own arrival an event's center time may lie (device time + the unit's measured offset).
 * For a live frame that is how far an event may be stamped after the frame that carries it (`t − ts`): the
 * event happened before the frame left, so anything beyond a clock step between the two (a sync that
 * corrected a fast clock by seconds) is a clock that jumped. Five minutes is far above any drift between
 * the hourly syncs a unit must make (protocol §4), and short enough that a heartbeat slightly ahead is
 * "latest" for minutes at most.
 */
export const MAX_FUTURE_MS = 5 * 60_000;

/**
 * SQL: the event's time is one a unit's state may be read from — not flagged `future_time` and, for events
 * stored before the bound existed, not more than `MAX_FUTURE_MS` after its arrival. Latest-state queries
 * filter on it so that no far-future event is "latest" forever.
 */
export function plausiblyTimed(
  flags: RawBuilder<unknown>,
  time: RawBuilder<unknown>,
  receivedAt: RawBuilder<unknown>,
): RawBuilder<boolean> {
  return sql<boolean>`(not ${FUTURE_TIME_FLAG} = any(${flags}) and ${time} <= ${receivedAt} + ${MAX_FUTURE_MS}::int8 * interval '1 millisecond')`;
}

/** The flag of an event whose device time lay more than `MAX_FUTURE_MS` after its arrival. */
export const FUTURE_TIME_FLAG = 'future_time';

/** Why a frame's events were not taken as they are. */
export type ImplausibleReason = 'seq_out_of_range' | 'future_time' | 'seq_reused';

/** The lowest sequence number of a frame's events, or 0 for none. */
export function lowestSeq(events: readonly { seq: number }[]): number {
  let min = Infinity;
  for (let i = 0; i < events.length; i++) if (events[i]!.seq < min) min = events[i]!.seq;
  return min === Infinity ? 0 : min;
}
