/**
 * Legal holds (ADR 0702) and the retention plan, bound to `RETENTION_ROUTES` of `@sde/api`. The route table
 * checks the permission (`case.hold`: a judge or the Bureau) and that the case is in the caller's scope (a
 * judge's court), so a judge of another court gets 404; this module checks the hold's own rules and audits
 * each change in the transaction that makes it.
 */
import { RETENTION_ROUTES, type LegalHold } from '@sde/api';
import type { FastifyInstance } from 'fastify';
import { recordAudit, type AuditEntry } from '../audit/audit.repository.js';
import type { Actor } from '../auth/actor.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/database.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { registerTable, type Handlers } from '../http/route-table.js';
import { createHoldRepository, type HoldRow } from './hold.repository.js';
import type { RetentionJob } from './retention.job.js';

/** A hold as the API answers it: every field is about the hold and who decided it, none about the person. */
function present(h: HoldRow): LegalHold {
  const stamp = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());
  return {
    id: h.id,
    caseId: h.case_id,
    inForce: h.lifted_at === null,
    reason: h.reason,
    setAt: stamp(h.set_at)!,
    setBy: h.set_by,
    setByRole: h.set_by_role,
    liftedAt: stamp(h.lifted_at),
    liftedBy: h.lifted_by,
    liftReason: h.lift_reason,
  };
}

/** The audit record of setting or lifting a hold, under its case (and so its person). */
function audited(action: string, row: HoldRow, reason: string, requestId: string | undefined): AuditEntry {
  return {
    action,
    entity: 'case',
    entityId: row.case_id,
    changes: { holdId: row.id, reason },
    ...(requestId ? { requestId } : {}),
  };
}

/** Setting and lifting holds; the caller's permission and scope are the route table's to check. */
export function createHoldService(deps: { db: Database; clock: Clock }) {
  const { db, clock } = deps;
  const repo = createHoldRepository(db);
  return {
    async list(caseId: string): Promise<{ holds: LegalHold[] }> {
      return { holds: (await repo.list(caseId)).map(present) };
    },

    async set(actor: Actor, caseId: string, reason: string, requestId?: string): Promise<LegalHold> {
      return db.transaction().execute(async (trx) => {
        if (await repo.erased(trx, caseId)) {
          throw new ConflictError(
            'the personal data of this case was already erased under the retention policy; a hold can no longer keep it',
            'case_erased',
            'Dane osobowe tej sprawy zostały już usunięte zgodnie z okresem przechowywania; wstrzymanie nie może ich zachować.',
          );
        }
        if (await repo.inForce(trx, caseId)) {
          throw new ConflictError(
            'this case is already under a legal hold; lift it before setting another',
            'hold_in_force',
            'Ta sprawa jest już objęta wstrzymaniem usunięcia danych; najpierw je uchyl.',
          );
        }
        const row = await repo.insert(trx, caseId, reason, actor, new Date(clock.now()));
        await recordAudit(trx, actor, audited('case.hold.set', row, reason, requestId));
        return present(row);
      });
    },

    async lift(actor: Actor, caseId: string, holdId: string, reason: string, requestId?: string) {
      return db.transaction().execute(async (trx) => {
        const current = await repo.inForce(trx, caseId);
        if (!current || current.id !== holdId) {
          const known = (await repo.list(caseId, trx)).find((h) => h.id === holdId);
          if (!known)
            throw new NotFoundError(`legal hold ${holdId}`, `wstrzymanie usunięcia danych ${holdId}`);
          throw new ConflictError(
            'this legal hold was already lifted',
            'hold_lifted',
            'To wstrzymanie usunięcia danych zostało już uchylone.',
          );
        }
        const row = await repo.lift(trx, holdId, reason, actor, new Date(clock.now()));
        await recordAudit(trx, actor, audited('case.hold.lift', row, reason, requestId));
        return present(row);
      });
    },
  };
}

export type HoldService = ReturnType<typeof createHoldService>;

/** Registers the hold routes and the retention plan. */
export function registerRetentionRoutes(
  app: FastifyInstance,
  deps: { holds: HoldService; retention: RetentionJob; db: Database },
): void {
  const { holds, retention } = deps;
  const handlers: Handlers<typeof RETENTION_ROUTES> = {
    listHolds: (c) => holds.list(c.params.id),
    setHold: (c) => holds.set(c.actor, c.params.id, c.body.reason, c.requestId),
    liftHold: (c) => holds.lift(c.actor, c.params.id, c.params.holdId, c.body.reason, c.requestId),
    retentionPlan: () => retention.plan(),
  };
  registerTable(app, RETENTION_ROUTES, handlers, { db: deps.db });
}
