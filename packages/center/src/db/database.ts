/**
 * Opens the database: PGlite in a data directory by default, a PostgreSQL server when a URL is given.
 * The same migrations and queries serve both.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
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
 * Creates the monthly partitions from last month to two months ahead (idempotent). Rows outside them land
 * in the default partition, so nothing is lost if this job falls behind. A new partition gets its parent's
 * per-column statistics targets (migration 0008), which PostgreSQL does not copy to it.
 */
export async function ensurePartitions(db: Database, now: Date): Promise<void> {
  const wanted: { table: string; name: string; from: Date; to: Date }[] = [];
  for (let delta = -1; delta <= 2; delta++) {
    const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + delta, 1));
    const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + delta + 1, 1));
    const suffix = `${from.getUTCFullYear()}${String(from.getUTCMonth() + 1).padStart(2, '0')}`;
    for (const table of PARTITIONED) wanted.push({ table, name: `${table}_${suffix}`, from, to });
  }
  const { rows: missing } = await sql<{ name: string }>`
    select name from (values ${sql.join(wanted.map((w) => sql`(${w.name})`))}) as w(name)
    where to_regclass(name) is null`.execute(db);
  const toCreate = new Set(missing.map((r) => r.name));
  for (const { table, name, from, to } of wanted) {
    if (!toCreate.has(name)) continue;
    const created = await sql
      .raw(
        `create table if not exists ${name} partition of ${table}
         for values from ('${from.toISOString()}') to ('${to.toISOString()}')`,
      )
      .execute(db)
      .then(
        () => true,
        (err: unknown) => {
          // The default partition already holds rows of that month: keep them there rather than fail start.
          if (err instanceof Error && /default partition/.test(err.message)) return false;
          throw err;
        },
      );
    // Also when another center starting now created it first: setting the same targets again is harmless.
    if (created) await copyStatisticsTargets(db, table, name);
  }
}

/** Sets each column's statistics target on `partition` to its parent's, where the parent has one. */
async function copyStatisticsTargets(db: Database, parent: string, partition: string): Promise<void> {
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
