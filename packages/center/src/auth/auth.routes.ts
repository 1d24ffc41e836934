/** Sign-in, sign-out, the current user, users, regions, courts and the audit log. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { createAuditRepository } from '../audit/audit.repository.js';
import { presentAuditRecordFor } from '../audit/audit.presenters.js';
import { recordAudit } from '../audit/audit.repository.js';
import type { Database } from '../db/database.js';
import { parse } from '../http/server.js';
import { permissionsOf, requirePermission, ROLES } from './actor.js';
import type { AuthService } from './auth.service.js';
import { SESSION_COOKIE, terminalOf } from './authenticate.js';

const LoginBody = z.object({ login: z.string().min(1).max(100), password: z.string().min(1).max(200) });
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
const UpdateUser = z.object({ active: z.boolean().optional(), password: z.string().max(200).optional() });
const Region = z.object({ id: z.string().regex(/^[A-Z0-9-]{2,20}$/), name: z.string().min(1).max(100) });
const Court = z.object({
  id: z.string().regex(/^[A-Za-z0-9-]{2,40}$/),
  name: z.string().min(1).max(200),
  regionId: z.string(),
});
const AuditQuery = z.object({
  entity: z.string().optional(),
  entityId: z.string().optional(),
  actor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().optional(),
});

/** Registers the identity routes. */
export function registerAuthRoutes(
  app: FastifyInstance,
  deps: {
    auth: AuthService;
    db: Database;
    audit: ReturnType<typeof createAuditRepository>;
    secureCookies: boolean;
  },
): void {
  const { auth } = deps;

  app.post('/api/v1/auth/login', async (req, reply) => {
    const body = parse(LoginBody, req.body);
    const { token, user } = await auth.signIn(body.login, body.password, terminalOf(req));
    reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      secure: deps.secureCookies,
      path: '/',
    });
    return { user, permissions: permissionsOf(user) };
  });

  app.post('/api/v1/auth/logout', async (req, reply) => {
    const token = req.cookies[SESSION_COOKIE];
    if (token) await auth.signOut(token);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return { ok: true };
  });

  // The caller and what their role may do: the console shows actions from this list, not from a copy.
  app.get('/api/v1/auth/me', async (req) => ({ user: req.actor, permissions: permissionsOf(req.actor) }));

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
    const q = parse(AuditQuery, req.query);
    const records = await deps.audit.list({
      limit: q.limit,
      ...(q.entity ? { entity: q.entity } : {}),
      ...(q.entityId ? { entityId: q.entityId } : {}),
      ...(q.actor ? { actorLogin: q.actor } : {}),
      ...(q.before ? { beforeId: q.before } : {}),
    });
    return {
      records: records.map((r) => presentAuditRecordFor(req.actor, r)),
      next: records.length === q.limit ? records.at(-1)!.id : null,
    };
  });
}
