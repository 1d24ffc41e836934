/**
 * Browser protections and the center's own HTTPS (issue 18 item 7, ADR 0406): the headers of every answer,
 * writes from a page of another origin refused, and a center serving HTTPS with HSTS and Secure cookies that
 * the CLI can talk to.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpTlsFor } from '../src/center.js';
import { loadConfig } from '../src/config.js';
import { startTestCenter, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';

const SDE = resolve(dirname(fileURLToPath(import.meta.url)), '../../cli/bin/sde.js');
const ADMIN = { login: 'admin.browser', password: 'correct horse battery staple' };

/** The headers every answer must carry, whatever it is. */
function expectProtections(headers: Headers | Record<string, string | string[] | undefined>) {
  const get = (name: string) =>
    headers instanceof Headers ? headers.get(name) : (headers[name] as string | undefined);
  const csp = get('content-security-policy') ?? '';
  const directives = new Map(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values.join(' ')] as const;
    }),
  );
  expect(directives.get('default-src')).toBe("'self'");
  expect(directives.get('script-src')).toBe("'self'");
  expect(directives.get('connect-src')).toBe("'self'");
  expect(directives.get('frame-ancestors')).toBe("'none'");
  expect(directives.get('base-uri')).toBe("'none'");
  expect(directives.get('object-src')).toBe("'none'");
  expect(directives.get('form-action')).toBe("'self'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|\*/);
  expect(get('x-content-type-options')).toBe('nosniff');
  expect(get('referrer-policy')).toBe('same-origin');
  expect(get('x-frame-options')).toBe('DENY');
}

async function signIn(url: string, login: string, password: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ login, password }),
  });
  return {
    status: res.status,
    cookie: (res.headers.get('set-cookie') ?? '').split(';')[0]!,
    body: (await res.json()) as Record<string, unknown>,
  };
}

/** A new user's body; `login` must be unused. */
const newUser = (login: string) => ({
  login,
  displayName: 'Audytor Testowy',
  role: 'auditor',
  password: 'a long enough password',
});

async function userExists(tc: TestCenter, login: string) {
  const row = await tc.center.database.db
    .selectFrom('users')
    .select('id')
    .where('login', '=', login)
    .executeTakeFirst();
  return row !== undefined;
}

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

describe.each(setups)('browser protections on %s', (storage, available) => {
  let tc: TestCenter;
  let cookie: string;
  /** A page on another port of the same host: same-site for cookies, but another origin. */
  let otherPort: string;
  beforeAll(async () => {
    if (!available) return;
    tc = await startTestCenter(storage, 'embedded');
    const created = await tc.api('POST', '/api/v1/users', {
      ...newUser(ADMIN.login),
      role: 'bureau_admin',
      password: ADMIN.password,
    });
    expect(created.status).toBe(201);
    const origin = new URL(tc.center.httpUrl);
    otherPort = `${origin.protocol}//${origin.hostname}:${Number(origin.port) + 1}`;
    const s = await signIn(tc.center.httpUrl, ADMIN.login, ADMIN.password, { origin: tc.center.httpUrl });
    expect(s.status).toBe(200);
    cookie = s.cookie;
  });
  afterAll(() => tc?.close());

  it.skipIf(!available)(
    'the console page, an API answer, an error and the live stream all carry the protections; the API is never stored',
    async () => {
      const page = await fetch(`${tc.center.httpUrl}/cases/123`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expectProtections(page.headers);

      const me = await fetch(`${tc.center.httpUrl}/api/v1/auth/me`, { headers: { cookie } });
      expect(me.status).toBe(200);
      expectProtections(me.headers);
      expect(me.headers.get('cache-control')).toBe('no-store');

      const errors: [string, RequestInit, number][] = [
        // No session: refused in a hook, before any route.
        ['/api/v1/auth/me', {}, 401],
        // A validation error from a route.
        [
          '/api/v1/users',
          {
            method: 'POST',
            headers: { cookie, origin: tc.center.httpUrl, 'content-type': 'application/json' },
            body: '{}',
          },
          400,
        ],
        ['/api/v1/no-such-thing', { headers: { cookie } }, 404],
      ];
      for (const [path, init, status] of errors) {
        const res = await fetch(`${tc.center.httpUrl}${path}`, init);
        expect(res.status, path).toBe(status);
        expect(await res.json()).toHaveProperty('error');
        expectProtections(res.headers);
        expect(res.headers.get('cache-control'), path).toBe('no-store');
      }

      const abort = new AbortController();
      const stream = await fetch(`${tc.center.httpUrl}/api/v1/stream`, {
        headers: { cookie },
        signal: abort.signal,
      });
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
      expectProtections(stream.headers);
      expect(stream.headers.get('cache-control')).toMatch(/^no-store\b/);
      abort.abort();

      // Plain HTTP: no HSTS (a browser would ignore it, and it must not pin a center that has no TLS).
      expect(me.headers.get('strict-transport-security')).toBeNull();
    },
  );

  it.skipIf(!available)(
    'refuses a write from a page on another port of the same host, in both languages, and nothing changes',
    async () => {
      const attempts: Record<string, string>[] = [
        { origin: otherPort },
        { origin: 'null' },
        { 'sec-fetch-site': 'same-site' },
        { 'sec-fetch-site': 'cross-site' },
        // The console's host name with another scheme is another origin too.
        { origin: tc.center.httpUrl.replace('http:', 'https:') },
      ];
      for (const [i, headers] of attempts.entries()) {
        const login = `foreign.${i}`;
        const res = await fetch(`${tc.center.httpUrl}/api/v1/users`, {
          method: 'POST',
          // text/plain: what a foreign page can send without a CORS preflight.
          headers: { cookie, 'content-type': 'text/plain', ...headers },
          body: JSON.stringify(newUser(login)),
        });
        expect(res.status, JSON.stringify(headers)).toBe(403);
        const body = (await res.json()) as Record<string, string>;
        expect(body.error).toBe('foreign_origin');
        expect(body.message).toMatch(/another origin/);
        expect(body.messagePl).toMatch(/innego pochodzenia/);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(await userExists(tc, login)).toBe(false);
      }
      // The session is still good, and reads from anywhere are not writes.
      const me = await fetch(`${tc.center.httpUrl}/api/v1/auth/me`, {
        headers: { cookie, origin: otherPort },
      });
      expect(me.status).toBe(200);
    },
  );

  it.skipIf(!available)(
    'refuses a sign-in sent by a foreign page (login CSRF) but not the console’s own',
    async () => {
      const foreign = await signIn(tc.center.httpUrl, ADMIN.login, ADMIN.password, { origin: otherPort });
      expect(foreign.status).toBe(403);
      expect(foreign.cookie).toBe('');
      const own = await signIn(tc.center.httpUrl, ADMIN.login, ADMIN.password, {
        origin: tc.center.httpUrl,
        'sec-fetch-site': 'same-origin',
      });
      expect(own.status).toBe(200);
      expect(own.cookie).toMatch(/^sde_session=/);
    },
  );

  it.skipIf(!available)('lets the console’s own writes and tools with the admin token through', async () => {
    const own = await fetch(`${tc.center.httpUrl}/api/v1/users`, {
      method: 'POST',
      headers: {
        cookie,
        'content-type': 'application/json',
        origin: tc.center.httpUrl,
        'sec-fetch-site': 'same-origin',
      },
      body: JSON.stringify(newUser('own.origin')),
    });
    expect(own.status).toBe(201);
    expect(await userExists(tc, 'own.origin')).toBe(true);

    // A same-origin request whose Origin the browser blanked (referrer policy) is ours by Sec-Fetch-Site.
    const blanked = await fetch(`${tc.center.httpUrl}/api/v1/users`, {
      method: 'POST',
      headers: {
        cookie,
        'content-type': 'application/json',
        origin: 'null',
        'sec-fetch-site': 'same-origin',
      },
      body: JSON.stringify(newUser('blanked.origin')),
    });
    expect(blanked.status).toBe(201);

    // The CLI and curl send no Origin.
    const tool = await tc.api('POST', '/api/v1/users', newUser('tool.token'));
    expect(tool.status).toBe(201);
  });
});

describe('settings', () => {
  it('takes SDE_ALLOWED_ORIGINS as a list of origins and wants both TLS files or neither', () => {
    expect(
      loadConfig({ SDE_ALLOWED_ORIGINS: 'https://SDE.example.org, https://sde.example.org:8443/' })
        .SDE_ALLOWED_ORIGINS,
    ).toEqual(['https://sde.example.org', 'https://sde.example.org:8443']);
    expect(loadConfig({}).SDE_ALLOWED_ORIGINS).toEqual([]);
    expect(() => loadConfig({ SDE_ALLOWED_ORIGINS: 'https://sde.example.org/console' })).toThrow(
      /SDE_ALLOWED_ORIGINS/,
    );
    expect(() => loadConfig({ SDE_ALLOWED_ORIGINS: 'sde.example.org' })).toThrow(/SDE_ALLOWED_ORIGINS/);
    expect(() => loadConfig({ SDE_HTTP_TLS_CERT: '/etc/sde/cert.pem' })).toThrow(
      /SDE_HTTP_TLS_CERT and SDE_HTTP_TLS_KEY/,
    );
  });
});

/** An HTTPS request trusting `ca`; node's fetch cannot be given a CA without undici's Agent. */
function httpsCall(
  url: string,
  ca: Buffer,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolveCall, reject) => {
    const req = request(url, { method: opts.method ?? 'GET', headers: opts.headers, ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolveCall({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

describe('the center serving HTTPS itself (SDE_HTTP_TLS_CERT / SDE_HTTP_TLS_KEY)', () => {
  let tc: TestCenter;
  let dir: string;
  let ca: Buffer;
  const PROXY = 'https://sde.example.org';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sde-https-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    ca = readFileSync(join(dir, 'cert.pem'));
    tc = await startTestCenter('pglite', 'embedded', {
      SDE_HTTP_TLS_CERT: join(dir, 'cert.pem'),
      SDE_HTTP_TLS_KEY: join(dir, 'key.pem'),
      SDE_ALLOWED_ORIGINS: PROXY,
    });
    const created = await tc.center.auth.bootstrapUser({
      login: ADMIN.login,
      displayName: 'Admin',
      role: 'bureau_admin',
      regionId: null,
      courtId: null,
      password: ADMIN.password,
    });
    expect(created).toBeDefined();
  });
  afterAll(async () => {
    await tc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers over https with HSTS, and its session cookies are Secure without SDE_SECURE_COOKIES', async () => {
    expect(tc.center.httpUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const page = await httpsCall(`${tc.center.httpUrl}/`, ca);
    expect(page.status).toBe(200);
    expectProtections(page.headers);
    expect(page.headers['strict-transport-security']).toBe('max-age=31536000');

    const login = await httpsCall(`${tc.center.httpUrl}/api/v1/auth/login`, ca, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: tc.center.httpUrl },
      body: JSON.stringify(ADMIN),
    });
    expect(login.status).toBe(200);
    expect(login.headers['strict-transport-security']).toBe('max-age=31536000');
    const setCookie = String(login.headers['set-cookie']);
    expect(setCookie).toMatch(/^sde_session=/);
    expect(setCookie).toMatch(/; Secure/i);
    expect(setCookie).toMatch(/HttpOnly/i);

    // A plain-HTTP client on the same port gets no answer a browser could use.
    const plain = await fetch(tc.center.httpUrl.replace('https:', 'http:') + '/healthz').then(
      (r) => r.status,
      () => 'refused',
    );
    expect(plain === 'refused' || plain === 400).toBe(true);
  });

  it('takes writes from its https origin and from SDE_ALLOWED_ORIGINS, not from the same host over http', async () => {
    const login = await httpsCall(`${tc.center.httpUrl}/api/v1/auth/login`, ca, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: tc.center.httpUrl },
      body: JSON.stringify(ADMIN),
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const create = (login: string, origin: string) =>
      httpsCall(`${tc.center.httpUrl}/api/v1/users`, ca, {
        method: 'POST',
        headers: { cookie, origin, 'content-type': 'application/json' },
        body: JSON.stringify(newUser(login)),
      });
    expect((await create('via.proxy', PROXY)).status).toBe(201);
    const downgraded = await create('via.http', tc.center.httpUrl.replace('https:', 'http:'));
    expect(downgraded.status).toBe(403);
    expect(await userExists(tc, 'via.http')).toBe(false);
  });

  it('refuses to start on a certificate file it cannot read or a key of another certificate, naming the setting', () => {
    execFileSync('openssl', ['genrsa', '-out', join(dir, 'other.pem'), '2048'], { stdio: 'ignore' });
    expect(() =>
      httpTlsFor({ SDE_HTTP_TLS_CERT: join(dir, 'missing.pem'), SDE_HTTP_TLS_KEY: join(dir, 'key.pem') }),
    ).toThrow(/SDE_HTTP_TLS_CERT: cannot read .*missing\.pem \(ENOENT\)/);
    expect(() =>
      httpTlsFor({ SDE_HTTP_TLS_CERT: join(dir, 'cert.pem'), SDE_HTTP_TLS_KEY: join(dir, 'other.pem') }),
    ).toThrow(/SDE_HTTP_TLS_CERT \/ SDE_HTTP_TLS_KEY: not a PEM certificate and its private key/);
    expect(httpTlsFor({})).toBeUndefined();
  });

  it('is reachable by the CLI with --url https://… when NODE_EXTRA_CA_CERTS trusts the certificate', async () => {
    const run = (extra: Record<string, string>) =>
      promisify(execFile)(
        process.execPath,
        [SDE, 'ledger', 'verify', '--json', '--url', tc.center.httpUrl, '--token', tc.center.adminToken],
        { env: { PATH: process.env.PATH, ...extra }, timeout: 60_000 },
      );
    const trusted = await run({ NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') });
    expect(JSON.parse(trusted.stdout)).toMatchObject({ duplicates: 0 });

    const untrusted = await run({}).catch((err: { stderr: string; code: number }) => err);
    expect((untrusted as { code: number }).code).toBe(1);
    expect((untrusted as { stderr: string }).stderr).toMatch(/NODE_EXTRA_CA_CERTS/);
  });
});
