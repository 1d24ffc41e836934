/** SQL of the deadline job: which supervisions have open tasks falling due, and when the next one does. */
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
  };
}

export type DeadlineRepository = ReturnType<typeof createDeadlineRepository>;
