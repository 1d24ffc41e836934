/**
 * Protocol v1.1 at a running center (ADR 0504): a reused sequence number is refused and shown on the device,
 * heartbeats keep their transmitters' state, events stamped before a clock sync land at the right time, a
 * hello written late does not undo a newer clock offset, and a command is "sent" only to a connected unit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceEvent, DownlinkMessage } from '@sde/protocol';
import {
  heartbeats,
  metric,
  startTestCenter,
  TestDevice,
  type Broker,
  type Storage,
  type TestCenter,
} from './harness.js';
import { hasMosquitto, hasPostgres } from './services.js';

const setups: [Storage, Broker, boolean][] = [
  ['pglite', 'embedded', true],
  ['postgres', 'mosquitto', hasPostgres && hasMosquitto],
];

type Refusal = Extract<DownlinkMessage, { type: 'refusal' }>;
const refusal =
  (code: string) =>
  (m: DownlinkMessage): m is Refusal =>
    m.type === 'refusal' && m.code === code;
const HOUR = 3_600_000;

interface DeviceView {
  clockOffsetMs: number | null;
  seqConflicts: { count: number; lastSeq: number; lastAt: string } | null;
}
interface CommandView {
  id: string;
  state: string;
  status: string;
  sentAt: string | null;
  confirmedAt: string | null;
  readAt: string | null;
}

describe.each(setups)('protocol v1.1 on %s storage with the %s broker', (storage, broker, available) => {
  let tc: TestCenter;
  let creds: { id: string; secret: string }[];
  const devices: TestDevice[] = [];
  const prefix = `V${storage[1]}${broker[0]}${Date.now().toString(36)}-`.toUpperCase();
  const connect = async (i: number) => {
    const d = await TestDevice.connect(tc.center.mqttUrl, creds[i]!.id, creds[i]!.secret);
    devices.push(d);
    return d;
  };
  const device = async (id: string) => (await tc.api<DeviceView>('GET', `/api/v1/devices/${id}`)).body;
  const stored = (id: string, seq: number) =>
    tc.center.database.db
      .selectFrom('events as e')
      .innerJoin('devices as d', 'd.no', 'e.device_no')
      .select(['e.time', 'e.device_time', 'e.body', 'e.flags'])
      .where('d.id', '=', id)
      .where('e.seq', '=', seq)
      .execute();

  beforeAll(async () => {
    if (!available) return;
    tc = await startTestCenter(storage, broker);
    creds = await tc.provision(6, prefix);
  });
  afterAll(async () => {
    if (!available) return;
    for (const d of devices) await d.close();
    await tc?.close();
  });

  it.skipIf(!available)(
    'refuses a sequence number reused with other content, counts it and shows it on the device',
    async () => {
      const dev = await connect(0);
      await dev.sendEvents(heartbeats(1, 3));
      await dev.waitForAck(3);
      const before = await metric(tc, 'sde_events_implausible_total', '{reason="seq_reused"}');

      // A retransmission with the same content is a duplicate: acknowledged, no conflict.
      let from = dev.inbox.length;
      await dev.sendEvents(heartbeats(2, 3));
      await dev.waitFor((m): m is DownlinkMessage => m.type === 'ack', { from });
      expect((await device(dev.id)).seqConflicts).toBeNull();

      // Number 2 again with other content (a unit that reset its counter), beside a new number 4.
      from = dev.inbox.length;
      const reused: DeviceEvent = { seq: 2, t: Date.now(), kind: 'unit_case_tamper' };
      await dev.sendEvents([reused, ...heartbeats(4, 4)]);
      const answer = await dev.waitFor(refusal('seq_reused'), { from });
      expect(answer.seqs).toEqual([2]);
      expect(answer.message).toContain('2');
      // No ack for that frame: its `through` would free an event the center does not hold.
      expect(dev.inbox.slice(from).some((m) => m.type === 'ack')).toBe(false);
      expect(await metric(tc, 'sde_events_implausible_total', '{reason="seq_reused"}')).toBe(before + 1);
      expect(await metric(tc, 'sde_messages_refused_total', '{reason="seq_reused"}')).toBeGreaterThan(0);

      const view = await device(dev.id);
      expect(view.seqConflicts).toMatchObject({ count: 1, lastSeq: 2 });
      expect(Math.abs(Date.parse(view.seqConflicts!.lastAt) - Date.now())).toBeLessThan(60_000);
      // The stored event is the first one; the new number of the frame was stored (the next ack covers it).
      const [row] = await stored(dev.id, 2);
      expect(row).toBeDefined();
      expect(row!.body).toMatchObject({ battery: 90, power: 'mains' });
      from = dev.inbox.length;
      await dev.sendEvents(heartbeats(4, 5));
      expect((await dev.waitForAck(5)).through).toBe(5);

      // Reused with a date a day away (the stored copy is not near where this one would lie): refused too.
      from = dev.inbox.length;
      await dev.sendEvents([{ ...heartbeats(3, 3)[0]!, t: Date.now() - 24 * HOUR }]);
      expect((await dev.waitFor(refusal('seq_reused'), { from })).seqs).toEqual([3]);
      // The same event sent again by a v1 unit whose clock stepped 2 h since (no adj): its copy would be
      // dated 2 h away from the stored one, yet it is the same event — a duplicate, acknowledged.
      from = dev.inbox.length;
      await dev.sendEvents(heartbeats(4, 4), Date.now() - 2 * HOUR);
      expect(
        (await dev.waitFor((m): m is DownlinkMessage => m.type === 'ack' || m.type === 'refusal', { from }))
          .type,
      ).toBe('ack');
      expect((await device(dev.id)).seqConflicts).toMatchObject({ count: 2, lastSeq: 3 });
      expect(await tc.api('GET', '/api/v1/ledger/verify')).toMatchObject({
        body: { events: 5, duplicates: 0, gaps: 0 },
      });
    },
  );

  it.skipIf(!available)(
    "keeps a heartbeat's transmitter states as sent, and refuses more than four with the reason",
    async () => {
      const dev = await connect(1);
      const txs = [
        { tx: `${dev.id}-TX`, inRange: false },
        { tx: `${dev.id}-TX2`, inRange: true, battery: 41 },
      ];
      const t = Date.now();
      await dev.sendEvents([
        { seq: 1, t, kind: 'heartbeat', battery: 80, signal: 60, power: 'mains', txs },
        // A v1 heartbeat beside it: still valid.
        { seq: 2, t: t + 1, kind: 'heartbeat', battery: 80, signal: 60, power: 'mains' },
      ]);
      await dev.waitForAck(2);
      expect((await stored(dev.id, 1))[0]!.body).toEqual({ battery: 80, signal: 60, power: 'mains', txs });

      const from = dev.inbox.length;
      const five = [1, 2, 3, 4, 5].map((i) => ({ tx: `TX-${i}`, inRange: true }));
      await dev.sendEvents([
        { seq: 3, t, kind: 'heartbeat', battery: 80, signal: 60, power: 'mains', txs: five },
      ]);
      const answer = await dev.waitFor(refusal('invalid_message'), { from });
      expect(answer.message).toMatch(/^events\.0\.txs/);
    },
  );

  it.skipIf(!available)(
    'dates events stamped before a clock sync by their adj, at the time they happened',
    async () => {
      const dev = await connect(2);
      const now = Date.now();
      // The unit's clock was 2 h behind while it recorded offline; it has synced since, so its frame's
      // `ts` is right and each buffered event says how far the sync moved the clock.
      const happened = [now - 30 * 60_000, now - 20 * 60_000];
      await dev.sendEvents(
        [
          { seq: 1, t: happened[0]! - 2 * HOUR, adj: 2 * HOUR, kind: 'tx_out_of_range', tx: `${dev.id}-TX` },
          {
            seq: 2,
            t: happened[1]! - 2 * HOUR,
            adj: 2 * HOUR,
            kind: 'tx_in_range',
            tx: `${dev.id}-TX`,
            rssi: -60,
          },
          // Stamped after the sync: no adj.
          { seq: 3, t: now - 1000, kind: 'heartbeat', battery: 70, signal: 50, power: 'mains' },
        ],
        now,
      );
      await dev.waitForAck(3);
      for (const [seq, at] of [
        [1, happened[0]!],
        [2, happened[1]!],
        [3, now - 1000],
      ] as const) {
        const [row] = await stored(dev.id, seq);
        // Center time: the frame's measured offset (its transit, milliseconds here) on top.
        expect(Math.abs(new Date(row!.time).getTime() - at)).toBeLessThan(5_000);
        if (seq < 3) {
          expect(new Date(row!.device_time).getTime()).toBe(at - 2 * HOUR);
          expect(row!.flags).toContain('clock_adjusted');
          expect(row!.body).not.toHaveProperty('adj');
        } else expect(row!.flags).not.toContain('clock_adjusted');
      }
      // The retransmission after one more sync carries another adj: still the same event.
      await dev.sendEvents(
        [
          {
            seq: 1,
            t: happened[0]! - 2 * HOUR,
            adj: 2 * HOUR + 500,
            kind: 'tx_out_of_range',
            tx: `${dev.id}-TX`,
          },
        ],
        now + 500,
      );
      await dev.waitForAck(3);
      expect((await device(dev.id)).seqConflicts).toBeNull();

      const from = dev.inbox.length;
      await dev.sendEvents([{ seq: 4, t: 1000, adj: -5000, kind: 'unit_moved' }]);
      expect((await dev.waitFor(refusal('invalid_message'), { from })).message).toMatch(/^events\.0\.adj/);
    },
  );

  it.skipIf(!available)('keeps the newer clock offset when an older hello is written after it', async () => {
    const dev = await connect(3);
    const now = Date.now();
    // Before its sync the unit greets with a clock 2 h behind; then, synced, it sends events.
    await dev.send({ v: 1, type: 'hello', dev: dev.id, ts: now - 2 * HOUR, model: 'home_unit', fw: '1.1' });
    await dev.waitForAck(0);
    await dev.sendEvents(heartbeats(1, 2), Date.now());
    await dev.waitForAck(2);
    // Hellos are written in batches once a second: the one above is written after the events.
    await new Promise((r) => setTimeout(r, 2_500));
    expect(Math.abs((await device(dev.id)).clockOffsetMs!)).toBeLessThan(60_000);
    // A newer hello does replace it.
    await dev.send({
      v: 1,
      type: 'hello',
      dev: dev.id,
      ts: Date.now() - 5 * 60_000,
      model: 'home_unit',
      fw: '1.1',
    });
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await device(dev.id)).clockOffsetMs).toBeGreaterThan(4 * 60_000);
  });

  it.skipIf(!available)(
    'tells a queued command from one sent to a connected unit, confirmed and read',
    async () => {
      const id = creds[4]!.id;
      const list = async () =>
        (await tc.api<{ commands: CommandView[] }>('GET', `/api/v1/devices/${id}/commands`)).body.commands;
      // The unit is not connected: the command waits, not "sent".
      const created = await tc.api<CommandView>('POST', `/api/v1/devices/${id}/commands`, {
        cmd: 'message',
        text: 'Proszę o kontakt.',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ state: 'queued', sentAt: null });
      await new Promise((r) => setTimeout(r, 300));
      expect((await list()).find((c) => c.id === created.body.id)).toMatchObject({ state: 'queued' });

      // It connects and greets: the command goes out, and now it is sent.
      const dev = await connect(4);
      await dev.send({ v: 1, type: 'hello', dev: id, ts: Date.now(), model: 'home_unit', fw: '1.1' });
      const cmd = await dev.waitFor(
        (m): m is Extract<DownlinkMessage, { type: 'cmd' }> => m.type === 'cmd' && m.id === created.body.id,
      );
      await expect.poll(async () => (await list()).find((c) => c.id === cmd.id)?.state).toBe('sent');
      expect((await list()).find((c) => c.id === cmd.id)!.sentAt).not.toBeNull();

      await dev.send({ v: 1, type: 'cmd_ack', dev: id, ts: Date.now(), id: cmd.id, status: 'done' });
      await expect.poll(async () => (await list()).find((c) => c.id === cmd.id)?.state).toBe('confirmed');
      await dev.sendEvents([{ seq: 1, t: Date.now(), kind: 'message_read', msg: cmd.id }]);
      await dev.waitForAck(1);
      await expect.poll(async () => (await list()).find((c) => c.id === cmd.id)?.state).toBe('read');

      // To a unit connected now, a command is sent at once.
      const second = await tc.api<CommandView>('POST', `/api/v1/devices/${id}/commands`, {
        cmd: 'set_interval',
        seconds: 60,
      });
      expect(second.body).toMatchObject({ state: 'sent' });
      expect(second.body.sentAt).not.toBeNull();
      await dev.waitFor((m): m is DownlinkMessage => m.type === 'cmd' && m.id === second.body.id);
    },
  );
});
