/** The center keeps serving when the PostgreSQL server drops its connections (a restart or failover). */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heartbeats, startTestCenter, TestDevice, type TestCenter } from './harness.js';
import { hasPostgres, PG_ADMIN_URL } from './services.js';

describe.skipIf(!hasPostgres)('a center whose database connections are cut', () => {
  let tc: TestCenter;
  let dev: TestDevice;
  beforeAll(async () => {
    tc = await startTestCenter('postgres', 'embedded');
    const [c] = await tc.provision(1, 'CUT-');
    dev = await TestDevice.connect(tc.center.mqttUrl, c!.id, c!.secret);
    await dev.sendEvents(heartbeats(1, 5));
    await dev.waitForAck(5);
  });
  afterAll(async () => {
    await dev?.close();
    await tc?.close();
  });

  it('survives, reconnects and stores what comes next', async () => {
    const database = new URL(tc.env.SDE_DATABASE_URL!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
    await admin.connect();
    const cut = await admin.query(
      'select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
      [database],
    );
    await admin.end();
    expect(cut.rowCount).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 300));
    // The first queries after the cut may fail and be retried by the device; none may crash the center.
    await dev.sendEvents(heartbeats(6, 10));
    for (
      let i = 0;
      i < 20 && (dev.inbox.filter((m) => m.type === 'ack').at(-1) as { through?: number })?.through !== 10;
      i++
    ) {
      await new Promise((r) => setTimeout(r, 250));
      await dev.sendEvents(heartbeats(6, 10));
    }
    expect((await dev.waitForAck(10)).through).toBe(10);
    expect((await tc.api('GET', '/healthz')).status).toBe(200);
    expect((await tc.api<Record<string, number>>('GET', '/api/v1/ledger/verify')).body).toMatchObject({
      events: 10,
      duplicates: 0,
      gaps: 0,
    });
  });
});
