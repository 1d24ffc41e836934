/** Resolves the caller of every /api/v1 request: a session cookie (people) or the admin bearer token (tools). */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../errors.js';
import type { Actor } from './actor.js';
import type { AuthService } from './auth.service.js';
import { OIDC_PUBLIC_ROUTES } from './oidc.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated caller; set for every /api/v1 route except sign-in. */
    actor: Actor;
  }
}

/** Name of the session cookie. */
export const SESSION_COOKIE = 'sde_session';

/** Routes reachable without signing in. */
const PUBLIC = new Set(['/api/v1/auth/login', ...OIDC_PUBLIC_ROUTES]);

/** Where a request came from, for the audit log: address and client, cut short. */
export function terminalOf(req: FastifyRequest): string {
  const header = req.headers['x-sde-terminal'];
  const named = typeof header === 'string' ? ` terminal=${header.slice(0, 40)}` : '';
  const ua = String(req.headers['user-agent'] ?? '').slice(0, 100);
  return `${req.ip}${named} ${ua}`.trim();
}

/** Installs the hook that authenticates every /api/v1 request. */
export function installAuthentication(
  app: FastifyInstance,
  deps: { auth: AuthService; adminToken: string },
): void {
  const admin = Buffer.from(deps.adminToken);
  app.decorateRequest('actor', null as unknown as Actor);
  app.addHook('onRequest', async (req) => {
    const path = req.url.split('?')[0]!;
    if (!path.startsWith('/api/v1/') || PUBLIC.has(path)) return;
    const header = req.headers.authorization;
    if (header?.startsWith('Bearer ')) {
      const given = Buffer.from(header.slice(7));
      if (given.length === admin.length && timingSafeEqual(given, admin)) {
        req.actor = {
          userId: null,
          login: 'admin-token',
          displayName: 'API administrator',
          role: 'system',
          regionId: null,
          courtId: null,
          terminal: terminalOf(req),
        };
        return;
      }
      throw new UnauthorizedError('the API token is not valid');
    }
    const token = req.cookies[SESSION_COOKIE];
    const user = token ? await deps.auth.sessionUser(token) : undefined;
    if (!user)
      throw new UnauthorizedError('sign in first (or your session ended after a period of inactivity)');
    req.actor = {
      userId: user.id,
      login: user.login,
      displayName: user.displayName,
      role: user.role,
      regionId: user.regionId,
      courtId: user.courtId,
      terminal: terminalOf(req),
    };
  });
}
