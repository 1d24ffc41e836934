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
import { parse } from '../http/server.js';
import { permissionsOf, requirePermission, ROLES, type Actor } from './actor.js';
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
const UpdateUser = z.object({
  active: z.boolean().optional(),
  password: z.string().max(200).optional(),
  role: z.enum(ROLES).optional(),
  regionId: z.string().max(20).nullable().optional(),
  courtId: z.string().max(40).nullable().optional(),
});
const Region = z.object({ id: z.string().regex(/^[A-Z0-9-]{2,20}$/), name: z.string().min(1).max(100) });
const Court = z.object({
  id: z.string().regex(/^[A-Za-z0-9-]{2,40}$/),
  name: z.string().min(1).max(200),
  regionId: z.string(),
});
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

/** Parses an audit query; a period that ends before it starts is refused. */
function parseAuditQuery(query: unknown): z.infer<typeof AuditQuery> {
  const q = parse(AuditQuery, query);
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

  app.post('/api/v1/auth/login', async (req, reply) => {
    const body = parse(LoginBody, req.body);
    // The address is the connection's (or the client's past a proxy listed in SDE_TRUST_PROXY), never a header the caller writes.
    const result = await auth
      .signIn({ ...body, address: addressOf(req), terminal: terminalOf(req), requestId: req.id })
      .catch((err: unknown) => {
        if (err instanceof ThrottledError) reply.header('retry-after', String(err.retryAfterSeconds));
        throw err;
      });
    if (result.kind === 'totp_required') return { totpRequired: true };
    if (result.kind === 'totp_enrol') {
      return { totpEnrolRequired: true, totpSetup: { secret: result.secret, uri: result.uri } };
    }
    reply.setCookie(SESSION_COOKIE, result.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.secureCookies,
      path: '/',
    });
    return { user: result.user, permissions: permissionsOf(result.user) };
  });

  // Enrolling a second factor from a session: a new secret (to scan or type), then a code from it.
  app.post('/api/v1/auth/totp/setup', async (req) => auth.totpSetup(req.actor));

  app.post('/api/v1/auth/totp/confirm', async (req) => {
    const { code } = parse(TotpConfirm, req.body);
    await auth.totpConfirm(req.actor, code, req.id);
    return { ok: true };
  });

  app.delete('/api/v1/users/:id/totp', async (req) => {
    requirePermission(req.actor, 'user.manage');
    const { id } = parse(z.object({ id: z.string().uuid() }), req.params);
    await auth.totpReset(req.actor, id, req.id);
    return { ok: true };
  });

  // OpenID Connect (ADR 0405): whether it is offered, the redirect to the provider, and the way back.
  app.get('/api/v1/auth/oidc', async () => ({ enabled: !!deps.oidc, name: deps.oidc?.name ?? '' }));

  app.get('/api/v1/auth/oidc/start', async (req, reply) => {
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
  });

  app.get(OIDC_CALLBACK, async (req, reply) => {
    if (!deps.oidc) throw new NotFoundError('OpenID Connect sign-in', 'logowanie OpenID Connect');
    reply.clearCookie(OIDC_FLOW_COOKIE, { path: OIDC_CALLBACK });
    const outcome = await deps.oidc.finish(
      req.cookies[OIDC_FLOW_COOKIE],
      new URL(req.url, 'http://callback').search,
      { terminal: terminalOf(req), address: addressOf(req), requestId: req.id },
      req.log,
    );
    if ('refused' in outcome) return reply.redirect('/?signin=oidc_failed', 302);
    reply.setCookie(SESSION_COOKIE, outcome.token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.secureCookies,
      path: '/',
    });
    return reply.redirect('/', 302);
  });

  app.post('/api/v1/auth/logout', async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await auth.signOut(token, terminalOf(req), req.id, addressOf(req));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  // The caller and what their role may do: the console shows actions from this list, not from a copy.
  app.get('/api/v1/auth/me', async (req) => ({
    user: req.actor,
    permissions: permissionsOf(req.actor),
    ...(req.actor.userId && req.actor.role !== 'system'
      ? { totp: await auth.totpStatus({ id: req.actor.userId, role: req.actor.role }) }
      : {}),
  }));

  app.get('/api/v1/users', async (req) => {
    requirePermission(req.actor, 'user.manage');
    return { users: await auth.repo.listUsers({}) };
  });

  app.post('/api/v1/users', async (req, reply) => {
    requirePermission(req.actor, 'user.manage');
    const { email, phone, ...body } = parse(CreateUser, req.body);
    const user = await auth.createUser(req.actor, body, req.id);
    if (email != null || phone != null) {
      const contact = { email: email ?? null, phone: phone ?? null };
      await deps.db.transaction().execute(async (trx) => {
        await auth.repo.setContact(user.id, contact, trx);
        await recordAudit(trx, req.actor, {
          action: 'user.contact',
          entity: 'user',
          entityId: user.id,
          changes: contact,
          requestId: req.id,
        });
      });
    }
    return reply.status(201).send({ user });
  });

  app.patch('/api/v1/users/:id', async (req) => {
    requirePermission(req.actor, 'user.manage');
    const { id } = parse(z.object({ id: z.string().uuid() }), req.params);
    const body = parse(UpdateUser, req.body);
    return { user: await auth.updateUser(req.actor, id, body, req.id) };
  });

  app.get('/api/v1/regions', async () => ({ regions: await auth.repo.regions() }));
  app.get('/api/v1/courts', async () => ({ courts: await auth.repo.courts() }));

  app.put('/api/v1/regions/:id', async (req) => {
    requirePermission(req.actor, 'user.manage');
    const region = parse(Region, { ...(req.body as object), ...(req.params as object) });
    await deps.db.transaction().execute(async (trx) => {
      await auth.repo.upsertRegion(region, trx);
      await recordAudit(trx, req.actor, {
        action: 'region.put',
        entity: 'region',
        entityId: region.id,
        changes: region,
        requestId: req.id,
      });
    });
    return { region };
  });

  app.put('/api/v1/courts/:id', async (req) => {
    requirePermission(req.actor, 'user.manage');
    const court = parse(Court, { ...(req.body as object), ...(req.params as object) });
    await deps.db.transaction().execute(async (trx) => {
      await auth.repo.upsertCourt(court, trx);
      await recordAudit(trx, req.actor, {
        action: 'court.put',
        entity: 'court',
        entityId: court.id,
        changes: court,
        requestId: req.id,
      });
    });
    return { court };
  });

  app.get('/api/v1/audit', async (req) => {
    requirePermission(req.actor, 'audit.read');
    const q = parseAuditQuery(req.query);
    const { records, next } = await deps.audit.list({
      ...auditFilter(q),
      limit: q.limit,
      ...(q.before ? { before: q.before } : {}),
    });
    return {
      records: records.map((r) => presentAuditRecordFor(req.actor, r)),
      next: next ? formatAuditCursor(next) : null,
    };
  });

  // The same filter as CSV, read page by page into the answer: a large log never sits in memory whole. The
  // export lists the records as they were when it was asked for, and is itself a record (who took what out).
  app.get('/api/v1/audit/export', async (req, reply) => {
    requirePermission(req.actor, 'audit.read');
    const q = parseAuditQuery(req.query);
    const filter = auditFilter(q);
    const throughId = await deps.audit.newestId();
    await recordAudit(deps.db, req.actor, {
      action: 'audit.export',
      entity: 'audit_log',
      entityId: String(throughId),
      changes: { filter: { ...filter }, format: 'csv' },
      personId: filter.personId ?? null,
      requestId: req.id,
    });
    const stamp = new Date().toISOString().slice(0, 10);
    return reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="sde-audit-${stamp}.csv"`)
      .send(Readable.from(auditCsv(presented(req.actor, deps.audit.each(filter, throughId)))));
  });
}
