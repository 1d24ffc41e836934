/**
 * A unit's reporting interval set by command: once the unit confirms `set_interval`, communication loss
 * expects its reports at the new interval (T2.7 "per device, from its reporting interval"), and the past keeps
 * the interval it had. Time runs on a virtual clock (ADR 0202), so minutes of silence take no real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installSupervisions, type InstalledSupervision } from './supervision.fixtures.js';
import { startTestCenter, TestDevice, type TestCenter } from './harness.js';
import { VirtualClock } from './virtual-clock.js';

interface Alarm {
  id: string;
  rule: string;
  status: string;
  supervisionId: string;
  explanation: { pl: string; en: string };
}

describe('a reporting interval set by command', () => {
  const clock = new VirtualClock(Date.now());
  let tc: TestCenter;
  let sup: InstalledSupervision;
  let unit: TestDevice;
  let seq = 0;

  beforeAll(async () => {
    tc = await startTestCenter('pglite', 'embedded', {}, { clock });
    [sup] = (await installSupervisions(tc.center, {
      count: 1,
      prefix: 'RI-',
      since: clock.now() - 3_600_000,
      schedule: {
        weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
        oneOffChanges: [],
        exceptions: [],
      },
    })) as [InstalledSupervision];
    unit = await TestDevice.connect(tc.center.mqttUrl, sup.unit.id, sup.unit.secret);
  }, 30_000);
  afterAll(async () => {
    await unit?.close();
    await tc?.close();
  });

  const settle = () => tc.center.engine.idle();

  async function heartbeat(): Promise<void> {
    seq++;
    await unit.sendEvents(
      [{ seq, t: clock.now(), kind: 'heartbeat', battery: 90, signal: 70, power: 'mains' }],
      clock.now(),
    );
    await unit.waitForAck(seq);
    await settle();
  }

  async function commLoss(): Promise<Alarm[]> {
    const r = await tc.api<{ alarms: Alarm[] }>(
      'GET',
      `/api/v1/alarms?rule=communication_loss&supervisionId=${sup.supervisionId}&limit=50`,
    );
    return r.body.alarms;
  }

  it('raises communication loss after two missed reports of the interval the unit confirmed', async () => {
    // In contact, at the home unit default (5 minutes): the silence since installation is explained.
    await heartbeat();
    const before = new Set((await commLoss()).map((a) => a.id));

    const queued = await tc.api<{ id: string }>('POST', `/api/v1/devices/${sup.unit.id}/commands`, {
      cmd: 'set_interval',
      seconds: 10,
    });
    expect(queued.status).toBe(201);
    const cmd = await unit.waitFor(
      (m): m is Extract<typeof m, { type: 'cmd' }> => m.type === 'cmd' && m.id === queued.body.id,
    );
    await unit.send({ v: 1, type: 'cmd_ack', dev: unit.id, ts: clock.now(), id: cmd.id, status: 'done' });
    await new Promise((r) => setTimeout(r, 200));
    await settle();

    await heartbeat();
    const contact = clock.now();
    // Two intervals (20 s) and the 30 s grace: nothing at 49 s, the alarm at 50 s.
    await clock.advanceTo(contact + 49_000, settle);
    await settle();
    expect((await commLoss()).filter((a) => !before.has(a.id))).toEqual([]);
    await clock.advanceTo(contact + 51_000, settle);
    await settle();
    const fresh = (await commLoss()).filter((a) => !before.has(a.id));
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.explanation.en).toMatch(/every 10 s/);
    expect(fresh[0]!.explanation.en).toMatch(/Still silent/);
  });
});
