/**
 * OpenID Connect sign-in for agencies with an identity provider (ADR 0405), with `openid-client` (panva):
 * authorization code with PKCE (S256), state and nonce. The identity only names an existing SDE user (by a
 * claim, preferred_username by default); roles and scope stay in SDE, nobody is created, and an unknown
 * identity is refused and audited. The session is the same cookie as after a password.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import { recordAudit } from '../audit/audit.repository.js';
import type { Database } from '../db/database.js';
import type { AuthService } from './auth.service.js';
import { SESSION_COOKIE, terminalOf } from './authenticate.js';

/** The provider and the center's client there (SDE_OIDC_*). */
export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  /** Where the provider sends the browser back; derived from the request when unset. */
  redirectUrl: string | undefined;
  /** The claim whose value is the SDE login. */
  loginClaim: string;
  /** The provider's name on the sign-in button. */
  name: string;
}

/** Cookie holding the key of a sign-in in progress (only the key: the verifier and nonce stay here). */
const FLOW_COOKIE = 'sde_oidc';
const FLOW_MS = 10 * 60_000;
/** Sign-ins in progress kept at most: a flood of starts cannot grow memory without bound. */
const MAX_FLOWS = 10_000;
const CALLBACK = '/api/v1/auth/oidc/callback';

/** The routes reachable without a session. */
export const OIDC_PUBLIC_ROUTES = ['/api/v1/auth/oidc', '/api/v1/auth/oidc/start', CALLBACK];

/** Registers the OpenID Connect routes; without settings only the "not configured" answer. */
export function registerOidcRoutes(
  app: FastifyInstance,
  deps: { auth: AuthService; db: Database; settings: OidcSettings | undefined; secureCookies: boolean },
): void {
  const { settings } = deps;
  app.get('/api/v1/auth/oidc', async () => ({ enabled: !!settings, name: settings?.name ?? '' }));
  if (!settings) return;

  const flows = new Map<
    string,
    { verifier: string; state: string; nonce: string; redirect: string; at: number }
  >();
  let discovered: Promise<client.Configuration> | undefined;
  // Discovered on first use, not at start: the center must start while the provider is down. A failure is
  // forgotten so the next sign-in tries again.
  const configuration = () => {
    discovered ??= (async () => {
      const issuer = new URL(settings.issuer);
      const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(issuer.hostname);
      const c = await client.discovery(
        issuer,
        settings.clientId,
        undefined,
        settings.clientSecret ? client.ClientSecretPost(settings.clientSecret) : client.None(),
        // Plain HTTP only to a provider on this machine (development, tests); anywhere else HTTPS.
        loopback && issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined,
      );
      return c;
    })().catch((err: unknown) => {
      discovered = undefined;
      throw err;
    });
    return discovered;
  };
  const redirectOf = (req: FastifyRequest) =>
    settings.redirectUrl ?? `${req.protocol}://${req.host}${CALLBACK}`;

  app.get('/api/v1/auth/oidc/start', async (req, reply) => {
    const config = await configuration();
    const now = Date.now();
    for (const [k, f] of flows) if (now - f.at > FLOW_MS) flows.delete(k);
    if (flows.size >= MAX_FLOWS) flows.delete(flows.keys().next().value!);
    const verifier = client.randomPKCECodeVerifier();
    const flow = {
      verifier,
      state: client.randomState(),
      nonce: client.randomNonce(),
      redirect: redirectOf(req),
      at: now,
    };
    const key = randomBytes(24).toString('base64url');
    flows.set(key, flow);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: flow.redirect,
      scope: 'openid profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state: flow.state,
      nonce: flow.nonce,
    });
    // Lax, not Strict: the browser comes back from the provider's site, a cross-site navigation.
    reply.setCookie(FLOW_COOKIE, key, {
      httpOnly: true,
      sameSite: 'lax',
      secure: deps.secureCookies,
      path: CALLBACK,
      maxAge: FLOW_MS / 1000,
    });
    return reply.redirect(url.href, 302);
  });

  app.get(CALLBACK, async (req, reply) => {
    const key = req.cookies[FLOW_COOKIE];
    const flow = key ? flows.get(key) : undefined;
    if (key) flows.delete(key);
    reply.clearCookie(FLOW_COOKIE, { path: CALLBACK });
    const terminal = terminalOf(req);
    const refuse = async (reason: string, login: string | undefined) => {
      await recordAudit(
        deps.db,
        { userId: null, login: 'anonymous', role: 'anonymous', terminal },
        {
          action: 'auth.login_failed',
          entity: 'login',
          entityId: (login ?? '').slice(0, 100),
          changes: {
            method: 'oidc',
            address: req.ip,
            reason,
            ...(login ? { login: login.slice(0, 100) } : {}),
          },
          requestId: req.id,
        },
      );
      return reply.redirect('/?signin=oidc_failed', 302);
    };
    if (!flow || Date.now() - flow.at > FLOW_MS) return refuse('no_flow', undefined);

    let login: string | undefined;
    let subject: string;
    try {
      const config = await configuration();
      const current = new URL(flow.redirect);
      current.search = new URL(req.url, 'http://x').search;
      const tokens = await client.authorizationCodeGrant(config, current, {
        pkceCodeVerifier: flow.verifier,
        expectedState: flow.state,
        expectedNonce: flow.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      subject = claims.sub;
      let value = claims[settings.loginClaim];
      // Many providers put profile claims only in the userinfo answer, not in the ID token.
      if (value === undefined) {
        const info = await client.fetchUserInfo(config, tokens.access_token, subject);
        value = info[settings.loginClaim];
      }
      login = typeof value === 'string' ? value : undefined;
    } catch (err) {
      req.log.warn(
        { err: err instanceof Error ? err.message : String(err) },
        'OpenID Connect sign-in failed',
      );
      return refuse('provider', undefined);
    }
    if (!login) return refuse('no_login_claim', undefined);

    const user = await deps.auth.oidcUser(login, settings.issuer, subject);
    if (!user) return refuse('unknown_identity', login);
    const token = await deps.auth.openSession(user, terminal);
    await recordAudit(
      deps.db,
      { userId: user.id, login: user.login, role: user.role, terminal },
      {
        action: 'auth.login',
        entity: 'user',
        entityId: user.id,
        changes: { address: req.ip, method: 'oidc', issuer: settings.issuer },
        requestId: req.id,
      },
    );
    setSession(reply, token, deps.secureCookies);
    return reply.redirect('/', 302);
  });
}

function setSession(reply: FastifyReply, token: string, secure: boolean) {
  reply.setCookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', secure, path: '/' });
}
