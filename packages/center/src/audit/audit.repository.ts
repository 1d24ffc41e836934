/**
 * The audit log (B3, ADR 0407): who did what, when, about whom, from which address. Written in the same
 * transaction as the change; read by the auditor with filters, page by page or as a CSV export.
 */
import type { AuditCursor } from '@sde/api';
import { sql, type Kysely, type RawBuilder, type Transaction } from 'kysely';
import type { Actor } from '../auth/actor.js';
import type { DB } from '../db/schema.js';

/** One audited action. `changes` holds the new values (and `before` where a record changed). */
export interface AuditEntry {
  action: string;
  entity: string;
  entityId: string;
  changes?: Record<string, unknown>;
  requestId?: string;
  /**
   * The monitored or protected person the record is about. Left out, it is found from the entity (a person,
   * a case, a supervision, an application, a court order, an alarm, a device assigned to a supervision);
   * null says the record is about no person.
   */
  personId?: string | null;
}

/** A stored audit record. */
export interface AuditRecord {
  id: number;
  at: Date;
  actorLogin: string;
  actorRole: string;
  /** The address the request came from, as the connection showed it; null for the center's own actors. */
  address: string | null;
  /** The address and what the client claimed about itself (user agent, terminal name), labelled as claimed. */
  terminal: string;
  requestId: string | null;
  action: string;
  entity: string;
  entityId: string;
  personId: string | null;
  changes: Record<string, unknown>;
}

/** What the auditor filters by; every field narrows, none given lists everything. */
export interface AuditFilter {
  /** Records about this monitored or protected person. */
  personId?: string;
  /** Records of this user (login). */
  actorLogin?: string;
  /** An action (`alarm.acknowledge`), or every action under a prefix ending with a dot (`alarm.`). */
  action?: string;
  /** From this instant (inclusive). */
  from?: Date;
  /** Up to this instant (exclusive). */
  to?: Date;
  entity?: string;
  entityId?: string;
  /** Records whose request came from this address. */
  address?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The person an entity belongs to, as a scalar subquery evaluated in the writing transaction (so a record
 * written with the change that created its entity finds it). Null for entities that belong to no person.
 */
function personOf(entity: string, entityId: string): RawBuilder<string | null> | null {
  const uuid = UUID.test(entityId);
  switch (entity) {
    case 'monitored_person':
    case 'protected_person':
      return uuid ? sql<string>`${entityId}::uuid` : null;
    case 'case':
      return uuid ? sql`(select person_id from cases where id = ${entityId}::uuid)` : null;
    case 'supervision':
      return uuid ? sql`(select person_id from supervisions where id = ${entityId}::uuid)` : null;
    case 'application':
      return uuid
        ? sql`(select c.person_id from applications a join cases c on c.id = a.case_id where a.id = ${entityId}::uuid)`
        : null;
    case 'court_order':
      return uuid
        ? sql`(select s.person_id from court_orders o join supervisions s on s.id = o.supervision_id where o.id = ${entityId}::uuid)`
        : null;
    case 'alarm':
      return sql`(select s.person_id from alarm_episodes a join supervisions s on s.id = a.supervision_id where a.id = ${entityId})`;
    case 'device':
      // A protected person's unit is about her; any other unit about the person it is fitted to.
      return sql`(select case when d.kind = 'protected_unit' then c.protected_person_id else s.person_id end
        from devices d
        join device_assignments da on da.device_no = d.no and da.to_at is null
        join supervisions s on s.id = da.supervision_id
        join cases c on c.id = s.case_id
        where d.id = ${entityId} limit 1)`;
    default:
      return null;
  }
}

/** Who an audit record names: a signed-in actor, or `anonymous` for a sign-in with an unknown login. */
export type AuditActor = Pick<Actor, 'userId' | 'login' | 'terminal' | 'address'> & {
  role: Actor['role'] | 'anonymous';
};

/** Records an audit entry with `db`, which should be the transaction that makes the change. */
export async function recordAudit(
  db: Kysely<DB> | Transaction<DB>,
  actor: AuditActor,
  entry: AuditEntry,
): Promise<void> {
  const personId = entry.personId !== undefined ? entry.personId : personOf(entry.entity, entry.entityId);
  await db
    .insertInto('audit_log')
    .values({
      actor_user_id: actor.userId,
      actor_login: actor.login,
      actor_role: actor.role,
      terminal: actor.terminal,
      address: actor.address ?? null,
      request_id: entry.requestId ?? null,
      action: entry.action,
      entity: entry.entity,
      entity_id: entry.entityId,
      person_id: personId,
      changes: JSON.stringify(entry.changes ?? {}),
    })
    .execute();
}

/** `s` with LIKE's wildcards and escape character taken literally. */
function likeLiteral(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The exact microsecond of `at`, as text (a JavaScript Date keeps milliseconds only). */
const AT_US = sql<string>`((extract(epoch from at) * 1000000)::bigint)::text`;

/**
 * Creates the audit reader. Records are listed newest first by (at, id): an index on (filter column, at, id)
 * then serves both a filter and a period, and the period alone is a range of (at, id).
 */
export function createAuditRepository(db: Kysely<DB>) {
  function query(filter: AuditFilter & { before?: AuditCursor; throughId?: number }, limit: number) {
    let q = db
      .selectFrom('audit_log')
      .selectAll()
      .select(AT_US.as('at_us'))
      .orderBy('at', 'desc')
      .orderBy('id', 'desc')
      .limit(limit);
    if (filter.personId) q = q.where('person_id', '=', filter.personId);
    if (filter.actorLogin) q = q.where('actor_login', '=', filter.actorLogin);
    if (filter.action) {
      q = filter.action.endsWith('.')
        ? q.where('action', 'like', `${likeLiteral(filter.action)}%`)
        : q.where('action', '=', filter.action);
    }
    if (filter.from) q = q.where('at', '>=', filter.from);
    if (filter.to) q = q.where('at', '<', filter.to);
    if (filter.entity) q = q.where('entity', '=', filter.entity);
    if (filter.entityId) q = q.where('entity_id', '=', filter.entityId);
    if (filter.address) q = q.where('address', '=', filter.address);
    if (filter.before) {
      const { atUs, id } = filter.before;
      q = q.where(
        sql<boolean>`(at, id) < (timestamptz 'epoch' + ${atUs}::bigint * interval '1 microsecond', ${id}::bigint)`,
      );
    }
    if (filter.throughId !== undefined) q = q.where('id', '<=', filter.throughId);
    return q;
  }

  async function page(
    filter: AuditFilter & { before?: AuditCursor; throughId?: number },
    limit: number,
  ): Promise<{ records: AuditRecord[]; last: AuditCursor | undefined }> {
    const rows = await query(filter, limit).execute();
    const tail = rows.at(-1);
    return {
      records: rows.map((r): AuditRecord => ({
        id: Number(r.id),
        at: r.at,
        actorLogin: r.actor_login,
        actorRole: r.actor_role,
        address: r.address,
        terminal: r.terminal,
        requestId: r.request_id,
        action: r.action,
        entity: r.entity,
        entityId: r.entity_id,
        personId: r.person_id,
        changes: r.changes,
      })),
      last: tail ? { atUs: tail.at_us, id: Number(tail.id) } : undefined,
    };
  }

  return {
    /**
     * One page of records, newest first, after `before` when given (keyset pagination); `next` is the
     * cursor of the following page, undefined on the last one.
     */
    async list(
      filter: AuditFilter & { limit: number; before?: AuditCursor },
    ): Promise<{ records: AuditRecord[]; next: AuditCursor | undefined }> {
      const p = await page(filter, filter.limit);
      return { records: p.records, next: p.records.length === filter.limit ? p.last : undefined };
    },

    /** The id of the newest record now: an export lists the records up to it, not those written during it. */
    async newestId(): Promise<number> {
      const row = await db
        .selectFrom('audit_log')
        .select(sql<number | null>`max(id)`.as('max'))
        .executeTakeFirst();
      return Number(row?.max ?? 0);
    },

    /**
     * Every record of `filter` up to `throughId`, newest first, read `pageSize` at a time so a large log
     * never sits in memory whole.
     */
    async *each(filter: AuditFilter, throughId: number, pageSize = 1000): AsyncGenerator<AuditRecord> {
      let before: AuditCursor | undefined;
      for (;;) {
        const p = await page({ ...filter, throughId, ...(before ? { before } : {}) }, pageSize);
        yield* p.records;
        if (p.records.length < pageSize || !p.last) return;
        before = p.last;
      }
    },
  };
}

/** The audit reader. */
export type AuditRepository = ReturnType<typeof createAuditRepository>;
