/**
 * A smoke run of the truth generator and player (bench/truth.ts) on a few supervisions with many violations:
 * the ground truth is self-consistent (every true violation can be seen in the events the units sent) and
 * the score accounts for every true condition and every published episode.
 */
import type { EngineEvent } from '@sde/domain';
import { containsPoint } from '@sde/domain';
import { describe, expect, it } from 'vitest';
import { generateSupervision, QUIET_END_MS, REPORT_INTERVAL_MS } from './generate.js';
import type { FleetParams, GeneratedSupervision } from './model.js';
import { playSupervision } from './play.js';
import { scoreRun } from './score.js';

const MIN = 60_000;
const params: FleetParams = {
  supervisions: 40,
  days: 3,
  seed: 7,
  startUtcMs: Date.UTC(2026, 10, 1, 23, 0),
  v11: false,
  rates: { lateReturn: 0.3, nightLeave: 0.4, overDailyLimit: 0.3, zoneEntry: 0.9, strapTamper: 0.4 },
};
const end = params.startUtcMs + params.days * 86_400_000;

/** Three stationary and two mobile supervisions of the fleet. */
function pick(): GeneratedSupervision[] {
  const out: GeneratedSupervision[] = [];
  let stationary = 0;
  let mobile = 0;
  for (let i = 0; i < params.supervisions && out.length < 5; i++) {
    const s = generateSupervision(i, params);
    if (s.kind === 'stationary' && stationary < 3) {
      stationary++;
      out.push(s);
    } else if (s.kind === 'mobile' && mobile < 2) {
      mobile++;
      out.push(s);
    }
  }
  return out;
}

/** First arrival of each event (the center keeps the first of duplicates). */
function firstArrivals(deliveries: readonly EngineEvent[]): EngineEvent[] {
  const m = new Map<string, EngineEvent>();
  for (const e of deliveries) {
    const k = `${e.deviceId}/${e.seq}`;
    const p = m.get(k);
    if (p === undefined || e.receivedAt < p.receivedAt) m.set(k, e);
  }
  return [...m.values()].sort((a, b) => a.time - b.time);
}

describe('truth generator and player (smoke)', () => {
  const sups = pick();

  it('makes violations of every kind and each one is visible in what the units sent', () => {
    expect(sups.filter((s) => s.kind === 'mobile')).toHaveLength(2);
    const rules = new Set(sups.flatMap((s) => s.truth.map((t) => t.rule)));
    for (const r of ['presence', 'exclusion_zone', 'strap_tamper', 'communication_loss'] as const)
      expect(rules).toContain(r);
    for (const s of sups) {
      const events = firstArrivals(s.deliveries);
      const version = s.timeline.versions[0]!;
      for (const t of s.truth) {
        const near = (e: EngineEvent): boolean => Math.abs(e.time - t.startedAt) <= MIN;
        if (t.rule === 'presence' || t.rule === 'daily_away_limit') {
          // The last range event by the start says "out", and nothing says "back" during the grace.
          const range = events.filter((e) => e.kind === 'tx_in_range' || e.kind === 'tx_out_of_range');
          const last = range.filter((e) => e.time <= t.startedAt + MIN).at(-1);
          expect(last?.kind, `${s.timeline.supervisionId} ${t.rule} ${t.what}`).toBe('tx_out_of_range');
          const back = range.find((e) => e.time > (last?.time ?? 0));
          expect(back === undefined || back.time > t.startedAt + 3 * MIN).toBe(true);
        } else if (t.rule === 'exclusion_zone') {
          const zone = version.obligations.find((o) => o.kind === 'exclusion_zone');
          const inside = events.filter(
            (e) =>
              e.kind === 'location' &&
              e.time >= t.startedAt &&
              e.time <= (t.endedAt ?? end) &&
              zone?.kind === 'exclusion_zone' &&
              containsPoint(zone.zone, e.body.lat ?? 0, e.body.lon ?? 0),
          );
          expect(inside.length, `${s.timeline.supervisionId} ${t.what}`).toBeGreaterThanOrEqual(2);
        } else if (t.rule === 'strap_tamper') {
          expect(events.some((e) => e.kind === 'tx_strap_tamper' && near(e))).toBe(true);
        } else if (t.rule === 'communication_loss') {
          // No arrival between the last contact and the missed reports' allowance.
          const lastContact = t.startedAt - REPORT_INTERVAL_MS;
          const silent = events.filter(
            (e) =>
              e.receivedAt > lastContact && e.receivedAt <= lastContact + 2 * REPORT_INTERVAL_MS + 30_000,
          );
          expect(silent).toHaveLength(0);
        }
      }
    }
  });

  it('plays the events as they arrive and the score accounts for every truth and episode', () => {
    for (const s of sups) {
      const played = playSupervision(s, { end, foldMs: 12 * 3_600_000 });
      expect(played.evaluations).toBeGreaterThan(params.days);
      const { byRule } = scoreRun(s.truth, played.records, { until: end - QUIET_END_MS });
      for (const r of byRule.values()) {
        expect(r.caught + r.offStart + r.missed).toBe(r.truths);
        expect(r.decided).toBeLessThanOrEqual(r.published);
        expect(r.transients).toBeLessThanOrEqual(r.decided);
      }
      // Strap tampers are reported by the unit itself and never depend on a state carried over.
      const strap = byRule.get('strap_tamper');
      if (strap !== undefined) expect(strap.caught).toBe(strap.truths);
    }
  });
});
