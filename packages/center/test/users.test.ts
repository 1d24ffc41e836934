/**
 * The Bureau manages users (issue 20 item 4, ADR 0603): any combination of a user's fields can be changed
 * in one PATCH (e-mail and phone too, which alarm notices go to), an empty change or an unknown field is a
 * 400 naming the field, contacts are audited by which changed and never by value, a new phone does not sign
 * the person out while a new region does, and nobody can lock out the last active Bureau administrator.
 * On PGlite and on the PostgreSQL server.
 */
import fc from 'fast-check';
import { ROLES, USER_FIELDS, type ManagedUserAnswer, type UserRole } from '@sde/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, sessionCookie } from './alarms.fixtures.js';
import { createUser } from './cases.fixtures.js';
import { startTestCenter, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

const REGIONS = ['PL-MZ', 'PL-DS'];
const COURTS = ['SR-WAW'];
const PASSWORD = 'a long test password';

interface ErrorAnswer {
  error: string;
  messagePl: string;
  details?: { path: string; message: string; messagePl?: string }[];
}

const word = fc.stringMatching(/^[a-z]{1,8}$/);
/** Any combination of a user's fields, each valid or not, and sometimes a field the center does not know. */
const patchArb = fc.record(
  {
    active: fc.boolean(),
    password: fc.oneof({ arbitrary: fc.constant(PASSWORD), weight: 3 }, fc.constant('too short')),
    role: fc.constantFrom(...ROLES),
    regionId: fc.oneof({ arbitrary: fc.constantFrom(...REGIONS), weight: 4 }, fc.constantFrom(null, 'PL-XX')),
    courtId: fc.oneof(
      { arbitrary: fc.constantFrom(...COURTS), weight: 4 },
      fc.constantFrom(null, 'SR-NOWHERE'),
    ),
    displayName: fc.stringMatching(/^[A-ZŁŚŻ][a-ząćęłńóśźż]{1,12} [A-ZŁŚŻ][a-ząćęłńóśźż-]{1,20}$/),
    email: fc.oneof(
      { arbitrary: fc.tuple(word, word, word).map(([a, b, c]) => `${a}.${b}@${c}.pl`), weight: 4 },
      fc.constant(null),
      fc.constant('not-an-address'),
    ),
    phone: fc.oneof(
      { arbitrary: fc.stringMatching(/^[0-9]{9}$/).map((d) => `+48 ${d}`), weight: 4 },
      fc.constant(null),
      fc.constant('call me'),
    ),
    unknown: fc.oneof(
      { arbitrary: fc.constant(undefined), weight: 4 },
      fc.stringMatching(/^[a-zA-Z]{1,12}$/).filter((k) => !(USER_FIELDS as readonly string[]).includes(k)),
    ),
  },
  { requiredKeys: [] },
);
type Patch = typeof patchArb extends fc.Arbitrary<infer T> ? T : never;

/** The fields the center must name as wrong, by the rules of ADR 0603 and the user's current state. */
function wrongFields(user: ManagedUserAnswer, p: Patch): Set<string> {
  const wrong = new Set<string>();
  const { unknown, ...fields } = p;
  if (unknown !== undefined) wrong.add(unknown);
  if (Object.keys(fields).length === 0 && unknown === undefined) wrong.add('');
  if (p.email === 'not-an-address') wrong.add('email');
  if (p.phone === 'call me') wrong.add('phone');
  if (p.password === 'too short') wrong.add('password');
  const role: UserRole = p.role ?? user.role;
  const regionId = p.regionId !== undefined ? p.regionId : user.regionId;
  const courtId = p.courtId !== undefined ? p.courtId : user.courtId;
  if ((role === 'operator' || role === 'installer' || role === 'probation_officer') && !regionId)
    wrong.add('regionId');
  if (role === 'judge' && !courtId) wrong.add('courtId');
  if (p.regionId === 'PL-XX') wrong.add('regionId');
  if (p.courtId === 'SR-NOWHERE') wrong.add('courtId');
  return wrong;
}

describe.each(setups)('user management on %s', (storage, available) => {
  let tc: TestCenter;
  const users = async () => (await tc.api<{ users: ManagedUserAnswer[] }>('GET', '/api/v1/users')).body.users;
  const userById = async (id: string) => (await users()).find((u) => u.id === id)!;
  const patch = (id: string, body: unknown) =>
    tc.api<{ user: ManagedUserAnswer } & ErrorAnswer>('PATCH', `/api/v1/users/${id}`, body);

  beforeAll(async () => {
    if (!available) return;
    tc = await startTestCenter(storage, 'embedded');
    for (const id of REGIONS) await tc.api('PUT', `/api/v1/regions/${id}`, { name: `region ${id}` });
    await tc.api('PUT', '/api/v1/courts/SR-WAW', { name: 'Sąd Rejonowy dla Warszawy', regionId: 'PL-MZ' });
  }, 180_000);

  afterAll(async () => {
    if (!available) return;
    await tc?.close();
  });

  it.skipIf(!available)(
    'nobody deactivates or demotes the last active administrator, nor themselves',
    async () => {
      const a = await createUser(tc, { login: 'admin.a', role: 'bureau_admin' });
      const cookieA = await sessionCookie(tc.center.httpUrl, 'admin.a');
      for (const body of [{ active: false }, { role: 'auditor' }]) {
        const self = await call<ErrorAnswer>(tc.center.httpUrl, cookieA, 'PATCH', `/api/v1/users/${a}`, body);
        expect(self.status).toBe(409);
        expect(self.body.error).toBe('self_lockout');
        // Not even the API token may leave the center without an administrator.
        const last = await patch(a, body);
        expect(last.status).toBe(409);
        expect(last.body.error).toBe('last_admin');
        expect(last.body.messagePl).toMatch(/ostatni aktywny administrator/);
      }
      const b = await createUser(tc, { login: 'admin.b', role: 'bureau_admin' });
      const byA = await call(tc.center.httpUrl, cookieA, 'PATCH', `/api/v1/users/${b}`, { active: false });
      expect(byA.status).toBe(200);
      // B, now inactive, does not count: A is still the last one.
      expect((await patch(a, { active: false })).body.error).toBe('last_admin');
      expect((await patch(b, { active: true })).status).toBe(200);
      expect((await patch(a, { role: 'auditor' })).status).toBe(200);
      expect((await patch(b, { active: false })).body.error).toBe('last_admin');
      // Her own password and phone she may change.
      const cookieB = await sessionCookie(tc.center.httpUrl, 'admin.b');
      const own = await call(tc.center.httpUrl, cookieB, 'PATCH', `/api/v1/users/${b}`, {
        phone: '+48 600 100 200',
      });
      expect(own.status).toBe(200);
    },
  );

  it.skipIf(!available)('a new phone leaves the person signed in; a new region signs them out', async () => {
    const id = await createUser(tc, { login: 'po.session', role: 'probation_officer', regionId: 'PL-MZ' });
    const cookie = await sessionCookie(tc.center.httpUrl, 'po.session');
    const me = async () => (await call(tc.center.httpUrl, cookie, 'GET', '/api/v1/auth/me')).status;
    expect((await patch(id, { phone: '+48 601 000 000', email: 'anna.nowak@sad.gov.pl' })).status).toBe(200);
    expect(await me()).toBe(200);
    const log = await tc.api<{ records: { action: string; changes: unknown }[] }>(
      'GET',
      `/api/v1/audit?entityId=${id}&action=user.contact&limit=1`,
    );
    expect(log.body.records[0]!.changes).toEqual({ email: 'set', phone: 'set' });
    expect((await patch(id, { regionId: 'PL-DS' })).status).toBe(200);
    expect(await me()).toBe(401);
  });

  it.skipIf(!available)(
    'every combination of fields is applied or refused by naming the wrong fields; contacts never reach the audit log',
    async () => {
      const id = await createUser(tc, { login: 'po.prop', role: 'probation_officer', regionId: 'PL-MZ' });
      const contactsUsed = new Set<string>();
      await fc.assert(
        fc.asyncProperty(patchArb, async (p) => {
          const before = await userById(id);
          const { unknown, ...fields } = p;
          const body = unknown !== undefined ? { ...fields, [unknown]: 'x' } : fields;
          const wrong = wrongFields(before, p);
          const r = await patch(id, body);
          if (wrong.size > 0) {
            expect(r.status).toBe(400);
            expect(r.body.error).toBe('invalid_request');
            expect(r.body.messagePl).toBeTruthy();
            const paths = r.body.details!.map((d) => d.path);
            expect(paths.length).toBeGreaterThan(0);
            for (const path of paths) expect(wrong).toContain(path);
            expect(await userById(id)).toEqual(before);
            return;
          }
          expect(r.status).toBe(200);
          const { password: _password, ...shown } = fields;
          const expected = { ...before, ...shown };
          expect(r.body.user).toEqual(expected);
          expect(await userById(id)).toEqual(expected);
          for (const v of [p.email, p.phone]) if (v) contactsUsed.add(v);
        }),
        { numRuns: 100 },
      );
      const log = await tc.api<{ records: { action: string; changes: Record<string, unknown> }[] }>(
        'GET',
        `/api/v1/audit?entityId=${id}&limit=500`,
      );
      const text = JSON.stringify(log.body.records);
      for (const v of contactsUsed) expect(text).not.toContain(v);
      const contactRecords = log.body.records.filter((r) => r.action === 'user.contact');
      expect(contactRecords.length).toBeGreaterThan(0);
      for (const r of contactRecords)
        for (const v of Object.values(r.changes)) expect(['set', 'cleared']).toContain(v);
    },
    120_000,
  );

  it.skipIf(!available)('a field the center does not know is named in both languages', async () => {
    const id = await createUser(tc, { login: 'op.unknown', role: 'operator', regionId: 'PL-DS' });
    const r = await patch(id, { emial: 'anna@sad.gov.pl' });
    expect(r.status).toBe(400);
    expect(r.body.details).toEqual([{ path: 'emial', message: 'not a field of this request' }]);
    expect(r.body.messagePl).toContain('emial');
    const empty = await patch(id, {});
    expect(empty.status).toBe(400);
    expect(JSON.stringify(empty.body)).toContain('give at least one field to change');
  });
});
