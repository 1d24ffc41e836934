/** The ledger on the embedded store: urgent events jump a backlog, and nothing is stored twice. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceEvent } from '@sde/protocol';
import { migrate, openDatabase, type DatabaseHandle } from '../src/db/database.js';
import { createDeviceRepository, type DeviceRecord } from '../src/devices/device.repository.js';
import { createDeviceService } from '../src/devices/device.service.js';
import { createLedgerRepository, type LedgerRepository } from '../src/ledger/ledger.repository.js';
import {
  createLedger,
  OverloadedError,
  UnstorableBatchError,
  type LedgerBatch,
} from '../src/ledger/ledger.service.js';
import { createMetrics } from '../src/metrics.js';
import { createLocalKeyProvider } from '../src/secrets/key-provider.js';
import { heartbeats } from './harness.js';
import { createTestDatabase, hasPostgres } from './services.js';

/** A live batch of `events` from `unit`, as the gateway hands it to the ledger. */
function batchOf(
  unit: { no: number; id: string },
  events: DeviceEvent[],
  opts: { ts?: number; frame?: string; receivedAt?: Date } = {},
): LedgerBatch {
  return {
    deviceNo: unit.no,
    message: { v: 1, type: 'events', dev: unit.id, ts: opts.ts ?? Date.now(), events },
    frame: opts.frame ?? 'frame',
    receivedAt: opts.receivedAt ?? new Date(),
    source: 'mqtt',
  };
}

/** A live batch of `fault` events numbered `seqs` from `unit`, each stamped `t + seq`. */
function faults(
  unit: { no: number; id: string },
  seqs: number[],
  t: number,
  opts: { frame?: string; receivedAt?: Date } = {},
): LedgerBatch {
  return batchOf(
    unit,
    seqs.map((seq) => ({ seq, t: t + seq, kind: 'fault' as const, code: `E${seq}` })),
    { ts: t, ...opts },
  );
}

describe('the ledger under a backlog', () => {
  let dir: string;
  let db: DatabaseHandle;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sde-ledger-'));
    db = await openDatabase({ dataDir: dir });
  });
  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A ledger on this store, as a center (re)started on it has (`repo`: the store as it answers). */
  const newLedger = (repo: LedgerRepository = createLedgerRepository(db.db)) =>
    createLedger({ repo, metrics: createMetrics(), maxQueuedEvents: 100 });

  /** Registers `count` home units and returns their registry records. */
  async function provisionUnits(count: number, prefix: string): Promise<DeviceRecord[]> {
    const devices = createDeviceService(
      createDeviceRepository(db.db, createLocalKeyProvider([randomBytes(32)])),
    );
    const units = await devices.provision({ kind: 'home_unit', count, prefix });
    return (await Promise.all(units.map((u) => devices.lookup(u.id)))).map((r) => r!);
  }

  it('stores a tamper before the heartbeats queued ahead of it, and every event once', async () => {
    const records = await provisionUnits(300, 'LQ-');
    const ledger = createLedger({
      repo: createLedgerRepository(db.db),
      metrics: createMetrics(),
      maxQueuedEvents: 1_000_000,
    });
    const order: string[] = [];
    const t = Date.now();
    const backlog = records.flatMap((r, i) =>
      Array.from({ length: 10 }, (_, b) =>
        ledger
          .submit(batchOf(r, heartbeats(b * 20 + 1, b * 20 + 20, t), { ts: t, frame: 'x' }))
          .then(() => order.push(`hb-${i}-${b}`)),
      ),
    );
    const tamperer = records[299]!;
    const tamper = ledger
      .submit(
        batchOf(tamperer, [{ seq: 201, t, kind: 'tx_strap_tamper', tx: 'TX-1' }], { ts: t, frame: 'y' }),
      )
      .then(() => order.push('tamper'));
    await Promise.all([...backlog, tamper]);
    // 3,000 heartbeat batches (60,000 events) were queued before it; the tamper is stored in the first groups.
    expect(order.indexOf('tamper')).toBeLessThan(1000);
    expect(await ledger.verify()).toMatchObject({ events: 60_001, devices: 300, duplicates: 0, gaps: 0 });
  });

  it('queues only the new events of a retransmitted window, so copies cannot fill the queue', async () => {
    const record = (await provisionUnits(1, 'LR-'))[0]!;
    const metrics = createMetrics();
    // Room for 600 queued events: the first window (500) and the one new event of each retransmission fit
    // only if the 500 copies are not queued again.
    const ledger = createLedger({ repo: createLedgerRepository(db.db), metrics, maxQueuedEvents: 1000 });
    const t = Date.now();
    const window = (to: number) => batchOf(record, heartbeats(1, to, t), { ts: t, frame: 'w' });
    // The unit sends 1..500, then — no acknowledgement yet — retransmits its window with one event more, five times.
    const outcomes = await Promise.all([500, 501, 502, 503, 504, 505].map((to) => ledger.submit(window(to))));
    expect(outcomes.at(-1)!.through).toBe(505);
    expect(outcomes.reduce((n, o) => n + o.stored, 0)).toBe(505);
    expect(outcomes.slice(1).map((o) => o.duplicates)).toEqual([500, 501, 502, 503, 504]);
    const dup = (await metrics.registry.getSingleMetricAsString('sde_events_duplicate_total'))
      .split(' ')
      .at(-1);
    expect(Number(dup)).toBe(500 + 501 + 502 + 503 + 504);
  });

  it('counts events another center already stored as duplicates, and stores each event and frame exactly', async () => {
    const [record, other, busy] = await provisionUnits(3, 'LX-');
    // Two centers on one database: neither knows what the other stored.
    const [a, b] = [0, 1].map(() =>
      createLedger({ repo: createLedgerRepository(db.db), metrics: createMetrics(), maxQueuedEvents: 1000 }),
    );
    await b!.preload([record!.no, other!.no, busy!.no]);
    const t = Date.parse('2026-03-29T00:59:59.123Z');
    const batch = (seqs: number[], frame: string) =>
      batchOf(
        record!,
        seqs.map((seq) => ({ seq, t: t + seq, kind: 'fault' as const, code: `E"${seq}\\{,}` })),
        { ts: t + 5, frame, receivedAt: new Date(t + 1000) },
      );
    expect(await a!.submit(batch([1, 2, 3], 'first "frame"\t{a,b}'))).toEqual({
      through: 3,
      stored: 3,
      duplicates: 0,
    });
    // The second center takes the unit's retransmitted window 1..3 with a new event 4: only 4 is new. In the
    // same group (queued behind a third unit's) another unit's first frame, which nobody stored: the group's
    // statement leaves out only the unit the other center wrote, and stores this one's events with their
    // frame's time.
    const [, retransmitted, first] = await Promise.all([
      b!.submit(faults(busy!, [1], t)),
      b!.submit(batch([1, 2, 3, 4], 'second\\frame')),
      b!.submit(faults(other!, [1, 2], t, { frame: 'other', receivedAt: new Date(t + 7) })),
    ]);
    expect(retransmitted).toEqual({ through: 4, stored: 1, duplicates: 3 });
    expect(first).toEqual({ through: 2, stored: 2, duplicates: 0 });
    const others = await sql<{ seq: number; received_at: Date; source: string; frame: string }>`
      select e.seq, e.received_at, e.source, r.frame from events e join raw_messages r on r.id = e.raw_id
      where e.device_no = ${other!.no} order by e.seq`.execute(db.db);
    expect(
      others.rows.map((r) => [Number(r.seq), new Date(r.received_at).getTime(), r.source, r.frame]),
    ).toEqual([
      [1, t + 7, 'mqtt', 'other'],
      [2, t + 7, 'mqtt', 'other'],
    ]);
    const rows = await sql<{
      seq: number;
      time: Date;
      device_time: Date;
      received_at: Date;
      body: unknown;
      frame: string;
    }>`
      select e.seq, e.time, e.device_time, e.received_at, e.body, r.frame
      from events e join raw_messages r on r.id = e.raw_id
      where e.device_no = ${record!.no} order by e.seq`.execute(db.db);
    expect(rows.rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4]);
    for (const r of rows.rows) {
      const seq = Number(r.seq);
      // The device's clock was 995 ms behind the center's: the center time is corrected, to the millisecond.
      expect(new Date(r.device_time).getTime()).toBe(t + seq);
      expect(new Date(r.time).getTime()).toBe(t + seq + 995);
      expect(new Date(r.received_at).getTime()).toBe(t + 1000);
      expect(r.body).toEqual({ code: `E"${seq}\\{,}` });
      expect(r.frame).toBe(seq < 4 ? 'first "frame"\t{a,b}' : 'second\\frame');
    }
  });

  it('refuses only the batch the store cannot hold; the other units written with it are stored', async () => {
    const records = await provisionUnits(40, 'LP-');
    const poisoned = records[17]!;
    const real = createLedgerRepository(db.db);
    let storeDown = true;
    const ledger = createLedger({
      // A store that cannot hold one unit's frame (as PostgreSQL cannot hold a NUL character), and that is
      // down at first: a group that fails then fails as a whole, and no batch is called unstorable.
      repo: {
        ...real,
        writeGroup: async (raws, events, updates, read) => {
          if (storeDown) throw new Error('connection terminated');
          if (raws.some((r) => r.deviceNo === poisoned.no))
            throw Object.assign(new Error('unsupported Unicode escape sequence'), { code: '22P05' });
          return real.writeGroup(raws, events, updates, read);
        },
      },
      metrics: createMetrics(),
      maxQueuedEvents: 10_000,
    });
    await ledger.preload(records.map((r) => r.no));
    const t = Date.now();
    const submitAll = () =>
      Promise.allSettled(
        records.map((r) =>
          ledger.submit(
            batchOf(r, [{ seq: 1, t, kind: 'fault', code: 'E1' }], {
              ts: t,
              frame: `frame of ${r.id}`,
              receivedAt: new Date(t),
            }),
          ),
        ),
      );
    // The store is down: every batch fails with the store's own error, none is called unstorable.
    const down = await submitAll();
    expect(down.every((o) => o.status === 'rejected' && !(o.reason instanceof UnstorableBatchError))).toBe(
      true,
    );
    storeDown = false;

    const outcomes = await submitAll();
    outcomes.forEach((o, i) => {
      if (i === 17) {
        expect(o.status).toBe('rejected');
        expect((o as PromiseRejectedResult).reason).toBeInstanceOf(UnstorableBatchError);
        expect(String((o as PromiseRejectedResult).reason.message)).toMatch(/cannot store this batch/);
      } else expect(o).toEqual({ status: 'fulfilled', value: { through: 1, stored: 1, duplicates: 0 } });
    });
    const stored = await sql<{ n: number }>`
      select count(*)::int as n from events where device_no = any(${records.map((r) => r.no)}::int4[])`.execute(
      db.db,
    );
    expect(stored.rows[0]!.n).toBe(39);
  });

  it('stores the events of a unit whose clock was reset to 1970, at center time and flagged', async () => {
    const unit = (await provisionUnits(1, 'LZ-'))[0]!;
    const ledger = newLedger();
    // The unit's clock restarted at the epoch: it is some 56 years behind the center's.
    const receivedAt = new Date();
    const outcome = await ledger.submit(
      batchOf(unit, [{ seq: 1, t: 3_000, kind: 'tx_strap_tamper', tx: 'TX-Z' }], { ts: 3_500, receivedAt }),
    );
    expect(outcome).toEqual({ through: 1, stored: 1, duplicates: 0 });
    const rows = await sql<{ time: Date; device_time: Date; flags: string[] }>`
      select time, device_time, flags from events where device_no = ${unit.no}`.execute(db.db);
    expect(
      rows.rows.map((r) => [new Date(r.time).getTime(), new Date(r.device_time).getTime(), r.flags]),
    ).toEqual([[receivedAt.getTime() - 500, 3_000, ['clock_offset']]]);
    // The offset is kept for the unit's readouts, which carry no time of sending.
    const [progress] = await createLedgerRepository(db.db).progress([unit.no]);
    expect(progress?.clockOffsetMs).toBe(receivedAt.getTime() - 3_500);
  });

  it('resumes after a restart with the holes it left: numbers stored above a hole are duplicates', async () => {
    const record = (await provisionUnits(1, 'LH-'))[0]!;
    const before = newLedger();
    const t = Date.now();
    const batch = (seqs: number[]) => faults(record, seqs, t);
    expect(await before.submit(batch([1, 2, 3]))).toEqual({ through: 3, stored: 3, duplicates: 0 });
    // 4 and 5 were lost on the way; 6, 7 and 9 arrived.
    expect(await before.submit(batch([6, 7, 9]))).toEqual({ through: 3, stored: 3, duplicates: 0 });
    // The center restarts: the new ledger knows only what is stored.
    const after = newLedger();
    expect(await after.through(record.no)).toBe(3);
    // The unit retransmits everything unacknowledged, with a new event 10.
    expect(await after.submit(batch([4, 5, 6, 7, 8, 9, 10]))).toEqual({
      through: 10,
      stored: 4,
      duplicates: 3,
    });
    const seqs = await sql<{ seq: number }>`
      select seq from events where device_no = ${record.no} order by seq`.execute(db.db);
    expect(seqs.rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('keeps the dedupe of a store written before the keys moved to the device rows (migration 0006)', async () => {
    const record = (await provisionUnits(1, 'LM-'))[0]!;
    const t = Date.now();
    const batch = (seqs: number[]) => faults(record, seqs, t);
    // The store as migration 0005 left it: one ledger_keys row per stored event, 1..3 and 5.
    await sql`delete from schema_migrations where id = '0006_device_seqs'`.execute(db.db);
    await sql`alter table devices drop column seqs`.execute(db.db);
    await sql`create table ledger_keys (
      device_no integer not null, seq bigint not null, event_id bigint not null, primary key (device_no, seq))`.execute(
      db.db,
    );
    await sql`insert into ledger_keys (device_no, seq, event_id)
      select ${record.no}, s, s from unnest(array[1, 2, 3, 5]) s`.execute(db.db);
    expect(await migrate(db.db)).toEqual(['0006_device_seqs']);

    const ledger = newLedger();
    expect(await ledger.through(record.no)).toBe(3);
    expect(await ledger.submit(batch([2, 3, 4, 5, 6]))).toEqual({ through: 6, stored: 2, duplicates: 3 });
  });

  it('takes each unit in order past half a full queue, so that everything it stores can be acknowledged', async () => {
    const [unit, filler, other, calm] = await provisionUnits(4, 'LO-');
    const real = createLedgerRepository(db.db);
    // A store that takes the first group and holds it until released: the queue stays as filled.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const ledger = newLedger({ ...real, writeGroup: (...args) => held.then(() => real.writeGroup(...args)) });
    await ledger.preload([unit!.no, filler!.no, other!.no, calm!.no]);
    const t = Date.now();
    const send = (r: DeviceRecord, from: number, to: number) =>
      ledger.submit(batchOf(r, heartbeats(from, to, t), { ts: t }));

    // Room for 100 queued events. 60 of another unit, then the unit's 1..30: in order, taken.
    const first = [send(filler!, 1, 60), send(unit!, 1, 30)];
    // 31..50 does not fit: refused, a hole before the unit's next frames.
    await expect(send(unit!, 31, 50)).rejects.toBeInstanceOf(OverloadedError);
    // 51..55 would fit, but stored above the hole it could not be acknowledged: refused too.
    const aboveHole = send(unit!, 51, 55);
    // Other units' next events are in order: taken. So is an alarm above the hole: it is not held back.
    first.push(send(other!, 1, 5));
    const tamper = ledger.submit(
      batchOf(unit!, [{ seq: 56, t: t + 56_000, kind: 'tx_strap_tamper', tx: 'TX-1' }], { ts: t }),
    );
    release();
    await expect(aboveHole).rejects.toThrow(/in order/);
    const [, unitFirst, otherFirst] = await Promise.all(first);
    expect(unitFirst).toMatchObject({ through: 30, stored: 30 });
    expect(otherFirst).toMatchObject({ through: 5, stored: 5 });
    // (stored first: urgent events jump the queue)
    expect(await tamper).toMatchObject({ through: 0, stored: 1 });

    // The unit retransmits from its first unacknowledged event: the hole is filled, the whole of it answered.
    expect(await send(unit!, 31, 55)).toEqual({ through: 56, stored: 25, duplicates: 0 });
    // Below half the queue a frame above a hole is taken as before (a unit whose earlier frame was refused as
    // invalid keeps reporting).
    await send(calm!, 1, 5);
    expect(await send(calm!, 10, 12)).toEqual({ through: 5, stored: 3, duplicates: 0 });
  });

  it('refuses a batch as overloaded, and stores nothing of it, while another writer keeps taking its unit first', async () => {
    const record = (await provisionUnits(1, 'LC-'))[0]!;
    const real = createLedgerRepository(db.db);
    let writes = 0;
    // A store where another process has always just written this unit: every write leaves it out.
    const ledger = newLedger({
      ...real,
      writeGroup: async () => {
        writes++;
        return { conflicted: new Set([record.no]), heads: new Map() };
      },
    });
    const t = Date.now();
    const outcome = ledger.submit(faults(record, [1], t));
    await expect(outcome).rejects.toBeInstanceOf(OverloadedError);
    await expect(outcome).rejects.toThrow(/another writer/);
    // It gave up after a bounded number of tries, and the unit's mark did not move.
    expect(writes).toBe(5);
    expect(await ledger.through(record.no)).toBe(0);
  });

  it('answers a greeting storm of units it has not seen with a few reads, each unit its own mark', async () => {
    const records = await provisionUnits(3000, 'LG-');
    // Some units stored events through another ledger (an earlier run of the center): 1..k for unit k.
    const earlier = createLedger({
      repo: createLedgerRepository(db.db),
      metrics: createMetrics(),
      maxQueuedEvents: 100_000,
    });
    const t = Date.now();
    await Promise.all(
      records.slice(0, 40).map((r, k) =>
        earlier.submit(
          batchOf(
            r,
            Array.from({ length: k + 1 }, (_, i) => ({ seq: i + 1, t, kind: 'unit_moved' as const })),
            { ts: t, frame: 'g' },
          ),
        ),
      ),
    );
    const repo = createLedgerRepository(db.db);
    let reads = 0;
    const counted = {
      ...repo,
      progress: (nos: number[]) => {
        reads++;
        return repo.progress(nos);
      },
    };
    const ledger = createLedger({ repo: counted, metrics: createMetrics(), maxQueuedEvents: 100_000 });
    // Every unit greets at once (a center restarted, or units registered after it started).
    const marks = await Promise.all(records.map((r) => ledger.through(r.no)));
    expect(marks).toEqual(records.map((_, k) => (k < 40 ? k + 1 : 0)));
    expect(reads).toBeLessThanOrEqual(3);
    // Marks read once are kept: the next greetings and batches read nothing.
    await ledger.through(records[7]!.no);
    expect(reads).toBeLessThanOrEqual(3);
  });
});

describe.skipIf(!hasPostgres)('two centers writing the same units on one PostgreSQL server', () => {
  let server: { url: string; drop: () => Promise<void> };
  let handles: DatabaseHandle[];
  beforeAll(async () => {
    server = await createTestDatabase();
    const dataDir = mkdtempSync(join(tmpdir(), 'sde-ledger-pg-'));
    // Each center its own connections: their statements really run at the same time.
    handles = [];
    for (let i = 0; i < 2; i++) handles.push(await openDatabase({ url: server.url, dataDir }));
    rmSync(dataDir, { recursive: true, force: true });
  });
  afterAll(async () => {
    for (const h of handles) await h.close();
    await server.drop();
  });

  it('stores every event once when both take the same frames at the same time', async () => {
    const devices = createDeviceService(
      createDeviceRepository(handles[0]!.db, createLocalKeyProvider([randomBytes(32)])),
    );
    const created = await devices.provision({ kind: 'home_unit', count: 60, prefix: 'LR-' });
    const units = (await Promise.all(created.map((u) => devices.lookup(u.id)))).map((r) => r!);
    const [a, b] = handles.map((h) =>
      createLedger({
        repo: createLedgerRepository(h.db),
        metrics: createMetrics(),
        maxQueuedEvents: 100_000,
        lanes: 2,
      }),
    );
    await a!.preload(units.map((u) => u.no));
    await b!.preload(units.map((u) => u.no));
    const t = Date.now();
    // Every unit sends windows that overlap its earlier ones (retransmissions with new events), and both
    // centers receive each frame, as when both subscribe to every unit's uplink.
    const window = (from: number, to: number) =>
      Array.from({ length: to - from + 1 }, (_, i) => ({
        seq: from + i,
        t: t + from + i,
        kind: 'heartbeat' as const,
        battery: 90,
        signal: -70,
        power: 'mains' as const,
      }));
    let storedByBoth = 0;
    for (let round = 0; round < 10; round++) {
      const outcomes = await Promise.all(
        units.flatMap((u, k) => {
          const from = Math.max(1, round * 5 - (k % 4));
          const frame = batchOf(u, window(from, round * 5 + 5), { ts: t });
          return [a!.submit(frame), b!.submit(frame)];
        }),
      );
      storedByBoth += outcomes.reduce((n, o) => n + o.stored, 0);
    }
    expect(storedByBoth).toBe(60 * 50);
    const rows = await sql<{ n: number; distinct_n: number }>`
      select count(*)::int as n, count(distinct (device_no, seq))::int as distinct_n from events
      where device_no = any(${units.map((u) => u.no)}::int4[])`.execute(handles[0]!.db);
    expect(rows.rows[0]).toEqual({ n: 60 * 50, distinct_n: 60 * 50 });
  });
});
