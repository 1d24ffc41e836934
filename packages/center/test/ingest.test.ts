/**
 * The ingest path end to end: a device speaking protocol v1 over MQTT to a real center, on every pairing
 * of storage (PGlite, PostgreSQL server) and broker (embedded, Mosquitto server).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, encodeReadout, sign, type DownlinkMessage } from '@sde/protocol';
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
  ['pglite', 'mosquitto', hasMosquitto],
  ['postgres', 'embedded', hasPostgres],
  ['postgres', 'mosquitto', hasPostgres && hasMosquitto],
];

const isRefusal =
  (code: string) =>
  (m: DownlinkMessage): m is Extract<DownlinkMessage, { type: 'refusal' }> =>
    m.type === 'refusal' && m.code === code;

describe.each(setups)('ingest on %s storage with the %s broker', (storage, broker, available) => {
  let tc: TestCenter;
  let dev: TestDevice;
  let other: TestDevice;
  let creds: { id: string; secret: string }[];
  const prefix = `T${storage[1]}${broker[0]}${Date.now().toString(36)}-`.toUpperCase();

  beforeAll(async () => {
    if (!available) return;
    tc = await startTestCenter(storage, broker);
    creds = await tc.provision(2, prefix);
    dev = await TestDevice.connect(tc.center.mqttUrl, creds[0]!.id, creds[0]!.secret);
    other = await TestDevice.connect(tc.center.mqttUrl, creds[1]!.id, creds[1]!.secret);
  });
  afterAll(async () => {
    if (!available) return;
    await dev?.close();
    await other?.close();
    await tc?.close();
  });

  it.skipIf(!available)(
    'acknowledges a batch only once it is stored, and reports the mark on hello',
    async () => {
      await dev.send({ v: 1, type: 'hello', dev: dev.id, ts: Date.now(), model: 'home_unit', fw: '1.0' });
      expect((await dev.waitForAck(0)).through).toBe(0);
      await dev.sendEvents(heartbeats(1, 10));
      expect((await dev.waitForAck(10)).through).toBe(10);
      const verify = await tc.api<Record<string, number>>('GET', '/api/v1/ledger/verify');
      expect(verify.body).toMatchObject({ events: 10, devices: 1, duplicates: 0, gaps: 0 });
    },
  );

  it.skipIf(!available)(
    'stores a retransmitted or replayed batch once and acknowledges it again',
    async () => {
      const before = await metric(tc, 'sde_events_duplicate_total');
      await dev.sendEvents(heartbeats(5, 15));
      await dev.waitForAck(15);
      const raw = encodeFrame(
        { v: 1, type: 'events', dev: dev.id, ts: Date.now(), events: heartbeats(1, 3) },
        dev.secret,
      );
      const from = dev.inbox.length;
      await dev.publishRaw(raw);
      await dev.publishRaw(raw);
      await dev.waitFor((m): m is DownlinkMessage => m.type === 'ack', { from });
      await waitUntil(async () => (await metric(tc, 'sde_events_duplicate_total')) - before >= 12);
      const verify = await tc.api<Record<string, number>>('GET', '/api/v1/ledger/verify');
      expect(verify.body).toMatchObject({ events: 15, duplicates: 0, gaps: 0 });
    },
  );

  it.skipIf(!available)('holds the acknowledgement at a gap and moves it when the gap fills', async () => {
    await dev.sendEvents(heartbeats(20, 25));
    // Stored, but acknowledged only up to the gap 16–19 (an ack of an earlier replay may still arrive first).
    await waitUntil(
      async () => (await tc.api<Record<string, number>>('GET', '/api/v1/ledger/verify')).body.events === 21,
    );
    expect((await tc.api<Record<string, number>>('GET', '/api/v1/ledger/verify')).body.gaps).toBe(4);
    await waitUntil(async () => dev.inbox.filter((m) => m.type === 'ack').length > 0);
    const acks = dev.inbox.filter((m): m is Extract<DownlinkMessage, { type: 'ack' }> => m.type === 'ack');
    expect(Math.max(...acks.map((a) => a.through))).toBe(15);
    await dev.sendEvents(heartbeats(16, 19).reverse());
    expect((await dev.waitForAck(25)).through).toBe(25);
    expect((await tc.api<Record<string, number>>('GET', '/api/v1/ledger/verify')).body.gaps).toBe(0);
  });

  it.skipIf(!available)(
    'answers a clock request with the center time and the echoed request time',
    async () => {
      const ts = Date.now() - 3_600_000;
      await dev.send({ v: 1, type: 'time_req', dev: dev.id, ts });
      const time = await dev.waitFor(
        (m): m is Extract<DownlinkMessage, { type: 'time' }> => m.type === 'time',
      );
      expect(time.req).toBe(ts);
      expect(Math.abs(time.recv - Date.now())).toBeLessThan(5000);
    },
  );

  it.skipIf(!available)(
    'stores events from a clock hours off, corrected and flagged, and records the offset',
    async () => {
      const skew = 3 * 3_600_000;
      await other.sendEvents(heartbeats(1, 3, Date.now() - skew - 10_000), Date.now() - skew);
      await other.waitForAck(3);
      const status = await tc.api<{ clockOffsetMs: number; ackedSeq: number }>(
        'GET',
        `/api/v1/devices/${other.id}`,
      );
      expect(status.body.ackedSeq).toBe(3);
      expect(Math.abs(status.body.clockOffsetMs - skew)).toBeLessThan(5000);
      const rows = await tc.center.database.db
        .selectFrom('events')
        .select(['time', 'device_time', 'flags'])
        .where('seq', '=', 1)
        .where('device_no', '=', (await tc.center.devices.lookup(other.id))!.no)
        .execute();
      expect(rows[0]!.flags).toContain('clock_offset');
      expect(rows[0]!.time.getTime() - rows[0]!.device_time.getTime()).toBeGreaterThan(skew - 5000);
    },
  );

  it.skipIf(!available)(
    'refuses bad input with a reason, counts it, and keeps serving every device',
    async () => {
      const refused = async (reason: string) =>
        metric(tc, 'sde_messages_refused_total', `{reason="${reason}"}`);
      const base = {
        json: await refused('malformed_json'),
        frame: await refused('malformed_frame'),
        sig: await refused('bad_signature'),
        invalid: await refused('invalid_message'),
        version: await refused('unsupported_version'),
        type: await refused('unknown_type'),
        mismatch: await refused('topic_mismatch'),
      };
      await dev.publishRaw(`{"v":1,"dev":"${dev.id}",\t${'0'.repeat(64)}`);
      await dev.publishRaw('not a frame at all');
      const json = JSON.stringify({
        v: 1,
        type: 'events',
        dev: dev.id,
        ts: Date.now(),
        events: heartbeats(26, 26),
      });
      await dev.publishRaw(`${json}\t${sign(json, 'not-the-secret')}`);
      const from = dev.inbox.length;
      await dev.sendEvents(heartbeats(26, 526));
      await dev.send({
        v: 1,
        type: 'events',
        dev: dev.id,
        ts: Date.now(),
        events: [{ seq: 26, t: 'noon', kind: 'heartbeat' }],
      });
      await dev.send({ v: 2, type: 'events', dev: dev.id, ts: Date.now(), events: [] });
      await dev.send({ v: 1, type: 'teleport', dev: dev.id, ts: Date.now() });
      await dev.publishRaw(
        encodeFrame({ v: 1, type: 'time_req', dev: other.id, ts: Date.now() }, other.secret),
      );

      const oversized = await dev.waitFor(isRefusal('invalid_message'), { from });
      expect(oversized.message).toMatch(/events/);
      await dev.waitFor(isRefusal('unsupported_version'), { from });
      await dev.waitFor(isRefusal('unknown_type'), { from });
      await waitUntil(async () => (await refused('topic_mismatch')) > base.mismatch);
      expect(await refused('malformed_json')).toBe(base.json + 1);
      expect(await refused('malformed_frame')).toBe(base.frame + 1);
      expect(await refused('bad_signature')).toBe(base.sig + 1);
      expect(await refused('invalid_message')).toBe(base.invalid + 2);
      expect(await refused('unsupported_version')).toBe(base.version + 1);
      expect(await refused('unknown_type')).toBe(base.type + 1);

      // Nothing of that was stored, and both devices still get their events acknowledged.
      await dev.sendEvents(heartbeats(26, 27));
      expect((await dev.waitForAck(27)).through).toBe(27);
      await other.sendEvents(heartbeats(4, 4));
      expect((await other.waitForAck(4)).through).toBe(4);
      expect((await tc.api<Record<string, number>>('GET', '/api/v1/ledger/verify')).body).toMatchObject({
        events: 31,
        devices: 2,
        duplicates: 0,
        gaps: 0,
      });
    },
  );

  it.skipIf(!available)(
    'queues a command, delivers it, and records its confirmation and reading',
    async () => {
      const created = await tc.api<{ id: string; status: string }>(
        'POST',
        `/api/v1/devices/${dev.id}/commands`,
        {
          cmd: 'message',
          text: 'Proszę skontaktować się z kuratorem.',
        },
      );
      expect(created.status).toBe(201);
      const cmd = await dev.waitFor(
        (m): m is Extract<DownlinkMessage, { type: 'cmd' }> => m.type === 'cmd' && m.id === created.body.id,
      );
      expect(cmd).toMatchObject({ cmd: 'message', text: 'Proszę skontaktować się z kuratorem.' });
      await dev.send({ v: 1, type: 'cmd_ack', dev: dev.id, ts: Date.now(), id: cmd.id, status: 'done' });
      await dev.sendEvents([{ seq: 28, t: Date.now(), kind: 'message_read', msg: cmd.id }]);
      await dev.waitForAck(28);
      await waitUntil(async () => {
        const list = await tc.api<{ commands: { id: string; status: string; readAt: string | null }[] }>(
          'GET',
          `/api/v1/devices/${dev.id}/commands`,
        );
        const c = list.body.commands.find((x) => x.id === cmd.id);
        return c?.status === 'done' && c.readAt !== null;
      });
      const invalid = await tc.api<{ error: string }>('POST', `/api/v1/devices/${dev.id}/commands`, {
        cmd: 'set_range',
        meters: 5000,
      });
      expect(invalid.status).toBe(400);
      expect(invalid.body.error).toBe('invalid_request');
      // The wire allows 220 m (a portable unit's 200 ± 20 m); a home unit is held to the law's 200 m.
      const wide = await tc.api<{ error: string; messagePl: string }>(
        'POST',
        `/api/v1/devices/${dev.id}/commands`,
        { cmd: 'set_range', meters: 210 },
      );
      expect(wide.status).toBe(400);
      expect(wide.body.error).toBe('stationary_range_invalid');
      expect(wide.body.messagePl).toMatch(/200 m/);
      const fits = await tc.api('POST', `/api/v1/devices/${dev.id}/commands`, {
        cmd: 'set_range',
        meters: 200,
      });
      expect(fits.status).toBe(201);
    },
  );

  it.skipIf(!available)(
    'ingests an offline read-out like live data, refuses a forged one, keeps a cut one',
    async () => {
      const events = heartbeats(29, 60);
      const file = encodeReadout(dev.id, dev.secret, events);
      const forged = file.replace('"battery":90', '"battery":91');
      const refusedForged = await tc.api<{ error: string; message: string }>(
        'POST',
        '/api/v1/readouts',
        forged,
        'text/plain',
      );
      expect(refusedForged.status).toBe(400);
      expect(refusedForged.body.error).toBe('bad_signature');
      const wrongKey = encodeReadout(dev.id, 'someone-elses-secret', events);
      expect((await tc.api('POST', '/api/v1/readouts', wrongKey, 'text/plain')).status).toBe(400);
      expect((await tc.api<Record<string, number>>('GET', '/api/v1/ledger/verify')).body.events).toBe(32);

      const lines = file.split('\n');
      const cut = lines.slice(0, 2).join('\n') + '\n' + lines[2]!.slice(0, 20);
      const partial = await tc.api<{ complete: boolean; stored: number; problem: string }>(
        'POST',
        '/api/v1/readouts',
        cut,
        'text/plain',
      );
      expect(partial.status).toBe(200);
      expect(partial.body.complete).toBe(false);
      expect(partial.body.problem).toMatch(/truncated/);
      expect(partial.body.stored).toBe(32);

      const full = await tc.api<{ complete: boolean; stored: number; duplicates: number; through: number }>(
        'POST',
        '/api/v1/readouts',
        file,
        'text/plain',
      );
      expect(full.body).toMatchObject({ complete: true, stored: 0, duplicates: 32, through: 60 });
      expect((await tc.api<Record<string, number>>('GET', '/api/v1/ledger/verify')).body).toMatchObject({
        events: 64,
        duplicates: 0,
        gaps: 0,
      });
    },
  );

  it.skipIf(!available)('reports health and metrics', async () => {
    const health = await tc.api<{ status: string; storage: boolean; broker: boolean }>('GET', '/healthz');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok', storage: true, broker: true });
    expect(await metric(tc, 'sde_events_stored_total')).toBe(64);
    const text = (await tc.api<string>('GET', '/metrics')).body;
    expect(text).toContain('sde_ingest_latency_seconds_bucket');
  });
});

async function waitUntil(cond: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}
