/** The demo seed: every lifecycle state, devices on the supervisions that have them, users for every role. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/demo/seed.js';
import { startTestCenter, type TestCenter } from './harness.js';
import { signedIn } from './cases.fixtures.js';

describe('demo seed', () => {
  let tc: TestCenter;
  beforeAll(async () => {
    tc = await startTestCenter('pglite', 'embedded');
    // As the CLI's demo provisions them.
    await tc.provision(24, 'HU-DEMO-', 'home_unit');
    await tc.provision(8, 'PU-DEMO-', 'portable_unit');
    await tc.provision(2, 'PP-DEMO-', 'protected_unit');
  });
  afterAll(() => tc.close());

  it('creates cases in every state, with devices where installed, and is idempotent', async () => {
    const first = await seedDemo(tc.center);
    expect(first.casesCreated).toBeGreaterThanOrEqual(10);
    const list = await tc.api<{ items: { id: string; status: string }[] }>(
      'GET',
      '/api/v1/supervisions?limit=200',
    );
    expect(new Set(list.body.items.map((s) => s.status))).toEqual(
      new Set([
        'application_filed',
        'granted',
        'refused',
        'left_unexamined_technical',
        'readiness_reported',
        'installed',
        'activated',
        'in_execution',
        'ended_served',
        'revoked',
      ]),
    );
    for (const s of list.body.items.filter((x) =>
      ['installed', 'activated', 'in_execution'].includes(x.status),
    )) {
      const d = await tc.api<{ devices: { deviceId: string; to: string | null }[]; kinds: string[] }>(
        'GET',
        `/api/v1/supervisions/${s.id}`,
      );
      expect(d.body.devices.filter((x) => x.to === null).length).toBeGreaterThanOrEqual(2);
    }
    const proximity = await tc.api<{ items: unknown[] }>('GET', '/api/v1/supervisions?kind=proximity');
    expect(proximity.body.items.length).toBe(1);
    const inForce = await tc.api<{ status: string }>('GET', '/api/v1/devices/HU-DEMO-000001/in-force');
    expect(inForce.body.status).toBe('in_execution');

    const again = await seedDemo(tc.center);
    expect(again.casesCreated).toBe(0);
    expect(again.supervisions).toEqual(first.supervisions);

    const roles = new Set(first.users.map((u) => u.role));
    expect(roles).toEqual(
      new Set(['operator', 'judge', 'probation_officer', 'installer', 'bureau_admin', 'auditor']),
    );
    const officer = first.users.find((u) => u.login === 'demo.officer')!;
    const call = await signedIn(tc, officer.login, officer.password);
    const tasks = await call<{ items: unknown[] }>('GET', '/api/v1/tasks');
    expect(tasks.status).toBe(200);
    const mine = await call<{ items: unknown[] }>('GET', '/api/v1/supervisions?limit=200');
    expect(mine.body.items.length).toBeGreaterThan(0);
    expect(mine.body.items.length).toBeLessThan(list.body.items.length);
  });
});
