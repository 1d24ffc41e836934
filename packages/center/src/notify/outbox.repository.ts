/** SQL of the notification outbox: enqueue in the alarm's transaction, claim, and record the outcome. */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB, NotificationOutboxTable } from '../db/schema.js';

/** A notification to enqueue. */
export interface OutboxEntry {
  alarmId: string;
  recipientUserId: string;
  channel: NotificationOutboxTable['channel'];
  address: string;
  reason: NotificationOutboxTable['reason'];
  subject: string;
  body: string;
}

/** A claimed notification. */
export interface OutboxRow extends OutboxEntry {
  id: number;
  attempts: number;
}

/** Creates the repository. */
export function createOutboxRepository(db: Database) {
  return {
    /** Enqueues; a (alarm, recipient, channel) already queued is left as it is: nothing is sent twice. */
    async enqueue(ex: Kysely<DB> | Transaction<DB>, entries: OutboxEntry[]): Promise<number> {
      if (entries.length === 0) return 0;
      const r = await ex
        .insertInto('notification_outbox')
        .values(
          entries.map((e) => ({
            alarm_id: e.alarmId,
            recipient_user_id: e.recipientUserId,
            channel: e.channel,
            address: e.address,
            reason: e.reason,
            subject: e.subject,
            body: e.body,
          })),
        )
        .onConflict((oc) => oc.columns(['alarm_id', 'recipient_user_id', 'channel']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0);
    },

    /**
     * Sends cut short by a crash may or may not have left: they are marked `unknown` and not retried, so a
     * recipient never gets one alarm twice (escalation covers an alarm nobody acknowledges).
     */
    async recoverInterrupted(): Promise<number> {
      const r = await db
        .updateTable('notification_outbox')
        .set({ status: 'unknown', last_error: 'interrupted while sending; delivery unknown' })
        .where('status', '=', 'sending')
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    /** Claims up to `limit` due notifications (status → sending, attempt counted) in one statement. */
    async claimDue(now: Date, limit: number): Promise<OutboxRow[]> {
      const r = await sql<{
        id: string | number;
        alarm_id: string;
        recipient_user_id: string;
        channel: 'email' | 'sms';
        address: string;
        reason: 'opened' | 'escalation';
        subject: string;
        body: string;
        attempts: number;
      }>`
        update notification_outbox set status = 'sending', attempts = attempts + 1
        where id in (
          select id from notification_outbox
          where status = 'pending' and next_attempt_at <= ${now}
          order by next_attempt_at, id limit ${limit}
        )
        returning id, alarm_id, recipient_user_id, channel, address, reason, subject, body, attempts`.execute(
        db,
      );
      return r.rows.map((x) => ({
        id: Number(x.id),
        alarmId: x.alarm_id,
        recipientUserId: x.recipient_user_id,
        channel: x.channel,
        address: x.address,
        reason: x.reason,
        subject: x.subject,
        body: x.body,
        attempts: Number(x.attempts),
      }));
    },

    async markSent(ex: Kysely<DB> | Transaction<DB>, id: number, receipt: string) {
      await ex
        .updateTable('notification_outbox')
        .set({ status: 'sent', receipt: receipt.slice(0, 1000), sent_at: new Date(), last_error: null })
        .where('id', '=', id)
        .execute();
    },

    async markRetry(id: number, at: Date, error: string) {
      await db
        .updateTable('notification_outbox')
        .set({ status: 'pending', next_attempt_at: at, last_error: error.slice(0, 1000) })
        .where('id', '=', id)
        .execute();
    },

    async markFailed(ex: Kysely<DB> | Transaction<DB>, id: number, error: string) {
      await ex
        .updateTable('notification_outbox')
        .set({ status: 'failed', last_error: error.slice(0, 1000) })
        .where('id', '=', id)
        .execute();
    },

    /** When the next pending notification is due. */
    async nextDue(): Promise<Date | undefined> {
      const r = await db
        .selectFrom('notification_outbox')
        .select((eb) => eb.fn.min('next_attempt_at').as('at'))
        .where('status', '=', 'pending')
        .executeTakeFirst();
      return r?.at ? new Date(r.at) : undefined;
    },

    /** The outbox rows of an alarm (inspection, tests). */
    async ofAlarm(alarmId: string) {
      return db
        .selectFrom('notification_outbox')
        .selectAll()
        .where('alarm_id', '=', alarmId)
        .orderBy('id')
        .execute();
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
