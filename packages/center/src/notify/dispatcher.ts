/**
 * Delivers the outbox: claims due rows, sends each through its channel outside any transaction, records
 * the receipt (and a `notify` entry in the alarm's log) or schedules a retry with exponential backoff.
 * Also escalates critical alarms nobody acknowledged in time. One timer for the next due instant.
 * At most once per (alarm, recipient, channel): the outbox's unique key, and a send interrupted by a
 * crash is marked `unknown` rather than repeated.
 */
import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';
import type { AlarmRepository } from '../alarms/alarm.repository.js';
import type { AlarmService } from '../alarms/alarm.service.js';
import type { Logger } from '../logger.js';
import type { NotificationChannel } from './channels.js';
import type { OutboxRepository } from './outbox.repository.js';

/** Dispatcher settings. */
export interface DispatcherSettings {
  /** Attempts before a notification is given up as failed. */
  maxAttempts: number;
  /** First retry delay; doubles each attempt, capped at 10 minutes. */
  retryBaseMs: number;
  /** A critical alarm not acknowledged within this is escalated. */
  escalateAfterMs: number;
}

/** Creates the dispatcher (not started). */
export function createDispatcher(deps: {
  db: Database;
  outbox: OutboxRepository;
  alarmsRepo: Pick<AlarmRepository, 'escalationsDue' | 'nextEscalationBase' | 'insertAction'>;
  alarms: Pick<AlarmService, 'escalate' | 'publish'>;
  channels: NotificationChannel[];
  settings: DispatcherSettings;
  logger: Logger;
  now?: () => number;
}) {
  const now = deps.now ?? Date.now;
  const { outbox, settings, logger } = deps;
  const byName = new Map(deps.channels.map((c) => [c.name, c]));
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let stopped = true;
  const stats = { sent: 0, failed: 0, retried: 0, escalated: 0 };

  /** Marks an outbox row sent or failed and notes it on the alarm, in one transaction. */
  async function settle(
    alarmId: string,
    mark: (trx: Transaction<DB>) => Promise<unknown>,
    text: string,
  ): Promise<void> {
    await deps.db.transaction().execute(async (trx) => {
      await mark(trx);
      await deps.alarmsRepo.insertAction(trx, {
        alarmId,
        byLogin: 'notify',
        byUserId: null,
        kind: 'notify',
        text,
      });
    });
  }

  async function runOnce(): Promise<void> {
    for (const { id } of await deps.alarmsRepo.escalationsDue(new Date(now() - settings.escalateAfterMs))) {
      await deps.alarms.escalate(id);
      stats.escalated++;
    }
    for (;;) {
      const rows = await outbox.claimDue(new Date(now()), 20);
      if (rows.length === 0) break;
      const touched = new Set<string>();
      await Promise.all(
        rows.map(async (row) => {
          const channel = byName.get(row.channel);
          const what = `${row.channel} → ${row.address}${row.reason === 'escalation' ? ' (eskalacja / escalation)' : ''}`;
          try {
            if (!channel) throw new Error(`the ${row.channel} channel is not configured`);
            const { receipt } = await channel.send({
              id: row.id,
              to: row.address,
              subject: row.subject,
              body: row.body,
            });
            await settle(
              row.alarmId,
              (trx) => outbox.markSent(trx, row.id, receipt),
              `doręczono / delivered: ${what}`,
            );
            stats.sent++;
            touched.add(row.alarmId);
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            if (!channel || row.attempts >= settings.maxAttempts) {
              await settle(
                row.alarmId,
                (trx) => outbox.markFailed(trx, row.id, message),
                `nie doręczono / not delivered: ${what}: ${message}`.slice(0, 1000),
              );
              stats.failed++;
              touched.add(row.alarmId);
              logger.warn({ outboxId: row.id, err: message }, 'notification failed for good');
            } else {
              const delay = Math.min(settings.retryBaseMs * 2 ** (row.attempts - 1), 600_000);
              await outbox.markRetry(row.id, new Date(now() + delay), message);
              stats.retried++;
            }
          }
        }),
      );
      await deps.alarms.publish([...touched]);
    }
  }

  async function arm(): Promise<void> {
    if (stopped) return;
    const [due, base] = await Promise.all([outbox.nextDue(), deps.alarmsRepo.nextEscalationBase()]);
    const at = Math.min(
      due?.getTime() ?? Infinity,
      base ? base.getTime() + settings.escalateAfterMs : Infinity,
      now() + 60_000,
    );
    if (timer) clearTimeout(timer);
    timer = setTimeout(poke, Math.max(0, at - now()));
    timer.unref();
  }

  function poke(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = (async () => {
      await Promise.resolve(); // `running` is assigned before `finally` clears it
      try {
        do {
          again = false;
          await runOnce();
        } while (again && !stopped);
        await arm();
      } catch (err) {
        logger.error({ err: String(err) }, 'notification dispatch failed; retrying');
        if (!stopped) {
          timer = setTimeout(poke, 2000);
          timer.unref();
        }
      } finally {
        running = undefined;
      }
    })();
  }

  return {
    async start(): Promise<void> {
      stopped = false;
      const n = await outbox.recoverInterrupted();
      if (n > 0) logger.warn({ count: n }, 'notifications interrupted by a stop: marked unknown, not resent');
      poke();
    },
    /** Something was queued or changed: run now. */
    poke,
    /** Waits for the run in progress. */
    async idle(): Promise<void> {
      while (running) await running;
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await Promise.all(deps.channels.map((c) => c.close()));
    },
    stats: () => ({ ...stats }),
  };
}

export type Dispatcher = ReturnType<typeof createDispatcher>;
