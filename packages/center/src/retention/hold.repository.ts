/** Legal holds on cases (ADR 0702): set and lifted, never deleted. */
import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { DB, LegalHoldsTable } from '../db/schema.js';

type Db = Kysely<DB> | Transaction<DB>;

/** A hold as stored. */
export type HoldRow = Selectable<LegalHoldsTable>;

/** Who set or lifted a hold, as recorded on it. */
export interface HoldActor {
  login: string;
  role: string;
}

export function createHoldRepository(db: Kysely<DB>) {
  return {
    /** The case's holds, newest first. */
    async list(caseId: string, trx: Db = db): Promise<HoldRow[]> {
      return trx
        .selectFrom('legal_holds')
        .selectAll()
        .where('case_id', '=', caseId)
        .orderBy('set_at', 'desc')
        .orderBy('id')
        .execute();
    },

    /** The ids of every case under a hold in force. */
    async casesHeld(trx: Db = db): Promise<string[]> {
      const rows = await trx
        .selectFrom('legal_holds')
        .select('case_id')
        .where('lifted_at', 'is', null)
        .execute();
      return rows.map((r) => r.case_id);
    },

    /** The case's hold in force, locked for the caller's transaction. */
    async inForce(trx: Transaction<DB>, caseId: string): Promise<HoldRow | undefined> {
      return trx
        .selectFrom('legal_holds')
        .selectAll()
        .where('case_id', '=', caseId)
        .where('lifted_at', 'is', null)
        .forUpdate()
        .executeTakeFirst();
    },

    async insert(
      trx: Transaction<DB>,
      caseId: string,
      reason: string,
      by: HoldActor,
      at: Date,
    ): Promise<HoldRow> {
      return trx
        .insertInto('legal_holds')
        .values({
          id: randomUUID(),
          case_id: caseId,
          reason,
          set_at: at,
          set_by: by.login,
          set_by_role: by.role,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    async lift(trx: Transaction<DB>, id: string, reason: string, by: HoldActor, at: Date): Promise<HoldRow> {
      return trx
        .updateTable('legal_holds')
        .set({ lifted_at: at, lifted_by: by.login, lifted_by_role: by.role, lift_reason: reason })
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirstOrThrow();
    },

    /** Whether the case's personal data was already pseudonymised (a hold can no longer keep it). */
    async erased(trx: Db, caseId: string): Promise<boolean> {
      const r = await trx
        .selectFrom('retention_erasures')
        .select('case_id')
        .where('case_id', '=', caseId)
        .executeTakeFirst();
      return r !== undefined;
    },
  };
}

export type HoldRepository = ReturnType<typeof createHoldRepository>;
