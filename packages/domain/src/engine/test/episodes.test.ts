/**
 * One episode per condition (ADR 0502) and explanations from what was recorded (ADR 0503), as properties
 * over random battery series and communication outages, evaluated live (the center's successive `now`s).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateSupervision } from '../evaluate.js';
import { HOUR, MIN, SEC, devices, stationary, warsaw, weekly } from '../scenarios/build.js';
import type { AlarmEpisode, EngineEvent, SupervisionInput } from '../types.js';

const START = warsaw('2026-03-09 00:00');
const P = 'prop';
const d = devices(P);
const SEVERITY = { informational: 0, serious: 1, critical: 2 } as const;

function input(events: EngineEvent[], now: number): SupervisionInput {
  const v = stationary(P, weekly({}));
  return {
    timeline: {
      supervisionId: P,
      regionId: 'PL-MZ',
      versions: [{ ...v, validFromUtcMs: START + v.validFrom }],
    },
    events: events.filter((e) => e.receivedAt <= now),
    now,
  };
}

/** A battery report of the transmitter or the home unit, or a heartbeat (power, levels). */
const report = fc.record({
  at: fc.integer({ min: 0, max: 24 * 60 }).map((m) => m * MIN),
  kind: fc.constantFrom(
    'tx_battery_low',
    'unit_battery_low',
    'heartbeat',
    'heartbeat_v11',
    'unit_power_restored',
  ),
  battery: fc.integer({ min: 0, max: 100 }),
  power: fc.constantFrom('mains' as const, 'battery' as const),
});

type Report = typeof report extends fc.Arbitrary<infer T> ? T : never;

function toEvents(reports: Report[]): EngineEvent[] {
  return [...reports]
    .sort((a, b) => a.at - b.at)
    .map((r, i) => {
      const base = { deviceId: d.hu, seq: i + 1, time: START + r.at, receivedAt: START + r.at + SEC };
      switch (r.kind) {
        case 'tx_battery_low':
          return { ...base, kind: 'tx_battery_low', body: { tx: d.tx, battery: r.battery } };
        case 'unit_battery_low':
          return { ...base, kind: 'unit_battery_low', body: { battery: r.battery } };
        case 'heartbeat':
          return { ...base, kind: 'heartbeat', body: { battery: r.battery, signal: 70, power: r.power } };
        case 'heartbeat_v11':
          return {
            ...base,
            kind: 'heartbeat',
            body: {
              battery: 90,
              signal: 70,
              power: 'mains',
              txs: [{ tx: d.tx, inRange: true, battery: r.battery }],
            },
          };
        case 'unit_power_restored':
          return { ...base, kind: 'unit_power_restored', body: {} };
      }
    });
}

const battery = (e: AlarmEpisode) => e.rule === 'tx_battery_low' || e.rule === 'unit_battery_low';

describe('battery: one episode per device', () => {
  it('any series: never two battery episodes of one device at once; an open one never loses severity', () => {
    fc.assert(
      fc.property(fc.array(report, { minLength: 1, maxLength: 40 }), (reports) => {
        const events = toEvents(reports);
        const seen = new Map<string, AlarmEpisode>();
        // Evaluated after every arrival, as the center does.
        for (const now of [...new Set(events.map((e) => e.receivedAt))]) {
          const eps = evaluateSupervision(input(events, now)).episodes.filter(battery);
          for (const rule of ['tx_battery_low', 'unit_battery_low']) {
            const mine = eps.filter((e) => e.rule === rule).sort((a, b) => a.startedAt - b.startedAt);
            expect(mine.filter((e) => e.resolvedAt === undefined).length).toBeLessThanOrEqual(1);
            for (let i = 1; i < mine.length; i++)
              expect(mine[i]!.startedAt).toBeGreaterThanOrEqual(mine[i - 1]!.resolvedAt ?? Infinity);
          }
          expect(eps.some((e) => e.rule === 'battery_critical')).toBe(false);
          for (const e of eps) {
            const before = seen.get(e.id);
            if (before !== undefined && before.resolvedAt === undefined)
              expect(SEVERITY[e.severity]).toBeGreaterThanOrEqual(SEVERITY[before.severity]);
            seen.set(e.id, e);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a transmitter battery reported at 30 % down to 5 % over a day is one episode, raised once critical', () => {
    const levels = [30, 25, 18, 12, 9, 5];
    const events: EngineEvent[] = levels.map((battery, i) => ({
      deviceId: d.hu,
      seq: i + 1,
      kind: 'tx_battery_low',
      time: START + (8 + 3 * i) * HOUR,
      receivedAt: START + (8 + 3 * i) * HOUR + SEC,
      body: { tx: d.tx, battery },
    }));
    const severities = events.map((e) => {
      const eps = evaluateSupervision(input(events, e.receivedAt)).episodes.filter(battery);
      expect(eps).toHaveLength(1);
      return eps[0]!.severity;
    });
    expect(severities).toEqual([
      'informational',
      'informational',
      'informational',
      'informational',
      'serious',
      'serious',
    ]);
    // A v1.1 heartbeat reporting the transmitter charged ends it.
    const charged: EngineEvent = {
      deviceId: d.hu,
      seq: 7,
      kind: 'heartbeat',
      time: START + 30 * HOUR,
      receivedAt: START + 30 * HOUR + SEC,
      body: { battery: 90, signal: 70, power: 'mains', txs: [{ tx: d.tx, inRange: true, battery: 100 }] },
    };
    const [ep] = evaluateSupervision(input([...events, charged], START + 31 * HOUR)).episodes.filter(battery);
    expect(ep).toMatchObject({ severity: 'serious', resolvedAt: START + 30 * HOUR });
    expect(ep!.explanation.en).toContain('battery charged (100 %) at 10 March 2026, 06:00');
  });
});

describe('communication loss: explained by what was recorded, whatever the delay', () => {
  it('a unit that kept recording through any outage is a link failure; one that recorded nothing was off', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 11, max: 180 }),
        fc.integer({ min: 0, max: 120 }),
        fc.boolean(),
        (outageMin, uploadDelaySec, off) => {
          const from = 60 * MIN;
          const to = from + outageMin * MIN;
          const upload = to + uploadDelaySec * SEC;
          const events: EngineEvent[] = [];
          for (let t = 0, seq = 1; t < to + 30 * MIN; t += 5 * MIN) {
            const during = t >= from && t < to;
            if (during && off) continue;
            events.push({
              deviceId: d.hu,
              seq: seq++,
              kind: 'heartbeat',
              time: START + t,
              receivedAt: START + (during ? upload : t + SEC),
              body: { battery: 90, signal: 70, power: 'mains' },
            });
          }
          const now = START + to + 30 * MIN;
          const [ep] = evaluateSupervision(input(events, now)).episodes.filter(
            (e) => e.rule === 'communication_loss',
          );
          // The silence lasts from the last arrival before the outage to the first one after it.
          const lastContact = START + from - 5 * MIN + SEC;
          const resumed = Math.min(...events.map((e) => e.receivedAt).filter((t) => t > lastContact));
          const recorded = events.filter((e) => e.time > lastContact && e.time < resumed).length;
          if (off) {
            expect(ep?.cause).toBe('unit_not_recording');
            expect(ep?.explanation.en).toContain('recorded no event meanwhile');
          } else {
            expect(ep?.cause).toBe('link_down_unit_recording');
            expect(ep?.explanation.en).toContain(`recorded ${recorded} event${recorded === 1 ? '' : 's'}`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
