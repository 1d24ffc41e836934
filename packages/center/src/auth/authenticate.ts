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

/**
 * The address a request came from: the connection's peer, or, only when the peer is a proxy listed in
 * SDE_TRUST_PROXY, the client it forwards for (Fastify's `trustProxy` decides; off by default, so a client's
 * X-Forwarded-For changes nothing).
 */
export function addressOf(req: FastifyRequest): string {
  return req.ip || req.socket.remoteAddress || 'unknown';
}

/** Keeps what a client says about itself printable and short: it is shown to the auditor as text. */
function claimed(value: string | string[] | undefined, max: number): string {
  const s = Array.isArray(value) ? value.join(' ') : (value ?? '');
  // Control characters and quotes would break the labelled text (and a CSV line) apart.
  const printable = [...s].map((c) => (c < ' ' || c === '\u007f' || c === '"' ? ' ' : c)).join('');
  return printable.trim().slice(0, max);
}

/**
 * Where a request came from, for the audit log and the session: the address from the connection, then what
 * the client claims (its user agent and X-SDE-Terminal name), labelled as claimed: anyone can send those.
 */
export function terminalOf(req: FastifyRequest): string {
  const name = claimed(req.headers['x-sde-terminal'], 40);
  const agent = claimed(req.headers['user-agent'], 100);
  const said = [name ? `terminal "${name}"` : '', agent ? `agent "${agent}"` : ''].filter(Boolean);
  return `${addressOf(req)}${said.length > 0 ? ` (claimed: ${said.join(', ')})` : ''}`;
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
          address: addressOf(req),
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
      address: addressOf(req),
    };
  });
}
