/**
 * The demo seed: every lifecycle state, devices on the supervisions that have them, users for every role;
 * and the demo as `npm start` runs it, with its simulated fleet: no false alarm at start, a real one within
 * a minute.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulate, type DeviceCredentials } from '@sde/simulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/demo/seed.js';
import { until } from './alarms.fixtures.js';
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

describe('a freshly started demo with its simulated fleet', () => {
  let tc: TestCenter;
  let stateDir: string;
  const abort = new AbortController();
  let fleet: Promise<unknown> | undefined;
  afterAll(async () => {
    abort.abort();
    await fleet;
    await tc?.close();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  interface Alarm {
    rule: string;
    caseNumber: string;
    startedAt: string;
    explanation: { en: string };
  }

  it('raises no communication loss for units that report, and the alarm the fleet scripts arrives within a minute', async () => {
    // As packages/cli/src/demo.ts starts it: provision the fleet, seed, start the fleet with the seed's script.
    tc = await startTestCenter('pglite', 'embedded');
    const credentials: DeviceCredentials[] = [];
    for (const [count, prefix, kind] of [
      [24, 'HU-DEMO-', 'home_unit'],
      [8, 'PU-DEMO-', 'portable_unit'],
      [2, 'PP-DEMO-', 'protected_unit'],
    ] as const)
      for (const d of await tc.provision(count, prefix, kind))
        credentials.push({ id: d.id, secret: d.secret, kind });
    const seed = await seedDemo(tc.center, { deviceIds: credentials.map((c) => c.id) });
    tc.center.engine.configurationChanged();
    expect(seed.fleetScript).toEqual([
      {
        afterSec: 20,
        deviceId: seed.unitsOf['II K 101/24']![0],
        body: { kind: 'tx_strap_tamper', tx: seed.transmitterOf[seed.unitsOf['II K 101/24']![0]!] },
      },
    ]);
    stateDir = mkdtempSync(join(tmpdir(), 'sde-demo-fleet-'));
    const started = Date.now();
    fleet = simulate({
      credentials: credentials.map((c) => {
        const tx = seed.transmitterOf[c.id];
        return tx ? { ...c, tx } : c;
      }),
      mqttUrl: tc.center.mqttUrl,
      durationSec: Number.POSITIVE_INFINITY,
      stateDir,
      signal: abort.signal,
      script: seed.fleetScript,
    });

    const alarms = async () =>
      (await tc.api<{ alarms: Alarm[] }>('GET', '/api/v1/alarms?limit=500')).body.alarms;
    // The strap the fleet cuts 20 s in: a critical alarm on II K 101/24 within the first minute.
    const tamper = await until(
      async () => (await alarms()).find((a) => a.rule === 'strap_tamper' && a.caseNumber === 'II K 101/24'),
      60_000,
      'the scripted strap tamper alarm',
    );
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(Date.parse(tamper.startedAt)).toBeGreaterThanOrEqual(started);

    // Every unit serving a supervision has reported by now …
    const units = Object.values(seed.unitsOf).flat();
    expect(units.length).toBe(8);
    await until(
      async () => {
        for (const id of units) {
          const d = await tc.api<{ lastContactAt: string | null }>('GET', `/api/v1/devices/${id}`);
          if (d.body.lastContactAt === null) return undefined;
        }
        return true;
      },
      30_000,
      'every installed unit reporting',
    );
    await tc.center.engine.idle();
    // … and none has an alarm about silence or missing fixes from before the fleet started: the demo's
    // devices were installed as it started, so the center has heard each of them since its installation.
    const silent = (await alarms()).filter(
      (a) => a.rule === 'communication_loss' || a.rule === 'location_loss',
    );
    expect(silent.map((a) => `${a.caseNumber} ${a.rule}: ${a.explanation.en}`)).toEqual([]);
    // The supervisions under monitoring started with the fleet, not weeks before it.
    const s = await tc.api<{ installedAt: string; activatedAt: string }>(
      'GET',
      `/api/v1/supervisions/${seed.supervisions['II K 101/24']!}`,
    );
    expect(started - Date.parse(s.body.installedAt)).toBeLessThan(5 * 60_000);
    expect(Date.parse(s.body.activatedAt)).toBeGreaterThan(Date.parse(s.body.installedAt));
  }, 120_000);
});
