/**
 * The 12-hour rule across the order's versions and the probation officer's exceptions, through the API on
 * PGlite and PostgreSQL (issue 20, ADR 0601): an amendment that leaves no room for an exception approved
 * earlier is refused, and a new exception is judged under the version in force on its day.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../src/auth/actor.js';
import { createCaseRepository } from '../src/cases/case.repository.js';
import { createCaseService } from '../src/cases/case.service.js';
import { createSupervisionService } from '../src/cases/supervision.service.js';
import { startTestCenter, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';
import {
  buildStationaryOrder,
  createUser,
  grantedSupervision,
  minutesFromNow,
  signedIn,
  today,
} from './cases.fixtures.js';

/** A refusal as the API answers it: a stable code and both languages. */
type Refusal = Record<'error' | 'message' | 'messagePl', string>;

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

const work = (end: string) => [{ start: '07:00', end, label: 'praca' }];

describe.each(setups)('versions and exceptions together on %s', (storage, available) => {
  let tc: TestCenter;
  let po: string;
  let poElsewhere: string;

  beforeAll(async () => {
    if (!available) return;
    tc = await startTestCenter(storage, 'embedded');
    await tc.api('PUT', '/api/v1/regions/PL-MZ', { name: 'mazowiecki' });
    await tc.api('PUT', '/api/v1/courts/SR-WAW', { name: 'Sąd Rejonowy dla Warszawy', regionId: 'PL-MZ' });
    await createUser(tc, { login: 'judge.rules', role: 'judge', courtId: 'SR-WAW' });
    po = await createUser(tc, { login: 'po.rules', role: 'probation_officer', regionId: 'PL-MZ' });
    await tc.api('PUT', '/api/v1/regions/PL-ZP', { name: 'zachodniopomorski' });
    poElsewhere = await createUser(tc, { login: 'po.zp', role: 'probation_officer', regionId: 'PL-ZP' });
  });
  afterAll(async () => {
    if (available) await tc?.close();
  });

  const versionCount = async () => {
    const db = tc.center.database.db;
    const r = await db
      .selectFrom('court_order_versions')
      .select(db.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  };

  it.skipIf(!available)(
    'refuses an amendment that makes a day with an approved exception 13 hours away, naming the day',
    async () => {
      // Weekdays 07:00–15:30 (8.5 h); the officer lets the person out 17:00–20:30 on Monday 7 January 2030.
      const s = await grantedSupervision(tc, { courtId: 'SR-WAW', probationOfficerId: po });
      const officer = await signedIn(tc, 'po.rules', 'a long test password');
      const judge = await signedIn(tc, 'judge.rules', 'a long test password');
      const approved = await officer('POST', `/api/v1/supervisions/${s.supervisionId}/schedule-exceptions`, {
        date: '2030-01-07',
        window: { start: '17:00', end: '20:30', label: 'lekarz' },
        reason: 'wizyta lekarska',
      });
      expect(approved.status).toBe(201);

      const amend = (mon: unknown, validFrom: string) =>
        judge<Refusal>('POST', `/api/v1/orders/${s.orderId}/versions`, {
          ...buildStationaryOrder({ mon }),
          validFrom,
          decidedOn: today(),
          reason: 'Dłuższe godziny pracy w poniedziałki.',
        });
      const before = await versionCount();
      // Monday work until 16:30 is 9.5 h: with the exception, 13 h on 7 January 2030.
      const refused = await amend(work('16:30'), minutesFromNow(5));
      expect(refused.status).toBe(409);
      expect(refused.body.error).toBe('schedule_day_over_12h');
      expect(refused.body.messagePl).toContain('07.01.2030 (poniedziałek)');
      expect(refused.body.messagePl).toContain('13 h');
      expect(refused.body.message).toContain('Monday 7 January 2030');
      expect(await versionCount()).toBe(before);

      // The same change from the day after the exception leaves it alone, and is accepted.
      const later = await amend(work('16:30'), '2030-01-08T00:00:00+01:00');
      expect(later.status).toBe(201);
      expect(await versionCount()).toBe(before + 1);
    },
  );

  it.skipIf(!available)(
    'judges a new exception under the version in force on its day, not the latest version',
    async () => {
      const s = await grantedSupervision(tc, { courtId: 'SR-WAW', probationOfficerId: po });
      const officer = await signedIn(tc, 'po.rules', 'a long test password');
      const judge = await signedIn(tc, 'judge.rules', 'a long test password');
      // From February 2030 Monday work runs until 18:00 (11 h).
      const amended = await judge('POST', `/api/v1/orders/${s.orderId}/versions`, {
        ...buildStationaryOrder({ mon: work('18:00') }),
        validFrom: '2030-02-01T00:00:00+01:00',
        decidedOn: today(),
        reason: 'Nowa umowa o pracę od lutego.',
      });
      expect(amended.status).toBe(201);
      const exception = (date: string) =>
        officer<Refusal>('POST', `/api/v1/supervisions/${s.supervisionId}/schedule-exceptions`, {
          date,
          window: { start: '18:30', end: '22:00', label: 'lekarz' },
          reason: 'wizyta lekarska',
        });
      // 14 January: version 1 (8.5 h) is in force, so 3.5 h more make 12 h.
      expect((await exception('2030-01-14')).status).toBe(201);
      // 4 February: version 2 (11 h) is in force, so the same 3.5 h make 14.5 h.
      const refused = await exception('2030-02-04');
      expect(refused.status).toBe(400);
      expect(refused.body.error).toBe('schedule_day_over_12h');
      expect(refused.body.messagePl).toContain('04.02.2030');
      expect(refused.body.messagePl).toContain('wersji 2');
    },
  );

  it.skipIf(!available)(
    'the case service itself refuses an officer of another region, not only the HTTP layer',
    async () => {
      const s = await grantedSupervision(tc, { courtId: 'SR-WAW' });
      const db = tc.center.database.db;
      const repo = createCaseRepository(db);
      const cases = createCaseService({ db, repo, supervisions: createSupervisionService({ db, repo }) });
      const bureau: Actor = {
        userId: null,
        login: 'rules-test',
        displayName: 'Biuro',
        role: 'bureau_admin',
        regionId: null,
        courtId: null,
        terminal: 'test',
      };
      const refused = cases.updateCase(bureau, s.caseId, { probationOfficerId: poElsewhere });
      await expect(refused).rejects.toMatchObject({ code: 'outside_jurisdiction', status: 400 });
      await expect(refused).rejects.toThrow(/region or court of this case/);
      const assigned = await cases.updateCase(bureau, s.caseId, { probationOfficerId: po });
      expect(assigned).toMatchObject({ probationOfficerId: po });
    },
  );
});
