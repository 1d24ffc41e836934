/** Sign-in, sessions, roles and the audit log, as people at terminals meet them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PERMISSIONS, permissionsOf, ROLES } from '../src/auth/actor.js';
import { startTestCenter, type TestCenter } from './harness.js';

async function signIn(tc: TestCenter, login: string, password: string) {
  const res = await fetch(`${tc.center.httpUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'vitest-terminal' },
    body: JSON.stringify({ login, password }),
  });
  const cookie = res.headers.get('set-cookie') ?? '';
  return {
    status: res.status,
    cookie: cookie.split(';')[0]!,
    setCookie: cookie,
    body: (await res.json()) as Record<string, unknown>,
  };
}

function as(tc: TestCenter, cookie: string) {
  return async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${tc.center.httpUrl}${path}`, {
      method,
      headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
}

describe('sign-in, roles and audit', () => {
  let tc: TestCenter;
  beforeAll(async () => {
    tc = await startTestCenter('pglite', 'embedded', { SDE_SESSION_IDLE_MINUTES: '1' });
    await tc.api('PUT', '/api/v1/regions/PL-MZ', { name: 'mazowiecki' });
    await tc.api('PUT', '/api/v1/courts/SR-WAW', { name: 'Sąd Rejonowy dla Warszawy', regionId: 'PL-MZ' });
  });
  afterAll(() => tc.close());

  it('creates users with a memory-hard hash and lets them sign in with an httpOnly session cookie', async () => {
    const created = await tc.api<{ user: { id: string; role: string } }>('POST', '/api/v1/users', {
      login: 'operator1',
      displayName: 'Operator Jeden',
      role: 'operator',
      regionId: 'PL-MZ',
      password: 'correct horse battery',
    });
    expect(created.status).toBe(201);
    const stored = await tc.center.database.db
      .selectFrom('users')
      .select('password_hash')
      .where('login', '=', 'operator1')
      .executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);

    const s = await signIn(tc, 'operator1', 'correct horse battery');
    expect(s.status).toBe(200);
    expect(s.setCookie).toMatch(/HttpOnly/i);
    expect(s.setCookie).toMatch(/SameSite=Strict/i);
    const me = await as(tc, s.cookie)('GET', '/api/v1/auth/me');
    expect(me.body.user).toMatchObject({ login: 'operator1', role: 'operator', regionId: 'PL-MZ' });
    // What the role may do comes with it (the console keeps no copy of the table).
    expect(me.body.permissions).toEqual(permissionsOf({ role: 'operator' }));
    expect(me.body.permissions).toContain('alarm.handle');
    expect(s.body.permissions).toEqual(me.body.permissions);

    await as(tc, s.cookie)('POST', '/api/v1/auth/logout');
    expect((await as(tc, s.cookie)('GET', '/api/v1/auth/me')).status).toBe(401);
  });

  it('refuses wrong passwords, then slows that address without locking the login (ADR 0405)', async () => {
    for (let i = 0; i < 3; i++) expect((await signIn(tc, 'operator1', 'wrong password!')).status).toBe(401);
    // The fourth failure from this address starts a delay; the right password waits it out here too.
    expect((await signIn(tc, 'operator1', 'wrong password!')).status).toBe(401);
    const slowed = await signIn(tc, 'operator1', 'correct horse battery');
    expect(slowed.status).toBe(429);
    expect(slowed.body.error).toBe('signin_throttled');
    // The user's address is known (she signed in from it before), so only the (login, address) delay applies:
    // once it passes, the right password works and clears it.
    await new Promise((r) => setTimeout(r, 1100));
    expect((await signIn(tc, 'operator1', 'correct horse battery')).status).toBe(200);
  });

  it('refuses a weak password and a judge without a court, in words', async () => {
    const weak = await tc.api<{ message: string }>('POST', '/api/v1/users', {
      login: 'weak',
      displayName: 'W',
      role: 'auditor',
      password: 'short',
    });
    expect(weak.status).toBe(400);
    expect(weak.body.message).toMatch(/at least 10/);
    const judge = await tc.api<{ message: string }>('POST', '/api/v1/users', {
      login: 'judge1',
      displayName: 'Sędzia',
      role: 'judge',
      password: 'long enough password',
    });
    expect(judge.status).toBe(400);
    expect(judge.body.message).toMatch(/court/);
  });

  it('lets each role do only what it may', async () => {
    await tc.api('POST', '/api/v1/users', {
      login: 'installer1',
      displayName: 'Instalator',
      role: 'installer',
      regionId: 'PL-MZ',
      password: 'installer password',
    });
    const s = await signIn(tc, 'installer1', 'installer password');
    const call = as(tc, s.cookie);
    expect((await call('GET', '/api/v1/users')).status).toBe(403);
    expect(
      (await call('POST', '/api/v1/devices', { kind: 'home_unit', count: 1, prefix: 'INST-' })).status,
    ).toBe(201);
    expect((await call('GET', '/api/v1/ledger/verify')).status).toBe(403);
    expect((await fetch(`${tc.center.httpUrl}/api/v1/devices/INST-000001`)).status).toBe(401);
    // The list the console shows actions from is the table the center enforces: the installer's row.
    const me = await call('GET', '/api/v1/auth/me');
    const installerRow = Object.entries(PERMISSIONS)
      .filter(([, roles]) => (roles as readonly string[]).includes('installer'))
      .map(([p]) => p);
    expect(me.body.permissions).toEqual(installerRow);
    expect(me.body.permissions).toContain('device.manage');
    expect(me.body.permissions).not.toContain('user.manage');
    expect(me.body.permissions).not.toContain('ledger.verify');
    // Every role gets a list, and no two of the people's roles the same one.
    const lists = ROLES.map((role) => permissionsOf({ role }).join());
    expect(new Set(lists).size).toBe(ROLES.length);
  });

  it('ends a session after the idle period', async () => {
    await tc.api('POST', '/api/v1/users', {
      login: 'auditor1',
      displayName: 'Audytor',
      role: 'auditor',
      password: 'auditor password',
    });
    const s = await signIn(tc, 'auditor1', 'auditor password');
    expect((await as(tc, s.cookie)('GET', '/api/v1/auth/me')).status).toBe(200);
    // Age the session past the 1-minute idle limit this center runs with.
    await tc.center.database.db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - 2 * 60_000) })
      .execute();
    const after = await as(tc, s.cookie)('GET', '/api/v1/auth/me');
    expect(after.status).toBe(401);
    expect(String(after.body.message)).toMatch(/inactivity/);
  });

  it('audits every write with who, what and from which terminal', async () => {
    const s = await signIn(tc, 'auditor1', 'auditor password');
    const log = await as(tc, s.cookie)('GET', '/api/v1/audit?entity=user&limit=10');
    expect(log.status).toBe(200);
    const records = log.body.records as {
      action: string;
      actorLogin: string;
      terminal: string;
      changes: Record<string, unknown>;
    }[];
    const created = records.find((r) => r.action === 'user.create' && r.changes.login === 'installer1');
    expect(created).toMatchObject({
      actorLogin: 'admin-token',
      changes: { role: 'installer', regionId: 'PL-MZ' },
    });
    expect(created!.terminal).toMatch(/127\.0\.0\.1/);
    expect(JSON.stringify(records)).not.toMatch(/password/i);
  });
});
