/** Sign-in, sign-out, the current user, users, regions, courts and the audit log. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { registerTable, spec, type RouteSpec } from '../http/route-table.js';
import type { createAuditRepository } from '../audit/audit.repository.js';
import { recordAudit } from '../audit/audit.repository.js';
import type { Database } from '../db/database.js';
import { permissionsOf, ROLES } from './actor.js';
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
const UpdateUser = z
  .object({ active: z.boolean().optional(), password: z.string().max(200).optional() })
  .refine((b) => b.active !== undefined || b.password !== undefined, 'give active or password');
const RegionParams = z.object({ id: z.string().regex(/^[A-Z0-9-]{2,20}$/) });
const RegionBody = z.object({ name: z.string().min(1).max(100) });
const CourtParams = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{2,40}$/) });
const CourtBody = z.object({ name: z.string().min(1).max(200), regionId: z.string().max(20) });
const UserParams = z.object({ id: z.uuid() });
const AuditQuery = z.object({
  entity: z.string().optional(),
  entityId: z.string().optional(),
  actor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().optional(),
});

/** The identity routes: sign-in, the current user, users, regions, courts and the audit log. */
export const AUTH_ROUTES = {
  login: spec({
    method: 'POST',
    path: '/api/v1/auth/login',
    summary: 'Sign in with login and password; sets the session cookie',
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
    summary: 'Deactivate or reactivate a user, or set a new password',
    tag: 'users',
    permission: 'user.manage',
    params: UserParams,
    body: UpdateUser,
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
    summary: 'The audit log, newest first, filtered by entity, id and user',
    tag: 'audit',
    permission: 'audit.read',
    query: AuditQuery,
  }),
} as const satisfies Record<string, RouteSpec>;

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
  registerTable(
    app,
    AUTH_ROUTES,
    {
      login: async ({ req, reply, body }) => {
        const { token, user } = await auth.signIn(body.login, body.password, terminalOf(req));
        reply.setCookie(SESSION_COOKIE, token, {
          httpOnly: true,
          sameSite: 'strict',
          secure: deps.secureCookies,
          path: '/',
        });
        return { user, permissions: permissionsOf(user) };
      },
      logout: async ({ req, reply }) => {
        const token = req.cookies[SESSION_COOKIE];
        if (token) await auth.signOut(token);
        reply.clearCookie(SESSION_COOKIE, { path: '/' });
        return { ok: true };
      },
      // The caller and what their role may do: the console shows actions from this list, not from a copy.
      me: ({ actor }) => ({ user: actor, permissions: permissionsOf(actor) }),
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
      listAudit: async ({ query: q }) => {
        const records = await deps.audit.list({
          limit: q.limit,
          ...(q.entity ? { entity: q.entity } : {}),
          ...(q.entityId ? { entityId: q.entityId } : {}),
          ...(q.actor ? { actorLogin: q.actor } : {}),
          ...(q.before ? { beforeId: q.before } : {}),
        });
        return { records, next: records.length === q.limit ? records.at(-1)!.id : null };
      },
    },
    deps,
  );
}
