/**
 * The authorization matrix (ADR 0402), generated from the route table: every route × every role of the
 * demo × an object in the caller's scope and one outside it. A role without the route's permission gets
 * 403; an object outside the scope 404, as if it did not exist; an object inside neither 403, 404 nor 5xx.
 * The suite also fails when the server has a route the table does not declare. Every JSON answer of a
 * success must parse with the route's response schema (`@sde/api`), which is strict where the presenter is
 * an allow-list: a field a role should not get, or a field the console relies on gone, fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { can, type UserRole } from '../src/auth/actor.js';
import { seedDemo, type DemoSeed } from '../src/demo/seed.js';
import { allRoutes } from '@sde/api';
import type { ObjectKind, RouteSpec } from '@sde/api';
import { until } from './alarms.fixtures.js';
import { startTestCenter, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

/** One demo user per role; their scope is Warsaw (court SO-WAW, region PL-MZ, demo.officer's caseload). */
const AS: Record<UserRole, string> = {
  operator: 'demo.operator',
  judge: 'demo.judge',
  probation_officer: 'demo.officer',
  installer: 'demo.installer',
  bureau_admin: 'demo.admin',
  auditor: 'demo.auditor',
};
const ROLES = Object.keys(AS) as UserRole[];
/** Roles that see everything have no object outside their scope. */
const SEES_ALL = new Set<UserRole>(['bureau_admin', 'auditor']);

type Caller = (<T = Record<string, unknown>>(
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: T; json: boolean }>) & { cookie: string };

/**
 * What is wrong with a success's answer of route `name` against its response schema: nothing for an error
 * or an answer that is not JSON; a JSON success needs a schema and must parse with it.
 */
function answerProblems(
  name: string,
  s: RouteSpec,
  r: { status: number; body: unknown; json: boolean },
): string[] {
  if (r.status >= 300 || !r.json) return [];
  if (!s.response) return [`${name}: answers JSON but declares no response schema`];
  const parsed = s.response.safeParse(r.body);
  if (parsed.success) return [];
  return parsed.error.issues.map(
    (i) => `${name} ${r.status}: ${i.path.join('.') || '(answer)'}: ${i.message}`,
  );
}

/** Signs in through the API; the caller sends the session cookie (answers that are not JSON come as text). */
async function signedIn(tc: TestCenter, login: string, password: string): Promise<Caller> {
  const res = await fetch(`${tc.center.httpUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'vitest-matrix' },
    body: JSON.stringify({ login, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${login} failed: ${res.status}`);
  // The sign-in's answer is checked like every other (the console reads it).
  const problems = answerProblems('login', allRoutes().login!, {
    status: 200,
    body: await res.json(),
    json: true,
  });
  if (problems.length > 0) throw new Error(problems.join('; '));
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const call = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${tc.center.httpUrl}${path}`, {
      method,
      headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await r.text();
    let parsed: unknown = text;
    const json = (r.headers.get('content-type') ?? '').startsWith('application/json');
    try {
      parsed = JSON.parse(text);
    } catch {
      /* metrics are text */
    }
    return { status: r.status, body: parsed as never, json };
  };
  return Object.assign(call, { cookie }) as Caller;
}

/** Routes of features this test center does not configure (OpenID Connect: no identity provider here). */
const OFF_HERE = new Set(['oidcStart', 'oidcCallback']);

interface SupervisionDetail {
  caseId: string;
  applicationId: string;
  personId: string;
  order: { id: string } | null;
}

describe.each(setups)('authorization matrix on %s', (storage, available) => {
  let tc: TestCenter;
  let seed: DemoSeed;
  const callers = new Map<UserRole, Caller>();
  /** Ids of records inside (Warsaw, demo.officer's caseload) and outside (Szczecin) the callers' scope. */
  const ids: Record<'in' | 'out', Partial<Record<ObjectKind | 'user', string>>> = { in: {}, out: {} };

  beforeAll(async () => {
    if (!available) return;
    // Units that never report raise communication loss soon (2 × 5 s + 30 s): alarms in and out of scope.
    tc = await startTestCenter(storage, 'embedded', {
      SDE_ENGINE_HOME_UNIT_INTERVAL_SECONDS: '5',
      SDE_ENGINE_DEBOUNCE_MS: '0',
    });
    await tc.provision(24, 'HU-DEMO-', 'home_unit');
    await tc.provision(8, 'PU-DEMO-', 'portable_unit');
    await tc.provision(2, 'PP-DEMO-', 'protected_unit');
    seed = await seedDemo(tc.center);
    for (const role of ROLES) {
      const u = seed.users.find((x) => x.login === AS[role])!;
      callers.set(role, await signedIn(tc, u.login, u.password));
    }
    for (const [side, caseNumber] of [
      ['in', 'II K 101/24'],
      ['out', 'III K 301/24'],
    ] as const) {
      const sid = seed.supervisions[caseNumber]!;
      const d = await tc.api<SupervisionDetail>('GET', `/api/v1/supervisions/${sid}`);
      ids[side] = {
        supervision: sid,
        case: d.body.caseId,
        application: d.body.applicationId,
        person: d.body.personId,
        order: d.body.order!.id,
        device: seed.unitsOf[caseNumber]![0]!,
        court: side === 'in' ? 'SO-WAW' : 'SO-SZC',
        region: side === 'in' ? 'PL-MZ' : 'PL-ZP',
      };
      ids[side].alarm = await until(
        async () => {
          const r = await tc.api<{ alarms: { id: string }[] }>('GET', `/api/v1/alarms?supervisionId=${sid}`);
          return r.body.alarms[0]?.id;
        },
        90_000,
        `an alarm of ${caseNumber}`,
      );
    }
    // The alarms are there; units that never report would keep the engine busy for nothing.
    await tc.center.engine.stop();
    const users = await tc.api<{ users: { id: string; login: string }[] }>('GET', '/api/v1/users');
    // A user who is not one of the callers: resetting a second factor ends that user's sessions.
    ids.in.user = users.body.users.find((u) => u.login === 'demo.officer2')!.id;
    ids.in.probation_officer = users.body.users.find((u) => u.login === 'demo.officer')!.id;
    ids.out.probation_officer = users.body.users.find((u) => u.login === 'demo.officer.szczecin')!.id;
  }, 180_000);
  afterAll(() => tc?.close());

  /** The path of `s` with its parameter filled by the record in or out of scope. */
  function pathOf(s: RouteSpec, side: 'in' | 'out'): string {
    return s.path.replace(/:(\w+)/g, () => {
      if (s.scope) return ids[side][s.scope.kind]!;
      if (s.path.startsWith('/api/v1/users/')) return ids.in.user!;
      if (s.path.startsWith('/api/v1/regions/')) return 'PL-MZ';
      if (s.path.startsWith('/api/v1/courts/')) return 'SO-WAW';
      throw new Error(`no value for ${s.path}`);
    });
  }

  /** A query naming records outside the scope, for list routes whose query refers to records. */
  function outQuery(s: RouteSpec): string | undefined {
    const refs = (s.refs ?? []).filter((r) => r.from === 'query' && ids.out[r.kind] !== undefined);
    if (refs.length === 0) return undefined;
    return refs.map((r) => `${r.field}=${encodeURIComponent(ids.out[r.kind]!)}`).join('&');
  }

  /** Answers of successes that do not match their route's response schema (checked by the matrix). */
  const badAnswers: string[] = [];
  /** Routes whose success's answer was checked against its schema. */
  const answered = new Set<string>();

  async function send(caller: Caller, name: string, s: RouteSpec, path: string): Promise<number> {
    if (s.raw) {
      // The live stream stays open: read its status, then hang up.
      const ctl = new AbortController();
      const r = await fetch(`${tc.center.httpUrl}${path}`, {
        headers: { cookie: caller.cookie },
        signal: ctl.signal,
      });
      ctl.abort();
      return r.status;
    }
    const r = await caller(s.method, path, s.method === 'GET' ? undefined : {});
    if (r.status < 300 && r.json) answered.add(name);
    badAnswers.push(...answerProblems(name, s, r));
    return r.status;
  }

  it.skipIf(!available)('every route the server registered is declared in the route table', () => {
    const declared = new Set(Object.values(allRoutes()).map((s) => `${s.method} ${s.path}`));
    const undeclared = tc.center.routes.filter((r) => r.declared === undefined);
    expect(undeclared.map((r) => `${r.method} ${r.url}`)).toEqual([]);
    // And every table entry is a registered route.
    const registered = new Set(tc.center.routes.map((r) => `${r.method} ${r.url}`));
    expect([...declared].filter((d) => !registered.has(d))).toEqual([]);
  });

  it.skipIf(!available)(
    'every route × every role × in scope and out of scope',
    async () => {
      const routes = Object.entries(allRoutes())
        // Signing out ends the caller's session: it is checked on its own below.
        .filter(([name]) => name !== 'logout');
      const wrong: string[] = [];
      let checked = 0;
      for (const role of ROLES) {
        const caller = callers.get(role)!;
        for (const [name, s] of routes) {
          const permitted = s.permission === undefined || can({ role }, s.permission);
          const inStatus = await send(caller, name, s, pathOf(s, 'in'));
          checked++;
          if (!permitted) {
            if (inStatus !== 403) wrong.push(`${role} ${name}: ${inStatus}, expected 403`);
            continue;
          }
          if (OFF_HERE.has(name)) {
            // The feature is not configured in this center: the route exists and says so with 404.
            if (inStatus !== 404) wrong.push(`${role} ${name} (not configured): ${inStatus}, expected 404`);
            continue;
          }
          if (inStatus === 403 || inStatus === 404 || inStatus >= 500) {
            wrong.push(`${role} ${name} in scope: ${inStatus}`);
          }
          if (SEES_ALL.has(role)) continue;
          let outPath: string | undefined;
          if (s.scope) outPath = pathOf(s, 'out');
          else {
            const q = s.method === 'GET' ? outQuery(s) : undefined;
            if (q) outPath = `${s.path}?${q}`;
          }
          if (!outPath) continue;
          const outStatus = await send(caller, name, s, outPath);
          checked++;
          if (outStatus !== 404) wrong.push(`${role} ${name} out of scope: ${outStatus}, expected 404`);
        }
      }
      expect(wrong).toEqual([]);
      expect(checked).toBeGreaterThan(ROLES.length * routes.length);
      expect([...new Set(badAnswers)]).toEqual([]);
      // The reads the console makes answered, and so were checked against their schemas.
      for (const read of [
        'me',
        'getCase',
        'listCases',
        'getSupervision',
        'getAlarm',
        'listAlarms',
        'listAudit',
      ])
        expect(answered, read).toContain(read);
    },
    300_000,
  );

  it.skipIf(!available)('answers of writes the console makes match their response schemas', async () => {
    const routes = allRoutes();
    const bad: string[] = [];
    const check = async <T = Record<string, unknown>>(
      caller: Caller,
      name: string,
      path: string,
      body?: unknown,
    ) => {
      const r = await caller<T>(routes[name]!.method, path, body);
      expect(r.status, `${name}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
      bad.push(...answerProblems(name, routes[name]!, r));
      return r.body;
    };
    const operator = callers.get('operator')!;
    const officer = callers.get('probation_officer')!;
    const judge = callers.get('judge')!;
    const admin = callers.get('bureau_admin')!;
    const alarm = `/api/v1/alarms/${ids.in.alarm}`;
    await check(operator, 'note', `${alarm}/notes`, { text: 'Sprawdzam zasilanie.' });
    await check(operator, 'call', `${alarm}/calls`, { outcome: 'no_answer' });
    await check(operator, 'patrol', `${alarm}/patrols`, { unit: 'Patrol 7' });
    await check(operator, 'excuse', `${alarm}/excuse`, { text: 'Awaria prądu w budynku.' });
    await check(officer, 'qualify', `${alarm}/qualify`, {
      qualification: 'justified',
      note: 'Potwierdzone.',
    });
    await check(operator, 'close', `${alarm}/close`, { note: 'Zasilanie wróciło.' });
    await check(operator, 'sendCommand', `/api/v1/devices/${ids.in.device}/commands`, {
      cmd: 'message',
      text: 'Proszę o kontakt z kuratorem.',
    });
    await check(
      officer,
      'approveException',
      `/api/v1/supervisions/${ids.in.supervision}/schedule-exceptions`,
      {
        date: '2030-01-15',
        window: { start: '18:00', end: '19:00', label: 'lekarz' },
        reason: 'Wizyta u lekarza.',
      },
    );
    const order = await check<{ versions: Record<string, unknown>[] }>(
      judge,
      'getOrder',
      `/api/v1/orders/${ids.in.order}`,
    );
    const { version: _v, recordedBy: _r, recordedAt: _at, ...last } = order.versions.at(-1)!;
    await check(judge, 'amendOrder', `/api/v1/orders/${ids.in.order}/versions`, {
      ...last,
      validFrom: new Date(Date.now() + 3_600_000).toISOString(),
      decidedOn: new Date().toISOString().slice(0, 10),
      reason: 'Zmiana godzin pracy.',
    });
    const person = await check<{ id: string }>(judge, 'createPerson', '/api/v1/persons', {
      givenName: 'Adam',
      familyName: 'Schematowy',
      birthDate: '1985-02-03',
    });
    await check(judge, 'createProtectedPerson', '/api/v1/protected-persons', {
      givenName: 'Ewa',
      familyName: 'Chroniona',
      consentedOn: '2024-10-01',
    });
    const opened = await check<{ id: string }>(judge, 'createCase', '/api/v1/cases', {
      caseNumber: 'II K 950/24',
      courtId: 'SO-WAW',
      judgmentDate: '2024-11-05',
      personId: person.id,
    });
    await check(judge, 'updateCase', `/api/v1/cases/${opened.id}`, {
      probationOfficerId: ids.in.probation_officer,
    });
    const user = await check<{ user: { id: string } }>(admin, 'createUser', '/api/v1/users', {
      login: 'schema.check',
      displayName: 'Schema Check',
      role: 'operator',
      regionId: 'PL-MZ',
      password: 'Haslo-dlugie-123',
    });
    await check(admin, 'updateUser', `/api/v1/users/${user.user.id}`, { active: false });
    await check(admin, 'putRegion', '/api/v1/regions/PL-MZ', { name: 'Mazowsze' });
    await check(admin, 'putCourt', '/api/v1/courts/SO-WAW', {
      name: 'Sąd Okręgowy w Warszawie',
      regionId: 'PL-MZ',
    });
    expect(bad).toEqual([]);
  });

  it.skipIf(!available)("a judge cannot pull another court's person into his case", async () => {
    const judge = callers.get('judge')!;
    const theirs = ids.out.person!;
    const opened = await judge<{ error: string; messagePl: string }>('POST', '/api/v1/cases', {
      caseNumber: 'II K 901/24',
      courtId: 'SO-WAW',
      judgmentDate: '2024-11-05',
      personId: theirs,
    });
    expect(opened.status).toBe(404);
    expect(opened.body.error).toBe('not_found');
    expect(opened.body.messagePl).toMatch(/Nie znaleziono/);
    const patched = await judge('PATCH', `/api/v1/cases/${ids.in.case}`, {
      probationOfficerId: ids.out.probation_officer,
    });
    expect(patched.status).toBe(404);
    expect((await judge('GET', `/api/v1/persons/${theirs}`)).status).toBe(404);
    // A person the judge's court registered is his to open a case for, before any case exists.
    const mine = await judge<{ id: string }>('POST', '/api/v1/persons', {
      givenName: 'Tomasz',
      familyName: 'Testowy',
      birthDate: '1990-01-01',
    });
    expect(mine.status).toBe(201);
    expect((await judge('GET', `/api/v1/persons/${mine.body.id}`)).status).toBe(200);
    const ok = await judge<{ id: string }>('POST', '/api/v1/cases', {
      caseNumber: 'II K 902/24',
      courtId: 'SO-WAW',
      judgmentDate: '2024-11-05',
      personId: mine.body.id,
      probationOfficerId: ids.in.probation_officer,
    });
    expect(ok.status).toBe(201);
    // Szczecin's judge does not see that person.
    const other = seed.users.find((u) => u.login === 'demo.judge.szczecin')!;
    const szc = await signedIn(tc, other.login, other.password);
    expect((await szc('GET', `/api/v1/persons/${mine.body.id}`)).status).toBe(404);
  });

  it.skipIf(!available)('the Bureau may not assign an officer of another region (jurisdiction)', async () => {
    const admin = callers.get('bureau_admin')!;
    const r = await admin<{ error: string; messagePl: string }>('PATCH', `/api/v1/cases/${ids.in.case}`, {
      probationOfficerId: ids.out.probation_officer,
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('outside_jurisdiction');
    expect(r.body.messagePl).toMatch(/kurator/);
  });

  it.skipIf(!available)('reads of personal data are in the audit log, without the values', async () => {
    const officer = callers.get('probation_officer')!;
    expect((await officer('GET', `/api/v1/persons/${ids.in.person}`)).status).toBe(200);
    expect((await officer('GET', `/api/v1/supervisions?caseId=${ids.in.case}`)).status).toBe(200);
    const auditor = callers.get('auditor')!;
    const log = await auditor<{
      records: {
        action: string;
        entityId: string;
        actorLogin: string;
        terminal: string;
        requestId: string | null;
        changes: Record<string, unknown>;
      }[];
    }>('GET', `/api/v1/audit?actor=demo.officer&limit=50`);
    const read = log.body.records.find((r) => r.action === 'person.read' && r.entityId === ids.in.person);
    expect(read).toBeDefined();
    expect(read!.requestId).toBeTruthy();
    expect(read!.terminal).toBeTruthy();
    expect(JSON.stringify(read!.changes)).not.toMatch(/Jan|Kowalski/);
    const list = log.body.records.find((r) => r.action === 'supervision.list');
    expect(list!.changes).toMatchObject({ filter: { caseId: ids.in.case }, count: 1 });
  });

  it.skipIf(!available)('signing out is for any signed-in user', async () => {
    for (const role of ROLES) {
      const r = await callers.get(role)!('POST', '/api/v1/auth/logout', {});
      expect(r.status).toBe(200);
    }
  });
});
