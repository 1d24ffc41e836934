/**
 * The embedded store (PGlite): a commit is on the storage device when it returns (PGlite's own file layer
 * does not sync), and the store checkpoints, vacuums and analyzes on its own (PostgreSQL in single-user mode
 * has no checkpointer and no autovacuum: its WAL would grow as long as the center runs and a restart after a
 * crash would replay all of it, and its transaction ids would age until it refused every write).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PGliteWorker, type CheckpointReport, type MaintenanceReport } from '../src/db/pglite-dialect.js';

const MiB = 2 ** 20;
const WAL_SINCE_CHECKPOINT = `select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn)::float8 as bytes,
  pg_current_wal_insert_lsn()::text as lsn from pg_control_checkpoint()`;

/**
 * Sectors written so far by the block device holding `dir` (/sys/dev/block), or undefined when it is not on
 * one (tmpfs, overlay): what has reached the storage device, not what waits in the page cache.
 */
function sectorsWritten(dir: string): number | undefined {
  const dev = statSync(dir).dev;
  const major = (dev & 0xfff00) >> 8;
  const minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
  const stat = `/sys/dev/block/${major}:${minor}/stat`;
  if (major === 0 || !existsSync(stat)) return undefined;
  return Number(readFileSync(stat, 'utf8').trim().split(/\s+/)[6]);
}

describe('the embedded store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sde-pglite-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('checkpoints once max_wal_size of WAL is written, keeping replay after a crash short', async () => {
    const reports: CheckpointReport[] = [];
    const failures: Error[] = [];
    const pg = await PGliteWorker.start(dir, {
      settings: { max_wal_size: '32MB', min_wal_size: '32MB' },
      onCheckpoint: (r) => reports.push(r),
      onCheckpointFailed: (e) => failures.push(e),
    });
    await pg.query('create table t (id int8 primary key, body text)', []);
    const lsn = async () =>
      (await pg.query(WAL_SINCE_CHECKPOINT, [])).rows![0] as { bytes: number; lsn: string };
    const start = await lsn();
    let worst = 0;
    for (let i = 0; i < 40; i++) {
      // About 6 MiB of WAL each.
      await pg.query(
        `insert into t select g, repeat(md5(g::text), 16) from generate_series($1::int8, $2::int8) g`,
        [i * 10_000 + 1, (i + 1) * 10_000],
      );
      worst = Math.max(worst, (await lsn()).bytes);
    }
    const end = await lsn();
    const written = (await pg.query(`select pg_wal_lsn_diff($1, $2)::float8 as d`, [end.lsn, start.lsn]))
      .rows![0] as { d: number };
    expect(written.d).toBeGreaterThan(200 * MiB);
    expect(failures).toEqual([]);
    expect(reports.length).toBeGreaterThanOrEqual(2);
    for (const r of reports) expect(r.walBytes).toBeGreaterThanOrEqual(32 * MiB);
    // What a crash would have replayed at worst: the limit, plus what was written between two of the
    // worker's measurements (250 ms apart; here 6 MiB per 50 ms). Without checkpoints: all of it.
    expect(worst).toBeLessThan(96 * MiB);
    await pg.close();

    // Everything written is there after a reopen.
    const again = await PGliteWorker.start(dir);
    expect((await again.query('select count(*)::int as n from t', [])).rows).toEqual([{ n: 400_000 }]);
    await again.close();
  });

  it('answers a statement run again and again (prepared from its second run) like the first time', async () => {
    const pg = await PGliteWorker.start(join(dir, 'prepared'));
    await pg.query('create table p (id int4 primary key, at timestamptz, tags text[])', []);
    const insert = 'insert into p values ($1, $2, $3) returning id, at, tags';
    const at = new Date('2026-11-26T05:00:00.123Z');
    const runs: unknown[] = [];
    for (const id of [1, 2, 1, 3, 2, 4]) {
      runs.push(
        await pg.query(insert, [id, at, `{a,"b c",${id}}`]).then(
          (r) => r.rows,
          (err: { code?: string; constraint?: string }) => ({ code: err.code, constraint: err.constraint }),
        ),
      );
    }
    const row = (id: number) => [{ id, at, tags: ['a', 'b c', String(id)] }];
    const duplicate = { code: '23505', constraint: 'p_pkey' };
    // Types are parsed the same on every run, and a failed run spoils neither the statement nor the next.
    expect(runs).toEqual([row(1), row(2), duplicate, row(3), duplicate, row(4)]);
    // Inside a transaction: a prepared run that fails rolls back the whole transaction.
    await pg.query('begin', []);
    await pg.query(insert, [10, at, '{}']);
    await expect(pg.query(insert, [10, at, '{}'])).rejects.toMatchObject({ code: '23505' });
    await pg.query('rollback', []);
    const ids = await pg.query('select id from p where id > $1 order by id', [0]);
    expect(ids.rows).toEqual([1, 2, 3, 4].map((id) => ({ id })));
    await pg.close();
  });

  /**
   * Queries the store every 50 ms (the worker maintains after its answers) until `done`, for at most 45 s
   * (within the test's own timeout, so that a failure says what did not happen).
   */
  async function keepBusy(pg: PGliteWorker, done: () => Promise<boolean>): Promise<void> {
    for (const until = Date.now() + 45_000; Date.now() < until;) {
      if (await done()) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the store did not get there within 45 s');
  }

  it('vacuums and analyzes a changed table on its own, as autovacuum would', async () => {
    const reports: MaintenanceReport[] = [];
    const failures: Error[] = [];
    const pg = await PGliteWorker.start(join(dir, 'vacuum'), {
      settings: { autovacuum_naptime: '1' },
      onMaintenance: (r) => reports.push(r),
      onMaintenanceFailed: (e) => failures.push(e),
    });
    await pg.query('create table d (no int4 primary key, seen int8 not null)', []);
    await pg.query('insert into d select g, 0 from generate_series(1, 5000) g', []);
    // Every row updated four times, as the ledger updates each unit's row: 20,000 dead versions.
    for (let i = 1; i <= 4; i++) await pg.query('update d set seen = $1', [i]);
    const stats = async () =>
      (
        await pg.query(
          `select s.n_dead_tup::int as dead, c.reltuples::int as tuples,
             s.last_vacuum is not null as vacuumed, s.last_analyze is not null as analyzed
           from pg_stat_all_tables s join pg_class c on c.oid = s.relid where s.relid = 'd'::regclass`,
          [],
        )
      ).rows![0] as { dead: number; tuples: number; vacuumed: boolean; analyzed: boolean };
    await keepBusy(pg, async () => {
      const s = await stats();
      return s.vacuumed && s.analyzed;
    });
    // The dead versions are gone and the planner counts the table's rows (never analyzed, it did not).
    expect(await stats()).toEqual({ dead: 0, tuples: 5000, vacuumed: true, analyzed: true });
    expect(reports.filter((r) => r.table === 'public.d').map((r) => r.op)).toEqual(
      expect.arrayContaining(['vacuum', 'analyze']),
    );
    expect(failures).toEqual([]);
    await pg.close();
  });

  it('freezes every table before transaction ids age past autovacuum_freeze_max_age', async () => {
    const reports: MaintenanceReport[] = [];
    const pg = await PGliteWorker.start(join(dir, 'freeze'), {
      // The smallest age PostgreSQL allows; by default 200 million transactions (weeks of a busy center).
      settings: { autovacuum_naptime: '1', autovacuum_freeze_max_age: '100000' },
      onMaintenance: (r) => reports.push(r),
    });
    await pg.query('create table kept (id int4 primary key)', []);
    await pg.query('insert into kept values (1)', []);
    // 120,000 transaction ids spent, by as many transactions.
    await pg.query(
      'do $$ begin for i in 1..120000 loop perform pg_current_xact_id(); commit; end loop; end $$',
      [],
    );
    const databaseAge = async () =>
      (
        (
          await pg.query(
            'select age(datfrozenxid)::int as age from pg_database where datname = current_database()',
            [],
          )
        ).rows![0] as { age: number }
      ).age;
    expect(await databaseAge()).toBeGreaterThan(100_000);
    // The database's age is its oldest table's, system catalogs included: every one of them was frozen.
    await keepBusy(pg, async () => (await databaseAge()) < 100_000);
    expect(reports.some((r) => r.table === 'public.kept' && r.op === 'freeze')).toBe(true);
    expect(reports.some((r) => r.table.startsWith('pg_catalog.') && r.op === 'freeze')).toBe(true);
    expect((await pg.query('select id from kept', [])).rows).toEqual([{ id: 1 }]);
    await pg.close();
  });

  it('never vacuums inside a transaction of the center, which commits whole', async () => {
    const reports: MaintenanceReport[] = [];
    const failures: Error[] = [];
    const pg = await PGliteWorker.start(join(dir, 'in-transaction'), {
      settings: {
        autovacuum_naptime: '1',
        autovacuum_vacuum_threshold: '0',
        autovacuum_analyze_threshold: '0',
      },
      onMaintenance: (r) => reports.push(r),
      onMaintenanceFailed: (e) => failures.push(e),
    });
    await pg.query('create table log (i int4 primary key)', []);
    // Tables with changes, so that maintenance is due at every listing while transactions come and go.
    for (let t = 0; t < 20; t++) await pg.query(`create table busy${t} (x int4)`, []);
    const started = Date.now();
    let i = 0;
    while (Date.now() - started < 4000 || reports.length < 6) {
      i++;
      await pg.query(`insert into busy${i % 20} values ($1)`, [i]);
      // A query answered while the next transaction begins: the moment a vacuum could slip in between.
      await Promise.all([
        pg.query('select $1::int', [i]),
        (async () => {
          await pg.query('begin', []);
          await pg.query('insert into log values ($1)', [i]);
          await pg.query('commit', []);
        })(),
      ]);
    }
    expect(failures).toEqual([]);
    expect((await pg.query('select count(*)::int as n from log', [])).rows).toEqual([{ n: i }]);
    await pg.close();
  });

  // On a disk, not in memory: what is measured is what reaches the storage device.
  const cache = join(new URL('../../..', import.meta.url).pathname, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const onDisk = process.platform === 'linux' && sectorsWritten(cache) !== undefined;
  it.skipIf(!onDisk)(
    'has a commit on the storage device when it returns, not only in the page cache',
    async () => {
      const disk = mkdtempSync(join(cache, 'sde-pglite-'));
      try {
        const pg = await PGliteWorker.start(disk);
        await pg.query('create table t (id int8 primary key, body text)', []);
        const before = sectorsWritten(disk)!;
        // One commit of about 5 MiB of WAL; the kernel would otherwise write it back only after ~30 s.
        await pg.query(
          `insert into t select g, repeat(md5(g::text), 16) from generate_series(1, 8000) g`,
          [],
        );
        expect((sectorsWritten(disk)! - before) * 512).toBeGreaterThan(4 * MiB);
        await pg.close();
      } finally {
        rmSync(disk, { recursive: true, force: true });
      }
    },
  );
});
