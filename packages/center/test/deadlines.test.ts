/**
 * The deadline job (docs/deadlines.md, "How deadline tasks are raised"): a deadline that passes while nobody
 * writes to the case still marks its task overdue and raises the follow-up task on the responsible person's
 * list, within seconds; a restart neither loses nor duplicates tasks; two centers on one PostgreSQL server
 * raise each task once — on PGlite and PostgreSQL.
 */
import { localDateOf } from '@sde/domain';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger, loadConfig, startCenter, type Center } from '../src/index.js';
import { buildStationaryOrder, createCase, createUser, fileApplication, signedIn } from './cases.fixtures.js';
import { startTestCenter, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';

interface Task {
  supervisionId: string;
  code: string;
  responsible: string;
  dueAt: string | null;
  overdue: boolean;
  dueSoon: boolean;
}

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

const HOUR = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Polls `f` until it returns a value, for at most `ms`. */
async function eventually<T>(f: () => Promise<T | undefined>, ms = 15_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The next midnight in Warsaw after `ms` (the end of a deadline counted in days). */
function nextWarsawMidnight(ms: number): number {
  const day = localDateOf(ms);
  for (let t = ms; ; t += 15 * 60_000) {
    if (localDateOf(t) !== day) {
      // Narrow down to the exact minute, then second.
      let lo = t - 15 * 60_000;
      let hi = t;
      while (hi - lo > 1000) {
        const mid = Math.floor((lo + hi) / 2 / 1000) * 1000;
        if (localDateOf(mid) === day) lo = mid;
        else hi = mid;
      }
      return hi;
    }
  }
}

describe.each(setups)('deadline tasks on %s', (storage, available) => {
  let tc: TestCenter;
  let original: Center;
  let judgeId: string;
  let po: string;

  /** Admin-token calls against `center` (the test center, or one started on the same storage). */
  const apiOf =
    (center: Center) =>
    async <T>(method: string, path: string, body?: unknown) => {
      const r = await fetch(`${center.httpUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${center.adminToken}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: r.status, body: (await r.json()) as T };
    };

  /** Points the fixtures at `center` (a center restarted on the same storage). */
  function useCenter(center: Center) {
    tc.center = center;
    const api = apiOf(center);
    tc.api = (method, path, body) => api(method, path, body) as never;
  }

  /** A case granted with the announcement at `announcedAt` (the readiness deadline runs 24 h from it). */
  async function granted(announcedAt: number, receivedOn = localDateOf(announcedAt - HOUR)) {
    const c = await createCase(tc, { courtId: 'SR-WAW', judgeId, probationOfficerId: po });
    const a = await fileApplication(tc, c.caseId, {
      receivedOn,
      coResidents: [{ name: 'Anna Kowalska', adult: true, consentInWritingOn: receivedOn }],
    });
    const d = await tc.api<{ status: string }>('POST', `/api/v1/applications/${a.applicationId}/decision`, {
      outcome: 'granted',
      reason: 'Spełnione przesłanki art. 43h KKW.',
      decidedAt: iso(announcedAt - 60_000),
      announcedOrDeliveredAt: iso(announcedAt),
      order: buildStationaryOrder(),
    });
    if (d.status !== 201) throw new Error(`decision: ${JSON.stringify(d.body)}`);
    return a.supervisionId;
  }

  /** Every task row of a supervision with `code`, open or closed (to prove none is duplicated). */
  async function taskRows(supervisionId: string, code: string) {
    const db = tc.center.database.db;
    return db
      .selectFrom('tasks')
      .select(['id', 'done_at'])
      .where('supervision_id', '=', supervisionId)
      .where('code', '=', code)
      .execute();
  }

  async function jobAudits(api: ReturnType<typeof apiOf>, supervisionId: string) {
    const r = await api<{ records: { action: string; actorLogin: string; actorRole: string }[] }>(
      'GET',
      `/api/v1/audit?entity=supervision&entityId=${supervisionId}`,
    );
    return r.body.records.filter((x) => x.actorLogin === 'deadline-job');
  }

  beforeAll(async () => {
    if (!available) return;
    tc = await startTestCenter(storage, 'embedded');
    original = tc.center;
    await tc.api('PUT', '/api/v1/regions/PL-MZ', { name: 'mazowiecki' });
    await tc.api('PUT', '/api/v1/courts/SR-WAW', { name: 'Sąd Rejonowy dla Warszawy', regionId: 'PL-MZ' });
    judgeId = await createUser(tc, { login: 'judge.dl', role: 'judge', courtId: 'SR-WAW' });
    po = await createUser(tc, { login: 'po.dl', role: 'probation_officer', regionId: 'PL-MZ' });
    await createUser(tc, { login: 'installer.dl', role: 'installer', regionId: 'PL-MZ' });
    await createUser(tc, { login: 'operator.dl', role: 'operator', regionId: 'PL-MZ' });
  });
  afterAll(async () => {
    if (!available || !tc) return;
    if (tc.center !== original) await tc.center.stop();
    await tc.close();
  });

  it.skipIf(!available)(
    'a readiness deadline passes with no write: the report is overdue and the judge is asked to revoke',
    async () => {
      const judge = await signedIn(tc, 'judge.dl', 'a long test password');
      const operator = await signedIn(tc, 'operator.dl', 'a long test password');
      const announcedAt = Date.now() - 24 * HOUR + 5000;
      const supervisionId = await granted(announcedAt);
      const dueAt = announcedAt + 24 * HOUR;

      const mine = async (who: typeof judge) =>
        (await who<{ items: Task[] }>('GET', '/api/v1/tasks?limit=200')).body.items.filter(
          (t) => t.supervisionId === supervisionId,
        );
      // Before the instant: the person's report is due within the warning window, nothing for the judge.
      const before = await mine(operator);
      expect(before.find((t) => t.code === 'report_readiness')).toMatchObject({
        overdue: false,
        dueSoon: true,
      });
      expect(await mine(judge)).toEqual([]);

      const revoke = await eventually(async () =>
        (await mine(judge)).find((t) => t.code === 'revoke_for_missed_readiness'),
      );
      const lateBy = Date.now() - dueAt;
      expect(lateBy).toBeGreaterThanOrEqual(0);
      expect(lateBy).toBeLessThan(5000);
      expect(revoke).toMatchObject({ responsible: 'penitentiary_judge', dueAt: null, overdue: false });
      expect((await mine(operator)).find((t) => t.code === 'report_readiness')).toMatchObject({
        overdue: true,
        dueSoon: false,
      });

      const audits = await jobAudits(apiOf(tc.center), supervisionId);
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({ action: 'tasks.deadline', actorRole: 'system' });

      // The judge acts on the task: it closes (and the job does not reopen it).
      const r = await judge<{ status: string; tasks: Task[] }>(
        'POST',
        `/api/v1/supervisions/${supervisionId}/revocation`,
        { reason: 'readiness_deadline_missed', note: 'Skazany nie zgłosił gotowości w terminie.' },
      );
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ status: 'revoked', tasks: [] });
    },
  );

  it.skipIf(!available)(
    'a restart catches up with a deadline missed while the center was down, and duplicates nothing',
    async () => {
      const passed = await granted(Date.now() - 25 * HOUR); // its revoke task is raised by the write itself
      const announcedAt = Date.now() - 24 * HOUR + 4000;
      const supervisionId = await granted(announcedAt);
      // Stop before the instant; it passes while no center runs.
      await tc.center.stop();
      await new Promise((r) => setTimeout(r, Math.max(0, announcedAt + 24 * HOUR - Date.now() + 200)));
      for (let i = 0; i < 2; i++) {
        const center = await startCenter(loadConfig(tc.env), createLogger('silent'));
        useCenter(center);
        const api = apiOf(center);
        // `start` awaits the catch-up: the task is there as soon as the center answers.
        const tasks = await api<{ items: Task[] }>('GET', '/api/v1/tasks?limit=200');
        for (const id of [supervisionId, passed]) {
          expect(
            tasks.body.items.filter(
              (t) => t.supervisionId === id && t.code === 'revoke_for_missed_readiness',
            ),
          ).toHaveLength(1);
          expect(await taskRows(id, 'revoke_for_missed_readiness')).toHaveLength(1);
        }
        expect(await jobAudits(api, supervisionId)).toHaveLength(1);
        expect(await jobAudits(api, passed)).toHaveLength(0);
        await center.stop();
      }
      useCenter(await startCenter(loadConfig(tc.env), createLogger('silent')));
    },
  );

  it.skipIf(!available || storage !== 'postgres')(
    'two centers on one PostgreSQL server raise the follow-up task once',
    async () => {
      const announcedAt = Date.now() - 24 * HOUR + 4000;
      const supervisionId = await granted(announcedAt);
      // The second center arms its timer for the same instant from the tasks table at start.
      const second = await startCenter(loadConfig(tc.env), createLogger('silent'));
      try {
        await eventually(async () =>
          (await taskRows(supervisionId, 'revoke_for_missed_readiness')).length > 0 ? true : undefined,
        );
        // Give the slower of the two centers time to finish its sweep.
        await new Promise((r) => setTimeout(r, 1500));
        expect(await taskRows(supervisionId, 'revoke_for_missed_readiness')).toHaveLength(1);
        expect(await jobAudits(apiOf(tc.center), supervisionId)).toHaveLength(1);
      } finally {
        await second.stop();
      }
    },
  );

  // Moves this process's clock to a few seconds before a Warsaw midnight (days end at midnight).
  it.skipIf(!available)(
    'an installation deadline passes with no write: the installer’s task is overdue and the operator must report it',
    async () => {
      const midnight = nextWarsawMidnight(Date.now());
      vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
      try {
        vi.setSystemTime(midnight - 6000);
        // Readiness reported at noon three days before the last day: installation due at `midnight`.
        const reportedAt = midnight - 3 * 24 * HOUR - 12 * HOUR;
        const supervisionId = await granted(reportedAt - HOUR);
        const ready = await tc.api<{ status: string; deadlines: { installation: { dueUtcMs: number } } }>(
          'POST',
          `/api/v1/supervisions/${supervisionId}/readiness`,
          { at: iso(reportedAt) },
        );
        expect(ready.status).toBe(200);
        expect(ready.body.deadlines.installation.dueUtcMs).toBe(midnight);

        const installer = await signedIn(tc, 'installer.dl', 'a long test password');
        const operator = await signedIn(tc, 'operator.dl', 'a long test password');
        const mine = async (who: typeof installer) =>
          (await who<{ items: Task[] }>('GET', '/api/v1/tasks?limit=200')).body.items.filter(
            (t) => t.supervisionId === supervisionId,
          );
        expect((await mine(installer)).map((t) => [t.code, t.overdue, t.dueSoon])).toEqual([
          ['install_devices', false, true],
        ]);
        expect((await mine(operator)).map((t) => t.code)).toEqual([]);

        const report = await eventually(async () =>
          (await mine(operator)).find((t) => t.code === 'report_missed_installation'),
        );
        expect(Date.now() - midnight).toBeLessThan(5000);
        expect(report).toMatchObject({ responsible: 'operator' });
        expect((await mine(installer)).map((t) => [t.code, t.overdue])).toEqual([['install_devices', true]]);
        expect(await jobAudits(apiOf(tc.center), supervisionId)).toHaveLength(1);

        // Revoking (the person would not let the technicians in) closes both.
        const installedTasks = await tc.api<{ status: string; tasks: Task[] }>(
          'POST',
          `/api/v1/supervisions/${supervisionId}/revocation`,
          { reason: 'evaded_installation', note: 'Nie wpuścił techników.' },
        );
        expect(installedTasks.body).toMatchObject({ status: 'revoked', tasks: [] });
      } finally {
        vi.useRealTimers();
      }
    },
  );
  // After the installation test: its clock jump sets the deadline job's watermark past tonight's midnight, and a
  // job never sees its clock go back a day in service, so this one jumps to the midnight after.
  it.skipIf(!available)(
    'the sentence’s last day passes with no write: the judge records the end, the installer removes the devices',
    async () => {
      const midnight = nextWarsawMidnight(nextWarsawMidnight(Date.now()) + HOUR);
      vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
      try {
        vi.setSystemTime(midnight - 6000);
        // A one-day sentence activated this evening: its only day ends at `midnight` (R8, ADR 0104).
        const c = await createCase(tc, { courtId: 'SR-WAW', judgeId, probationOfficerId: po });
        const a = await fileApplication(tc, c.caseId, {
          receivedOn: localDateOf(midnight - 4 * HOUR),
          sentences: [{ kind: 'imprisonment', term: { days: 1 } }],
        });
        const decided = await tc.api('POST', `/api/v1/applications/${a.applicationId}/decision`, {
          outcome: 'granted',
          reason: 'Spełnione przesłanki art. 43h KKW.',
          decidedAt: iso(midnight - 3 * HOUR),
          announcedOrDeliveredAt: iso(midnight - 3 * HOUR),
          order: buildStationaryOrder(),
        });
        expect(decided.status).toBe(201);
        const id = a.supervisionId;
        const tag = id.slice(0, 8).toUpperCase();
        await tc.api('POST', '/api/v1/devices', { kind: 'transmitter', ids: [`TX-END-${tag}`] });
        await tc.api('POST', '/api/v1/devices', { kind: 'home_unit', ids: [`HU-END-${tag}`] });
        const steps: [string, unknown][] = [
          ['readiness', { at: iso(midnight - 2 * HOUR) }],
          [
            'installation',
            {
              at: iso(midnight - HOUR),
              deviceIds: [`TX-END-${tag}`, `HU-END-${tag}`],
              protocolNumber: 'PI/9',
            },
          ],
          ['activation', { at: iso(midnight - HOUR / 2), protocolNumber: 'PU/9' }],
          ['execution', { at: iso(midnight - HOUR / 4) }],
        ];
        for (const [step, body] of steps) {
          const r = await tc.api<{ sentenceEnd: { endsAt: string } | null }>(
            'POST',
            `/api/v1/supervisions/${id}/${step}`,
            body,
          );
          expect(r.status, step).toBe(200);
          if (step === 'activation') expect(Date.parse(r.body.sentenceEnd!.endsAt)).toBe(midnight);
        }

        const judge = await signedIn(tc, 'judge.dl', 'a long test password');
        const installer = await signedIn(tc, 'installer.dl', 'a long test password');
        const mine = async (who: typeof judge) =>
          (await who<{ items: Task[] }>('GET', '/api/v1/tasks?limit=200')).body.items.filter(
            (t) => t.supervisionId === id,
          );
        expect(await mine(judge)).toEqual([]);
        expect(await mine(installer)).toEqual([]);

        // At midnight the job raises both follow-ups without any write to the case.
        const end = await eventually(async () => (await mine(judge)).find((t) => t.code === 'end_sentence'));
        expect(Date.now() - midnight).toBeLessThan(5000);
        expect(end).toMatchObject({ responsible: 'penitentiary_judge', overdue: false });
        expect((await mine(installer)).map((t) => t.code)).toEqual(['remove_devices']);

        // The judge records the end: the removal stays open until the devices are back.
        const ended = await judge<{ status: string; tasks: Task[] }>(
          'POST',
          `/api/v1/supervisions/${id}/end`,
          {},
        );
        expect(ended.body.status).toBe('ended_served');
        expect(ended.body.tasks.map((t) => t.code)).toEqual(['remove_devices']);
        const removed = await installer<{ tasks: Task[]; history: { type: string }[] }>(
          'POST',
          `/api/v1/supervisions/${id}/removal`,
          { protocolNumber: 'PD/9' },
        );
        expect(removed.status).toBe(200);
        expect(removed.body.tasks).toEqual([]);
        expect(removed.body.history.at(-1)?.type).toBe('remove_devices');
      } finally {
        vi.useRealTimers();
      }
    },
  );
});
