/**
 * SQL of the deadline job: which supervisions have open tasks falling due or order versions starting, and
 * when the next one does.
 */
import type { Database } from '../db/database.js';

/** Creates the deadline job's repository. */
export function createDeadlineRepository(db: Database) {
  return {
    /** Supervisions with an open task due in (`after`, `until`]; `after` null means any time before. */
    async supervisionsDue(after: Date | null, until: Date): Promise<string[]> {
      let q = db
        .selectFrom('tasks')
        .select('supervision_id')
        .distinct()
        .where('done_at', 'is', null)
        .where('due_at', '<=', until);
      if (after) q = q.where('due_at', '>', after);
      return (await q.execute()).map((r) => r.supervision_id);
    },

    /** The earliest due instant of an open task after `after`, or null. */
    async nextDueAfter(after: Date): Promise<Date | null> {
      const r = await db
        .selectFrom('tasks')
        .select((eb) => eb.fn.min('due_at').as('next'))
        .where('done_at', 'is', null)
        .where('due_at', '>', after)
        .executeTakeFirst();
      const next = r?.next as Date | string | null | undefined;
      return next ? new Date(next) : null;
    },

    /**
     * Supervisions with devices fitted whose order has a version recorded ahead of its start that starts in
     * (`after`, `until`]: their units learn the version's settings then (ADR 0604).
     */
    async versionsStarting(after: Date, until: Date): Promise<string[]> {
      const rows = await db
        .selectFrom('court_order_versions as v')
        .innerJoin('court_orders as o', 'o.id', 'v.order_id')
        .innerJoin('supervisions as s', 's.id', 'o.supervision_id')
        .select('o.supervision_id')
        .distinct()
        .where('v.valid_from', '>', after)
        .where('v.valid_from', '<=', until)
        .whereRef('v.valid_from', '>', 'v.recorded_at')
        .where('s.status', 'in', ['installed', 'activated', 'in_execution'])
        .execute();
      return rows.map((r) => r.supervision_id);
    },

    /** The earliest start after `after` of a version recorded ahead of its start, or null. */
    async nextVersionStartAfter(after: Date): Promise<Date | null> {
      const r = await db
        .selectFrom('court_order_versions')
        .select((eb) => eb.fn.min('valid_from').as('next'))
        .where('valid_from', '>', after)
        .whereRef('valid_from', '>', 'recorded_at')
        .executeTakeFirst();
      const next = r?.next as Date | string | null | undefined;
      return next ? new Date(next) : null;
    },
  };
}

export type DeadlineRepository = ReturnType<typeof createDeadlineRepository>;
