/** A tamper alarm an operator closed is raised again when the transmitter is tampered with again. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../src/demo/seed.js';
import { startTestCenter, TestDevice, type TestCenter } from './harness.js';

interface Alarm {
  id: string;
  rule: string;
  status: string;
  supervisionId: string;
  actions: { kind: string; text: string | null }[];
}

describe('a second tamper after the first alarm was closed', () => {
  let tc: TestCenter;
  let unit: TestDevice;
  let tx: string;
  beforeAll(async () => {
    tc = await startTestCenter('pglite', 'embedded');
    const fleet = await tc.provision(24, 'HU-DEMO-');
    const seed = await seedDemo(tc.center, { deviceIds: fleet.map((d) => d.id) });
    const [unitId, txId] = Object.entries(seed.transmitterOf).find(([id]) => id.startsWith('HU-'))!;
    tx = txId;
    tc.center.engine.configurationChanged();
    await tc.center.engine.idle();
    unit = await TestDevice.connect(tc.center.mqttUrl, unitId, fleet.find((d) => d.id === unitId)!.secret);
  });
  afterAll(async () => {
    await unit?.close();
    await tc?.close();
  });

  async function tamperAlarm(): Promise<Alarm | undefined> {
    const r = await tc.api<{ alarms: Alarm[] }>('GET', '/api/v1/alarms?rule=strap_tamper&limit=50');
    return r.body.alarms.find((a) => a.rule === 'strap_tamper');
  }

  async function waitFor<T>(f: () => Promise<T | undefined | false>): Promise<T> {
    for (let i = 0; i < 100; i++) {
      const v = await f();
      if (v) return v;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('timed out');
  }

  it('reopens the closed alarm, so that an operator sees it again', async () => {
    await unit.sendEvents([{ seq: 1, t: Date.now(), kind: 'tx_strap_tamper', tx }]);
    const first = await waitFor(tamperAlarm);
    expect(first.status).toBe('open');
    const closed = await tc.api('POST', `/api/v1/alarms/${first.id}/close`, {
      note: 'pasek wymieniony przez technika',
    });
    expect(closed.status).toBe(200);
    expect((await tamperAlarm())?.status).toBe('closed');

    await new Promise((r) => setTimeout(r, 20));
    await unit.sendEvents([{ seq: 2, t: Date.now(), kind: 'tx_strap_tamper', tx }]);
    const again = await waitFor(async () => {
      const a = await tamperAlarm();
      return a?.status === 'open' ? a : undefined;
    });
    expect(again.id).toBe(first.id);
    const detail = await tc.api<Alarm>('GET', `/api/v1/alarms/${again.id}`);
    expect(detail.body.actions.map((a) => a.text ?? '').join(' ')).toMatch(/reopened/);
  });
});
