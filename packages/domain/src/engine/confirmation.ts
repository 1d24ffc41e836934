/**
 * What the units have confirmed (ADR 0501, "decided means decided"). An episode is decided only when the
 * stored events cover it; these are the stretches of event time they do not cover, per unit:
 * - `silence`: two events of the unit with consecutive numbers further apart than its communication-loss
 *   threshold — the unit recorded nothing then (off, or without power), so it observed nothing;
 * - `next_report`: after the unit's last stored event, while it is not (yet) in communication loss.
 * Sequence gaps (`sequence`) and a unit silent now (`silence`, open-ended) come from `evaluate.ts`.
 */
import type { RuleContext, Segment } from './core.js';
import { segmentAt } from './core.js';
import type { EngineEvent, SeqGap } from './types.js';

const HOUR = 3_600_000;

/**
 * Limit of an undecided episode that rests on a state carried forward from an earlier observation (presence
 * and the daily limit: the transmitter out of range since its last report — rules that set
 * `RawEpisode.stateAt`): it is dropped, never decided, when this passes after detection with no data
 * deciding it. 72 h is what a unit buffers (docs/protocol.md): after it nothing recorded meanwhile can come.
 */
export const UNDECIDED_STATE_LIMIT_MS = 72 * HOUR;
/**
 * Limit of an undecided episode of another rule (zones, proximity, location loss), whose opening is
 * observed directly (fixes, radio contact): a sequence gap may only move its edges, so when the missing
 * numbers have not come an hour after detection they are taken as lost and the episode is decided.
 */
export const UNDECIDED_OBSERVED_LIMIT_MS = 1 * HOUR;

/** The communication-loss threshold of `unit` under `segment`: reports missed + grace. */
function thresholdOf(segment: Segment | undefined, unit: string): number | undefined {
  if (segment === undefined) return undefined;
  const d = segment.version.devices;
  const interval = [d.homeUnit, d.portableUnit, d.protectedUnit].find(
    (u) => u?.deviceId === unit,
  )?.reportIntervalMs;
  if (interval === undefined || !(interval > 0)) return undefined;
  const { missedReports, graceMs } = segment.settings.communication;
  return Math.max(1, missedReports) * interval + graceMs;
}

/** Per unit, its events in time order. */
function byUnit(events: readonly EngineEvent[]): Map<string, EngineEvent[]> {
  const out = new Map<string, EngineEvent[]>();
  for (const e of events) {
    const list = out.get(e.deviceId) ?? [];
    list.push(e);
    out.set(e.deviceId, list);
  }
  return out;
}

/**
 * Silences in the past: consecutive events of a unit (numbers n and n + 1) further apart in event time than
 * its communication-loss threshold. The unit was not recording, so nothing it reports covers that stretch.
 */
export function recordingHoles(ctx: RuleContext): SeqGap[] {
  const out: SeqGap[] = [];
  for (const [unit, events] of byUnit(ctx.events)) {
    for (let i = 1; i < events.length; i++) {
      const a = events[i - 1] as EngineEvent;
      const b = events[i] as EngineEvent;
      // Consecutive numbers only: events between two stored ones that are simply not in this (windowed)
      // input are no silence, and missing ones are sequence gaps.
      if (b.seq !== a.seq + 1) continue;
      const threshold = thresholdOf(segmentAt(ctx.segments, a.time), unit);
      if (threshold === undefined || b.time - a.time <= threshold) continue;
      out.push({
        kind: 'silence',
        deviceId: unit,
        fromSeq: a.seq + 1,
        toSeq: b.seq - 1,
        fromTime: a.time,
        toTime: b.time,
      });
    }
  }
  return out;
}

/** After each unit's last stored event (units in `silent` excluded: their silence is already listed). */
export function reportTails(ctx: RuleContext, silent: ReadonlySet<string>): SeqGap[] {
  const out: SeqGap[] = [];
  for (const [unit, events] of byUnit(ctx.events)) {
    if (silent.has(unit)) continue;
    const last = events[events.length - 1] as EngineEvent;
    const lastSeq = Math.max(...events.map((e) => e.seq));
    out.push({
      kind: 'next_report',
      deviceId: unit,
      fromSeq: lastSeq + 1,
      toSeq: null,
      fromTime: last.time,
      toTime: Number.POSITIVE_INFINITY,
    });
  }
  return out;
}

/** The latest observation (event) among `events` at or before `t`; -Infinity when none. */
export function observedBy(events: readonly EngineEvent[], t: number): number {
  let at = Number.NEGATIVE_INFINITY;
  for (const e of events) if (e.time <= t && e.time > at) at = e.time;
  return at;
}
