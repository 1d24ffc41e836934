/**
 * The route table (ADR 0402): every HTTP route is declared once — method, path, who may call it, the
 * schemas of its inputs, the scope rule of the object its path names, the ids its body or query refers to,
 * and whether a successful answer is a read of personal data to audit. The tables themselves are data in
 * `@sde/api`; {@link registerTable} is the one place that enforces them; handlers receive inputs already
 * checked.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql, type Kysely } from 'kysely';
import type { ObjectKind, ParsedBody, ParsedParams, ParsedQuery, RefSpec, RouteSpec } from '@sde/api';
import { assignmentProblems, type DomainMessage } from '@sde/domain';
import { recordAudit } from '../audit/audit.repository.js';
import { AppError, NotFoundError } from '../errors.js';
import { can, ForbiddenError, inScope, scopeOf, type Actor } from '../auth/actor.js';
import { DomainRuleError } from '../cases/domain-error.js';
import type { DB } from '../db/schema.js';
import { caseScopeSql, deviceScopeSql } from '../db/scope-sql.js';
import { DECLARED, parse } from './server.js';

/** What a handler receives: the caller, the parsed inputs and, for raw routes, the request and reply. */
export interface Ctx<T extends RouteSpec> {
  actor: Actor;
  requestId: string;
  params: ParsedParams<T>;
  query: ParsedQuery<T>;
  body: ParsedBody<T>;
  req: FastifyRequest;
  reply: FastifyReply;
}

/** A handler per route of `table`. */
export type Handlers<Table extends Record<string, RouteSpec>> = {
  [K in keyof Table]: (c: Ctx<Table[K]>) => Promise<unknown> | unknown;
};

/** Who owns a record: the scope rule (actor.ts `inScope`) reads these. */
export interface Owners {
  regionId: string;
  courtId: string | null;
  probationOfficerId: string | null;
}

const NAMES: Record<ObjectKind, [string, string]> = {
  case: ['case', 'sprawa'],
  application: ['application', 'wniosek'],
  supervision: ['supervision', 'dozór'],
  order: ['order', 'orzeczenie'],
  alarm: ['alarm', 'alarm'],
  person: ['person', 'osoba'],
  protected_person: ['protected person', 'osoba chroniona'],
  device: ['device', 'urządzenie'],
  judge: ['judge', 'sędzia'],
  probation_officer: ['probation officer', 'kurator'],
  court: ['court', 'sąd'],
  region: ['region', 'region'],
};

/** The 404 every miss answers: unknown and out-of-scope look the same, so existence does not leak. */
export function notFound(kind: ObjectKind, id: string): NotFoundError {
  const [en, pl] = NAMES[kind];
  return new NotFoundError(`${en} ${id}`, `${pl} ${id}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_KINDS = new Set<ObjectKind>([
  'case',
  'application',
  'supervision',
  'order',
  'person',
  'protected_person',
  'judge',
  'probation_officer',
]);

const CASE_BOUND = new Set<ObjectKind>(['case', 'application', 'supervision', 'order', 'alarm']);

/**
 * The owners of a case-bound record (through its case), or undefined when it does not exist. Ids that
 * cannot be a key of the table are misses, so PostgreSQL never compares a malformed uuid.
 */
export async function ownersOf(
  db: Kysely<DB>,
  kind: 'case' | 'application' | 'supervision' | 'order' | 'alarm',
  id: string,
): Promise<Owners | undefined> {
  if (kind !== 'alarm' && !UUID.test(id)) return undefined;
  const from = {
    case: sql`cases c where c.id = ${id}`,
    application: sql`applications x join cases c on c.id = x.case_id where x.id = ${id}`,
    supervision: sql`supervisions x join cases c on c.id = x.case_id where x.id = ${id}`,
    order: sql`court_orders o join supervisions x on x.id = o.supervision_id join cases c on c.id = x.case_id
      where o.id = ${id}`,
    alarm: sql`alarm_episodes e join supervisions x on x.id = e.supervision_id join cases c on c.id = x.case_id
      where e.id = ${id}`,
  }[kind];
  const { rows } = await sql<{
    region_id: string;
    court_id: string;
    probation_officer_id: string | null;
  }>`select c.region_id, c.court_id, c.probation_officer_id from ${from} limit 1`.execute(db);
  const r = rows[0];
  return r && { regionId: r.region_id, courtId: r.court_id, probationOfficerId: r.probation_officer_id };
}

/**
 * Whether `actor` may see or refer to the record `kind`/`id`. Persons and protected persons are in scope
 * through a case in scope, or — before any case — through the court or region that registered them
 * (ADR 0402). Judges and officers are within reach of a court when they serve it (its region for officers).
 */
export async function reachable(
  db: Kysely<DB>,
  actor: Actor,
  kind: ObjectKind,
  id: string,
): Promise<boolean> {
  if (UUID_KINDS.has(kind) && !UUID.test(id)) return false;
  const scope = scopeOf(actor);
  switch (kind) {
    case 'case':
    case 'application':
    case 'supervision':
    case 'order':
    case 'alarm': {
      const owners = await ownersOf(db, kind, id);
      return owners !== undefined && inScope(actor, owners);
    }
    case 'device': {
      const { rows } = await sql`
        select 1 from devices d
        left join device_assignments a on a.device_no = d.no and a.to_at is null
        left join supervisions s on s.id = a.supervision_id
        left join cases c on c.id = s.case_id
        where d.id = ${id} and ${deviceScopeSql(scope)} limit 1`.execute(db);
      return rows.length > 0;
    }
    case 'person':
    case 'protected_person': {
      const table = kind === 'person' ? sql`monitored_persons` : sql`protected_persons`;
      const column = kind === 'person' ? sql`c.person_id` : sql`c.protected_person_id`;
      const registered =
        scope.kind === 'region'
          ? sql`p.registered_region_id = ${scope.regionId}`
          : scope.kind === 'court'
            ? sql`p.registered_court_id = ${scope.courtId}`
            : scope.kind === 'all'
              ? sql`true`
              : sql`false`;
      const { rows } = await sql`
        select 1 from ${table} p where p.id = ${id} and (${registered} or exists (
          select 1 from cases c where ${column} = p.id and ${caseScopeSql(scope)})) limit 1`.execute(db);
      return rows.length > 0;
    }
    case 'judge':
    case 'probation_officer': {
      const u = await db
        .selectFrom('users as u')
        .leftJoin('courts as uc', 'uc.id', 'u.court_id')
        .select(['u.id', 'u.region_id', 'u.court_id', 'uc.region_id as court_region_id'])
        .where('u.id', '=', id)
        .where('u.role', '=', kind)
        .executeTakeFirst();
      if (!u) return false;
      const region = u.region_id ?? u.court_region_id;
      switch (scope.kind) {
        case 'all':
          return true;
        case 'region':
          return region === scope.regionId;
        case 'court': {
          if (u.court_id) return u.court_id === scope.courtId;
          return region === (await courtRegion(db, scope.courtId));
        }
        case 'caseload':
          return u.id === scope.probationOfficerId;
        case 'none':
          return false;
      }
      return false;
    }
    case 'court': {
      const region = await courtRegion(db, id);
      if (region === undefined) return false;
      if (scope.kind === 'all') return true;
      if (scope.kind === 'court') return id === scope.courtId;
      if (scope.kind === 'region') return region === scope.regionId;
      if (scope.kind === 'caseload') return region === actor.regionId;
      return false;
    }
    case 'region': {
      const r = await db.selectFrom('regions').select('id').where('id', '=', id).executeTakeFirst();
      if (!r) return false;
      if (scope.kind === 'all') return true;
      if (scope.kind === 'region') return id === scope.regionId;
      if (scope.kind === 'court') return id === (await courtRegion(db, scope.courtId));
      if (scope.kind === 'caseload') return id === actor.regionId;
      return false;
    }
  }
}

async function courtRegion(db: Kysely<DB>, courtId: string): Promise<string | undefined> {
  const c = await db.selectFrom('courts').select('region_id').where('id', '=', courtId).executeTakeFirst();
  return c?.region_id;
}

/**
 * The law's jurisdiction (S5) of a judge or officer named in a body, by the domain's rule. Empty when it
 * holds (or the user is unknown: the service answers that in its own words).
 */
async function jurisdictionProblems(
  db: Kysely<DB>,
  kind: 'judge' | 'probation_officer',
  id: string,
  target: { regionId: string; courtId: string | null },
  field: string,
): Promise<DomainMessage[]> {
  if (!UUID.test(id)) return [];
  const u = await db
    .selectFrom('users as u')
    .leftJoin('courts as uc', 'uc.id', 'u.court_id')
    .select(['u.region_id', 'u.court_id', 'uc.region_id as court_region_id'])
    .where('u.id', '=', id)
    .where('u.role', '=', kind)
    .executeTakeFirst();
  if (!u) return [];
  return assignmentProblems(
    kind,
    { regionId: u.region_id ?? u.court_region_id, courtId: u.court_id },
    target,
    field,
  );
}

/** The values at `path` in `value` (`a.b[].c`), skipping null and undefined. */
export function valuesAt(value: unknown, path: string): string[] {
  let cur: unknown[] = [value];
  for (const part of path.split('.')) {
    const many = part.endsWith('[]');
    const key = many ? part.slice(0, -2) : part;
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || typeof v !== 'object') continue;
      const got = (v as Record<string, unknown>)[key];
      if (many) {
        if (Array.isArray(got)) next.push(...(got as unknown[]));
      } else next.push(got);
    }
    cur = next;
  }
  return cur.filter((v): v is string => typeof v === 'string');
}

/** The number of items in a list answer: its array, or its first array-valued field. */
function countOf(result: unknown): number | null {
  if (Array.isArray(result)) return result.length;
  if (result && typeof result === 'object') {
    for (const v of Object.values(result)) if (Array.isArray(v)) return v.length;
  }
  return null;
}

/** Query filters recorded with a list read: ids, codes and dates, never the cursor. */
function filterOf(query: unknown): Record<string, unknown> {
  if (!query || typeof query !== 'object') return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(query)) {
    if (k === 'cursor' || v === undefined) continue;
    out[k] = v;
  }
  return out;
}

/** What the table's checks need from the center. */
export interface TableDeps {
  db: Kysely<DB>;
}

/**
 * Registers every route of `table` with its handler. For each request, in this order: the permission
 * (403), the path's parameters (400), the scope of the object the path names (404), the query and body
 * (400), the target court (403), every reference (404, or 400 for a jurisdiction breach by a caller who
 * sees everything), the handler, and — for a successful read of personal data — the audit record, written
 * before the answer leaves so no read goes unrecorded.
 */
export function registerTable<Table extends Record<string, RouteSpec>>(
  app: FastifyInstance,
  table: Table,
  handlers: Handlers<Table>,
  deps: TableDeps,
): void {
  for (const [name, s] of Object.entries(table)) {
    if ((s.permission === undefined) === (s.access === undefined)) {
      throw new Error(`route ${name}: declare exactly one of permission and access`);
    }
    const handler = handlers[name] as (c: Ctx<RouteSpec>) => Promise<unknown> | unknown;
    app.route({
      method: s.method,
      url: s.path,
      config: { [DECLARED]: name },
      ...(s.bodyLimit ? { bodyLimit: s.bodyLimit } : {}),
      handler: async (req, reply) => {
        const actor = req.actor;
        if (s.permission && !can(actor, s.permission)) throw new ForbiddenError(s.permission);
        const params = s.params ? parse(s.params, req.params) : undefined;
        let target: Owners | undefined;
        if (s.scope) {
          const id = String((params as Record<string, unknown>)[s.scope.param]);
          if (!(await reachable(deps.db, actor, s.scope.kind, id))) throw notFound(s.scope.kind, id);
          if (CASE_BOUND.has(s.scope.kind)) target = await ownersOf(deps.db, s.scope.kind as 'case', id);
        }
        const query = s.query ? parse(s.query, req.query) : undefined;
        const body = s.body ? parse(s.body, req.body ?? {}) : undefined;
        if (s.target) {
          const [court] = valuesAt(body, s.target.field);
          if (court !== undefined) {
            const region = await courtRegion(deps.db, court);
            if (region !== undefined) {
              if (!(await reachable(deps.db, actor, 'court', court))) {
                throw new AppError(
                  'outside_scope',
                  'you may open cases only at your own court or region',
                  403,
                  undefined,
                  'Możesz zakładać sprawy tylko w swoim sądzie lub regionie.',
                );
              }
              target = { regionId: region, courtId: court, probationOfficerId: null };
            }
          }
        }
        for (const ref of s.refs ?? []) {
          for (const id of valuesAt(ref.from === 'body' ? body : query, ref.field)) {
            await checkRef(deps.db, actor, ref, id, target);
          }
        }
        const ctx: Ctx<RouteSpec> = {
          actor,
          requestId: req.id,
          params,
          query,
          body,
          req,
          reply,
        };
        if (s.raw) {
          if (s.audit) await audit(deps.db, actor, s, params, query, null, req.id);
          await handler(ctx);
          return reply;
        }
        const result = await handler(ctx);
        if (reply.sent) return reply;
        if (s.audit && (reply.statusCode ?? 200) < 300) {
          await audit(deps.db, actor, s, params, query, result, req.id);
        }
        return reply.status(s.status ?? 200).send(result);
      },
    });
  }
}

async function checkRef(
  db: Kysely<DB>,
  actor: Actor,
  ref: RefSpec,
  id: string,
  target: Owners | undefined,
): Promise<void> {
  const everything = scopeOf(actor).kind === 'all';
  // A caller who sees everything gets the service's precise "unknown" refusal; others a plain 404.
  if (!everything && !(await reachable(db, actor, ref.kind, id))) throw notFound(ref.kind, id);
  if ((ref.kind === 'judge' || ref.kind === 'probation_officer') && target) {
    const problems = await jurisdictionProblems(db, ref.kind, id, target, ref.field);
    if (problems.length > 0) {
      if (!everything) throw notFound(ref.kind, id);
      throw new DomainRuleError(problems);
    }
  }
}

async function audit(
  db: Kysely<DB>,
  actor: Actor,
  s: RouteSpec,
  params: unknown,
  query: unknown,
  result: unknown,
  requestId: string,
): Promise<void> {
  const a = s.audit!;
  const id = s.scope ? String((params as Record<string, unknown>)[s.scope.param]) : '*';
  await recordAudit(db, actor, {
    action: a.action,
    entity: a.entity,
    entityId: id,
    changes: a.list ? { filter: filterOf(query), count: countOf(result) } : {},
    requestId,
  });
}
