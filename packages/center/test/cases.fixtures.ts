/** Test data builders for the cases API: `buildX(overrides)` gives a valid request body. */
import { localDateOf } from '@sde/domain';
import type { TestCenter } from './harness.js';

/** Today in Warsaw. */
export const today = () => localDateOf(Date.now());

/** An ISO instant `minutes` from now. */
export const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

/** The address the fixtures' persons live at. */
export const ADDRESS = { street: 'ul. Długa 5 m. 3', postalCode: '00-238', city: 'Warszawa' };

/** A weekly schedule: work on weekdays, church on Sunday. */
export function buildSchedule(overrides: Record<string, unknown> = {}) {
  const work = [{ start: '07:00', end: '15:30', label: 'praca' }];
  return {
    weekly: {
      mon: work,
      tue: work,
      wed: work,
      thu: work,
      fri: work,
      sat: [{ start: '10:00', end: '12:00', label: 'zakupy' }],
      sun: [{ start: '09:00', end: '11:00', label: 'kościół' }],
      ...overrides,
    },
  };
}

/** A stationary order (stay at home in the schedule's windows). */
export function buildStationaryOrder(weekly: Record<string, unknown> = {}) {
  return {
    supervisionKinds: ['stationary'],
    obligations: [
      {
        kind: 'stay_at_place',
        place: { address: ADDRESS, rangeMeters: 50 },
        schedule: buildSchedule(weekly),
      },
    ],
    devices: ['transmitter', 'stationary_unit'],
    readinessDeadlineHours: 24,
  };
}

/** A mobile order with one exclusion zone. */
export function buildMobileOrder(ring: { lat: number; lon: number }[]) {
  return {
    supervisionKinds: ['mobile'],
    obligations: [
      { kind: 'exclusion_zone', id: 'z1', name: 'ul. Szkolna 3 — szkoła', zone: { kind: 'polygon', ring } },
    ],
    devices: ['transmitter', 'portable_unit'],
    readinessDeadlineHours: 24,
  };
}

/** An application that passes every statutory check. */
export function buildApplication(overrides: Record<string, unknown> = {}) {
  return {
    filerKind: 'convict',
    filerName: 'Jan Kowalski',
    receivedOn: today(),
    justification: 'Praca na etat, opieka nad dzieckiem.',
    coResidents: [{ name: 'Anna Kowalska', adult: true, consentInWritingOn: today() }],
    technicianContactPhone: '+48 600 100 200',
    sentences: [{ kind: 'imprisonment', term: { months: 6 } }],
    hasPermanentAddress: true,
    recidivistArt64Par2: false,
    ...overrides,
  };
}

let counter = 0;

/** Creates a person and a case at `courtId`; returns their ids. */
export async function createCase(
  tc: TestCenter,
  opts: { courtId: string; probationOfficerId?: string; judgeId?: string; personId?: string },
) {
  let personId = opts.personId;
  if (!personId) {
    const p = await tc.api<{ id: string }>('POST', '/api/v1/persons', {
      givenName: 'Jan',
      familyName: `Kowalski-${++counter}`,
      birthDate: '1985-04-12',
      permanentAddress: ADDRESS,
    });
    if (p.status !== 201) throw new Error(`person: ${JSON.stringify(p.body)}`);
    personId = p.body.id;
  }
  const c = await tc.api<{ id: string }>('POST', '/api/v1/cases', {
    caseNumber: `II K ${100 + ++counter}/24`,
    courtId: opts.courtId,
    judgmentDate: '2024-11-05',
    personId,
    ...(opts.probationOfficerId ? { probationOfficerId: opts.probationOfficerId } : {}),
    ...(opts.judgeId ? { judgeId: opts.judgeId } : {}),
    monitoringAddress: ADDRESS,
  });
  if (c.status !== 201) throw new Error(`case: ${JSON.stringify(c.body)}`);
  return { personId, caseId: c.body.id };
}

/** Files an application and returns its id and the supervision's. */
export async function fileApplication(
  tc: TestCenter,
  caseId: string,
  overrides: Record<string, unknown> = {},
) {
  const a = await tc.api<{ id: string; supervisionId: string }>(
    'POST',
    `/api/v1/cases/${caseId}/applications`,
    buildApplication(overrides),
  );
  if (a.status !== 201) throw new Error(`application: ${JSON.stringify(a.body)}`);
  return { applicationId: a.body.id, supervisionId: a.body.supervisionId };
}

/** Takes a new case all the way to `granted` with `order`. */
export async function grantedSupervision(
  tc: TestCenter,
  opts: {
    courtId: string;
    probationOfficerId?: string;
    personId?: string;
    order?: unknown;
    decidedAt?: string;
  },
) {
  const c = await createCase(tc, opts);
  const a = await fileApplication(tc, c.caseId);
  const d = await tc.api<{ status: string; order: { id: string } }>(
    'POST',
    `/api/v1/applications/${a.applicationId}/decision`,
    {
      outcome: 'granted',
      reason: 'Spełnione przesłanki art. 43h KKW.',
      decidedAt: opts.decidedAt ?? minutesFromNow(-30),
      order: opts.order ?? buildStationaryOrder(),
    },
  );
  if (d.status !== 201) throw new Error(`decision: ${JSON.stringify(d.body)}`);
  return { ...c, ...a, orderId: d.body.order.id };
}

/** Signs a user in and returns a caller with their session cookie. */
export async function signedIn(tc: TestCenter, login: string, password: string) {
  const res = await fetch(`${tc.center.httpUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': 'vitest-terminal' },
    body: JSON.stringify({ login, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${login} failed: ${res.status}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return async <T = Record<string, unknown>>(method: string, path: string, body?: unknown) => {
    const r = await fetch(`${tc.center.httpUrl}${path}`, {
      method,
      headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, body: (await r.json()) as T };
  };
}

/** Creates a user with the admin token; returns its id. */
export async function createUser(
  tc: TestCenter,
  u: { login: string; role: string; regionId?: string; courtId?: string; email?: string },
): Promise<string> {
  const r = await tc.api<{ user: { id: string } }>('POST', '/api/v1/users', {
    displayName: u.login,
    password: 'a long test password',
    ...u,
  });
  if (r.status !== 201) throw new Error(`user ${u.login}: ${JSON.stringify(r.body)}`);
  return r.body.user.id;
}
