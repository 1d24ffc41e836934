/**
 * Generates, plays and scores a slice of the fleet: the unit of work of one worker thread
 * (bench/truth.ts). Pure computation; no I/O.
 */
import type { AlarmRule } from '@sde/domain';
import { generateSupervision, QUIET_END_MS } from './generate.js';
import type { FleetParams } from './model.js';
import { playSupervision } from './play.js';
import type { RuleScore, Verdict } from './score.js';
import { mergeScores, scoreRun } from './score.js';

/** One published episode worth a look in the report: a false decided alarm or a transient. */
export interface Example {
  readonly id: string;
  readonly rule: AlarmRule;
  readonly cause: string;
  readonly kind: 'stationary' | 'mobile';
  readonly verdict: Verdict;
  readonly everDecided: boolean;
  readonly withdrawn: boolean;
  /** Minutes from the episode's start to its first publication. */
  readonly publishedAfterMin: number;
  /** Minutes from its first publication to its withdrawal. */
  readonly withdrawnAfterMin?: number;
}

/** What a slice gives. */
export interface SliceResult {
  readonly supervisions: number;
  readonly byRule: [AlarmRule, RuleScore][];
  readonly examples: Example[];
  readonly evaluations: number;
  readonly shadowEvaluations: number;
  readonly deliveries: number;
  readonly ms: number;
}

/** Supervisions `[from, to)` of the fleet. */
export function runSlice(
  params: FleetParams,
  from: number,
  to: number,
  options: { foldMs: number; exact?: boolean },
): SliceResult {
  const t0 = performance.now();
  const end = params.startUtcMs + params.days * 86_400_000;
  const until = end - QUIET_END_MS;
  const byRule = new Map<AlarmRule, RuleScore>();
  const examples: Example[] = [];
  let evaluations = 0;
  let shadowEvaluations = 0;
  let deliveries = 0;
  for (let i = from; i < to; i++) {
    const sup = generateSupervision(i, params);
    deliveries += sup.deliveries.length;
    const played = playSupervision(sup, {
      end,
      foldMs: options.foldMs,
      ...(options.exact ? { exact: true } : {}),
    });
    evaluations += played.evaluations;
    shadowEvaluations += played.shadowEvaluations;
    const s = scoreRun(sup.truth, played.records, { until });
    mergeScores(byRule, s.byRule);
    for (const r of played.records) {
      if (r.startedAt >= until) continue;
      const verdict = s.verdicts.get(r.id) ?? 'false';
      const bad = (r.everDecided && verdict === 'false') || r.withdrawnAt !== undefined;
      if (!bad) continue;
      examples.push({
        id: r.id,
        rule: r.rule,
        cause: r.cause,
        kind: sup.kind,
        verdict,
        everDecided: r.everDecided,
        withdrawn: r.withdrawnAt !== undefined,
        publishedAfterMin: Math.round((r.firstPublishedAt - r.startedAt) / 60_000),
        ...(r.withdrawnAt !== undefined
          ? { withdrawnAfterMin: Math.round((r.withdrawnAt - r.firstPublishedAt) / 60_000) }
          : {}),
      });
    }
  }
  return {
    supervisions: to - from,
    byRule: [...byRule],
    examples,
    evaluations,
    shadowEvaluations,
    deliveries,
    ms: performance.now() - t0,
  };
}
