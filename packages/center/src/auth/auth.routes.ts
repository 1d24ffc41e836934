/** Sign-in, sign-out, the current user, users, regions, courts and the audit log. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Readable } from 'node:stream';
import { auditCsv } from '../audit/audit.csv.js';
import {
  formatAuditCursor,
  parseAuditCursor,
  recordAudit,
  type AuditFilter,
  type AuditRecord,
  type AuditRepository,
} from '../audit/audit.repository.js';
import { presentAuditRecordFor } from '../audit/audit.presenters.js';
import type { Database } from '../db/database.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { registerTable, spec, type RouteSpec } from '../http/route-table.js';
import { permissionsOf, ROLES, type Actor } from './actor.js';
import { ThrottledError, type AuthService } from './auth.service.js';
import { addressOf, SESSION_COOKIE, terminalOf } from './authenticate.js';
import { FLOW_MS, OIDC_CALLBACK, OIDC_FLOW_COOKIE, type OidcSignIn } from './oidc.js';

const LoginBody = z.object({
  login: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
  /** The TOTP code, for a user with a second factor (or enrolling one at sign-in). */
  totp: z.string().max(10).optional(),
});
const TotpConfirm = z.object({ code: z.string().min(1).max(10) });
const CreateUser = z.object({
  login: z.string().regex(/^[a-z0-9._-]{3,40}$/, 'lower-case letters, digits, ".", "_" or "-", 3 to 40'),
  displayName: z.string().min(1).max(100),
  role: z.enum(ROLES),
  regionId: z.string().nullable().default(null),
  courtId: z.string().nullable().default(null),
  password: z.string().max(200),
  /** Where alarm notifications go (T4.3); optional. */
  email: z.string().email().max(200).nullable().optional(),
  /** Phone for SMS notifications, international format; optional. */
  phone: z
    .string()
    .regex(/^\+?[0-9 ]{6,20}$/)
    .nullable()
    .optional(),
});
const UpdateUser = z
  .object({
    active: z.boolean().optional(),
    password: z.string().max(200).optional(),
    role: z.enum(ROLES).optional(),
    regionId: z.string().max(20).nullable().optional(),
    courtId: z.string().max(40).nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one field to change');
const RegionParams = z.object({ id: z.string().regex(/^[A-Z0-9-]{2,20}$/) });
const RegionBody = z.object({ name: z.string().min(1).max(100) });
const CourtParams = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{2,40}$/) });
const CourtBody = z.object({ name: z.string().min(1).max(200), regionId: z.string().max(20) });
const UserParams = z.object({ id: z.uuid() });
const AuditQuery = z.object({
  /** Records about this monitored or protected person. */
  person: z.string().uuid().optional(),
  /** Records of this user (login); `actor` is its older name. */
  user: z.string().min(1).max(100).optional(),
  actor: z.string().min(1).max(100).optional(),
  /** An action, or a prefix ending with a dot (`alarm.`). */
  action: z
    .string()
    .regex(/^[a-z0-9_.-]{1,100}$/, 'an action such as alarm.acknowledge, or a prefix such as alarm.')
    .optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  entity: z.string().max(100).optional(),
  entityId: z.string().max(200).optional(),
  /** Records whose request came from this address. */
  address: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Keyset cursor: the `next` of the previous page. */
  before: z
    .string()
    .max(40)
    .transform((s, ctx) => {
      const c = parseAuditCursor(s);
      if (!c) ctx.addIssue({ code: 'custom', message: 'not a cursor of this list (take `next` as it is)' });
      return c;
    })
    .optional(),
});

/** The repository's filter of an audit query. */
function auditFilter(q: z.infer<typeof AuditQuery>): AuditFilter {
  const user = q.user ?? q.actor;
  return {
    ...(q.person ? { personId: q.person } : {}),
    ...(user ? { actorLogin: user } : {}),
    ...(q.action ? { action: q.action } : {}),
    ...(q.from ? { from: new Date(q.from) } : {}),
    ...(q.to ? { to: new Date(q.to) } : {}),
    ...(q.entity ? { entity: q.entity } : {}),
    ...(q.entityId ? { entityId: q.entityId } : {}),
    ...(q.address ? { address: q.address } : {}),
  };
}

/** Checks an audit query's period: one that ends before it starts is refused. */
function checkPeriod(q: z.infer<typeof AuditQuery>): z.infer<typeof AuditQuery> {
  if (q.from && q.to && new Date(q.from).getTime() > new Date(q.to).getTime())
    throw new ValidationError(
      'from must not be after to',
      [{ path: 'from', message: 'after to' }],
      undefined,
      'Początek okresu jest po jego końcu.',
    );
  return q;
}

/** Each record as the caller's role may read it (an auditor gets who did what, not the content: ADR 0403). */
async function* presented(actor: Actor, records: AsyncIterable<AuditRecord>): AsyncGenerator<AuditRecord> {
  for await (const r of records) yield presentAuditRecordFor(actor, r);
}

/** The identity routes: sign-in, the current user, users, regions, courts and the audit log. */
export const AUTH_ROUTES = {
  login: spec({
    method: 'POST',
    path: '/api/v1/auth/login',
    summary:
      'Sign in with login and password (and a TOTP code when the user has one); sets the session cookie, ' +
      'or answers totpRequired / totpEnrolRequired',
    tag: 'auth',
    access: 'public',
    body: LoginBody,
  }),
  logout: spec({
    method: 'POST',
    path: '/api/v1/auth/logout',
    summary: 'Sign out: ends the session',
    tag: 'auth',
    access: 'signed-in',
  }),
  totpSetup: spec({
    method: 'POST',
    path: '/api/v1/auth/totp/setup',
    summary: 'Start enrolling a TOTP second factor: a new secret and its otpauth URI (ADR 0405)',
    tag: 'auth',
    access: 'signed-in',
  }),
  totpConfirm: spec({
    method: 'POST',
    path: '/api/v1/auth/totp/confirm',
    summary: 'Confirm the second factor with a code from the new secret',
    tag: 'auth',
    access: 'signed-in',
    body: TotpConfirm,
  }),
  resetTotp: spec({
    method: 'DELETE',
    path: '/api/v1/users/:id/totp',
    summary: "Remove a user's second factor (they enrol again); ends their sessions",
    tag: 'users',
    permission: 'user.manage',
    params: UserParams,
  }),
  oidc: spec({
    method: 'GET',
    path: '/api/v1/auth/oidc',
    summary: 'Whether OpenID Connect sign-in is offered, and the provider’s name',
    tag: 'auth',
    access: 'public',
  }),
  oidcStart: spec({
    method: 'GET',
    path: '/api/v1/auth/oidc/start',
    summary: 'Redirect to the identity provider (authorization code with PKCE, state and nonce)',
    tag: 'auth',
    access: 'public',
    raw: true,
  }),
  oidcCallback: spec({
    method: 'GET',
    path: OIDC_CALLBACK,
    summary: 'The way back from the identity provider: signs the mapped user in and redirects to the console',
    tag: 'auth',
    access: 'public',
    raw: true,
  }),
  me: spec({
    method: 'GET',
    path: '/api/v1/auth/me',
    summary: 'The signed-in user and the permissions of their role',
    tag: 'auth',
    access: 'signed-in',
  }),
  listUsers: spec({
    method: 'GET',
    path: '/api/v1/users',
    summary: 'Users with their role, region and court',
    tag: 'users',
    permission: 'user.manage',
    audit: { action: 'user.list', entity: 'user', list: true },
  }),
  createUser: spec({
    method: 'POST',
    path: '/api/v1/users',
    summary: 'Create a user (role, region or court, notification contacts)',
    tag: 'users',
    permission: 'user.manage',
    body: CreateUser,
    refs: [
      { from: 'body', field: 'regionId', kind: 'region' },
      { from: 'body', field: 'courtId', kind: 'court' },
    ],
    status: 201,
  }),
  updateUser: spec({
    method: 'PATCH',
    path: '/api/v1/users/:id',
    summary:
      'Deactivate or reactivate a user, set a new password, or move them to another role, region or court',
    tag: 'users',
    permission: 'user.manage',
    params: UserParams,
    body: UpdateUser,
    refs: [
      { from: 'body', field: 'regionId', kind: 'region' },
      { from: 'body', field: 'courtId', kind: 'court' },
    ],
  }),
  listRegions: spec({
    method: 'GET',
    path: '/api/v1/regions',
    summary: 'Regions (regional centers)',
    tag: 'users',
    access: 'signed-in',
  }),
  listCourts: spec({
    method: 'GET',
    path: '/api/v1/courts',
    summary: 'Courts and their regions',
    tag: 'users',
    access: 'signed-in',
  }),
  putRegion: spec({
    method: 'PUT',
    path: '/api/v1/regions/:id',
    summary: 'Create or rename a region',
    tag: 'users',
    permission: 'user.manage',
    params: RegionParams,
    body: RegionBody,
  }),
  putCourt: spec({
    method: 'PUT',
    path: '/api/v1/courts/:id',
    summary: 'Create or change a court',
    tag: 'users',
    permission: 'user.manage',
    params: CourtParams,
    body: CourtBody,
  }),
  listAudit: spec({
    method: 'GET',
    path: '/api/v1/audit',
    summary:
      'The audit log, newest first, filtered by person, user, action (or a prefix such as `alarm.`), period, ' +
      'address and entity',
    tag: 'audit',
    permission: 'audit.read',
    query: AuditQuery,
  }),
  exportAudit: spec({
    method: 'GET',
    path: '/api/v1/audit/export',
    summary: 'The same filter as CSV (UTF-8 with BOM, RFC 4180, formula cells as text), streamed; audited',
    tag: 'audit',
    permission: 'audit.read',
    query: AuditQuery,
    raw: true,
  }),
} as const satisfies Record<string, RouteSpec>;

/** Registers the identity routes. */
export function registerAuthRoutes(
  app: FastifyInstance,
  deps: {
    auth: AuthService;
    db: Database;
    audit: AuditRepository;
    secureCookies: boolean;
    /** The agency's identity provider, when configured (SDE_OIDC_*). */
    oidc?: OidcSignIn | undefined;
  },
): void {
  const { auth } = deps;
  const sessionCookie = {
    httpOnly: true,
    sameSite: 'strict',
    secure: deps.secureCookies,
    path: '/',
  } as const;
  registerTable(
    app,
    AUTH_ROUTES,
    {
      login: async ({ req, reply, body, requestId }) => {
        // The address is the connection's (or the client's past a proxy listed in SDE_TRUST_PROXY), never a
        // header the caller writes.
        const result = await auth
          .signIn({ ...body, address: addressOf(req), terminal: terminalOf(req), requestId })
          .catch((err: unknown) => {
            if (err instanceof ThrottledError) reply.header('retry-after', String(err.retryAfterSeconds));
            throw err;
          });
        if (result.kind === 'totp_required') return { totpRequired: true };
        if (result.kind === 'totp_enrol') {
          return { totpEnrolRequired: true, totpSetup: { secret: result.secret, uri: result.uri } };
        }
        reply.setCookie(SESSION_COOKIE, result.token, sessionCookie);
        return { user: result.user, permissions: permissionsOf(result.user) };
      },
      logout: async ({ req, reply, requestId }) => {
        const token = req.cookies[SESSION_COOKIE];
        if (token) await auth.signOut(token, terminalOf(req), requestId, addressOf(req));
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return { ok: true };
      },
      // Enrolling a second factor from a session: a new secret (to scan or type), then a code from it.
      totpSetup: ({ actor }) => auth.totpSetup(actor),
      totpConfirm: async ({ actor, body, requestId }) => {
        await auth.totpConfirm(actor, body.code, requestId);
        return { ok: true };
      },
      resetTotp: async ({ actor, params, requestId }) => {
        await auth.totpReset(actor, params.id, requestId);
        return { ok: true };
      },
      // OpenID Connect (ADR 0405): whether it is offered, the redirect to the provider, and the way back.
      oidc: () => ({ enabled: !!deps.oidc, name: deps.oidc?.name ?? '' }),
      oidcStart: async ({ req, reply }) => {
        if (!deps.oidc) throw new NotFoundError('OpenID Connect sign-in', 'logowanie OpenID Connect');
        let started;
        try {
          started = await deps.oidc.start(`${req.protocol}://${req.host}${OIDC_CALLBACK}`);
        } catch (err) {
          // The provider is unreachable or misconfigured: back to the sign-in page, which says so.
          req.log.warn(
            { err: err instanceof Error ? err.message : String(err) },
            'OpenID Connect discovery failed',
          );
          return reply.redirect('/?signin=oidc_failed', 302);
        }
        const { url, key } = started;
        // Lax, not Strict: the browser comes back from the provider's site, a cross-site navigation.
        reply.setCookie(OIDC_FLOW_COOKIE, key, {
          httpOnly: true,
          sameSite: 'lax',
          secure: deps.secureCookies,
          path: OIDC_CALLBACK,
          maxAge: FLOW_MS / 1000,
        });
        return reply.redirect(url, 302);
      },
      oidcCallback: async ({ req, reply, requestId }) => {
        if (!deps.oidc) throw new NotFoundError('OpenID Connect sign-in', 'logowanie OpenID Connect');
        reply.clearCookie(OIDC_FLOW_COOKIE, { path: OIDC_CALLBACK });
        const outcome = await deps.oidc.finish(
          req.cookies[OIDC_FLOW_COOKIE],
          new URL(req.url, 'http://callback').search,
          { terminal: terminalOf(req), address: addressOf(req), requestId },
          req.log,
        );
        if ('refused' in outcome) return reply.redirect('/?signin=oidc_failed', 302);
        reply.setCookie(SESSION_COOKIE, outcome.token, sessionCookie);
        return reply.redirect('/', 302);
      },
      // The caller and what their role may do: the console shows actions from this list, not from a copy.
      me: async ({ actor }) => ({
        user: actor,
        permissions: permissionsOf(actor),
        ...(actor.userId && actor.role !== 'system'
          ? { totp: await auth.totpStatus({ id: actor.userId, role: actor.role }) }
          : {}),
      }),
      listUsers: async () => ({ users: await auth.repo.listUsers({}) }),
      createUser: async ({ actor, body: b, requestId }) => {
        const { email, phone, ...body } = b;
        const user = await auth.createUser(actor, body, requestId);
        if (email != null || phone != null) {
          const contact = { email: email ?? null, phone: phone ?? null };
          await deps.db.transaction().execute(async (trx) => {
            await auth.repo.setContact(user.id, contact, trx);
            await recordAudit(trx, actor, {
              action: 'user.contact',
              entity: 'user',
              entityId: user.id,
              changes: contact,
              requestId,
            });
          });
        }
        return { user };
      },
      updateUser: async ({ actor, params, body, requestId }) => ({
        user: await auth.updateUser(actor, params.id, body, requestId),
      }),
      listRegions: async () => ({ regions: await auth.repo.regions() }),
      listCourts: async () => ({ courts: await auth.repo.courts() }),
      putRegion: async ({ actor, params, body, requestId }) => {
        const region = { ...body, id: params.id };
        await deps.db.transaction().execute(async (trx) => {
          await auth.repo.upsertRegion(region, trx);
          await recordAudit(trx, actor, {
            action: 'region.put',
            entity: 'region',
            entityId: region.id,
            changes: region,
            requestId,
          });
        });
        return { region };
      },
      putCourt: async ({ actor, params, body, requestId }) => {
        const court = { ...body, id: params.id };
        await deps.db.transaction().execute(async (trx) => {
          await auth.repo.upsertCourt(court, trx);
          await recordAudit(trx, actor, {
            action: 'court.put',
            entity: 'court',
            entityId: court.id,
            changes: court,
            requestId,
          });
        });
        return { court };
      },
      listAudit: async ({ actor, query }) => {
        const q = checkPeriod(query);
        const { records, next } = await deps.audit.list({
          ...auditFilter(q),
          limit: q.limit,
          ...(q.before ? { before: q.before } : {}),
        });
        return {
          records: records.map((r) => presentAuditRecordFor(actor, r)),
          next: next ? formatAuditCursor(next) : null,
        };
      },
      // The same filter as CSV, read page by page into the answer: a large log never sits in memory whole.
      // The export lists the records as they were when it was asked for, and is itself a record.
      exportAudit: async ({ actor, query, reply, requestId }) => {
        const filter = auditFilter(checkPeriod(query));
        const throughId = await deps.audit.newestId();
        await recordAudit(deps.db, actor, {
          action: 'audit.export',
          entity: 'audit_log',
          entityId: String(throughId),
          changes: { filter: { ...filter }, format: 'csv' },
          personId: filter.personId ?? null,
          requestId,
        });
        const stamp = new Date().toISOString().slice(0, 10);
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="sde-audit-${stamp}.csv"`)
          .send(Readable.from(auditCsv(presented(actor, deps.audit.each(filter, throughId)))));
      },
    },
    deps,
  );
}
