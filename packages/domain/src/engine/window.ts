/**
 * Checkpointed evaluation: the events an evaluation with checkpoint `from` needs, taken from a device
 * history. The center runs the same selection in SQL (per device: the events from `from − lookback`, and
 * the latest event of each kind before that — the state carried in).
 */
import { normaliseEvents } from './core.js';
import { ENGINE_LOOKBACK_MS } from './evaluate.js';
import type { EngineEvent } from './types.js';

/** Location fixes carried in per device (enough for jump filtering and fix hysteresis). */
export const CARRY_IN_FIXES = 5;

/** The events from `from − ENGINE_LOOKBACK_MS` on, plus the carry-in events before that. */
export function selectEvaluationWindow(events: readonly EngineEvent[], from: number): EngineEvent[] {
  const cut = from - ENGINE_LOOKBACK_MS;
  const sorted = normaliseEvents(events);
  const carry = new Map<string, EngineEvent[]>();
  const out: EngineEvent[] = [];
  for (const e of sorted) {
    if (e.time >= cut) {
      out.push(e);
      continue;
    }
    const key = `${e.deviceId}\u0000${e.kind}\u0000${e.body.tx ?? ''}`;
    const list = carry.get(key) ?? [];
    list.push(e);
    if (list.length > (e.kind === 'location' ? CARRY_IN_FIXES : 1)) list.shift();
    carry.set(key, list);
  }
  // The last arrival before the cut too: communication loss needs the last contact.
  const lastArrival = new Map<string, EngineEvent>();
  for (const e of sorted) {
    if (e.time >= cut) continue;
    const prev = lastArrival.get(e.deviceId);
    if (prev === undefined || e.receivedAt >= prev.receivedAt) lastArrival.set(e.deviceId, e);
  }
  return normaliseEvents([...out, ...[...carry.values()].flat(), ...lastArrival.values()]);
}
