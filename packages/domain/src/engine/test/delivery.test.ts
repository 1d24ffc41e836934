/** Decided means decided (ADR 0501): what the engine publishes on the way, under real delivery. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UNDECIDED_STATE_LIMIT_MS } from '../confirmation.js';
import { diffEpisodes } from '../diff.js';
import { evaluateSupervision } from '../evaluate.js';
import { HOUR, MIN, beats, devices, everyDay, leaves, stationary, warsaw } from '../scenarios/build.js';
import { SCENARIOS } from '../scenarios/index.js';
import type { Scenario } from '../scenarios/model.js';
import { expandScenarioEvents, runScenario, scenarioInputs } from '../scenarios/run.js';
import type { AlarmEpisode, SupervisionEvaluation } from '../types.js';
import { selectEvaluationWindow } from '../window.js';

const byId = (id: string): Scenario => {
  const s = SCENARIOS.find((x) => x.id === id);
  if (s === undefined) throw new Error(id);
  return s;
};
const only = <T>(xs: readonly T[]): T => {
  expect(xs).toHaveLength(1);
  return xs[0] as T;
};
const STATE = new Set(['presence', 'daily_away_limit']);

/** Evaluations every `stepMs` of `s` from `fromOffset` to `toOffset`, as the center would run them. */
function live(s: Scenario, fromOffset: number, toOffset: number, stepMs: number): SupervisionEvaluation[] {
  const out: SupervisionEvaluation[] = [];
  for (let t = fromOffset; t <= toOffset; t += stepMs)
    out.push(...runScenario(s, { nowOffset: t }).evaluations);
  return out;
}

describe('a return-home event lost and retransmitted two days later', () => {
  const s = byId('delivery-late-return-after-settled');
  const resent = warsaw('2026-03-11 20:00') - s.startUtcMs;

  it('before it arrives: at most one undecided episode per rule, never a decided one, never one per day', () => {
    let previous: readonly AlarmEpisode[] = [];
    const opened: AlarmEpisode[] = [];
    for (const ev of live(s, 15 * HOUR, resent - MIN, 30 * MIN)) {
      const state = ev.episodes.filter((e) => STATE.has(e.rule));
      expect(state.every((e) => e.undecided)).toBe(true);
      expect(state.filter((e) => e.rule === 'presence').length).toBeLessThanOrEqual(1);
      expect(state.filter((e) => e.rule === 'daily_away_limit').length).toBeLessThanOrEqual(1);
      for (const c of diffEpisodes(previous, ev.episodes)) if (c.type === 'opened') opened.push(c.episode);
      previous = ev.episodes;
    }
    expect(opened.map((e) => [e.rule, e.undecided])).toEqual([
      ['presence', true],
      ['daily_away_limit', true],
    ]);
    const presence = opened[0] as AlarmEpisode;
    expect(presence.awaiting.map((g) => g.kind)).toEqual(['sequence']);
    expect(presence.explanation.en).toContain('Undecided: the center has not yet received one event of unit');
  });

  it('the windowed evaluation from the undecided episode (as the center runs it) agrees with the full one', () => {
    for (const hours of [30, 50, resent / HOUR - 1]) {
      const input = only(scenarioInputs(s, { nowOffset: hours * HOUR }));
      const full = evaluateSupervision(input).episodes;
      const from = Math.min(...full.map((e) => e.startedAt));
      const part = evaluateSupervision({
        ...input,
        from,
        events: selectEvaluationWindow(input.events, from),
      });
      expect(part.episodes).toEqual(full);
    }
  });

  it('once it arrives, both are withdrawn and nothing else opens', () => {
    const before = only(runScenario(s, { nowOffset: resent - MIN }).evaluations);
    const after = only(runScenario(s, { nowOffset: resent + MIN }).evaluations);
    expect(after.episodes).toEqual([]);
    expect(diffEpisodes(before.episodes, after.episodes).map((c) => c.type)).toEqual([
      'withdrawn',
      'withdrawn',
    ]);
  });

  it('if it never arrives, the undecided episodes are dropped 72 h after detection, never decided', () => {
    const lost: Scenario = {
      ...s,
      durationMs: s.durationMs + 2 * 24 * HOUR,
      events: s.events.map((e) => (e.kind === 'tx_in_range' ? { ...e, withheld: true } : e)),
      heartbeats: (s.heartbeats ?? []).map((h) => ({ ...h, to: h.to + 2 * 24 * HOUR })),
    };
    const opened = warsaw('2026-03-09 16:03') - s.startUtcMs;
    const before = only(
      runScenario(lost, { nowOffset: opened + UNDECIDED_STATE_LIMIT_MS - MIN }).evaluations,
    );
    const presence = before.episodes.find((e) => e.rule === 'presence');
    expect(presence?.undecided).toBe(true);
    expect(before.nextDueAt).toBeLessThanOrEqual(s.startUtcMs + opened + UNDECIDED_STATE_LIMIT_MS);
    const after = only(runScenario(lost, { nowOffset: opened + UNDECIDED_STATE_LIMIT_MS }).evaluations);
    expect(after.episodes.filter((e) => e.rule === 'presence')).toEqual([]);
    expect(after.expired).toContain(presence?.id);
    const later = live(lost, opened + UNDECIDED_STATE_LIMIT_MS, lost.durationMs, 6 * HOUR);
    expect(later.flatMap((e) => e.episodes).filter((e) => STATE.has(e.rule) && !e.undecided)).toEqual([]);
  });
});

describe('a unit silent across days', () => {
  const s = byId('delivery-silence-across-days');

  it('while it is silent: one communication loss, the carried absence undecided and waiting for the silence', () => {
    const home = live(s, 30 * HOUR, 70 * HOUR, 4 * HOUR).filter(
      (e) => e.supervisionId === 'delivery-silence-home',
    );
    for (const ev of home) {
      expect(ev.episodes.filter((e) => e.rule === 'communication_loss')).toHaveLength(1);
      const state = ev.episodes.filter((e) => STATE.has(e.rule));
      expect(state.length).toBeLessThanOrEqual(2);
      expect(state.every((e) => e.undecided && e.awaiting.some((g) => g.kind === 'silence'))).toBe(true);
    }
  });
});

describe('a presence alarm waits for the next report', () => {
  it('at 16:03 with the last report at 16:00 it is undecided; the 16:05 report decides it', () => {
    const s = byId('presence-absent-when-curfew-begins');
    const at = (hhmm: string) => warsaw(`2026-03-02 ${hhmm}`) - s.startUtcMs;
    const first = only(only(runScenario(s, { nowOffset: at('16:03') }).evaluations).episodes);
    expect(first).toMatchObject({ rule: 'presence', undecided: true });
    expect(first.awaiting.map((g) => g.kind)).toEqual(['next_report']);
    const decided = only(only(runScenario(s, { nowOffset: at('16:06') }).evaluations).episodes);
    expect(decided).toMatchObject({ id: first.id, undecided: false, awaiting: [] });
  });
});

/**
 * The property: a decided presence or daily-limit episode rests on data — its home unit has an event at
 * or after the opening, and none of the unit's sequence numbers is missing from the observation the
 * state rests on up to that event. Lost frames (any subset of the transitions withheld) and any `now`.
 */
describe('no decided episode rests on an unconfirmed state', () => {
  const samples = ['presence-late-return', 'presence-daily-limit', 'delivery-late-return-after-settled'].map(
    byId,
  );
  for (const s of samples) {
    it(`${s.id}: lost transition frames, any evaluation instant`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.boolean(), { minLength: s.events.length, maxLength: s.events.length }),
          fc.double({ min: 0.3, max: 1, noNaN: true }),
          (lost, fraction) => {
            const varied: Scenario = {
              ...s,
              events: s.events.map((e, i) => (lost[i] === true ? { ...e, withheld: true } : e)),
            };
            const nowOffset = Math.round(s.durationMs * fraction);
            const inputs = scenarioInputs(varied, { nowOffset });
            const all = expandScenarioEvents(varied);
            for (const input of inputs) {
              const stored = new Set(input.events.map((e) => `${e.deviceId}#${e.seq}`));
              for (const ep of evaluateSupervision(input).episodes) {
                if (!STATE.has(ep.rule) || ep.undecided) continue;
                const hu = input.timeline.versions[0]?.devices.homeUnit?.deviceId as string;
                const observed = ep.evidence.filter((e) => e.deviceId === hu && e.time <= ep.openedAt);
                const from = Math.min(...observed.map((e) => e.seq));
                const confirming = input.events
                  .filter((e) => e.deviceId === hu && e.time >= ep.openedAt)
                  .sort((a, b) => a.seq - b.seq)[0];
                expect(confirming, ep.id).toBeDefined();
                for (const e of all)
                  if (e.deviceId === hu && e.seq >= from && e.seq <= (confirming?.seq ?? 0))
                    expect(stored.has(`${hu}#${e.seq}`), `${ep.id}: ${hu}#${e.seq}`).toBe(true);
              }
            }
          },
        ),
        { numRuns: 25 },
      );
    });
  }
});

describe('a long absence the unit keeps confirming', () => {
  const id = 'absconded';
  const s: Scenario = {
    id,
    title: { pl: 'Ucieczka', en: 'Absconded' },
    covers: ['presence'],
    startUtcMs: warsaw('2026-03-09 00:00'),
    durationMs: 4 * 24 * HOUR,
    supervisions: [
      {
        supervisionId: id,
        regionId: 'PL-MZ',
        versions: [stationary(id, everyDay('08:00', '16:00', 'praca'))],
      },
    ],
    events: [leaves(id, 8 * HOUR + 5 * MIN)],
    heartbeats: [beats(devices(id).hu, 0, 4 * 24 * HOUR)],
    expect: [],
    forbid: [],
  };

  it('is decided every day, and the windowed evaluation the center runs agrees with the full one', () => {
    const input = only(scenarioInputs(s));
    const full = evaluateSupervision(input).episodes.filter((e) => e.rule === 'presence');
    expect(full.length).toBeGreaterThanOrEqual(3);
    expect(full.every((e) => !e.undecided)).toBe(true);
    for (const e of full) {
      const from = e.startedAt;
      const part = evaluateSupervision({
        ...input,
        from,
        events: selectEvaluationWindow(input.events, from),
      });
      const expected = evaluateSupervision(input).episodes.filter(
        (x) => x.resolvedAt === undefined || x.resolvedAt >= from,
      );
      expect(part.episodes).toEqual(expected);
    }
  });
});
