/**
 * The retention job (T4.7, T4.6; ADR 0702, docs/architecture.md "Retention").
 *
 * Every few hours, by the center's clock:
 * 1. creates the ledger's coming months' partitions, and moves rows that landed in a default partition into
 *    their month's (`ensurePartitions`);
 * 2. drops each monthly partition wholly past the policy, never its rows one by one, after copying the rows
 *    of cases under a legal hold to the hold tables (one transaction per partition);
 * 3. deletes the held copies of cases whose hold was lifted, once past the policy;
 * 4. pseudonymises the personal data of cases ended longer ago than the policy and not held.
 * Each run is recorded in the audit log (and each case erased, under that case) and counted in /metrics.
 * `plan()` reads what the next run would do without changing anything (`sde retention plan`).
 * Several centers on one PostgreSQL server may run it at once: each change holds an advisory lock and
 * looks again under it.
 */
import { hostname } from 'node:os';
import { caseEndedAt, caseErasable, monthExpired, retentionCutoff } from '@sde/domain';
import { sql } from 'kysely';
import { Counter, Gauge, type Registry } from 'prom-client';
import { recordAudit } from '../audit/audit.repository.js';
import type { Actor } from '../auth/actor.js';
import type { Clock } from '../clock.js';
import { ensurePartitions, type Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import { createHoldRepository } from './hold.repository.js';
import {
  createRetentionRepository,
  type EndedSupervision,
  type MonthPartition,
} from './retention.repository.js';

/** Who the audit log names for the job's runs. */
export const RETENTION_ACTOR: Actor = {
  userId: null,
  login: 'retention-job',
  displayName: 'Retention job',
  role: 'system',
  regionId: null,
  courtId: null,
  terminal: `center ${hostname()} pid ${process.pid}`,
};

/** What the next run would do, or what a run did. */
export interface RetentionReport {
  /** The instant the policy is applied at. */
  at: string;
  months: number;
  /** Rows registered before this instant, and cases ended before it, are past the policy. */
  cutoff: string;
  /** Monthly partitions wholly past the policy, with their rows and the rows of held cases among them. */
  partitions: { table: string; name: string; from: string; to: string; rows: number; heldRows: number }[];
  /** Cases whose personal data is pseudonymised. */
  casesToErase: number;
  /** Cases past the policy kept by a legal hold. */
  casesHeld: number;
  /** Held copies released (their case's hold lifted) and deleted. */
  heldRowsReleased: number;
}

/** What a run did besides the report's content. */
export interface RetentionRun extends RetentionReport {
  partitionsCreated: string[];
  rowsMovedFromDefault: number;
}

export interface RetentionJobSettings {
  /** The policy, in calendar months (SDE_RETENTION_MONTHS). */
  months: number;
  /** Between runs (default 6 hours). */
  intervalMs: number;
  /** Before the first run after start (default 5 minutes: the start itself has just created the partitions). */
  firstRunMs: number;
}

const LOCK = 7408;

export function createRetentionJob(deps: {
  db: Database;
  clock: Clock;
  logger: Logger;
  registry: Registry;
  settings: Pick<RetentionJobSettings, 'months'> & Partial<RetentionJobSettings>;
}) {
  const { db, clock, logger } = deps;
  const settings: RetentionJobSettings = {
    intervalMs: 6 * 3_600_000,
    firstRunMs: 5 * 60_000,
    ...deps.settings,
  };
  const repo = createRetentionRepository(db);
  const holds = createHoldRepository(db);
  const metrics = registerRetentionMetrics(deps.registry);

  /** What would be removed at `now`: the partitions past the cutoff and the cases to erase. */
  async function assess(now: number) {
    const cutoff = retentionCutoff(now, settings.months);
    const held = new Set(await holds.casesHeld());
    const expired = (await repo.monthPartitions()).filter((p) => monthExpired(p.month, cutoff));
    const bySupervision = new Map<string, EndedSupervision[]>();
    for (const s of await repo.endedCases()) {
      bySupervision.set(s.caseId, [...(bySupervision.get(s.caseId) ?? []), s]);
    }
    const erase: { caseId: string; endedAt: number }[] = [];
    let casesHeld = 0;
    for (const [caseId, sups] of bySupervision) {
      const endedAt = caseEndedAt(sups);
      if (caseErasable(endedAt, cutoff, held.has(caseId))) erase.push({ caseId, endedAt: endedAt! });
      else if (caseErasable(endedAt, cutoff, false)) casesHeld++;
    }
    return { cutoff, held: [...held], expired, erase, casesHeld };
  }

  function describe(p: MonthPartition, rows: number, heldRows: number) {
    return {
      table: p.table,
      name: p.name,
      from: new Date(p.month.fromUtcMs).toISOString(),
      to: new Date(p.month.toUtcMs).toISOString(),
      rows,
      heldRows,
    };
  }

  async function plan(): Promise<RetentionReport> {
    const now = clock.now();
    const a = await assess(now);
    const partitions = [];
    for (const p of a.expired) {
      partitions.push(describe(p, await repo.rowCount(p), await repo.heldRowCount(p, a.held)));
    }
    return {
      at: new Date(now).toISOString(),
      months: settings.months,
      cutoff: new Date(a.cutoff).toISOString(),
      partitions,
      casesToErase: a.erase.length,
      casesHeld: a.casesHeld,
      heldRowsReleased: await repo.releasableHeldRows(a.held, new Date(a.cutoff)),
    };
  }

  async function runOnce(): Promise<RetentionRun> {
    const now = clock.now();
    const at = new Date(now);
    const { created, moved } = await ensurePartitions(db, at);
    const a = await assess(now);
    const cutoff = new Date(a.cutoff);
    const partitions: RetentionReport['partitions'] = [];
    for (const p of a.expired) {
      const done = await db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${LOCK})`.execute(trx);
        const exists = await sql<{ r: string | null }>`select to_regclass(${p.name})::text as r`.execute(trx);
        if (!exists.rows[0]?.r) return null;
        const rows = await repo.rowCount(p, trx);
        const heldRows = await repo.copyHeldRows(trx, p, a.held, at);
        await repo.anchorChains(trx, p);
        await repo.dropPartition(trx, p);
        return describe(p, rows, heldRows);
      });
      if (!done) continue;
      partitions.push(done);
      metrics.partitionsDropped.inc({ table: p.table });
      metrics.rowsDropped.inc({ table: p.table }, done.rows - done.heldRows);
      metrics.rowsHeld.inc({ table: p.table }, done.heldRows);
    }
    const released = await db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${LOCK})`.execute(trx);
      return repo.releaseHeldRows(trx, await holds.casesHeld(trx), cutoff);
    });
    let erased = 0;
    for (const c of a.erase) {
      const done = await db.transaction().execute(async (trx) => {
        await sql`select pg_advisory_xact_lock(${LOCK})`.execute(trx);
        // A hold set, or another center's run, since the assessment.
        if ((await holds.erased(trx, c.caseId)) || (await holds.casesHeld(trx)).includes(c.caseId))
          return false;
        await repo.pseudonymise(trx, c.caseId, new Date(c.endedAt), at);
        await recordAudit(trx, RETENTION_ACTOR, {
          action: 'retention.erase',
          entity: 'case',
          entityId: c.caseId,
          changes: { endedAt: new Date(c.endedAt).toISOString(), cutoff: cutoff.toISOString() },
        });
        return true;
      });
      if (done) erased++;
    }
    metrics.casesErased.inc(erased);
    metrics.rowsMoved.inc(moved);
    const run: RetentionRun = {
      at: at.toISOString(),
      months: settings.months,
      cutoff: cutoff.toISOString(),
      partitions,
      casesToErase: erased,
      casesHeld: a.casesHeld,
      heldRowsReleased: released,
      partitionsCreated: created,
      rowsMovedFromDefault: moved,
    };
    await recordAudit(db, RETENTION_ACTOR, {
      action: 'retention.run',
      entity: 'retention',
      entityId: run.at,
      personId: null,
      changes: { outcome: 'done', ...run },
    });
    return run;
  }

  let stopped = true;
  let timer: unknown;
  let running: Promise<RetentionRun> | undefined;

  /** Runs now, or joins the run in progress. A failed run is audited, counted and logged, then rethrown. */
  function run(): Promise<RetentionRun> {
    running ??= runOnce()
      .then(
        (r) => {
          metrics.runs.inc({ outcome: 'done' });
          metrics.lastRun.set(Date.parse(r.at) / 1000);
          if (r.partitions.length > 0 || r.casesToErase > 0 || r.rowsMovedFromDefault > 0) {
            logger.info(
              {
                dropped: r.partitions.map((p) => p.name),
                casesErased: r.casesToErase,
                created: r.partitionsCreated,
                moved: r.rowsMovedFromDefault,
              },
              'retention run',
            );
          }
          return r;
        },
        async (err: unknown) => {
          metrics.runs.inc({ outcome: 'failed' });
          logger.error({ err: String(err) }, 'retention run failed; retried at the next interval');
          await recordAudit(db, RETENTION_ACTOR, {
            action: 'retention.run',
            entity: 'retention',
            entityId: new Date(clock.now()).toISOString(),
            personId: null,
            changes: { outcome: 'failed', months: settings.months },
          }).catch(() => undefined);
          throw err;
        },
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  }

  function arm(ms: number): void {
    if (stopped) return;
    timer = clock.setTimeout(() => {
      run().then(
        () => arm(settings.intervalMs),
        () => arm(settings.intervalMs),
      );
    }, ms);
  }

  return {
    plan,
    run,
    /** Arms the first run (the start has just created the partitions) and the runs after it. */
    start(): void {
      if (!stopped) return;
      stopped = false;
      arm(settings.firstRunMs);
    },
    /** Waits for a run in progress (a virtual clock's `settle`). */
    async idle(): Promise<void> {
      await running?.catch(() => undefined);
    },
    /** Disarms the timer and waits for a run in progress. */
    async stop(): Promise<void> {
      stopped = true;
      clock.clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    settings,
  };
}

export type RetentionJob = ReturnType<typeof createRetentionJob>;

function registerRetentionMetrics(registry: Registry) {
  const table = ['table'] as const;
  return {
    runs: new Counter({
      name: 'sde_retention_runs_total',
      help: 'Retention runs, by outcome (done, failed)',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    lastRun: new Gauge({
      name: 'sde_retention_last_run_timestamp_seconds',
      help: 'When the last successful retention run applied the policy (Unix time, by the center clock)',
      registers: [registry],
    }),
    partitionsDropped: new Counter({
      name: 'sde_retention_partitions_dropped_total',
      help: 'Monthly ledger partitions dropped past the retention period, by table',
      labelNames: table,
      registers: [registry],
    }),
    rowsDropped: new Counter({
      name: 'sde_retention_rows_dropped_total',
      help: 'Ledger rows removed with their partition, by table',
      labelNames: table,
      registers: [registry],
    }),
    rowsHeld: new Counter({
      name: 'sde_retention_rows_held_total',
      help: 'Ledger rows of cases under a legal hold copied out of a partition before it was dropped',
      labelNames: table,
      registers: [registry],
    }),
    rowsMoved: new Counter({
      name: 'sde_retention_rows_moved_total',
      help: 'Ledger rows moved from a default partition into their month partition when it was created',
      registers: [registry],
    }),
    casesErased: new Counter({
      name: 'sde_retention_cases_erased_total',
      help: 'Cases whose personal data was pseudonymised past the retention period',
      registers: [registry],
    }),
  };
}
