/** The audit log (B3): who changed what, when, from which terminal. Written in the same transaction as the change. */
import type { Kysely, Transaction } from 'kysely';
import type { Actor } from '../auth/actor.js';
import type { DB } from '../db/schema.js';

/** One audited write. `changes` holds the new values (and `before` where a record changed). */
export interface AuditEntry {
  action: string;
  entity: string;
  entityId: string;
  changes?: Record<string, unknown>;
  requestId?: string;
}

/** A stored audit record. */
export interface AuditRecord extends Required<Omit<AuditEntry, 'requestId'>> {
  id: number;
  at: Date;
  actorLogin: string;
  actorRole: string;
  terminal: string;
  requestId: string | null;
}

/** Who an audit record names: a signed-in actor, or `anonymous` for a sign-in with an unknown login. */
export type AuditActor = Pick<Actor, 'userId' | 'login' | 'terminal'> & { role: Actor['role'] | 'anonymous' };

/** Records an audit entry with `db`, which should be the transaction that makes the change. */
export async function recordAudit(
  db: Kysely<DB> | Transaction<DB>,
  actor: AuditActor,
  entry: AuditEntry,
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_user_id: actor.userId,
      actor_login: actor.login,
      actor_role: actor.role,
      terminal: actor.terminal,
      request_id: entry.requestId ?? null,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId,
      changes: JSON.stringify(entry.changes ?? {}),
    })
    .execute();
}

/** Creates the audit reader. */
export function createAuditRepository(db: Kysely<DB>) {
  return {
    async list(filter: {
      entity?: string;
      entityId?: string;
      actorLogin?: string;
      limit: number;
      beforeId?: number;
    }) {
      let q = db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(filter.limit);
      if (filter.entity) q = q.where('entity', '=', filter.entity);
      if (filter.entityId) q = q.where('entity_id', '=', filter.entityId);
      if (filter.actorLogin) q = q.where('actor_login', '=', filter.actorLogin);
      if (filter.beforeId) q = q.where('id', '<', filter.beforeId);
      const rows = await q.execute();
      return rows.map((r): AuditRecord => ({
        id: Number(r.id),
        at: r.at,
        actorLogin: r.actor_login,
        actorRole: r.actor_role,
        terminal: r.terminal,
        requestId: r.request_id,
        action: r.action,
        entity: r.entity,
        entityId: r.entity_id,
        changes: r.changes,
      }));
    },
  };
}
