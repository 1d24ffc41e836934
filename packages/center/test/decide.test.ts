/**
 * The judge's decision on an application (issue 20): the application carries the date the judgment became
 * final and the flat owner's permission; a grant past a statutory bar needs a written reason, kept and shown
 * with the decision; the grant sets how readiness is reported — on PGlite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCenter, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';
import {
  buildApplication,
  buildStationaryOrder,
  createCase,
  createUser,
  fileApplication,
  minutesFromNow,
  signedIn,
} from './cases.fixtures.js';

interface Refusal {
  error: string;
  message: string;
  messagePl: string;
}
interface Bar {
  id: string;
  pl: string;
  en: string;
}
interface ApplicationView {
  id: string;
  judgmentFinalOn?: string | null;
  flatOwner?: { ownerIsPerson: boolean; ownerName?: string; permissionInWritingOn?: string } | null;
  grantBars?: Bar[];
  restricted?: string[];
}
interface SupervisionView {
  id: string;
  status: string;
  decisions: {
    outcome: string;
    reason?: string;
    overriddenBars?: Bar[];
    barOverrideReason?: string | null;
  }[];
  readinessManner?: { kind: string; details: string; description: { pl: string; en: string } } | null;
  tasks: { code: string; pl: string }[];
  history: { type: string; manner?: string }[];
  restricted?: string[];
}

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

describe.each(setups)('deciding an application on %s', (storage, available) => {
  let tc: TestCenter;
  let judge: Awaited<ReturnType<typeof signedIn>>;
  let installer: Awaited<ReturnType<typeof signedIn>>;
  const grant = (extra: Record<string, unknown> = {}) => ({
    outcome: 'granted',
    reason: 'Dozór wystarczy dla osiągnięcia celów kary.',
    decidedAt: minutesFromNow(-30),
    order: buildStationaryOrder(),
    readinessManner: { kind: 'phone', details: 'tel. 22 123 45 67' },
    ...extra,
  });
  const decisionsCount = async () =>
    Number(
      (
        await tc.center.database.db
          .selectFrom('decisions')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  beforeAll(async () => {
    if (!available) return;
    tc = await startTestCenter(storage, 'embedded');
    await tc.api('PUT', '/api/v1/regions/PL-MZ', { name: 'mazowiecki' });
    await tc.api('PUT', '/api/v1/courts/SR-WAW', { name: 'Sąd Rejonowy dla Warszawy', regionId: 'PL-MZ' });
    await createUser(tc, { login: 'judge.dec', role: 'judge', courtId: 'SR-WAW' });
    await createUser(tc, { login: 'installer.dec', role: 'installer', regionId: 'PL-MZ' });
    judge = await signedIn(tc, 'judge.dec', 'a long test password');
    installer = await signedIn(tc, 'installer.dec', 'a long test password');
  });
  afterAll(async () => {
    if (available) await tc?.close();
  });

  it.skipIf(!available)('refuses an application received before the judgment became final', async () => {
    const c = await createCase(tc, { courtId: 'SR-WAW' });
    const r = await judge<Refusal>(
      'POST',
      `/api/v1/cases/${c.caseId}/applications`,
      buildApplication({ receivedOn: '2024-12-09', judgmentFinalOn: '2024-12-10' }),
    );
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('application_before_final_judgment');
    expect(r.body.messagePl).toContain('10.12.2024');
    expect(r.body.message).toContain('became final');
    const listed = await judge<{ applications: unknown[] }>('GET', `/api/v1/cases/${c.caseId}`);
    expect(listed.body.applications).toEqual([]);
    // The day it became final is accepted.
    const ok = await judge<ApplicationView>(
      'POST',
      `/api/v1/cases/${c.caseId}/applications`,
      buildApplication({ receivedOn: '2024-12-10', judgmentFinalOn: '2024-12-10' }),
    );
    expect(ok.status).toBe(201);
    expect(ok.body.judgmentFinalOn).toBe('2024-12-10');
  });

  it.skipIf(!available)('refuses a judgment final before the case’s judgment was given', async () => {
    const c = await createCase(tc, { courtId: 'SR-WAW' });
    const r = await judge<Refusal>(
      'POST',
      `/api/v1/cases/${c.caseId}/applications`,
      buildApplication({ judgmentFinalOn: '2024-11-01' }),
    );
    expect(r.status).toBe(400);
    expect(r.body.error).toBe('judgment_final_before_judgment');
  });

  it.skipIf(!available)(
    'shows the owner’s permission and the bars to the judge, and neither to the installer',
    async () => {
      const c = await createCase(tc, { courtId: 'SR-WAW' });
      const a = await fileApplication(tc, c.caseId, {
        flatOwner: { ownerIsPerson: false, ownerName: 'Spółdzielnia „Zorza”' },
        sentences: [{ kind: 'imprisonment', term: { years: 2 } }],
      });
      const seen = await judge<ApplicationView>('GET', `/api/v1/applications/${a.applicationId}`);
      expect(seen.body.flatOwner).toEqual({ ownerIsPerson: false, ownerName: 'Spółdzielnia „Zorza”' });
      expect(seen.body.grantBars?.map((b) => b.id)).toEqual(['sentence_length', 'flat_owner_permission']);
      expect(seen.body.grantBars?.[0]?.pl).toContain('przekracza limit');
      const theirs = await installer<ApplicationView>('GET', `/api/v1/applications/${a.applicationId}`);
      expect(theirs.status).toBe(200);
      expect(theirs.body).not.toHaveProperty('flatOwner');
      expect(theirs.body).not.toHaveProperty('grantBars');
      expect(theirs.body.restricted).toContain('application_details');
    },
  );

  it.skipIf(!available)(
    'refuses a grant past the survey’s “not feasible” without a written reason, then keeps the reason given',
    async () => {
      const c = await createCase(tc, { courtId: 'SR-WAW' });
      const a = await fileApplication(tc, c.caseId);
      expect(
        (
          await installer('POST', `/api/v1/applications/${a.applicationId}/survey`, {
            outcome: 'not_feasible',
          })
        ).status,
      ).toBe(201);
      const before = await decisionsCount();
      for (const barOverrideReason of [undefined, '   ']) {
        const r = await judge<Refusal>(
          'POST',
          `/api/v1/applications/${a.applicationId}/decision`,
          grant(barOverrideReason === undefined ? {} : { barOverrideReason }),
        );
        expect(r.status).toBe(409);
        expect(r.body.error).toBe('statutory_bar_not_overridden');
        expect(r.body.messagePl).toContain('Warunki techniczne stoją na przeszkodzie');
        expect(r.body.messagePl).toContain('pisemnego uzasadnienia');
      }
      expect(await decisionsCount()).toBe(before);
      const still = await judge<SupervisionView>('GET', `/api/v1/supervisions/${a.supervisionId}`);
      expect(still.body.status).toBe('application_filed');

      const reason = 'Ponowne badanie 02.12 potwierdziło zasięg po zmianie operatora.';
      const r = await judge<SupervisionView>(
        'POST',
        `/api/v1/applications/${a.applicationId}/decision`,
        grant({ barOverrideReason: reason }),
      );
      expect(r.status).toBe(201);
      expect(r.body.status).toBe('granted');
      expect(r.body.decisions[0]?.barOverrideReason).toBe(reason);
      expect(r.body.decisions[0]?.overriddenBars?.map((b) => b.id)).toEqual(['technical_conditions']);
      const shown = await judge<SupervisionView>('GET', `/api/v1/supervisions/${a.supervisionId}`);
      expect(shown.body.decisions[0]?.barOverrideReason).toBe(reason);
      // The installer does the installation, not the court's weighing: no reasons, no bars.
      const theirs = await installer<SupervisionView>('GET', `/api/v1/supervisions/${a.supervisionId}`);
      expect(theirs.body.decisions[0]).not.toHaveProperty('barOverrideReason');
      expect(theirs.body.decisions[0]).not.toHaveProperty('overriddenBars');
      expect(theirs.body.restricted).toContain('court_reasons');
    },
  );

  it.skipIf(!available)(
    'treats a missing owner’s permission as a bar; without bars no override is kept',
    async () => {
      const c = await createCase(tc, { courtId: 'SR-WAW' });
      const a = await fileApplication(tc, c.caseId, {
        flatOwner: { ownerIsPerson: false, ownerName: 'Jan Nowak' },
      });
      const r = await judge<Refusal>('POST', `/api/v1/applications/${a.applicationId}/decision`, grant());
      expect(r.status).toBe(409);
      expect(r.body.message).toContain('Jan Nowak');

      const c2 = await createCase(tc, { courtId: 'SR-WAW' });
      const a2 = await fileApplication(tc, c2.caseId, { flatOwner: { ownerIsPerson: true } });
      const ok = await judge<SupervisionView>(
        'POST',
        `/api/v1/applications/${a2.applicationId}/decision`,
        grant({ barOverrideReason: 'nie dotyczy' }),
      );
      expect(ok.status).toBe(201);
      expect(ok.body.decisions[0]?.barOverrideReason).toBeNull();
      expect(ok.body.decisions[0]?.overriddenBars).toEqual([]);
    },
  );

  it.skipIf(!available)('a grant sets the manner of reporting readiness beside its deadline', async () => {
    const c = await createCase(tc, { courtId: 'SR-WAW' });
    const a = await fileApplication(tc, c.caseId);
    const none = await judge<Refusal>(
      'POST',
      `/api/v1/applications/${a.applicationId}/decision`,
      grant({ readinessManner: undefined }),
    );
    expect(none.status).toBe(400);
    expect(none.body.error).toBe('readiness_manner_missing');
    expect(none.body.messagePl).toContain('sposób zgłoszenia gotowości');

    const g = await judge<SupervisionView>(
      'POST',
      `/api/v1/applications/${a.applicationId}/decision`,
      grant(),
    );
    expect(g.status).toBe(201);
    expect(g.body.readinessManner).toMatchObject({ kind: 'phone', details: 'tel. 22 123 45 67' });
    expect(g.body.readinessManner?.description.pl).toBe(
      'telefonicznie do podmiotu prowadzącego centralę monitorowania (tel. 22 123 45 67)',
    );
    // The person's task says how, not only by when.
    expect(g.body.tasks.find((t) => t.code === 'report_readiness')?.pl).toContain('telefonicznie');

    const reported = await tc.api<SupervisionView>(
      'POST',
      `/api/v1/supervisions/${a.supervisionId}/readiness`,
      {
        manner: 'in_person',
      },
    );
    expect(reported.status).toBe(200);
    expect(reported.body.history.at(-1)).toMatchObject({ type: 'report_readiness', manner: 'in_person' });
  });

  it.skipIf(!available)('refuses an unknown manner with a 400, not a 500', async () => {
    const c = await createCase(tc, { courtId: 'SR-WAW' });
    const a = await fileApplication(tc, c.caseId);
    const r = await judge<Refusal>(
      'POST',
      `/api/v1/applications/${a.applicationId}/decision`,
      grant({ readinessManner: { kind: 'pigeon' } }),
    );
    expect(r.status).toBe(400);
  });
});
