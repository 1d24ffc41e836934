/**
 * Sign-in as an attacker and a night-shift operator meet it (ADR 0405): an attacker slows only himself, the
 * user at her usual address signs in at once, spraying from one address is slowed, every sign-in, failure,
 * throttle and sign-out is in the audit log, and the optional TOTP second factor. Requests come from
 * different loopback addresses (127.0.0.x) so the center sees them as the connection's address.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import fc from 'fast-check';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delayFor, throttleAddress } from '../src/auth/throttle.js';
import { startTestCenter, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  cookie: string;
  body: Record<string, unknown>;
}

/** An HTTP request to the center from the local address `from` (any 127.0.0.0/8 address on Linux). */
function call(
  tc: TestCenter,
  from: string,
  method: string,
  path: string,
  body?: unknown,
  cookie?: string,
): Promise<Answer> {
  const url = new URL(path, tc.center.httpUrl);
  const data = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        localAddress: from,
        headers: {
          'user-agent': 'vitest-terminal',
          ...(data ? { 'content-type': 'application/json' } : {}),
          ...(cookie ? { cookie } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          const set = res.headers['set-cookie']?.[0] ?? '';
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            cookie: set.split(';')[0]!,
            body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

function login(tc: TestCenter, from: string, login: string, password: string, totp?: string) {
  return call(tc, from, 'POST', '/api/v1/auth/login', { login, password, ...(totp ? { totp } : {}) });
}

async function createUser(tc: TestCenter, login: string, role = 'operator', password = `${login} password`) {
  const r = await tc.api<{ user: { id: string } }>('POST', '/api/v1/users', {
    login,
    displayName: login,
    role,
    regionId: role === 'operator' || role === 'probation_officer' ? 'PL-MZ' : null,
    password,
  });
  expect(r.status).toBe(201);
  return r.body.user.id;
}

async function auditOf(tc: TestCenter, login: string) {
  const rows = await tc.center.database.db
    .selectFrom('audit_log')
    .selectAll()
    .where('action', 'like', 'auth.%')
    .orderBy('id')
    .execute();
  return rows.filter((r) => r.actor_login === login || (r.changes as { login?: string }).login === login);
}

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

describe.each(setups)('sign-in throttling on %s', (storage, available) => {
  let tc: TestCenter;
  beforeAll(async () => {
    if (!available) return;
    tc = await startTestCenter(storage, 'embedded');
    await tc.api('PUT', '/api/v1/regions/PL-MZ', { name: 'mazowiecki' });
  });
  afterAll(async () => {
    await tc?.close();
  });

  it.skipIf(!available)(
    'an attacker failing 20 times at one address slows only himself: the user at her address signs in at once',
    async () => {
      await createUser(tc, 'nocna');
      // The operator's terminal in the monitoring room: she signed in from it before.
      const first = await login(tc, '127.0.0.2', 'nocna', 'nocna password');
      expect(first.status).toBe(200);

      const attacker: number[] = [];
      for (let i = 0; i < 20; i++)
        attacker.push((await login(tc, '127.0.0.3', 'nocna', `guess ${i}`)).status);
      // A few guesses answered (wrong), then held back.
      expect(attacker.slice(0, 3)).toEqual([401, 401, 401]);
      expect(attacker.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);

      const user = await login(tc, '127.0.0.2', 'nocna', 'nocna password');
      expect(user.status).toBe(200);
      expect(user.cookie).toMatch(/^sde_session=/);

      // The right password from the attacker's address waits like him, with a bilingual answer.
      const there = await login(tc, '127.0.0.3', 'nocna', 'nocna password');
      expect(there.status).toBe(429);
      expect(Number(there.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(there.body.error).toBe('signin_throttled');
      expect(String(there.body.messagePl)).toMatch(/spróbuj ponownie/);
    },
  );

  it.skipIf(!available)('the delay per (login, address) doubles with each further failure', async () => {
    await createUser(tc, 'dubler');
    const delays: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = await login(tc, '127.0.0.4', 'dubler', 'wrong');
      expect(r.status).toBe(401);
      const row = await tc.center.database.db
        .selectFrom('signin_throttle')
        .select('blocked_until')
        .where('scope', '=', 'pair')
        .where('key', '=', JSON.stringify(['dubler', '127.0.0.4']))
        .executeTakeFirstOrThrow();
      delays.push(row.blocked_until ? Math.round((row.blocked_until.getTime() - Date.now()) / 1000) : 0);
      // Let the block pass (as if the attacker had waited) before the next guess.
      await tc.center.database.db.updateTable('signin_throttle').set({ blocked_until: null }).execute();
    }
    expect(delays).toEqual([0, 0, 0, 1, 2, 4]);
  });

  it.skipIf(!available)(
    'an account attacked from many addresses holds back new addresses, never the one she signed in from',
    async () => {
      await createUser(tc, 'sedzina', 'auditor');
      expect((await login(tc, '127.0.0.5', 'sedzina', 'sedzina password')).status).toBe(200);
      // 12 addresses, one guess each: no pair nor address counter moves past its allowance.
      for (let i = 1; i <= 12; i++) {
        const r = await login(tc, `127.0.1.${i}`, 'sedzina', 'guess');
        expect([401, 429]).toContain(r.status);
      }
      const fresh = await login(tc, '127.0.2.1', 'sedzina', 'sedzina password');
      expect(fresh.status).toBe(429);
      expect(Number(fresh.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect((await login(tc, '127.0.0.5', 'sedzina', 'sedzina password')).status).toBe(200);
    },
  );

  it.skipIf(!available)('password spraying: 30 logins from one address are slowed', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 30; i++) {
      statuses.push((await login(tc, '127.0.0.9', `user${i}`, 'Wiosna2026!')).status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(15);
    // Other addresses are not affected.
    expect((await login(tc, '127.0.0.10', 'nocna', 'nocna password')).status).toBe(200);
  });

  it.skipIf(!available)(
    'audits every sign-in, failure (the login, never the password), throttle and sign-out',
    async () => {
      const id = await createUser(tc, 'audytowany');
      await login(tc, '127.0.0.11', 'audytowany', 'bad password one');
      const ok = await login(tc, '127.0.0.11', 'audytowany', 'audytowany password');
      expect(ok.status).toBe(200);
      expect((await call(tc, '127.0.0.11', 'POST', '/api/v1/auth/logout', undefined, ok.cookie)).status).toBe(
        200,
      );
      const rows = await auditOf(tc, 'audytowany');
      expect(rows.map((r) => r.action)).toEqual(['auth.login_failed', 'auth.login', 'auth.logout']);
      for (const r of rows) {
        expect(r.actor_user_id).toBe(id);
        expect(r.terminal).toMatch(/^127\.0\.0\.11\b/);
        expect(JSON.stringify(r.changes)).not.toMatch(/password one/);
      }
      expect(rows[0]!.changes).toMatchObject({
        login: 'audytowany',
        address: '127.0.0.11',
        reason: 'credentials',
      });

      // An unknown login: an anonymous actor, the login attempted; the throttle's start is recorded too.
      for (let i = 0; i < 4; i++) await login(tc, '127.0.0.12', 'nikt-taki', 'x');
      const anon = await auditOf(tc, 'nikt-taki');
      expect(anon.filter((r) => r.action === 'auth.login_failed')).toHaveLength(4);
      expect(anon.every((r) => r.actor_login === 'anonymous' && r.actor_user_id === null)).toBe(true);
      const throttle = anon.find((r) => r.action === 'auth.throttle');
      expect(throttle?.changes).toMatchObject({ scope: 'pair', seconds: 1, address: '127.0.0.12' });

      // The spraying address of the test before was throttled, and that is in the log.
      const spray = await tc.center.database.db
        .selectFrom('audit_log')
        .select('changes')
        .where('action', '=', 'auth.throttle')
        .execute();
      expect(spray.some((r) => (r.changes as { scope?: string }).scope === 'address')).toBe(true);
    },
  );
});

describe('the TOTP second factor', () => {
  let tc: TestCenter;
  beforeAll(async () => {
    tc = await startTestCenter('pglite', 'embedded', { SDE_TOTP_REQUIRED_ROLES: 'judge,auditor' });
    await tc.api('PUT', '/api/v1/regions/PL-MZ', { name: 'mazowiecki' });
  });
  afterAll(() => tc.close());

  const code = (secret: string, at = Date.now()) =>
    new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at });

  it('enrols from a session, then asks for the code at sign-in and takes each code once', async () => {
    const id = await createUser(tc, 'oficer', 'operator');
    const s = await login(tc, '127.0.0.20', 'oficer', 'oficer password');
    expect(s.status).toBe(200);
    const me = await call(tc, '127.0.0.20', 'GET', '/api/v1/auth/me', undefined, s.cookie);
    expect(me.body.totp).toEqual({ enabled: false, required: false });

    const setup = await call(tc, '127.0.0.20', 'POST', '/api/v1/auth/totp/setup', undefined, s.cookie);
    expect(setup.status).toBe(200);
    const secret = String(setup.body.secret);
    expect(String(setup.body.uri)).toMatch(/^otpauth:\/\/totp\/SDE:oficer\?/);
    const wrong = await call(
      tc,
      '127.0.0.20',
      'POST',
      '/api/v1/auth/totp/confirm',
      { code: '000000' },
      s.cookie,
    );
    expect(wrong.status).toBe(400);
    const now = Date.now();
    const confirmed = await call(
      tc,
      '127.0.0.20',
      'POST',
      '/api/v1/auth/totp/confirm',
      { code: code(secret, now) },
      s.cookie,
    );
    expect(confirmed.status).toBe(200);

    // The password alone no longer opens a session.
    const half = await login(tc, '127.0.0.20', 'oficer', 'oficer password');
    expect(half.status).toBe(200);
    expect(half.body).toEqual({ totpRequired: true });
    expect(half.cookie).toBe('');
    // The code spent on the enrolment is not good again.
    const again = await login(tc, '127.0.0.20', 'oficer', 'oficer password', code(secret, now));
    expect(again.status).toBe(401);
    expect(again.body.error).toBe('totp_invalid');
    // The next step's code is (the authenticator's clock may be ahead by one step).
    const next = code(secret, now + 30_000);
    const full = await login(tc, '127.0.0.20', 'oficer', 'oficer password', next);
    expect(full.status).toBe(200);
    expect(full.cookie).toMatch(/^sde_session=/);
    // ... once.
    const reused = await login(tc, '127.0.0.20', 'oficer', 'oficer password', next);
    expect(reused.status).toBe(401);
    expect(reused.body.error).toBe('totp_invalid');

    // An administrator resets it (a lost phone): the password alone works again; all of it audited.
    expect((await tc.api('DELETE', `/api/v1/users/${id}/totp`)).status).toBe(200);
    expect((await login(tc, '127.0.0.20', 'oficer', 'oficer password')).cookie).toMatch(/^sde_session=/);
    const actions = (await auditOf(tc, 'oficer')).map((r) => r.action);
    expect(actions).toContain('auth.totp_enrol');
    expect(actions.filter((a) => a === 'auth.login_failed')).toHaveLength(2);
    const reset = await tc.center.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'auth.totp_reset')
      .executeTakeFirstOrThrow();
    expect(reset.entity_id).toBe(id);
  });

  it('leads a user of a role that must have it to enrol at the next sign-in', async () => {
    await createUser(tc, 'kontroler', 'auditor');
    const first = await login(tc, '127.0.0.21', 'kontroler', 'kontroler password');
    expect(first.status).toBe(200);
    expect(first.cookie).toBe('');
    expect(first.body.totpEnrolRequired).toBe(true);
    const { secret, uri } = first.body.totpSetup as { secret: string; uri: string };
    expect(uri).toContain(`secret=${secret}`);
    // The same secret while the enrolment is pending (the person may retype the password).
    const retry = await login(tc, '127.0.0.21', 'kontroler', 'kontroler password');
    expect((retry.body.totpSetup as { secret: string }).secret).toBe(secret);

    const done = await login(tc, '127.0.0.21', 'kontroler', 'kontroler password', code(secret));
    expect(done.status).toBe(200);
    expect(done.cookie).toMatch(/^sde_session=/);
    const me = await call(tc, '127.0.0.21', 'GET', '/api/v1/auth/me', undefined, done.cookie);
    expect(me.body.totp).toEqual({ enabled: true, required: true });
    expect((await auditOf(tc, 'kontroler')).map((r) => r.action)).toEqual(['auth.totp_enrol', 'auth.login']);
  });
});

describe('OpenID Connect sign-in against a real provider (oidc-provider)', () => {
  let tc: TestCenter;
  let idp: Server;
  const secret = 'a-client-secret-long-enough-for-hs256-0123456789';

  beforeAll(async () => {
    // The provider's address must be known before the center starts, and the center's before the provider
    // registers its client: listen first, attach the provider afterwards.
    idp = createServer();
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    tc = await startTestCenter('pglite', 'embedded', {
      SDE_OIDC_ISSUER: issuer,
      SDE_OIDC_CLIENT_ID: 'sde-center',
      SDE_OIDC_CLIENT_SECRET: secret,
      SDE_OIDC_NAME: 'Portal Ministerstwa',
    });
    await tc.api('PUT', '/api/v1/regions/PL-MZ', { name: 'mazowiecki' });
    const provider = new Provider(issuer, {
      clients: [
        {
          client_id: 'sde-center',
          client_secret: secret,
          redirect_uris: [`${tc.center.httpUrl}/api/v1/auth/oidc/callback`],
          token_endpoint_auth_method: 'client_secret_post',
        },
      ],
      // The login typed in the provider's development form is the account; its preferred_username is it
      // up to a '#' (so 'a#2' is another account at the provider claiming the same login 'a').
      findAccount: (_ctx, id) => ({
        accountId: id,
        claims: () => ({ sub: `sub-${id}`, preferred_username: id.split('#')[0] }),
      }),
      // The provider releases the login claim with the profile scope, as an agency's provider is set up to.
      claims: { openid: ['sub'], profile: ['preferred_username'] },
      cookies: { keys: ['test-cookie-key'] },
    });
    idp.on('request', provider.callback());
  });
  afterAll(async () => {
    await tc?.close();
    idp?.close();
  });

  /**
   * A browser: follows redirects from the center's start to the provider's login and consent forms (the
   * development interactions, filled in as `account`) and back, keeping cookies; answers where it ended.
   */
  async function browse(account: string, start = '/api/v1/auth/oidc/start') {
    const jar = new Map<string, string>();
    let url = new URL(start, tc.center.httpUrl);
    let method = 'GET';
    let body: string | undefined;
    for (let hop = 0; hop < 20; hop++) {
      const res = await fetch(url, {
        method,
        redirect: 'manual',
        headers: {
          cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        ...(body ? { body } : {}),
      });
      for (const c of res.headers.getSetCookie()) {
        const [pair] = c.split(';');
        const [k, ...v] = pair!.split('=');
        if (/expires=Thu, 01 Jan 1970/i.test(c) || v.join('=') === '') jar.delete(k!);
        else jar.set(k!, v.join('='));
      }
      method = 'GET';
      body = undefined;
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        url = new URL(location, url);
        if (url.origin === tc.center.httpUrl && !url.pathname.startsWith('/api/')) return { url, jar };
        continue;
      }
      const html = await res.text();
      if (res.status !== 200 || !url.pathname.startsWith('/interaction/')) {
        throw new Error(`unexpected ${res.status} at ${url.pathname}: ${html.slice(0, 200)}`);
      }
      method = 'POST';
      body = html.includes('name="login"')
        ? new URLSearchParams({ prompt: 'login', login: account, password: 'any' }).toString()
        : new URLSearchParams({ prompt: 'consent' }).toString();
    }
    throw new Error('too many redirects');
  }

  it('offers the provider on the sign-in page', async () => {
    const r = await fetch(`${tc.center.httpUrl}/api/v1/auth/oidc`);
    expect(await r.json()).toEqual({ enabled: true, name: 'Portal Ministerstwa' });
  });

  it('signs an existing SDE user in with the same session cookie, audited, roles from SDE', async () => {
    const id = await createUser(tc, 'oidc.operator', 'operator');
    const { url, jar } = await browse('oidc.operator');
    expect(url.pathname).toBe('/');
    expect(url.search).toBe('');
    const session = jar.get('sde_session');
    expect(session).toBeTruthy();
    const me = await fetch(`${tc.center.httpUrl}/api/v1/auth/me`, {
      headers: { cookie: `sde_session=${session}` },
    });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { user: { role: string } }).user.role).toBe('operator');
    const login = await tc.center.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'auth.login')
      .where('actor_user_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(login.changes).toMatchObject({ method: 'oidc' });

    // Another account at the provider that claims the same login is not her.
    const other = await browse('oidc.operator#2');
    expect(other.url.searchParams.get('signin')).toBe('oidc_failed');
    expect(other.jar.has('sde_session')).toBe(false);
    // She still is.
    expect((await browse('oidc.operator')).jar.get('sde_session')).toBeTruthy();
  });

  it('refuses and audits an identity with no SDE user; nobody is created', async () => {
    const { url, jar } = await browse('obcy.uzytkownik');
    expect(url.pathname).toBe('/');
    expect(url.searchParams.get('signin')).toBe('oidc_failed');
    expect(jar.has('sde_session')).toBe(false);
    const users = await tc.center.database.db.selectFrom('users').select('login').execute();
    expect(users.map((u) => u.login)).not.toContain('obcy.uzytkownik');
    const refused = await tc.center.database.db
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'auth.login_failed')
      .where('entity_id', '=', 'obcy.uzytkownik')
      .executeTakeFirstOrThrow();
    expect(refused.actor_login).toBe('anonymous');
    expect(refused.changes).toMatchObject({ method: 'oidc', reason: 'unknown_identity' });
  });

  it('refuses a callback that no sign-in of this browser started (forged or replayed)', async () => {
    const r = await fetch(`${tc.center.httpUrl}/api/v1/auth/oidc/callback?code=stolen&state=x`, {
      redirect: 'manual',
    });
    expect(r.status).toBe(302);
    expect(r.headers.get('location')).toBe('/?signin=oidc_failed');
    expect(r.headers.getSetCookie().some((c) => c.startsWith('sde_session=') && !/=;/.test(c))).toBe(false);
  });
});

describe('the throttle rules', () => {
  it('never shortens a delay as failures grow, never passes the cap, and forgives the free allowance', () => {
    fc.assert(
      fc.property(
        fc.record({
          free: fc.integer({ min: 0, max: 20 }),
          baseMs: fc.integer({ min: 1, max: 10_000 }),
          capMs: fc.integer({ min: 1, max: 3_600_000 }),
        }),
        fc.integer({ min: 0, max: 10_000 }),
        (p, n) => {
          const policy = { ...p, windowMs: 1 };
          const d = delayFor(policy, n);
          expect(d).toBeLessThanOrEqual(p.capMs);
          expect(delayFor(policy, n + 1)).toBeGreaterThanOrEqual(d);
          if (n <= p.free) expect(d).toBe(0);
          else expect(d).toBeGreaterThan(0);
        },
      ),
    );
  });

  it('counts every address of one IPv6 /64 as one, and IPv4 (also IPv4-mapped) as itself', () => {
    const group = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
    fc.assert(
      fc.property(
        fc.array(group, { minLength: 8, maxLength: 8 }),
        fc.array(group, { minLength: 4, maxLength: 4 }),
        (a, tail) => {
          const one = a.join(':');
          const other = [...a.slice(0, 4), ...tail].join(':');
          expect(throttleAddress(one)).toBe(throttleAddress(other));
          expect(throttleAddress(one)).toMatch(/::\/64$/);
        },
      ),
    );
    expect(throttleAddress('2001:db8::1')).toBe(throttleAddress('2001:db8:0:0:ffff::2'));
    expect(throttleAddress('2001:db8:0:1::1')).not.toBe(throttleAddress('2001:db8::1'));
    expect(throttleAddress('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(throttleAddress('10.1.2.3')).toBe('10.1.2.3');
  });
});
