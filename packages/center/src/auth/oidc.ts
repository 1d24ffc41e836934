/**
 * OpenID Connect sign-in for agencies with an identity provider (ADR 0405), with `openid-client` (panva):
 * authorization code with PKCE (S256), state and nonce. The identity only names an existing SDE user (by a
 * claim, preferred_username by default); roles and scope stay in SDE, nobody is created, and an unknown
 * identity is refused and audited. The session is the same cookie as after a password.
 */
import { OIDC_CALLBACK } from '@sde/api';
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import { recordAudit } from '../audit/audit.repository.js';
import type { Database } from '../db/database.js';
import type { AuthService } from './auth.service.js';

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
export const OIDC_FLOW_COOKIE = 'sde_oidc';
/** How long a sign-in at the provider may take. */
export const FLOW_MS = 10 * 60_000;
/** Sign-ins in progress kept at most: a flood of starts cannot grow memory without bound. */
const MAX_FLOWS = 10_000;
/** Where the provider sends the browser back. */
export { OIDC_CALLBACK };

/** The routes reachable without a session. */
export const OIDC_PUBLIC_ROUTES = ['/api/v1/auth/oidc', '/api/v1/auth/oidc/start', OIDC_CALLBACK];

/** What a finished OpenID Connect sign-in came to: a session token, or a refusal (already audited). */
export type OidcOutcome = { token: string } | { refused: string };

/**
 * Creates the OpenID Connect sign-in (undefined without settings). `start` begins a flow and answers the
 * provider's URL and the flow's key (for a cookie); `finish` completes it from the callback's query.
 */
export function createOidcSignIn(deps: {
  auth: AuthService;
  db: Database;
  settings: OidcSettings | undefined;
}) {
  const { settings } = deps;
  if (!settings) return undefined;
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
      return client.discovery(
        issuer,
        settings.clientId,
        undefined,
        settings.clientSecret ? client.ClientSecretPost(settings.clientSecret) : client.None(),
        // Plain HTTP only to a provider on this machine (development, tests); anywhere else HTTPS.
        loopback && issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined,
      );
    })().catch((err: unknown) => {
      discovered = undefined;
      throw err;
    });
    return discovered;
  };

  return {
    /** The provider's name on the sign-in button. */
    name: settings.name,

    /** Begins a sign-in: the provider's authorization URL and the key of this flow (for the cookie). */
    async start(derivedRedirect: string): Promise<{ url: string; key: string }> {
      const config = await configuration();
      const now = Date.now();
      for (const [k, f] of flows) if (now - f.at > FLOW_MS) flows.delete(k);
      if (flows.size >= MAX_FLOWS) flows.delete(flows.keys().next().value!);
      const verifier = client.randomPKCECodeVerifier();
      const flow = {
        verifier,
        state: client.randomState(),
        nonce: client.randomNonce(),
        redirect: settings.redirectUrl ?? derivedRedirect,
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
      return { url: url.href, key };
    },

    /**
     * Completes a flow from the callback's query (`search`): checks state, nonce and PKCE at the token
     * endpoint, maps the identity to an SDE user and opens a session; audits the outcome.
     */
    async finish(
      key: string | undefined,
      search: string,
      at: { terminal: string; address: string; requestId: string },
      log: { warn(obj: object, msg: string): void },
    ): Promise<OidcOutcome> {
      const flow = key ? flows.get(key) : undefined;
      if (key) flows.delete(key);
      const refuse = async (reason: string, login?: string): Promise<OidcOutcome> => {
        await recordAudit(
          deps.db,
          { userId: null, login: 'anonymous', role: 'anonymous', terminal: at.terminal, address: at.address },
          {
            action: 'auth.login_failed',
            entity: 'login',
            entityId: (login ?? '').slice(0, 100),
            changes: {
              method: 'oidc',
              address: at.address,
              reason,
              ...(login ? { login: login.slice(0, 100) } : {}),
            },
            requestId: at.requestId,
          },
        );
        return { refused: reason };
      };
      if (!flow || Date.now() - flow.at > FLOW_MS) return refuse('no_flow');

      let login: string | undefined;
      let subject: string;
      try {
        const config = await configuration();
        const current = new URL(flow.redirect);
        current.search = search;
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
        log.warn({ err: err instanceof Error ? err.message : String(err) }, 'OpenID Connect sign-in failed');
        return refuse('provider');
      }
      if (!login) return refuse('no_login_claim');

      const user = await deps.auth.oidcUser(login, settings.issuer, subject);
      if (!user) return refuse('unknown_identity', login);
      const token = await deps.auth.openSession(user, at.terminal);
      await recordAudit(
        deps.db,
        { userId: user.id, login: user.login, role: user.role, terminal: at.terminal },
        {
          action: 'auth.login',
          entity: 'user',
          entityId: user.id,
          changes: { address: at.address, method: 'oidc', issuer: settings.issuer },
          requestId: at.requestId,
        },
      );
      return { token };
    },
  };
}

/** The OpenID Connect sign-in. */
export type OidcSignIn = NonNullable<ReturnType<typeof createOidcSignIn>>;
