/**
 * Scores what the engine published against what really happened (issue 19 item 5, ADR 0505).
 *
 * - A true condition is **caught** when an episode of its rule and supervision, with a start within the
 *   tolerance (1 min) of the true start, is still published at the end (not withdrawn). An episode of the
 *   rule overlapping the condition but starting further away counts as **off start**; otherwise **missed**.
 * - A published episode **matches** a true condition of its rule and supervision whose start is within the
 *   tolerance of its own. One that matches none but starts inside a true condition of its rule is a
 *   **repeat** (a second episode for one condition, e.g. a battery report every 3 hours; a condition with
 *   no known end has no repeats); one that matches
 *   nothing at all is **false**.
 * - **False decided**: false episodes ever published as decided, withdrawn later or not.
 * - **Transient**: an episode published as decided and later withdrawn (whatever it matched).
 * - **Undecided withdrawn**: published only as undecided, later withdrawn (allowed, counted apart).
 */
import type { AlarmRule } from '@sde/domain';
import type { PublishedRecord, TrueCondition } from './model.js';

/** The score of one rule. */
export interface RuleScore {
  rule: AlarmRule;
  /** True conditions. */
  truths: number;
  /** Caught (start within the tolerance, published at the end). */
  caught: number;
  /** Of the caught, still undecided at the end. */
  caughtUndecided: number;
  /** An episode of the rule overlaps the condition, but its start is off by more than the tolerance. */
  offStart: number;
  /** No episode at all. */
  missed: number;
  /** Episodes published (ever). */
  published: number;
  /** Episodes ever published as decided. */
  decided: number;
  /** Decided episodes matching no true condition. */
  falseDecided: number;
  /** Extra episodes of one true condition. */
  repeats: number;
  /** Decided episodes later withdrawn. */
  transients: number;
  /** Undecided-only episodes later withdrawn. */
  undecidedWithdrawn: number;
  /** Undecided-only episodes matching nothing, still published at the end. */
  undecidedFalse: number;
}

/** Scoring options. */
export interface ScoreOptions {
  /** Start tolerance for a match (default 60 s). */
  readonly toleranceMs?: number;
  /** Truths and episodes starting at or after this are left out (their data may not have arrived). */
  readonly until: number;
}

function emptyScore(rule: AlarmRule): RuleScore {
  return {
    rule,
    truths: 0,
    caught: 0,
    caughtUndecided: 0,
    offStart: 0,
    missed: 0,
    published: 0,
    decided: 0,
    falseDecided: 0,
    repeats: 0,
    transients: 0,
    undecidedWithdrawn: 0,
    undecidedFalse: 0,
  };
}

/** How each published episode was judged (for the report's examples). */
export type Verdict = 'match' | 'repeat' | 'false';

/** Scores one batch of supervisions; merge batches with {@link mergeScores}. */
export function scoreRun(
  truth: readonly TrueCondition[],
  records: readonly PublishedRecord[],
  options: ScoreOptions,
): { byRule: Map<AlarmRule, RuleScore>; verdicts: Map<string, Verdict> } {
  const tol = options.toleranceMs ?? 60_000;
  const byRule = new Map<AlarmRule, RuleScore>();
  const of = (rule: AlarmRule): RuleScore => {
    let s = byRule.get(rule);
    if (s === undefined) byRule.set(rule, (s = emptyScore(rule)));
    return s;
  };
  const key = (sup: string, rule: string): string => `${sup}\u0000${rule}`;
  const recordsBy = new Map<string, PublishedRecord[]>();
  for (const r of records) {
    if (r.startedAt >= options.until) continue;
    const k = key(r.supervisionId, r.rule);
    const list = recordsBy.get(k) ?? [];
    list.push(r);
    recordsBy.set(k, list);
  }
  const truthsBy = new Map<string, TrueCondition[]>();
  for (const t of truth) {
    if (t.startedAt >= options.until) continue;
    const k = key(t.supervisionId, t.rule);
    const list = truthsBy.get(k) ?? [];
    list.push(t);
    truthsBy.set(k, list);
  }
  for (const [k, list] of truthsBy) {
    const recs = recordsBy.get(k) ?? [];
    for (const t of list) {
      const s = of(t.rule);
      s.truths++;
      const near = recs.filter((r) => r.present && Math.abs(r.startedAt - t.startedAt) <= tol);
      if (near.length > 0) {
        s.caught++;
        if (near.every((r) => r.undecidedAtEnd)) s.caughtUndecided++;
        continue;
      }
      const endAt = t.endedAt ?? Number.POSITIVE_INFINITY;
      if (recs.some((r) => r.present && r.startedAt >= t.startedAt - tol && r.startedAt <= endAt))
        s.offStart++;
      else s.missed++;
    }
  }
  const verdicts = new Map<string, Verdict>();
  for (const [k, recs] of recordsBy) {
    const truths = truthsBy.get(k) ?? [];
    for (const r of recs) {
      const s = of(r.rule);
      s.published++;
      if (r.everDecided) s.decided++;
      let verdict: Verdict = 'false';
      if (truths.some((t) => Math.abs(r.startedAt - t.startedAt) <= tol)) verdict = 'match';
      else if (
        truths.some((t) => r.startedAt >= t.startedAt && r.startedAt <= (t.endedAt ?? t.startedAt + tol))
      )
        verdict = 'repeat';
      verdicts.set(r.id, verdict);
      if (verdict === 'repeat') s.repeats++;
      if (r.everDecided) {
        if (verdict === 'false') s.falseDecided++;
        if (r.withdrawnAt !== undefined) s.transients++;
      } else if (r.withdrawnAt !== undefined) s.undecidedWithdrawn++;
      else if (verdict === 'false') s.undecidedFalse++;
    }
  }
  return { byRule, verdicts };
}

/** Adds `more` into `into`, rule by rule. */
export function mergeScores(into: Map<AlarmRule, RuleScore>, more: Map<AlarmRule, RuleScore>): void {
  for (const [rule, s] of more) {
    const t = into.get(rule) ?? emptyScore(rule);
    for (const k of Object.keys(s) as (keyof RuleScore)[]) {
      if (k === 'rule') continue;
      t[k] += s[k];
    }
    into.set(rule, t);
  }
}

/** Rules that are violations of the court order, in the table's order; the rest are technical. */
export const VIOLATION_RULES: readonly AlarmRule[] = [
  'presence',
  'daily_away_limit',
  'exclusion_zone',
  'strap_tamper',
];

/** The score table as Markdown, with totals for violations and for everything, per 100 person-days. */
export function scoreTable(byRule: Map<AlarmRule, RuleScore>, personDays: number): string {
  const order: AlarmRule[] = [
    ...VIOLATION_RULES,
    'communication_loss',
    'location_loss',
    'unit_power',
    'tx_battery_low',
    'unit_battery_low',
    'battery_critical',
  ];
  for (const r of byRule.keys()) if (!order.includes(r)) order.push(r);
  const per100 = (n: number): string => ((100 * n) / personDays).toFixed(2);
  const head =
    '| rule | true | caught | of them undecided | off start | missed | published | false decided (per 100 p-d) | repeats | decided transients | undecided withdrawn |\n' +
    '|---|---|---|---|---|---|---|---|---|---|---|';
  const line = (name: string, s: RuleScore): string =>
    `| ${name} | ${s.truths} | ${s.caught} | ${s.caughtUndecided} | ${s.offStart} | ${s.missed} | ${s.published} | ${s.falseDecided} (${per100(s.falseDecided)}) | ${s.repeats} | ${s.transients} | ${s.undecidedWithdrawn} |`;
  const rows = order.filter((r) => byRule.has(r)).map((r) => line(`\`${r}\``, byRule.get(r) as RuleScore));
  const sum = (rules: readonly AlarmRule[]): RuleScore => {
    const total = emptyScore('presence');
    for (const r of rules) {
      const s = byRule.get(r);
      if (s === undefined) continue;
      for (const k of Object.keys(s) as (keyof RuleScore)[]) if (k !== 'rule') total[k] += s[k];
    }
    return total;
  };
  rows.push(line('**violations**', sum(VIOLATION_RULES)));
  rows.push(line('**all rules**', sum(order)));
  return `${head}\n${rows.join('\n')}`;
}
