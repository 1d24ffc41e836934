import type { AlarmEpisode, AlarmRule, SupervisionEvaluation } from '@sde/domain';
import { ENGINE_LOOKBACK_MS } from '@sde/domain';
import { describe, expect, it } from 'vitest';
import { withSettledEpisodes } from './settled-episodes.js';

const T0 = Date.parse('2026-03-09T13:00:00Z');
const MIN = 60_000;

function episode(rule: AlarmRule, startedAt: number, resolvedAt?: number): AlarmEpisode {
  return {
    id: `sup/${rule}/HU-1/${startedAt}`,
    supervisionId: 'sup',
    rule,
    subject: 'HU-1',
    severity: 'informational',
    cause: 'x',
    startedAt,
    openedAt: startedAt,
    updatedAt: resolvedAt ?? startedAt,
    ...(resolvedAt === undefined ? {} : { resolvedAt }),
    endsBy: 'condition',
    detectedAt: startedAt,
    late: false,
    undecided: false,
    awaiting: [],
    evidence: [],
    evidenceCount: 0,
    orderVersionId: 'v1',
    clause: { pl: '', en: '' },
    explanation: { pl: '', en: '' },
  };
}

function evaluation(now: number, episodes: AlarmEpisode[]): SupervisionEvaluation {
  return {
    supervisionId: 'sup',
    regionId: 'PL-ZP',
    now,
    episodes,
    nextDueAt: undefined,
    awaiting: [],
    suppressedFixes: [],
  };
}

describe('withSettledEpisodes', () => {
  const power = episode('unit_power', T0, T0 + 180 * MIN);
  const silence = episode('communication_loss', T0 + 35 * MIN, T0 + 180 * MIN);
  const presence = episode('presence', T0 + 60 * MIN, T0 + 90 * MIN);
  const previous = evaluation(T0 + 181 * MIN, [power, silence, presence]);

  it('keeps power and communication episodes that ended before the new window, for correlation', () => {
    const next = evaluation(T0 + 185 * MIN, []);
    const r = withSettledEpisodes(previous, next, T0 + 181 * MIN);
    expect(r.episodes.map((e) => e.id)).toEqual([power.id, silence.id]);
    // …and again from an evaluation that already carried them.
    const later = withSettledEpisodes(r, evaluation(T0 + 190 * MIN, []), T0 + 185 * MIN);
    expect(later.episodes.map((e) => e.id)).toEqual([power.id, silence.id]);
  });

  it('takes the new evaluation at its word inside its window, and forgets what is older than the lookback', () => {
    const changed = { ...power, resolvedAt: T0 + 170 * MIN };
    const inside = withSettledEpisodes(previous, evaluation(T0 + 185 * MIN, [changed]), T0 + 100 * MIN);
    expect(inside.episodes).toEqual([changed]);
    const old = withSettledEpisodes(
      previous,
      evaluation(T0 + 180 * MIN + ENGINE_LOOKBACK_MS + MIN, []),
      T0 + 181 * MIN + ENGINE_LOOKBACK_MS,
    );
    expect(old.episodes).toEqual([]);
  });

  it('adds nothing to a full evaluation or to a first one', () => {
    const next = evaluation(T0 + 185 * MIN, [presence]);
    expect(withSettledEpisodes(previous, next, undefined)).toBe(next);
    expect(withSettledEpisodes(undefined, next, T0 + 181 * MIN)).toBe(next);
  });
});
