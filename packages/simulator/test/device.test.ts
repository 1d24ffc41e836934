import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseReadout } from '@sde/protocol';
import { createSimDevice, readCredentialsFile, writeReadout, type SimDevice } from '../src/index.js';
import { startBroker, type TestBroker } from './support/broker.js';
import { Responder } from './support/responder.js';

const SECRETS = new Map([
  ['HU-0001', 'secret-home-0001'],
  ['PU-0001', 'secret-portable-0001'],
]);
const secretOf = (id: string): string | undefined => SECRETS.get(id);

let broker: TestBroker;
let responder: Responder;
let dir: string;
const devices: SimDevice[] = [];

beforeEach(async () => {
  broker = await startBroker(secretOf);
  responder = await Responder.start(broker.url, secretOf);
  dir = await mkdtemp(join(tmpdir(), 'sde-sim-dev-'));
});

afterEach(async () => {
  for (const device of devices.splice(0)) await device.close({ force: true });
  await responder.close();
  await broker.close();
  await rm(dir, { recursive: true, force: true });
});

async function homeUnit(
  extra: { clockSkewMs?: number; retransmitMs?: number; protocol?: '1' | '1.1' } = {},
): Promise<SimDevice> {
  const device = await createSimDevice({
    id: 'HU-0001',
    secret: 'secret-home-0001',
    kind: 'home_unit',
    mqttUrl: broker.url,
    stateDir: dir,
    ...extra,
  });
  devices.push(device);
  return device;
}

describe('SimDevice against a broker and a protocol responder', () => {
  it('says hello, numbers events from 1 and frees them when acknowledged', async () => {
    const device = await homeUnit();
    await device.connect();
    const a = await device.emit({ kind: 'tx_out_of_range', tx: device.tx });
    const b = await device.emit({ kind: 'tx_in_range', tx: device.tx, rssi: -61 });
    await device.waitForAck(b.seq, 5000);
    expect([a.seq, b.seq]).toEqual([1, 2]);
    expect(responder.hellos.map((h) => h.model)).toEqual(['home_unit']);
    expect(responder.seqs('HU-0001')).toEqual([1, 2]);
    expect(responder.events.get('HU-0001')?.get(2)).toMatchObject({ kind: 'tx_in_range', rssi: -61 });
    expect(device.unacked).toBe(0);
  });

  it('syncs a skewed clock with the center and stamps later events in center time', async () => {
    const device = await homeUnit({ clockSkewMs: -90_000 });
    const before = device.now();
    expect(Math.abs(before - Date.now() + 90_000)).toBeLessThan(50);
    await device.connect();
    await new Promise<void>((resolve) =>
      device.clockSynced ? resolve() : device.on('time', () => resolve()),
    );
    expect(device.clockCorrectionMs).toBeGreaterThan(89_000);
    expect(Math.abs(device.now() - Date.now())).toBeLessThan(100);
    const event = await device.emit({ kind: 'unit_moved' });
    expect(Math.abs(event.t - Date.now())).toBeLessThan(100);
    // The local clock jumps 10 s ahead; the next sync takes the 10 s back.
    device.setClockSkew(-80_000);
    const correction = await device.syncClock();
    expect(correction).toBeLessThan(-9_900);
    expect(Math.abs(device.now() - Date.now())).toBeLessThan(100);
  });

  it.each(['1.1', '1'] as const)(
    'dates an event stamped before a clock sync at the time it happened (protocol %s)',
    async (protocol) => {
      const HOUR = 3_600_000;
      const device = await homeUnit({ clockSkewMs: -2 * HOUR, retransmitMs: 200, protocol });
      // Not synced, and its frames lost: the event stays in the unit's buffer across its clock's sync.
      responder.dropTimeRequests = true;
      responder.dropEvents = true;
      await device.connect();
      const happened = Date.now();
      const before = await device.emit({ kind: 'tx_out_of_range', tx: device.tx });
      expect(Math.abs(before.t - (happened - 2 * HOUR))).toBeLessThan(100);
      responder.dropTimeRequests = false;
      expect(await device.syncClock()).toBeGreaterThan(2 * HOUR - 100);
      const after = await device.emit({ kind: 'tx_in_range', tx: device.tx, rssi: -50 });
      responder.dropEvents = false;
      await device.waitForAck(after.seq, 5000);
      // The copy the center got, as it dates it: t + adj on the clock of the frame's ts, plus the offset
      // it measures on that frame (recv − ts).
      const last = (seq: number) => {
        const b = responder.batches.find((x) => x.message.events.some((e) => e.seq === seq))!;
        const e = b.message.events.find((x) => x.seq === seq)!;
        return { e, centerTime: e.t + (e.adj ?? 0) + (b.recv - b.message.ts) };
      };
      const first = last(before.seq);
      expect(first.e.t).toBe(before.t);
      expect(last(after.seq).e.adj).toBeUndefined();
      if (protocol === '1.1') {
        expect(first.e.adj).toBeGreaterThan(2 * HOUR - 100);
        expect(Math.abs(first.centerTime - happened)).toBeLessThan(200);
      } else {
        // A v1 unit says nothing: its event is dated two hours early.
        expect(first.e.adj).toBeUndefined();
        expect(happened - first.centerTime).toBeGreaterThan(2 * HOUR - 200);
      }
    },
  );

  it('retransmits unacknowledged events when the acks are lost, until the center acknowledges them', async () => {
    const device = await homeUnit({ retransmitMs: 300 });
    await device.connect();
    responder.dropAcks = true;
    for (let i = 0; i < 5; i++) await device.emit({ kind: 'unit_power_lost' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(device.acked).toBe(0);
    expect(device.stats.retransmissions).toBeGreaterThanOrEqual(1);
    expect(responder.duplicates).toBeGreaterThanOrEqual(5);
    responder.dropAcks = false;
    await device.waitForAck(5, 5000);
    expect(responder.seqs('HU-0001')).toEqual([1, 2, 3, 4, 5]);
  });

  it('applies commands, confirms them with cmd_ack, and reports message_read when the person reads', async () => {
    const device = await homeUnit();
    await device.connect();
    responder.sendCommand('HU-0001', 'm-1', { cmd: 'message', text: 'Proszę zadzwonić do kuratora.' });
    responder.sendCommand('HU-0001', 'r-1', { cmd: 'set_range', meters: 40 });
    responder.sendCommand('HU-0001', 'i-1', { cmd: 'set_interval', seconds: 120 });
    responder.sendCommand('HU-0001', 'm-1', { cmd: 'message', text: 'Proszę zadzwonić do kuratora.' });
    await device.waitForCommand((c) => c.id === 'i-1', 5000);
    await expect.poll(() => responder.cmdAcks.length, { timeout: 5000 }).toBe(4);
    expect(responder.cmdAcks.map((a) => [a.id, a.status])).toEqual([
      ['m-1', 'done'],
      ['r-1', 'done'],
      ['i-1', 'done'],
      ['m-1', 'done'],
    ]);
    expect(device.messages).toHaveLength(1);
    expect(device.memory.settings).toMatchObject({ rangeM: 40, intervalSec: 120 });
    const read = await device.readMessage('m-1');
    expect(read).toMatchObject({ kind: 'message_read', msg: 'm-1' });
    await device.waitForAck(read?.seq, 5000);
    expect(responder.events.get('HU-0001')?.get(read?.seq ?? 0)).toMatchObject({
      kind: 'message_read',
      msg: 'm-1',
    });
    expect(await device.readMessage('m-1')).toBeUndefined();
  });

  it('a portable unit refuses a range outside 200 ± 20 m', async () => {
    const device = await createSimDevice({
      id: 'PU-0001',
      secret: 'secret-portable-0001',
      kind: 'portable_unit',
      mqttUrl: broker.url,
    });
    devices.push(device);
    await device.connect();
    responder.sendCommand('PU-0001', 'r-1', { cmd: 'set_range', meters: 50 });
    responder.sendCommand('PU-0001', 'r-2', { cmd: 'set_range', meters: 210 });
    await expect.poll(() => responder.cmdAcks.length, { timeout: 5000 }).toBe(2);
    expect(responder.cmdAcks.map((a) => a.status)).toEqual(['rejected', 'done']);
    expect(device.memory.settings.rangeM).toBe(210);
  });

  it('a home unit refuses a range above 200 m and keeps the one it had', async () => {
    const device = await homeUnit();
    await device.connect();
    responder.sendCommand('HU-0001', 'r-1', { cmd: 'set_range', meters: 200 });
    responder.sendCommand('HU-0001', 'r-2', { cmd: 'set_range', meters: 201 });
    await expect.poll(() => responder.cmdAcks.length, { timeout: 5000 }).toBe(2);
    expect(responder.cmdAcks.map((a) => [a.status, a.reason])).toEqual([
      ['done', undefined],
      ['rejected', "a home unit's range is at most 200 m (T2.2)"],
    ]);
    expect(device.memory.settings.rangeM).toBe(200);
  });

  it('emits an event with a given device time, or when the device clock reaches a time', async () => {
    const device = await homeUnit();
    await device.connect();
    const earlier = device.now() - 3_600_000;
    const late = await device.emit({ kind: 'tx_out_of_range', tx: device.tx }, { t: earlier });
    const at = device.now() + 300;
    const scheduled = await device.emitAt(at, { kind: 'tx_in_range', tx: device.tx, rssi: -70 });
    expect(device.now()).toBeGreaterThanOrEqual(at);
    await device.waitForAck(scheduled.seq, 5000);
    const stored = responder.events.get('HU-0001');
    expect(stored?.get(late.seq)?.t).toBe(earlier);
    expect(stored?.get(scheduled.seq)?.t).toBe(at);
  });

  it('reads the credentials file the center writes and names what is wrong in a bad one', async () => {
    const file = join(dir, 'devices.json');
    await writeFile(
      file,
      JSON.stringify({ devices: [{ id: 'HU-0001', secret: 'x', kind: 'home_unit', extra: 1 }] }),
    );
    expect(readCredentialsFile(file)).toEqual([{ id: 'HU-0001', secret: 'x', kind: 'home_unit' }]);
    await writeFile(file, JSON.stringify({ devices: [{ id: 'HU 1', secret: 'x', kind: 'home_unit' }] }));
    expect(() => readCredentialsFile(file)).toThrow(/devices\.0\.id/);
    await writeFile(file, JSON.stringify({ devices: [{ id: 'A', secret: 'x', kind: 'transmitter' }] }));
    expect(() => readCredentialsFile(file)).toThrow(/devices\.0\.kind/);
  });

  it('writes an offline read-out file from its journal that parseReadout authenticates', async () => {
    const device = await homeUnit();
    // No network at the monitoring place: the unit only records (T2.6).
    for (let i = 0; i < 7; i++)
      await device.emit({ kind: 'heartbeat', battery: 90, signal: 0, power: 'mains' });
    await device.close();
    devices.length = 0;
    const out = join(dir, 'HU-0001.sdereadout');
    const summary = await writeReadout(dir, 'HU-0001', out);
    expect(summary).toMatchObject({ events: 7, from: 1, to: 7 });
    const parsed = parseReadout(await readFile(out, 'utf8'), secretOf);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.value.complete).toBe(true);
    expect(parsed.value.batches.flatMap((b) => b.events.map((e) => e.seq))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(parseReadout(await readFile(out, 'utf8'), () => 'wrong-secret').ok).toBe(false);
  });
});
