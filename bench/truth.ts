/**
 * The truth benchmark (issue 19 item 5, ADR 0505): a generated fleet lives a month; the simulator knows
 * what each person really did; the engine is played the events as they would reach the center and its
 * published alarms are scored against the truth, per rule.
 *
 *   npx tsx bench/truth.ts --supervisions 1000 --days 30 --seed 2026 [--workers 2] [--fold-hours 12]
 *     [--v11] [--exact] [--examples 12] [--chunk 25] [--partial <file>]
 *   npx tsx bench/truth.ts --explain <index> [same options]   (one supervision: truth, episodes, evidence)
 *
 * Prints the per-rule table (Markdown, for docs/benchmarks.md), the totals per 100 person-days, the run
 * time and examples of false decided alarms and transients by rule and cause.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { AlarmRule } from '@sde/domain';
import type { FleetParams } from './lib/truth/model.js';
import type { RuleScore } from './lib/truth/score.js';
import { mergeScores, scoreRun, scoreTable, VIOLATION_RULES } from './lib/truth/score.js';
import type { Example, SliceResult } from './lib/truth/slice.js';
import { runSlice } from './lib/truth/slice.js';
import { generateSupervision, QUIET_END_MS } from './lib/truth/generate.js';
import { playSupervision } from './lib/truth/play.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? (process.argv[i + 1] as string) : fallback;
}
const flag = (name: string): boolean => process.argv.includes(`--${name}`);

const params: FleetParams = {
  supervisions: Number(arg('supervisions', '100')),
  days: Number(arg('days', '30')),
  seed: Number(arg('seed', '2026')),
  // Monday 2 November 2026, 00:00 in Warsaw: a month with no DST change.
  startUtcMs: Date.UTC(2026, 10, 1, 23, 0, 0),
  v11: flag('v11'),
};
const workers = Math.max(1, Number(arg('workers', String(Math.min(2, availableParallelism())))));
const foldMs = Number(arg('fold-hours', '12')) * 3_600_000;
const exact = flag('exact');
const showExamples = Number(arg('examples', '12'));
const partial = arg('partial', '');

/** Runs the fleet in chunks on a pool of worker threads; `onChunk` sees each result as it comes. */
function runPool(chunks: [number, number][], onChunk: (r: SliceResult) => void): Promise<void> {
  // Worker threads do not inherit tsx's loader: the worker registers it, then loads the TypeScript entry.
  const api = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./lib/truth/worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(api)}).then((t) => { t.register(); return import(${JSON.stringify(entry)}); });`;
  const queue = [...chunks];
  return new Promise((resolve, reject) => {
    let running = 0;
    for (let k = 0; k < Math.min(workers, queue.length); k++) {
      const w = new Worker(boot, { eval: true, workerData: { params, foldMs, exact } });
      running++;
      const next = (): void => {
        const c = queue.shift();
        w.postMessage(c === undefined ? null : { from: c[0], to: c[1] });
      };
      w.on('message', (r: SliceResult) => {
        onChunk(r);
        next();
      });
      w.once('error', reject);
      w.once('exit', () => {
        if (--running === 0) resolve();
      });
      next();
    }
  });
}

/** `--explain <index>`: one supervision's truth, its published episodes and the events around the bad ones. */
function explain(index: number): void {
  const sup = generateSupervision(index, params);
  const end = params.startUtcMs + params.days * 86_400_000;
  const played = playSupervision(sup, { end, foldMs, ...(exact ? { exact: true } : {}) });
  const { verdicts } = scoreRun(sup.truth, played.records, { until: end - QUIET_END_MS });
  const at = (t: number): string => new Date(t).toISOString().replace('T', ' ').slice(0, 19);
  console.log(`${sup.timeline.supervisionId} (${sup.kind}), ${played.evaluations} evaluations`);
  for (const t of sup.truth) console.log(`  truth ${t.rule} ${at(t.startedAt)} ${t.what}`);
  for (const r of played.records) {
    const v = verdicts.get(r.id) ?? 'false';
    console.log(
      `  published ${r.rule}/${r.cause} start ${at(r.startedAt)} first ${at(r.firstPublishedAt)} ${v}` +
        `${r.everDecided ? ' decided' : ' undecided'}${r.withdrawnAt === undefined ? '' : ` withdrawn ${at(r.withdrawnAt)}`}`,
    );
    if (v !== 'false' && r.withdrawnAt === undefined) continue;
    const near = sup.deliveries.filter((e) => Math.abs(e.time - r.startedAt) < 3 * 3_600_000);
    const routine = (e: (typeof near)[number]): boolean => e.kind === 'heartbeat' || e.kind === 'location';
    const late = near
      .filter((e) => routine(e) && e.receivedAt - e.time > 120_000)
      .sort((a, b) => a.time - b.time);
    const shown = [...near.filter((e) => !routine(e)), ...late.slice(0, 1), ...late.slice(-1)];
    for (const e of shown.sort((a, b) => a.time - b.time))
      console.log(`      #${e.seq} ${e.kind} time ${at(e.time)} received ${at(e.receivedAt)}`);
  }
}

async function main(): Promise<void> {
  const explainIndex = arg('explain', '');
  if (explainIndex !== '') return explain(Number(explainIndex));
  const t0 = performance.now();
  const n = params.supervisions;
  const chunkSize = Number(arg('chunk', '25'));
  const chunks: [number, number][] = [];
  for (let a = 0; a < n; a += chunkSize) chunks.push([a, Math.min(n, a + chunkSize)]);
  const results: SliceResult[] = [];
  let done = 0;
  const progress = (r: SliceResult): void => {
    results.push(r);
    done += r.supervisions;
    const sofar = new Map<AlarmRule, RuleScore>();
    for (const x of results) mergeScores(sofar, new Map(x.byRule));
    const f = [...sofar.values()].reduce((a, s) => a + s.falseDecided, 0);
    const tr = [...sofar.values()].reduce((a, s) => a + s.transients, 0);
    const line = `${done}/${n} supervisions, ${((performance.now() - t0) / 1000).toFixed(0)} s: false decided ${f}, transients ${tr}`;
    console.error(line);
    // The table so far, for a run that has to be stopped (the chunks done are a sample of the fleet).
    if (partial !== '') writeFileSync(partial, `${line}\n\n${scoreTable(sofar, done * params.days)}\n`);
  };
  if (workers === 1) for (const [a, b] of chunks) progress(runSlice(params, a, b, { foldMs, exact }));
  else await runPool(chunks, progress);
  const wall = performance.now() - t0;
  const byRule = new Map<AlarmRule, RuleScore>();
  const examples: Example[] = [];
  let evaluations = 0;
  let shadow = 0;
  let deliveries = 0;
  let cpu = 0;
  for (const r of results) {
    mergeScores(byRule, new Map(r.byRule));
    examples.push(...r.examples);
    evaluations += r.evaluations;
    shadow += r.shadowEvaluations;
    deliveries += r.deliveries;
    cpu += r.ms;
  }
  const personDays = n * params.days;
  console.log(
    `truth benchmark: ${n} supervisions × ${params.days} days = ${personDays} person-days, seed ${params.seed}` +
      `${params.v11 ? ', v1.1 heartbeats' : ''}${exact ? ', exact (every batch evaluated)' : `, fold ${foldMs / 3_600_000} h`}`,
  );
  console.log(
    `${deliveries} deliveries, ${evaluations} evaluations + ${shadow} shadow; ${workers} worker(s), ` +
      `wall ${(wall / 1000).toFixed(1)} s, worker time ${(cpu / 1000).toFixed(1)} s\n`,
  );
  console.log(scoreTable(byRule, personDays));
  const sum = (rules: readonly AlarmRule[], k: keyof Omit<RuleScore, 'rule'>): number =>
    rules.reduce((a, r) => a + (byRule.get(r)?.[k] ?? 0), 0);
  const all = [...byRule.keys()];
  const caughtAll = sum(VIOLATION_RULES, 'caught') === sum(VIOLATION_RULES, 'truths');
  const falsePer100 = (100 * sum(all, 'falseDecided')) / personDays;
  const transients = sum(all, 'transients');
  console.log(
    `\ngoal: every true violation caught: ${caughtAll ? 'yes' : 'no'} (${sum(VIOLATION_RULES, 'caught')} of ${sum(VIOLATION_RULES, 'truths')}); ` +
      `false decided per 100 person-days ${falsePer100.toFixed(2)} (goal < 1): ${falsePer100 < 1 ? 'yes' : 'no'}; ` +
      `decided transients ${transients} (goal 0): ${transients === 0 ? 'yes' : 'no'}`,
  );
  // What the false and transient ones are, grouped by rule, cause and kind of person.
  const groups = new Map<string, Example[]>();
  for (const e of examples) {
    const label =
      e.everDecided && e.verdict === 'false'
        ? e.withdrawn
          ? 'false+withdrawn'
          : 'false'
        : e.everDecided
          ? 'transient'
          : 'undecided withdrawn';
    const k = `${label} | ${e.rule} | ${e.cause} | ${e.kind}`;
    const list = groups.get(k) ?? [];
    list.push(e);
    groups.set(k, list);
  }
  console.log(
    '\nfalse decided alarms and withdrawals by rule, cause and kind (count, median minutes to publication, to withdrawal):',
  );
  for (const [k, list] of [...groups].sort((a, b) => b[1].length - a[1].length).slice(0, showExamples * 3)) {
    const med = (xs: number[]): string => {
      if (xs.length === 0) return '–';
      const s = [...xs].sort((a, b) => a - b);
      return String(s[Math.floor(s.length / 2)]);
    };
    console.log(
      `  ${k}: ${list.length}, published after ${med(list.map((e) => e.publishedAfterMin))} min, withdrawn after ${med(list.flatMap((e) => (e.withdrawnAfterMin === undefined ? [] : [e.withdrawnAfterMin])))} min; e.g. ${list
        .slice(0, 2)
        .map((e) => e.id)
        .join(', ')}`,
    );
  }
}

await main();
