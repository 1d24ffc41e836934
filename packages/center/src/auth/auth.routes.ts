/** Sign-in, sign-out, the current user, users, regions, courts and the audit log. */
import { AUTH_ROUTES, formatAuditCursor, type AuditQuery } from '@sde/api';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { Readable } from 'node:stream';
import { auditCsv } from '../audit/audit.csv.js';
import {
  recordAudit,
  type AuditFilter,
  type AuditRecord,
  type AuditRepository,
} from '../audit/audit.repository.js';
import { presentAuditRecordFor } from '../audit/audit.presenters.js';
import type { Database } from '../db/database.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { registerTable } from '../http/route-table.js';
import { permissionsOf, type Actor } from './actor.js';
import { ThrottledError, type AuthService } from './auth.service.js';
import { addressOf, SESSION_COOKIE, terminalOf } from './authenticate.js';
import { FLOW_MS, OIDC_CALLBACK, OIDC_FLOW_COOKIE, type OidcSignIn } from './oidc.js';

/** The repository's filter of an audit query. */
function auditFilter(q: z.output<typeof AuditQuery>): AuditFilter {
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
function checkPeriod(q: z.output<typeof AuditQuery>): z.output<typeof AuditQuery> {
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
      listUsers: async () => ({ users: await auth.repo.managedUsers() }),
      createUser: async ({ actor, body, requestId }) => ({
        user: await auth.createUser(actor, body, requestId),
      }),
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
