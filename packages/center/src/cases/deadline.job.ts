/**
 * The deadline job: re-syncs a supervision's task list when one of its deadlines falls due without anybody
 * writing to the case, so a missed deadline's follow-up task (the judge's revocation after a missed
 * readiness report, the operator's report of a missed installation) appears on time (docs/deadlines.md).
 *
 * - One timer for the earliest due instant of all open tasks (`tasks.due_at`), not polling; writes tell it
 *   of new due instants through `SupervisionService.onDeadline`. A safety re-scan runs every few minutes
 *   (and caps the timer: Node's timers cannot wait the 30 days of a decision deadline).
 * - At start it catches up with every deadline that passed while no center ran.
 * - Idempotent and safe with several centers on one PostgreSQL server: each supervision is re-synced in a
 *   transaction holding its row `for update`, so a second job waits and then finds the tasks in place;
 *   the unique index `tasks_open_once` is the last guard. Only a sync that opens or closes a task is
 *   audited, with the actor `deadline-job`.
 */
import { hostname } from 'node:os';
import { recordAudit } from '../audit/audit.repository.js';
import type { Actor } from '../auth/actor.js';
import type { Database } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { CaseRepository } from './case.repository.js';
import { createDeadlineRepository } from './deadline.repository.js';
import { isUniqueViolation, type SupervisionService, type TaskChanges } from './supervision.service.js';

/** Who the audit log names for the job's changes. */
export const DEADLINE_ACTOR: Actor = {
  userId: null,
  login: 'deadline-job',
  displayName: 'Deadline job',
  role: 'system',
  regionId: null,
  courtId: null,
  terminal: `center ${hostname()} pid ${process.pid}`,
};

export interface DeadlineJobSettings {
  /** Safety re-scan interval (default 5 minutes). */
  rescanMs: number;
  /**
   * How far behind the last sweep each sweep looks again (default 15 minutes): covers a write that was
   * still uncommitted when the timer fired.
   */
  lookbackMs: number;
  /** Wait after a failed sweep (default 10 s). */
  retryMs: number;
}

const DEFAULTS: DeadlineJobSettings = { rescanMs: 5 * 60_000, lookbackMs: 15 * 60_000, retryMs: 10_000 };

/** Creates the deadline job; `start` catches up and arms the timer, `stop` waits for a running sweep. */
export function createDeadlineJob(deps: {
  db: Database;
  repo: CaseRepository;
  supervisions: SupervisionService;
  logger: Logger;
  settings?: Partial<DeadlineJobSettings>;
}) {
  const { db, repo, supervisions, logger } = deps;
  const settings = { ...DEFAULTS, ...deps.settings };
  const deadlines = createDeadlineRepository(db);

  let stopped = true;
  /** Every due instant up to here has been swept by this process (null: not yet, catch up on all). */
  let watermark: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  /** The due instant the timer is armed for (null: only the re-scan). */
  let armedFor: number | null = null;
  let running: Promise<void> | undefined;
  let rerun = false;
  let unsubscribe: (() => void) | undefined;
  /** The soonest due instant writes told us of (their transaction may not have committed yet). */
  let hint: number | null = null;
  let synced = 0;

  /** Re-syncs one supervision's tasks under its row lock; audits what changed. */
  async function syncOne(id: string): Promise<TaskChanges | null> {
    return db.transaction().execute(async (trx) => {
      const s = await repo.supervision(id, trx, true);
      if (!s) return null;
      const changes = await supervisions.syncTasks(s, s.lifecycle, trx);
      if (changes.opened.length > 0 || changes.closed.length > 0) {
        await recordAudit(trx, DEADLINE_ACTOR, {
          action: 'tasks.deadline',
          entity: 'supervision',
          entityId: s.id,
          changes: { status: s.status, ...changes, at: new Date().toISOString() },
        });
      }
      return changes;
    });
  }

  /** Re-syncs every supervision with a task due since the last sweep; true when all succeeded. */
  async function sweep(): Promise<boolean> {
    const now = Date.now();
    const after = watermark === null ? null : new Date(watermark - settings.lookbackMs);
    const ids = await deadlines.supervisionsDue(after, new Date(now));
    let ok = true;
    for (const id of ids) {
      if (stopped) return false;
      try {
        const c = await syncOne(id);
        synced++;
        if (c && (c.opened.length > 0 || c.closed.length > 0)) {
          logger.info({ supervisionId: id, ...c }, 'deadline passed: tasks updated');
        }
      } catch (err) {
        // Another center opened the same task between our read and insert: it is there, nothing to do.
        if (isUniqueViolation(err, 'tasks_open_once')) continue;
        ok = false;
        logger.warn({ supervisionId: id, err: String(err) }, 'deadline sync failed; retried');
      }
    }
    // Versions recorded ahead of their start reach the units when they start (ADR 0604). At start the job
    // looks back one lookback only: a unit gets the version in force at its next installation or amendment.
    const since = after ?? new Date(now - settings.lookbackMs);
    for (const id of await deadlines.versionsStarting(since, new Date(now))) {
      if (stopped) return false;
      try {
        await supervisions.pushRange(DEADLINE_ACTOR, id, now);
      } catch (err) {
        ok = false;
        logger.warn(
          { supervisionId: id, err: String(err) },
          'order version start: unit settings not sent; retried',
        );
      }
    }
    if (ok) watermark = Math.max(watermark ?? now, now);
    return ok;
  }

  function arm(dueUtcMs: number | null, delayCapMs = settings.rescanMs): void {
    if (stopped) return;
    clearTimeout(timer);
    armedFor = dueUtcMs;
    const now = Date.now();
    const delay = Math.min(dueUtcMs === null ? delayCapMs : Math.max(0, dueUtcMs - now), delayCapMs);
    timer = setTimeout(kick, delay);
    timer.unref();
  }

  /** Sweeps, then arms the timer for the next due instant after the sweep. */
  async function sweepAndArm(): Promise<void> {
    try {
      if (!(await sweep())) return arm(null, settings.retryMs);
      if (stopped) return;
      const swept = watermark ?? Date.now();
      const due = (await deadlines.nextDueAfter(new Date(swept)))?.getTime() ?? null;
      const start = (await deadlines.nextVersionStartAfter(new Date(swept)))?.getTime() ?? null;
      const next = due === null ? start : start === null ? due : Math.min(due, start);
      if (hint !== null && hint <= swept) hint = null;
      arm(next === null ? hint : hint === null ? next : Math.min(next, hint));
    } catch (err) {
      logger.warn({ err: String(err) }, 'deadline sweep failed; retried');
      arm(null, settings.retryMs);
    }
  }

  /** Runs a sweep now, or once more after the running one. */
  function kick(): void {
    if (stopped) return;
    if (running) {
      rerun = true;
      return;
    }
    running = (async () => {
      do {
        rerun = false;
        await sweepAndArm();
      } while (rerun && !stopped);
    })().finally(() => {
      running = undefined;
    });
  }

  /** A write synced a task due at `dueUtcMs`: fire then if that is sooner than the timer. */
  function onDeadline(dueUtcMs: number): void {
    if (stopped) return;
    if (hint === null || dueUtcMs < hint) hint = dueUtcMs;
    if (armedFor === null || dueUtcMs < armedFor) arm(dueUtcMs);
  }

  return {
    /** Catches up with deadlines that passed while no center ran, then arms the timer. */
    async start(): Promise<void> {
      if (!stopped) return;
      stopped = false;
      unsubscribe = supervisions.onDeadline(onDeadline);
      kick();
      await running;
    },

    /** Stops the timer and waits for a running sweep. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      unsubscribe?.();
      await running;
    },

    /** For tests and metrics. */
    status() {
      return { armedFor, watermark, synced, running: running !== undefined };
    },
  };
}

export type DeadlineJob = ReturnType<typeof createDeadlineJob>;
