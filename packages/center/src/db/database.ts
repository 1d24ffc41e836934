/**
 * Opens the database: PGlite in a data directory by default, a PostgreSQL server when a URL is given.
 * The same migrations and queries serve both.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { monthOf, monthsAround, type Month } from '@sde/domain';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { MIGRATIONS } from './migrations/index.js';
import { PGliteDialect, PGliteWorker, type PGliteWorkerOptions } from './pglite-dialect.js';
import type { DB } from './schema.js';

export type Database = Kysely<DB>;

/** Which store is behind a Database, for health reports and logs. */
export interface DatabaseHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

// int8 as JS numbers: ids and counts stay below 2^53 for millennia at the rates we design for (ADR 0003).
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

/** Opens the database and runs pending migrations. */
export async function openDatabase(opts: {
  url?: string | undefined;
  dataDir: string;
  /** Told when an idle server connection fails (a server restart); the pool reconnects on next use. */
  onConnectionError?: (err: Error) => void;
  /** PGlite only: checkpoints and vacuums, which its worker runs on its own (pglite-worker.js). */
  pglite?: Pick<
    PGliteWorkerOptions,
    'onCheckpoint' | 'onCheckpointFailed' | 'onMaintenance' | 'onMaintenanceFailed'
  >;
}): Promise<DatabaseHandle> {
  let db: Database;
  let kind: DatabaseHandle['kind'];
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: 8 });
    // Without a listener, an idle connection dropped by the server (restart, failover) would crash the
    // process; the pool replaces it on the next query.
    pool.on('error', (err) => opts.onConnectionError?.(err));
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    kind = 'postgres';
  } else {
    const dir = join(opts.dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    const lite = await PGliteWorker.start(dir, opts.pglite);
    db = new Kysely<DB>({ dialect: new PGliteDialect(lite) });
    kind = 'pglite';
  }
  try {
    await migrate(db);
    await ensurePartitions(db, new Date());
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return { db, kind, close: () => db.destroy() };
}

/** Runs the migrations not yet applied; an advisory lock keeps two starting centers from racing. */
export async function migrate(db: Database): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(7406)`.execute(trx);
    await sql`create table if not exists schema_migrations (
      id text primary key, applied_at timestamptz not null default now())`.execute(trx);
    const done = new Set((await trx.selectFrom('schema_migrations').select('id').execute()).map((r) => r.id));
    const applied: string[] = [];
    for (const m of MIGRATIONS) {
      if (done.has(m.id)) continue;
      await sql.raw(m.sql).execute(trx);
      await trx.insertInto('schema_migrations').values({ id: m.id }).execute();
      applied.push(m.id);
    }
    return applied;
  });
}

const PARTITIONED = ['events', 'raw_messages'] as const;

/**
 * Creates the monthly partitions from last month to two months ahead, and one for every month that has rows
 * in a default partition (idempotent). The retention job calls it every few hours, so a center running for
 * months has its coming months in place; rows that landed in the default partition meanwhile are moved
 * into their month's partition when it is created (ADR 0702). A new partition gets its parent's
 * per-column statistics targets (migration 0008), which PostgreSQL does not copy to it.
 */
export async function ensurePartitions(
  db: Database,
  now: Date,
): Promise<{ created: string[]; moved: number }> {
  const months = new Map<string, Month>(monthsAround(now.getTime()).map((m) => [m.suffix, m]));
  for (const table of PARTITIONED) {
    const { rows } = await sql<{ month: Date }>`
      select distinct date_trunc('month', received_at at time zone 'UTC') at time zone 'UTC' as month
      from ${sql.table(`${table}_default`)}`.execute(db);
    for (const r of rows) {
      const m = monthOf(new Date(r.month).getTime());
      months.set(m.suffix, m);
    }
  }
  const wanted = [...months.values()].flatMap((month) =>
    PARTITIONED.map((table) => ({ table, name: `${table}_${month.suffix}`, month })),
  );
  const { rows: missing } = await sql<{ name: string }>`
    select name from (values ${sql.join(wanted.map((w) => sql`(${w.name})`))}) as w(name)
    where to_regclass(name) is null`.execute(db);
  const toCreate = new Set(missing.map((r) => r.name));
  const created: string[] = [];
  let moved = 0;
  for (const w of wanted) {
    if (!toCreate.has(w.name)) continue;
    const n = await createMonthPartition(db, w.table, w.name, w.month);
    if (n === null) continue;
    created.push(w.name);
    moved += n;
  }
  return { created, moved };
}

/**
 * Creates one month's partition of `table` and moves into it the month's rows from the default partition, in
 * one transaction: a reader sees each row in one place or the other, never both or neither. Null when
 * another center created it first.
 */
async function createMonthPartition(
  db: Database,
  table: (typeof PARTITIONED)[number],
  name: string,
  month: Month,
): Promise<number | null> {
  const from = new Date(month.fromUtcMs).toISOString();
  const to = new Date(month.toUtcMs).toISOString();
  return db.transaction().execute(async (trx) => {
    // Two centers starting on one server create a month once.
    await sql`select pg_advisory_xact_lock(7407)`.execute(trx);
    if ((await sql<{ r: string | null }>`select to_regclass(${name})::text as r`.execute(trx)).rows[0]?.r)
      return null;
    const inDefault = await sql<{ n: boolean }>`
      select exists (select 1 from ${sql.table(`${table}_default`)}
        where received_at >= ${from}::timestamptz and received_at < ${to}::timestamptz) as n`.execute(trx);
    let moved = 0;
    if (!inDefault.rows[0]?.n) {
      await sql
        .raw(`create table ${name} partition of ${table} for values from ('${from}') to ('${to}')`)
        .execute(trx);
    } else {
      // Built beside the table, filled, then attached: attaching checks the default holds none of its rows.
      const { rows: cols } = await sql<{ column: string }>`
        select quote_ident(attname) as column from pg_attribute
        where attrelid = ${table}::regclass and attnum > 0 and not attisdropped order by attnum`.execute(trx);
      const list = cols.map((c) => c.column).join(', ');
      await sql
        .raw(`create table ${name} (like ${table} including defaults including constraints)`)
        .execute(trx);
      // Says to a trigger guarding the ledger's rows (ADR 0701) that this delete is a move, not a removal.
      await sql`select set_config('sde.ledger_move', 'retention', true)`.execute(trx);
      const result = await sql
        .raw(
          `with moved as (delete from ${table}_default
             where received_at >= '${from}' and received_at < '${to}' returning ${list})
           insert into ${name} (${list}) select ${list} from moved`,
        )
        .execute(trx);
      moved = Number(result.numAffectedRows ?? 0);
      await sql
        .raw(`alter table ${table} attach partition ${name} for values from ('${from}') to ('${to}')`)
        .execute(trx);
    }
    await copyStatisticsTargets(trx, table, name);
    return moved;
  });
}

/** Sets each column's statistics target on `partition` to its parent's, where the parent has one. */
async function copyStatisticsTargets(
  db: Database | Transaction<DB>,
  parent: string,
  partition: string,
): Promise<void> {
  // A column without a target of its own has -1 (PostgreSQL before 17) or null.
  const { rows } = await sql<{ column: string; target: number }>`
    select quote_ident(attname) as column, attstattarget::int as target from pg_attribute
    where attrelid = ${parent}::regclass and attnum > 0 and not attisdropped and attstattarget >= 0`.execute(
    db,
  );
  if (rows.length === 0) return;
  const columns = rows.map((r) => `alter column ${r.column} set statistics ${r.target}`);
  await sql.raw(`alter table ${partition} ${columns.join(', ')}`).execute(db);
}
