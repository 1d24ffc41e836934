/** Property tests of the engine: order independence, idempotence, no alarm for compliant people. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateSchedule } from '../../schedule.js';
import { startOfLocalDay } from '../../time.js';
import { diffEpisodes } from '../diff.js';
import { evaluateSupervision } from '../evaluate.js';
import { SCENARIOS } from '../scenarios/index.js';
import { checkScenario, runScenario, scenarioInputs, seededRandom } from '../scenarios/run.js';
import type { AlarmEpisode, EngineEvent, SupervisionInput } from '../types.js';
import { compliantStationary, randomSchedule } from './generators.js';

const byId = (id: string) => {
  const s = SCENARIOS.find((x) => x.id === id);
  if (s === undefined) throw new Error(id);
  return s;
};

/** Scenarios small enough to replay many times, covering every rule. */
const SAMPLES = [
  'presence-late-return',
  'late-upload-30h',
  'proximity-same-tram',
  'equipment-all',
  'sequence-gap-undecided',
  'zone-exclusion-entry',
  'delivery-late-return-after-settled',
  'delivery-heartbeat-txs',
].map(byId);

function shuffle<T>(items: readonly T[], seed: number): T[] {
  const rand = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** What the center would hold after applying every evaluation's diff (upsert, withdraw). */
function applyChanges(
  store: Map<string, AlarmEpisode>,
  prev: readonly AlarmEpisode[],
  next: readonly AlarmEpisode[],
) {
  for (const c of diffEpisodes(prev, next)) {
    if (c.type === 'withdrawn') store.delete(c.previous.id);
    else store.set(c.episode.id, c.episode);
  }
}

describe('order independence', () => {
  for (const s of SAMPLES) {
    const inputs = scenarioInputs(s);
    it(`${s.id}: any arrival order, in any batches, ends with the same episodes`, () => {
      fc.assert(
        fc.property(fc.integer(), fc.integer({ min: 1, max: 8 }), (seed, batches) => {
          for (const input of inputs) {
            const reference = evaluateSupervision(input).episodes;
            const order = shuffle(input.events, seed);
            const store = new Map<string, AlarmEpisode>();
            let prev: readonly AlarmEpisode[] = [];
            const seen: EngineEvent[] = [];
            const size = Math.ceil(order.length / batches);
            for (let i = 0; i < order.length; i += size) {
              seen.push(...order.slice(i, i + size));
              const next = evaluateSupervision({ ...input, events: seen }).episodes;
              applyChanges(store, prev, next);
              prev = next;
            }
            expect(evaluateSupervision({ ...input, events: order }).episodes).toEqual(reference);
            expect([...store.values()].sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(
              [...reference].sort((a, b) => (a.id < b.id ? -1 : 1)),
            );
          }
        }),
        { numRuns: 12 },
      );
    });
  }
});

describe('idempotence', () => {
  for (const s of SAMPLES) {
    it(`${s.id}: replaying events (redelivered later, duplicated) yields no change`, () => {
      fc.assert(
        fc.property(fc.integer(), fc.integer({ min: 1, max: 3_600_000 }), (seed, delay) => {
          for (const input of scenarioInputs(s)) {
            const first = evaluateSupervision(input);
            const replay = shuffle(input.events, seed).map((e) => ({
              ...e,
              receivedAt: e.receivedAt + delay,
            }));
            const again: SupervisionInput = { ...input, events: [...input.events, ...replay, ...replay] };
            const second = evaluateSupervision(again);
            expect(diffEpisodes(first.episodes, second.episodes)).toEqual([]);
            expect(second.episodes).toEqual(first.episodes);
          }
        }),
        { numRuns: 8 },
      );
    });
  }
});

describe('checkpointed evaluation', () => {
  it('late-upload-30h: the windowed evaluation agrees with the full one for episodes after the checkpoint', async () => {
    const { selectEvaluationWindow } = await import('../window.js');
    const s = byId('late-upload-30h');
    for (const input of scenarioInputs(s)) {
      const full = evaluateSupervision(input).episodes;
      for (const hours of [6, 20, 30]) {
        const from = s.startUtcMs + hours * 3_600_000;
        const part = evaluateSupervision({
          ...input,
          from,
          events: selectEvaluationWindow(input.events, from),
        });
        const expected = full.filter((e) => e.resolvedAt === undefined || e.resolvedAt >= from);
        expect(part.episodes.map((e) => e.id)).toEqual(expected.map((e) => e.id));
      }
    }
  });
});

describe('compliant people raise nothing', () => {
  it('random valid schedules, a week from a random Monday of 2026 (DST weeks included)', () => {
    const mondays = [
      '2026-01-05',
      '2026-03-23', // contains 29 March (spring DST)
      '2026-06-29',
      '2026-10-19', // contains 25 October (autumn DST)
      '2026-12-28',
    ];
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 31 - 1 }), fc.constantFrom(...mondays), (seed, monday) => {
        const schedule = randomSchedule(seededRandom(seed));
        fc.pre(validateSchedule(schedule).ok);
        const scenario = compliantStationary(schedule, startOfLocalDay(monday), 7, seed);
        const result = runScenario(scenario);
        expect(checkScenario(scenario, result)).toEqual([]);
      }),
      { numRuns: 40 },
    );
  });
});
