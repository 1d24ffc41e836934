/**
 * Bounded device input (issue 18 item 9, ADR 0408): a unit numbering its events far above what the center
 * acknowledged is refused and its frame quarantined, an event dated ahead of its own arrival is kept at its
 * arrival time and never becomes the unit's latest state, and `ledger verify` reports the real gaps only —
 * while a unit coming back with 72 hours of backlog is taken whole. On PGlite and a PostgreSQL server, with
 * the embedded broker, through MQTT and the HTTP API as a unit and a terminal see them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { sql } from 'kysely';
import { encodeReadout, type DeviceEvent, type DownlinkMessage } from '@sde/protocol';
import { DEFAULT_MAX_SEQ_AHEAD, MAX_FUTURE_MS } from '../src/ledger/plausibility.js';
import {
  heartbeats,
  metric,
  startTestCenter,
  TestDevice,
  type Broker,
  type Storage,
  type TestCenter,
} from './harness.js';
import { hasPostgres } from './services.js';

const setups: [Storage, Broker, boolean][] = [
  ['pglite', 'embedded', true],
  ['postgres', 'embedded', hasPostgres],
];

const FAR = 2 ** 40;
const IN_2036 = Date.UTC(2036, 0, 1);

type Answer = Extract<DownlinkMessage, { type: 'ack' } | { type: 'refusal' }>;
type Status = {
  ackedSeq: number;
  maxSeq: number;
  battery: number | null;
  power: string | null;
  heartbeatAt: string | null;
  lastContactAt: string | null;
};
type Verification = {
  events: number;
  duplicates: number;
  gaps: number;
  window: number;
  jumps: number;
  futureTime: number;
  quarantined: { frames: number; devices: number; events: number; refusals: number };
};

/** The next ack or refusal the device receives after `from` messages. */
function answer(dev: TestDevice, from: number): Promise<Answer> {
  return dev.waitFor((m): m is Answer => m.type === 'ack' || m.type === 'refusal', { from });
}

/** Sends an events frame and waits for the center's answer to it. */
async function exchange(dev: TestDevice, events: DeviceEvent[], ts = Date.now()): Promise<Answer> {
  const from = dev.inbox.length;
  await dev.sendEvents(events, ts);
  return answer(dev, from);
}

const heartbeat = (seq: number, t: number, battery: number, power: 'mains' | 'battery' = 'mains') =>
  ({ seq, t, kind: 'heartbeat', battery, signal: 50, power }) as DeviceEvent;

describe.each(setups)(
  'bounded device input on %s storage with the %s broker',
  (storage, broker, available) => {
    let tc: TestCenter;
    let prefixNo = 0;
    const prefix = () => `BI${storage[1]}${Date.now().toString(36)}${prefixNo++}-`.toUpperCase();
    const open: TestDevice[] = [];

    /** A fresh unit connected over MQTT. */
    async function unit(): Promise<TestDevice> {
      const [cred] = await tc.provision(1, prefix());
      const dev = await TestDevice.connect(tc.center.mqttUrl, cred!.id, cred!.secret);
      open.push(dev);
      return dev;
    }
    const status = async (id: string) => (await tc.api<Status>('GET', `/api/v1/devices/${id}`)).body;
    const listed = async (id: string) =>
      (
        await tc.api<{ items: (Status & { id: string })[] }>('GET', '/api/v1/devices?limit=500')
      ).body.items.find((d) => d.id === id);
    const verify = async () => (await tc.api<Verification>('GET', '/api/v1/ledger/verify')).body;

    beforeAll(async () => {
      if (!available) return;
      tc = await startTestCenter(storage, broker);
    });
    afterAll(async () => {
      if (!available) return;
      for (const d of open) await d.close();
      await tc?.close();
    });

    it.skipIf(!available)(
      'refuses a frame numbered 2^40, keeps it in quarantine, counts it, and verify reports only the real gaps',
      async () => {
        const dev = await unit();
        const refusedBefore = await metric(tc, 'sde_messages_refused_total', '{reason="seq_out_of_range"}');
        const implausibleBefore = await metric(
          tc,
          'sde_events_implausible_total',
          '{reason="seq_out_of_range"}',
        );
        expect(await exchange(dev, heartbeats(1, 5))).toMatchObject({ type: 'ack', through: 5 });
        // 6 and 7 are on their way: two real gaps.
        expect(await exchange(dev, heartbeats(8, 9))).toMatchObject({ type: 'ack', through: 5 });

        const far = [heartbeat(FAR, Date.now(), 1, 'battery'), heartbeat(FAR + 1, Date.now(), 1, 'battery')];
        const refusal = await exchange(dev, far);
        expect(refusal).toMatchObject({ type: 'refusal', code: 'seq_out_of_range' });
        expect(refusal.type === 'refusal' && refusal.message).toMatch(
          /1000000 above the last acknowledged \(5\)/,
        );
        // The unit retransmits, as v1 units do: refused again, counted on the same quarantine row.
        expect(await exchange(dev, far)).toMatchObject({ type: 'refusal', code: 'seq_out_of_range' });

        expect(await metric(tc, 'sde_messages_refused_total', '{reason="seq_out_of_range"}')).toBe(
          refusedBefore + 2,
        );
        expect(await metric(tc, 'sde_events_implausible_total', '{reason="seq_out_of_range"}')).toBe(
          implausibleBefore + 4,
        );
        const s = await status(dev.id);
        expect(s).toMatchObject({ ackedSeq: 5, maxSeq: 9, battery: 90, power: 'mains' });
        const kept = await sql<{ first_seq: unknown; last_seq: unknown; refusals: number; frame: string }>`
        select q.first_seq, q.last_seq, q.refusals, q.frame from quarantined_frames q
        join devices d on d.no = q.device_no where d.id = ${dev.id}`.execute(tc.center.database.db);
        expect(kept.rows.map((r) => [Number(r.first_seq), Number(r.last_seq), r.refusals])).toEqual([
          [FAR, FAR + 1, 2],
        ]);
        expect(kept.rows[0]!.frame).toContain(`"seq":${FAR}`);
        // The Bureau's list says which unit, which numbers and how often, without the frame's events.
        const listed = await tc.api<{ frames: Record<string, unknown>[] }>(
          'GET',
          '/api/v1/ledger/quarantine',
        );
        expect(listed.body.frames).toEqual([
          expect.objectContaining({
            device: dev.id,
            reason: 'seq_out_of_range',
            source: 'mqtt',
            firstSeq: FAR,
            lastSeq: FAR + 1,
            events: 2,
            refusals: 2,
          }),
        ]);
        expect(listed.body.frames[0]).not.toHaveProperty('frame');

        expect(await verify()).toMatchObject({
          duplicates: 0,
          gaps: 2,
          window: DEFAULT_MAX_SEQ_AHEAD,
          jumps: 0,
          quarantined: { frames: 1, devices: 1, events: 2, refusals: 2 },
        });
        // The missing ones arrive: nothing is missing, the quarantine is still reported apart.
        expect(await exchange(dev, heartbeats(6, 7))).toMatchObject({ type: 'ack', through: 9 });
        expect(await verify()).toMatchObject({ gaps: 0, jumps: 0, quarantined: { frames: 1 } });
      },
    );

    it.skipIf(!available)(
      'keeps a heartbeat dated 2036 at its arrival, flagged, and never shows it as the latest status or battery',
      async () => {
        const dev = await unit();
        const before = await metric(tc, 'sde_events_implausible_total', '{reason="future_time"}');
        // What the compliance engine hears: the event at its arrival, so a clock in 2036 cannot put off what
        // the event means until 2036.
        const heard: { seq: number; time: number; receivedAt: number; flags: string[] }[] = [];
        tc.center.ledger.onCommitted((events) => {
          for (const e of events) if (e.deviceId === dev.id) heard.push(e);
        });
        expect(await exchange(dev, heartbeats(1, 3))).toMatchObject({ type: 'ack', through: 3 });
        const sentAt = Date.now();
        // Taken and acknowledged, so the unit frees it and moves on.
        expect(await exchange(dev, [heartbeat(4, IN_2036, 5, 'battery')], sentAt)).toMatchObject({
          type: 'ack',
          through: 4,
        });
        expect(await metric(tc, 'sde_events_implausible_total', '{reason="future_time"}')).toBe(before + 1);

        for (const s of [await status(dev.id), await listed(dev.id)]) {
          expect(s).toMatchObject({ ackedSeq: 4, maxSeq: 4, battery: 90, power: 'mains' });
          expect(new Date(s!.heartbeatAt!).getTime()).toBeLessThan(sentAt);
        }
        const rows = await sql<{ time: Date; device_time: Date; received_at: Date; flags: string[] }>`
        select e.time, e.device_time, e.received_at, e.flags from events e join devices d on d.no = e.device_no
        where d.id = ${dev.id} and e.seq = 4`.execute(tc.center.database.db);
        const row = rows.rows[0]!;
        expect(row.flags).toContain('future_time');
        expect(new Date(row.device_time).getTime()).toBe(IN_2036);
        expect(new Date(row.time).getTime()).toBe(new Date(row.received_at).getTime());
        const toEngine = heard.find((e) => e.seq === 4)!;
        expect(toEngine.time).toBe(toEngine.receivedAt);
        expect(toEngine.flags).toContain('future_time');

        // The next heartbeat is the latest, as it would be after any other.
        expect(await exchange(dev, [heartbeat(5, Date.now(), 80)])).toMatchObject({ through: 5 });
        expect(await status(dev.id)).toMatchObject({ battery: 80, power: 'mains' });

        // Data stored before the bound existed: a heartbeat of 2036 without the flag, and a number 2^40.
        const no = (
          await sql<{ no: number }>`select no from devices where id = ${dev.id}`.execute(
            tc.center.database.db,
          )
        ).rows[0]!.no;
        for (const [id, seq, time] of [
          [-1, 6, IN_2036],
          [-2, FAR, Date.now() - 3_600_000],
        ] as const) {
          await sql`
          insert into events (id, received_at, device_no, seq, kind, device_time, time, raw_id, source, body)
          values (${id}, now(), ${no}, ${seq}, 'heartbeat', ${new Date(time)}, ${new Date(time)}, 0, 'mqtt',
            ${JSON.stringify({ battery: 3, signal: 1, power: 'battery' })}::jsonb)`.execute(
            tc.center.database.db,
          );
        }
        expect(await status(dev.id)).toMatchObject({ battery: 80, power: 'mains' });
        expect(await listed(dev.id)).toMatchObject({ battery: 80, power: 'mains' });
        // verify: the leap to 2^40 is one jump, not a trillion missing numbers; both far-dated events counted.
        expect(await verify()).toMatchObject({ duplicates: 0, gaps: 0, jumps: 1, futureTime: 2 });
        await sql`delete from events where id in (-1, -2)`.execute(tc.center.database.db);
      },
    );

    it.skipIf(!available)(
      'takes a unit resuming after 72 hours offline whole, live and from a read-out, quarantining only a leap',
      async () => {
        const dev = await unit();
        await dev.send({ v: 1, type: 'hello', dev: dev.id, ts: Date.now(), model: 'home_unit', fw: '1.0' });
        // Its last report before the network went: 72 hours ago.
        const now = Date.now();
        expect(await exchange(dev, heartbeats(1, 10, now - 73 * 3_600_000))).toMatchObject({ through: 10 });
        // 72 hours of heartbeats every 5 minutes, sent when the network is back, in frames of 288.
        const backlog = Array.from({ length: 864 }, (_, i) =>
          heartbeat(11 + i, now - 72 * 3_600_000 + i * 300_000, 100 - Math.floor(i / 10)),
        );
        for (let i = 0; i < backlog.length; i += 288) {
          expect(await exchange(dev, backlog.slice(i, i + 288))).toMatchObject({
            type: 'ack',
            through: 10 + Math.min(i + 288, 864),
          });
        }
        expect(await status(dev.id)).toMatchObject({ ackedSeq: 874, maxSeq: 874, battery: 14 });
        const flagged = await sql<{ n: number }>`
        select count(*)::int as n from events e join devices d on d.no = e.device_no
        where d.id = ${dev.id} and 'future_time' = any(e.flags)`.execute(tc.center.database.db);
        expect(flagged.rows[0]!.n).toBe(0);

        // A unit read on site: 72 hours of events (one frame of 500), and a last frame numbered from 2^40.
        const readUnit = await unit();
        const file = encodeReadout(readUnit.id, readUnit.secret, [
          ...backlog.slice(0, 500).map((e) => ({ ...e, seq: e.seq - 10 })),
          heartbeat(FAR, now, 2),
        ]);
        const upload = await tc.api<{ stored: number; through: number; quarantined: number }>(
          'POST',
          '/api/v1/readouts',
          file,
          'text/plain',
        );
        expect(upload.status).toBe(200);
        expect(upload.body).toMatchObject({ stored: 500, through: 500, quarantined: 1 });
        expect(await status(readUnit.id)).toMatchObject({ ackedSeq: 500, maxSeq: 500 });
      },
    );

    it.skipIf(!available)(
      'accepts or refuses by the bound alone, and nothing refused changes the unit’s status (property)',
      async () => {
        const window = DEFAULT_MAX_SEQ_AHEAD;
        await fc.assert(
          fc.asyncProperty(
            fc.integer({ min: 0, max: 3 }),
            fc.oneof(
              fc.integer({ min: 1, max: 3 * window }),
              fc.constantFrom(1, 2, window - 1, window, window + 1, FAR),
            ),
            fc.oneof(
              fc.integer({ min: -30_000, max: 2 * 3_600_000 }),
              fc.constantFrom(0, MAX_FUTURE_MS, MAX_FUTURE_MS + 1, IN_2036 - Date.now()),
            ),
            async (mark, ahead, dated) => {
              const dev = await unit();
              if (mark > 0) expect(await exchange(dev, heartbeats(1, mark))).toMatchObject({ through: mark });
              const before = await status(dev.id);
              const ts = Date.now();
              const got = await exchange(dev, [heartbeat(mark + ahead, ts + dated, 7, 'battery')], ts);
              const after = await status(dev.id);
              if (ahead > window) {
                expect(got).toMatchObject({ type: 'refusal', code: 'seq_out_of_range' });
                expect(after).toEqual(before);
              } else {
                expect(got).toMatchObject({ type: 'ack', through: ahead === 1 ? mark + 1 : mark });
                expect(after.maxSeq).toBe(mark + ahead);
                // Dated within the bound: the latest heartbeat; beyond: stored, never the latest.
                expect(after.battery).toBe(dated > MAX_FUTURE_MS ? before.battery : 7);
              }
              await dev.close();
              open.splice(open.indexOf(dev), 1);
            },
          ),
          { numRuns: 20 },
        );
      },
      120_000,
    );
  },
);
