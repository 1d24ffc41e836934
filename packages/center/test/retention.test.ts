/**
 * Retention and legal holds (T4.7, ADR 0702) on the embedded store and on a PostgreSQL server, the clock
 * moved across the two-year limit: a center running for months creates its coming months and moves rows
 * out of the default partition; whole months past the limit are dropped, the rows of a held case kept; a
 * case ended past the limit is pseudonymised with its statistics kept, a held one only once the hold is
 * lifted; every run is audited and counted.
 */
import { sql } from 'kysely';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../src/auth/actor.js';
import { createHoldService } from '../src/retention/hold.routes.js';
import { createRetentionJob, type RetentionJob } from '../src/retention/retention.job.js';
import type { Storage } from './harness.js';
import { hasPostgres, openTestStore } from './services.js';
import { insertSupervision } from './supervision.fixtures.js';
import { VirtualClock } from './virtual-clock.js';

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

const at = (iso: string) => Date.parse(iso);
const DAY = 86_400_000;

const judge = (courtId: string): Actor => ({
  userId: null,
  login: `judge.${courtId}`,
  displayName: 'Sędzia',
  role: 'judge',
  regionId: null,
  courtId,
  terminal: 'test',
});

describe.each(setups)('retention on %s', (storage, available) => {
  let handle: Awaited<ReturnType<typeof openTestStore>> | undefined;
  const clock = new VirtualClock(at('2027-01-10T12:00:00Z'));
  const registry = new Registry();
  let job: RetentionJob;
  const ids = { held: '', free: '', heldCase: '', freeCase: '' };

  beforeAll(async () => {
    if (!available) return;
    handle = await openTestStore(storage, 'retention');
    const db = handle.db;
    job = createRetentionJob({
      db,
      clock,
      logger: pino({ level: 'silent' }),
      registry,
      // A month between runs keeps the test short; production runs every 6 hours.
      settings: { months: 24, intervalMs: 30 * DAY, firstRunMs: DAY },
    });
    await db.insertInto('regions').values({ id: 'PL-MZ', name: 'mazowieckie' }).execute();
    await db
      .insertInto('courts')
      .values({ id: 'SR-A', name: 'Sąd Rejonowy A', region_id: 'PL-MZ' })
      .execute();
    await sql`insert into devices (id, kind, secret) values ('HU-HELD', 'home_unit', 's'), ('HU-FREE', 'home_unit', 's')`.execute(
      db,
    );
    const supervision = (n: string, device: string) =>
      insertSupervision(db, {
        regionId: 'PL-MZ',
        courtId: 'SR-A',
        caseNumber: `III Kow ${n}/27`,
        familyName: `Nazwisko-${n}`,
        versions: [],
        assignments: [{ deviceId: device, from: at('2027-01-01T00:00:00Z') }],
      });
    ids.held = await supervision('1', 'HU-HELD');
    ids.free = await supervision('2', 'HU-FREE');
    const caseOf = async (s: string) =>
      (await db.selectFrom('supervisions').select('case_id').where('id', '=', s).executeTakeFirstOrThrow())
        .case_id;
    ids.heldCase = await caseOf(ids.held);
    ids.freeCase = await caseOf(ids.free);
  });
  afterAll(async () => {
    await job?.stop();
    await handle?.remove();
  });

  let nextId = 1_000_000;
  /** Each device's hash-chain length: the frame and the event are its next two links (ADR 0701). */
  const chainLen = new Map<string, number>();
  /** One frame with one position event of `device`, registered at `iso`. */
  async function store(device: string, iso: string): Promise<void> {
    const id = nextId++;
    const pos = (chainLen.get(device) ?? 0) + 1;
    chainLen.set(device, pos + 1);
    await sql`
      with d as (select no from devices where id = ${device})
      insert into raw_messages (id, received_at, device_no, source, frame, chain_pos, hash)
      select ${id}, ${iso}::timestamptz, d.no, 'mqtt', '{}', ${pos}, sha256(convert_to(${`${device}#${pos}`}::text, 'UTF8'))
      from d`.execute(handle!.db);
    await sql`
      with d as (select no from devices where id = ${device})
      insert into events (id, received_at, device_no, seq, kind, device_time, time, raw_id, source, body,
        chain_pos, hash)
      select ${id + 1}, ${iso}::timestamptz, d.no, ${id}, 'position', ${iso}::timestamptz, ${iso}::timestamptz,
        ${id}, 'mqtt', '{"lat":52.2,"lon":21.0}', ${pos + 1}, sha256(convert_to(${`${device}#${pos + 1}`}::text, 'UTF8')) from d`.execute(
      handle!.db,
    );
    nextId++;
  }

  async function count(table: string): Promise<number> {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)}`.execute(
      handle!.db,
    );
    return rows[0]!.n;
  }
  const exists = async (name: string) =>
    (await sql<{ r: string | null }>`select to_regclass(${name})::text as r`.execute(handle!.db)).rows[0]!
      .r !== null;
  async function metric(name: string): Promise<number> {
    const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
    return (m?.values ?? []).reduce((s, v) => s + Number(v.value), 0);
  }

  it.skipIf(!available)(
    'a center running for months creates the coming months and moves the rows of the default partition',
    async () => {
      await store('HU-HELD', '2027-01-20T10:00:00Z');
      await store('HU-FREE', '2027-01-20T10:00:00Z');
      // Past the months created at start (this month and two ahead): these land in the default partition.
      await store('HU-HELD', '2027-05-10T10:00:00Z');
      await store('HU-FREE', '2027-05-11T10:00:00Z');
      expect(await count('events_default')).toBe(2);
      expect(await exists('events_202705')).toBe(false);

      job.start();
      await clock.advanceTo(at('2027-05-12T00:00:00Z'), async () => {
        await job.idle();
      });
      expect(await count('events_default')).toBe(0);
      expect(await count('raw_messages_default')).toBe(0);
      expect(await count('events_202705')).toBe(2);
      expect(await count('raw_messages_202705')).toBe(2);
      // Ready for the months to come, before they begin.
      expect(await exists('events_202707')).toBe(true);
      expect(await metric('sde_retention_rows_moved_total')).toBe(4);
      await job.stop();
    },
  );

  it.skipIf(!available)(
    'drops whole months past two years, keeping the rows of a case under a hold',
    async () => {
      const holds = createHoldService({ db: handle!.db, clock });
      const hold = await holds.set(judge('SR-A'), ids.heldCase, 'postępowanie o odszkodowanie w toku');
      await expect(holds.set(judge('SR-A'), ids.heldCase, 'drugie')).rejects.toMatchObject({
        code: 'hold_in_force',
        status: 409,
      });
      // The two supervisions end in June 2027.
      for (const id of [ids.held, ids.free]) {
        await sql`update supervisions set status = 'ended_served',
        lifecycle = ${JSON.stringify({ status: 'ended_served', history: [{ type: 'end_served', atUtcMs: at('2027-06-01T00:00:00Z') }] })}::jsonb
        where id = ${id}::uuid`.execute(handle!.db);
      }

      // One day short of two years after January's last day: January stays.
      clock.jumpTo(at('2029-01-31T12:00:00Z'));
      let plan = await job.plan();
      expect(plan.partitions.map((p) => p.name)).not.toContain('events_202701');

      clock.jumpTo(at('2029-02-01T12:00:00Z'));
      plan = await job.plan();
      expect(plan.cutoff).toBe('2027-02-01T12:00:00.000Z');
      const jan = plan.partitions.filter((p) => p.name.endsWith('202701'));
      expect(jan).toEqual([
        expect.objectContaining({ name: 'events_202701', rows: 2, heldRows: 1 }),
        expect.objectContaining({ name: 'raw_messages_202701', rows: 2, heldRows: 1 }),
      ]);
      expect(plan.casesToErase).toBe(0);

      const run = await job.run();
      expect(run.partitions.map((p) => p.name)).toEqual(plan.partitions.map((p) => p.name));
      expect(await exists('events_202701')).toBe(false);
      expect(await exists('raw_messages_202701')).toBe(false);
      expect(await exists('events_202705')).toBe(true);
      // The held case's position and its frame, and nothing of the other case.
      const kept = await sql<{ case_id: string; n: number }>`
      select case_id, count(*)::int as n from events_held group by case_id`.execute(handle!.db);
      expect(kept.rows).toEqual([{ case_id: ids.heldCase, n: 1 }]);
      expect(await count('raw_messages_held')).toBe(1);
      // Each device's chain now starts after January's last link, so `ledger verify` finds no gap (ADR 0701).
      const anchors = await sql<{ id: string; pos: number; same: boolean }>`
        select d.id, max(a.pos)::int as pos,
          bool_or(a.hash = sha256(convert_to(d.id || '#' || a.pos, 'UTF8'))) as same
        from chain_anchors a join devices d on d.no = a.chain_no
        where a.chain = 'device' group by d.id order by d.id`.execute(handle!.db);
      expect(anchors.rows).toEqual([
        { id: 'HU-FREE', pos: 2, same: true },
        { id: 'HU-HELD', pos: 2, same: true },
      ]);
      expect((await job.plan()).partitions).toEqual([]);
      expect(await metric('sde_retention_partitions_dropped_total')).toBe(run.partitions.length);
      expect(await metric('sde_retention_rows_held_total')).toBe(2);

      // Past two years from the end: the free case is pseudonymised, the held one kept.
      clock.jumpTo(at('2029-06-15T00:00:00Z'));
      plan = await job.plan();
      expect(plan).toMatchObject({ casesToErase: 1, casesHeld: 1 });
      await job.run();
      const person = (caseId: string) =>
        handle!.db
          .selectFrom('cases')
          .innerJoin('monitored_persons as p', 'p.id', 'cases.person_id')
          .select(['p.given_name', 'p.family_name', 'p.birth_date', 'cases.case_number'])
          .where('cases.id', '=', caseId)
          .executeTakeFirstOrThrow();
      expect(await person(ids.freeCase)).toEqual({
        given_name: '',
        family_name: '',
        birth_date: '1980-01-01',
        case_number: 'III Kow 2/27',
      });
      expect((await person(ids.heldCase)).family_name).toBe('Nazwisko-1');
      // The statistics stay: both supervisions, their outcome and their devices' assignments.
      const stats = await sql<{
        n: number;
      }>`select count(*)::int as n from supervisions where status = 'ended_served'`.execute(handle!.db);
      expect(stats.rows[0]!.n).toBe(2);
      expect(await exists('events_202705')).toBe(false);
      expect(await count('events_held')).toBe(2);

      // A hold the case does not have is unknown; lifting the case's own lets the next run apply the period.
      await expect(holds.lift(judge('SR-A'), ids.heldCase, ids.freeCase, 'koniec')).rejects.toMatchObject({
        status: 404,
      });
      await holds.lift(judge('SR-A'), ids.heldCase, hold.id, 'postępowanie zakończone');
      await expect(holds.lift(judge('SR-A'), ids.heldCase, hold.id, 'znowu')).rejects.toMatchObject({
        code: 'hold_lifted',
      });
      expect(await job.plan()).toMatchObject({ casesToErase: 1, casesHeld: 0, heldRowsReleased: 4 });
      const last = await job.run();
      expect(last).toMatchObject({ casesToErase: 1, heldRowsReleased: 4 });
      expect((await person(ids.heldCase)).family_name).toBe('');
      expect(await count('events_held')).toBe(0);
      await expect(holds.set(judge('SR-A'), ids.heldCase, 'za późno')).rejects.toMatchObject({
        code: 'case_erased',
      });

      const audit = await handle!.db
        .selectFrom('audit_log')
        .select(['action', 'entity_id', 'actor_login'])
        .where((eb) => eb.or([eb('action', 'like', 'case.hold.%'), eb('action', 'like', 'retention.%')]))
        .orderBy('id')
        .execute();
      expect(audit.filter((a) => a.action === 'retention.erase').map((a) => a.entity_id)).toEqual([
        ids.freeCase,
        ids.heldCase,
      ]);
      expect(audit.filter((a) => a.action.startsWith('case.hold')).map((a) => a.action)).toEqual([
        'case.hold.set',
        'case.hold.lift',
      ]);
      const runs = audit.filter((a) => a.action === 'retention.run');
      expect(runs.length).toBe(await metric('sde_retention_runs_total'));
      expect(runs.every((r) => r.actor_login === 'retention-job')).toBe(true);
    },
  );
});
