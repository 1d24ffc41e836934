/**
 * Legal holds and the retention plan through the HTTP API (ADR 0702): a judge holds a case of her court and
 * not another court's, an operator cannot, a reason is required, one hold at a time, the Bureau lifts it;
 * the plan is the Bureau's and the auditor's, and the job's runs show in /metrics.
 */
import { LegalHold, RetentionPlan } from '@sde/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo, type DemoSeed } from '../src/demo/seed.js';
import { signedIn } from './cases.fixtures.js';
import { startTestCenter, type TestCenter } from './harness.js';

describe('legal holds over HTTP', () => {
  let tc: TestCenter;
  let seed: DemoSeed;
  const cases = { warsaw: '', szczecin: '' };

  /** Signs the demo user `login` in. */
  const as = (login: string) => {
    const u = seed.users.find((x) => x.login === login)!;
    return signedIn(tc, u.login, u.password);
  };

  beforeAll(async () => {
    tc = await startTestCenter('pglite', 'embedded');
    await tc.provision(24, 'HU-DEMO-', 'home_unit');
    await tc.provision(8, 'PU-DEMO-', 'portable_unit');
    await tc.provision(2, 'PP-DEMO-', 'protected_unit');
    seed = await seedDemo(tc.center);
    for (const [key, caseNumber] of [
      ['warsaw', 'II K 101/24'],
      ['szczecin', 'III K 301/24'],
    ] as const) {
      const d = await tc.api<{ caseId: string }>(
        'GET',
        `/api/v1/supervisions/${seed.supervisions[caseNumber]}`,
      );
      cases[key] = d.body.caseId;
    }
  }, 180_000);
  afterAll(() => tc?.close());

  it('a judge holds her court’s case with a reason, once; the Bureau lifts it; all of it audited', async () => {
    const judge = await as('demo.judge');
    const path = `/api/v1/cases/${cases.warsaw}/holds`;

    const empty = await judge('POST', path, { reason: ' ' });
    expect(empty.status).toBe(400);
    expect(empty.body.messagePl).toEqual(expect.any(String));

    const set = await judge('POST', path, { reason: 'apelacja obrońcy w toku' });
    expect(set.status).toBe(201);
    const hold = LegalHold.parse(set.body);
    expect(hold).toMatchObject({
      caseId: cases.warsaw,
      inForce: true,
      setBy: 'demo.judge',
      setByRole: 'judge',
    });

    const again = await judge('POST', path, { reason: 'druga' });
    expect(again).toMatchObject({ status: 409, body: { error: 'hold_in_force' } });

    // Another court's case does not exist for her; an operator may not hold at all.
    expect(
      (await judge('POST', `/api/v1/cases/${cases.szczecin}/holds`, { reason: 'cudza sprawa' })).status,
    ).toBe(404);
    const operator = await as('demo.operator');
    expect((await operator('POST', path, { reason: 'operator' })).status).toBe(403);
    // Reading holds is a read of the case: the region's operator sees it.
    const listed = await operator<{ holds: unknown[] }>('GET', path);
    expect(listed.status).toBe(200);
    expect(listed.body.holds).toHaveLength(1);

    const admin = await as('demo.admin');
    const lifted = await admin('POST', `${path}/${hold.id}/lift`, { reason: 'wyrok prawomocny' });
    expect(lifted.status).toBe(200);
    expect(LegalHold.parse(lifted.body)).toMatchObject({ inForce: false, liftedBy: 'demo.admin' });
    expect((await admin('POST', `${path}/${hold.id}/lift`, { reason: 'znowu' })).body.error).toBe(
      'hold_lifted',
    );

    const audit = await tc.api<{ records: { action: string; entityId: string }[] }>(
      'GET',
      `/api/v1/audit?action=case.hold.`,
    );
    expect(audit.body.records.map((r) => [r.action, r.entityId]).sort()).toEqual([
      ['case.hold.lift', cases.warsaw],
      ['case.hold.set', cases.warsaw],
    ]);
  });

  it('shows the plan to the Bureau and the auditor only; runs are counted in /metrics', async () => {
    const auditor = await as('demo.auditor');
    const plan = await auditor('GET', '/api/v1/retention/plan');
    expect(plan.status).toBe(200);
    expect(RetentionPlan.parse(plan.body)).toMatchObject({ months: 24, casesToErase: 0 });
    expect((await (await as('demo.judge'))('GET', '/api/v1/retention/plan')).status).toBe(403);

    await tc.center.retention.run();
    const metrics = await (await fetch(`${tc.center.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/sde_retention_runs_total\{outcome="done"\} [1-9]/);
  });
});
