// PGlite in a worker thread. PGlite runs PostgreSQL as WebAssembly on the thread that calls it, and a query
// blocks that thread; here it blocks this worker instead of the center's event loop, so devices keep being
// served while a group commits, and the database gets the machine's second core. Plain JavaScript: workers
// do not inherit the TypeScript loader. Messages: {id, op: 'query'|'close', sql, params} → {id, rows, affectedRows}
// or {id, error}; after each checkpoint it runs on its own: {checkpoint: {ms, walBytes}}, and after each
// vacuum or analyze: {maintenance: {table, op, ms}}.
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import { PGlite, parse as pgResults, protocol } from '@electric-sql/pglite';

/*
 * Durability. PGlite starts PostgreSQL with fsync off (`-F`), and its file layer (Emscripten's NODEFS)
 * implements no sync: a commit reached the operating system, which survives the center being killed but
 * not the machine losing power. The center acknowledges events only once they are stored (T4.1), so here
 * fsync is on, the WAL is synced with fsync() at each commit (fdatasync() is a no-op in that layer), and
 * the layer's files get a real sync (ADR 0009). Group commit makes it one sync per group of batches.
 *
 * wal_init_zero=off: PostgreSQL fills each new 16 MB WAL segment with zeros before using it, to have its
 * space allocated before the syncs; through PGlite's file layer that cost 50 ms of this thread every 1.1 s
 * at 20,000 events/s. Off, the segment's blocks are allocated as it is written, and synced with it.
 *
 * max_wal_size=4GB (PostgreSQL's default is 1 GB): after every checkpoint the first change to each page is
 * logged whole, and with an index that leads with the device (and, until ADR 0011, a second one), every
 * unit's report touches pages of its own; at 5,000 units that was some 80 MB of extra WAL, built and
 * checksummed on this thread in the 2 s after each checkpoint (ADR 0009). At 20,000 events/s, 1 GB came
 * every 70 s; 4 GB makes the 5-minute timeout the trigger, as PostgreSQL's documentation advises. A crash
 * then replays at most about 4 GB (measured here at 110 MB/s: about 40 s before the center is back).
 *
 * plan_cache_mode=force_custom_plan: see the prepared statements, below.
 *
 * random_page_cost=1.1 (PostgreSQL's default is 4, for spinning disks): PGlite's pages are in its buffers
 * or the page cache, where reading one out of order costs about what reading the next one does. With 4 the
 * planner read and hashed all 5,000 device rows for each group's update of 200 of them (9 ms) instead of
 * looking the 200 up in the primary key (2.9 ms); it still hashes from about 1,000 on, where both cost
 * the same.
 *
 * autovacuum_naptime=10s, autovacuum_vacuum_insert_threshold=50000 and its scale factor 0,
 * autovacuum_analyze_scale_factor=0.2, vacuum_freeze_min_age=0: see the vacuums, below.
 *
 * Settings given by the caller (workerData.settings) come after these and win.
 */
/** The state PostgreSQL left in its control file (DBState at byte 16): 1 is shut down cleanly. */
function stoppedCleanly(dataDir) {
  try {
    return readFileSync(join(dataDir, 'global', 'pg_control')).readUInt32LE(16) === 1;
  } catch {
    return false; // no database yet
  }
}
const cleanlyStopped = stoppedCleanly(workerData.dataDir);
const settings = {
  fsync: 'on',
  wal_sync_method: 'fsync',
  wal_init_zero: 'off',
  max_wal_size: '4GB',
  random_page_cost: '1.1',
  plan_cache_mode: 'force_custom_plan',
  autovacuum_naptime: '10s',
  autovacuum_vacuum_insert_threshold: '50000',
  autovacuum_vacuum_insert_scale_factor: '0',
  autovacuum_analyze_scale_factor: '0.2',
  vacuum_freeze_min_age: '0',
  ...workerData.settings,
};
const pg = await PGlite.create({
  dataDir: workerData.dataDir,
  startParams: [
    ...PGlite.defaultStartParams,
    ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ],
});
const nodefs = pg.mod?.NODEFS;
const FS = pg.mod?.FS;
if (
  !nodefs?.stream_ops ||
  typeof nodefs.tryFSOperation !== 'function' ||
  typeof nodefs.realPath !== 'function' ||
  typeof FS?.isDir !== 'function'
) {
  // A PGlite whose file layer is not the one this was written for: refuse rather than store without syncs.
  throw new Error(
    'this version of PGlite does not expose its file layer; the embedded store cannot sync to disk',
  );
}
/*
 * A checkpoint writes every dirty buffer (up to shared_buffers, 128 MB) and then syncs each file it wrote,
 * one after the other, on this thread: measured at 20,000 events/s, 410 ms of which 200 ms were the syncs of
 * some 260 files, while no group could commit. During a checkpoint run here, the data files are synced by
 * another thread instead (the syncer, below), in parallel, each as soon as the checkpoint has moved on from
 * writing it; PostgreSQL's sync of a data file then only asks for it. Before anything that must follow the
 * data on disk is synced (the WAL, which then holds the checkpoint record; the control file, which then
 * points at it; a directory), this thread waits until every data file asked for is synced, and a failed
 * sync fails that sync as it would have failed here. Outside checkpoints every sync is done here, at once.
 */
const SYNCER = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const state = new Int32Array(workerData.state);
const finish = (err) => {
  if (err && err.code !== 'ENOENT') Atomics.store(state, 1, 1);
  Atomics.add(state, 0, 1);
  Atomics.notify(state, 0);
};
parentPort.on('message', (path) => {
  fs.open(path, 'r', (err, fd) => {
    if (err) return finish(err);
    fs.fsync(fd, (err) => fs.close(fd, () => finish(err)));
  });
});`;
/** [syncs done, a sync failed] */
const syncState = new Int32Array(new SharedArrayBuffer(8));
const syncer = new Worker(SYNCER, { eval: true, workerData: { state: syncState.buffer } });
syncer.unref();
let syncsAsked = 0;
let checkpointRunning = false;
/*
 * Files are told apart by their nodes in PGlite's file system, one per file while it exists (its name
 * table hands out the same node at every open): the host path is built only when a file is handed over.
 */
/** Data files asked of the syncer since the checkpoint last wrote them. */
const asked = new Set();
/** The data file the checkpoint writes now (never in `asked`). */
let writing;
/**
 * Whether a file's sync may be left to the syncer: not a directory, not the WAL, not the control file.
 * Told by the names PostgreSQL gives them inside its directory, so a doubt (a data directory under a folder
 * called pg_wal) errs on the side of syncing here and waiting.
 */
function isDataFile(node) {
  if (FS.isDir(node.mode)) return false;
  const path = nodefs.realPath(node);
  return !path.includes('/pg_wal') && !path.endsWith('/pg_control');
}

function askSync(node) {
  asked.add(node);
  syncsAsked++;
  syncer.postMessage(nodefs.realPath(node));
}

/** Waits until every sync asked of the syncer is done; throws (EIO) if one failed. */
function awaitSyncs() {
  for (;;) {
    const done = Atomics.load(syncState, 0);
    if (done === syncsAsked) break;
    Atomics.wait(syncState, 0, done, 1000);
  }
  if (Atomics.exchange(syncState, 1, 0) === 1)
    throw Object.assign(new Error('fsync failed'), { code: 'EIO' });
}

const write = nodefs.stream_ops.write;
nodefs.stream_ops.write = function (stream, ...args) {
  const written = write.call(this, stream, ...args);
  // The checkpoint writes buffers sorted by file: the one it leaves can be synced while it goes on.
  if (checkpointRunning && stream.node !== writing && isDataFile(stream.node)) {
    if (writing !== undefined) askSync(writing);
    asked.delete(stream.node);
    writing = stream.node;
  }
  return written;
};

nodefs.stream_ops.fsync = (stream) => {
  if (stream.nfd === undefined) return 0;
  nodefs.tryFSOperation(() => {
    if (checkpointRunning) {
      const node = stream.node;
      if (isDataFile(node)) {
        // Asked of the syncer (unless it was since its last write), and waited for before the WAL is synced.
        if (!asked.has(node)) askSync(node);
        if (writing === node) writing = undefined;
        return;
      }
      awaitSyncs();
    }
    fsyncSync(stream.nfd);
  });
  return 0;
};

// What the start wrote before the sync above was in place is synced now, file by file, as PostgreSQL syncs
// its data directory before recovering from a crash: after a crash (recovery and its checkpoint) and on a
// new directory (initdb). After a clean stop everything was synced then.
if (!cleanlyStopped) {
  for (const entry of readdirSync(workerData.dataDir, { recursive: true, withFileTypes: true })) {
    const fd = openSync(join(entry.parentPath, entry.name), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}

/*
 * Checkpoints. PostgreSQL runs them in a checkpointer process; PGlite is one backend in single-user mode,
 * which has none, so until the database is closed it never checkpoints: the WAL grows without bound (14 MB/s
 * at 20,000 events/s) and a restart after a crash replays all of it. This worker keeps PostgreSQL's own
 * policy instead: a checkpoint once `checkpoint_timeout` has passed or `max_wal_size` of WAL has been
 * written since the last one, run after a query's answer has been sent and outside a transaction (one that
 * begins while the checkpoint waits its turn holds it; CHECKPOINT inside a transaction is harmless).
 */
const setting = async (name) =>
  Number((await pg.query(`select setting from pg_settings where name = $1`, [name])).rows[0].setting);
const checkpointEveryMs = (await setting('checkpoint_timeout')) * 1000;
const maxWalBytes = (await setting('max_wal_size')) * 2 ** 20;
/** How often the WAL written since the last checkpoint is measured (a read of the control file). */
const MEASURE_EVERY_MS = 250;
let lastCheckpointAt = Date.now();
let lastMeasuredAt = 0;
let checkpointing = false;

async function walSinceCheckpoint() {
  const r = await pg.query(
    `select pg_wal_lsn_diff(pg_current_wal_insert_lsn(), redo_lsn)::float8 as bytes from pg_control_checkpoint()`,
  );
  return r.rows[0].bytes;
}

async function checkpointIfDue() {
  const now = Date.now();
  if (checkpointing || pg.isInTransaction()) return;
  let walBytes;
  if (now - lastCheckpointAt < checkpointEveryMs) {
    if (now - lastMeasuredAt < MEASURE_EVERY_MS) return;
    lastMeasuredAt = now;
    walBytes = await walSinceCheckpoint();
    if (walBytes < maxWalBytes) return;
  }
  checkpointing = true;
  try {
    walBytes ??= await walSinceCheckpoint();
    const started = performance.now();
    checkpointRunning = true;
    try {
      await pg.exec('checkpoint');
      awaitSyncs();
    } finally {
      checkpointRunning = false;
      writing = undefined;
      asked.clear();
    }
    lastCheckpointAt = Date.now();
    parentPort.postMessage({ checkpoint: { ms: performance.now() - started, walBytes } });
  } finally {
    checkpointing = false;
  }
}

/*
 * Vacuum and analyze. PostgreSQL runs them in autovacuum workers; single-user mode has none, so without
 * this nothing would ever vacuum: transaction ids would age until, some 2 billion commits on (about five
 * months of a busy center's group commits), PostgreSQL refused every write to protect its data; the planner
 * would plan on statistics from the day each table was created; and dead rows would only be pruned page by
 * page. This worker keeps autovacuum's policy, with its settings (`autovacuum_*`, `vacuum_freeze_*`,
 * `autovacuum_naptime`): every naptime it lists the tables due and works through them one statement at a
 * time, each after a query's answer and outside a transaction, as checkpoints are run (ADR 0014):
 * - VACUUM (FREEZE) of any table (system catalogs included) whose oldest unfrozen transaction id is older
 *   than autovacuum_freeze_max_age: what keeps the database from wrapping around;
 * - VACUUM of a table whose dead rows exceed autovacuum_vacuum_threshold + scale factor × its rows, or whose
 *   rows inserted since its last vacuum exceed the insert threshold + scale factor × its rows;
 * - ANALYZE of a table changed by more than autovacuum_analyze_threshold + scale factor × its rows.
 * A table's own reloptions for these are not read; partitioned parents, which have no rows of their own,
 * are analyzed by no one, as in PostgreSQL.
 *
 * Each statement holds the store's one connection while it runs, and the center's queries wait; the
 * settings above keep each one short, so the work comes in small pieces (ADR 0014). The ledger's
 * partitions only grow: a vacuum costs about 0.1–0.3 ms per 1,000 new rows (9 ms for 100,000 events on
 * a quiet machine, 371 ms for 1.2 million under 20,000 events/s), and with PostgreSQL's insert scale
 * factor (0.2) and naptime (1 min) a vacuum came every 20 % of growth or every minute, whichever was
 * later. A fixed 50,000 rows, looked for every 10 s, keeps each under about 50 ms at any size, and the
 * statements of one listing run at least half a second apart, each with the center's queries between.
 * vacuum_freeze_min_age=0 freezes the rows a vacuum visits at no measurable extra cost (10 ms against 9
 * per 100,000 rows), so that the anti-wraparound vacuum later finds them frozen (1 ms against 69 ms per
 * 1.8 million rows) instead of reading a whole month's partition at once. ANALYZE reads a sample of 300
 * rows per unit of statistics target: migration 0008 gives the ledger's partitions targets of 10. Even so,
 * analyzes were 57 % of the maintenance time under load, a growing partition analyzed at every listing:
 * at 20 % of change instead of PostgreSQL's 10 %, half as often.
 */
const DUE_TABLES = `
with t as (
  select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as name,
    greatest(age(c.relfrozenxid), coalesce(age(toast.relfrozenxid), 0)) as xid_age,
    greatest(c.reltuples, 0) as tuples,
    coalesce(s.n_dead_tup, 0) as dead,
    coalesce(s.n_ins_since_vacuum, 0) as inserted,
    coalesce(s.n_mod_since_analyze, 0) as modified
  from pg_class c
  join pg_namespace n on n.oid = c.relnamespace
  left join pg_class toast on toast.oid = c.reltoastrelid
  left join pg_stat_all_tables s on s.relid = c.oid
  where c.relkind in ('r', 'm') and c.relpersistence = 'p'
), due as (
  select name, xid_age,
    xid_age > current_setting('autovacuum_freeze_max_age')::float8 as to_freeze,
    dead > current_setting('autovacuum_vacuum_threshold')::float8
      + current_setting('autovacuum_vacuum_scale_factor')::float8 * tuples
    or (current_setting('autovacuum_vacuum_insert_threshold')::float8 >= 0
      and inserted > current_setting('autovacuum_vacuum_insert_threshold')::float8
        + current_setting('autovacuum_vacuum_insert_scale_factor')::float8 * tuples) as to_vacuum,
    modified > current_setting('autovacuum_analyze_threshold')::float8
      + current_setting('autovacuum_analyze_scale_factor')::float8 * tuples as to_analyze
  from t
)
select name, op from due
cross join lateral (
  values ('freeze', to_freeze), ('vacuum', to_vacuum and not to_freeze), ('analyze', to_analyze)
) v (op, needed)
where needed
order by op = 'freeze' desc, xid_age desc, name, op desc`;
/** The statement each kind of maintenance runs on a table. */
const MAINTENANCE_SQL = {
  freeze: (name) => `vacuum (freeze) ${name}`,
  vacuum: (name) => `vacuum ${name}`,
  analyze: (name) => `analyze ${name}`,
};
const naptimeMs = (await setting('autovacuum_naptime')) * 1000;
let lastListedAt = Date.now();
/** Tables found due at the last listing and not yet done: { name, op }. */
let dueTables = [];
let maintaining = false;
/**
 * Statements of one listing are this far apart at least, so that the center's queries catch up between:
 * half a second at the naptime of 10 s, and as much less with a shorter naptime.
 */
const MAINTENANCE_SPACING_MS = Math.min(500, naptimeMs / 20);
let lastMaintainedAt = 0;

/**
 * Runs a statement (simple protocol) unless a transaction is open, which is read under the lock every query
 * takes: a VACUUM inside one of the center's transactions would fail, and fail that transaction with it.
 * Resolves to the statement's result, or undefined when it did not run.
 */
function outsideTransaction(text) {
  return pg.runExclusive(async () => {
    if (pg.isInTransaction()) return undefined;
    const messages = await exchange([serialize.query(text)]);
    return pgResults.parseResults(messages, pg.parsers)[0] ?? { rows: [] };
  });
}

async function maintainIfDue() {
  // Whether a transaction is open is checked by outsideTransaction, under the query lock.
  if (maintaining || checkpointing) return;
  maintaining = true;
  try {
    if (dueTables.length === 0) {
      if (Date.now() - lastListedAt < naptimeMs) return;
      lastListedAt = Date.now();
      dueTables = (await outsideTransaction(DUE_TABLES))?.rows ?? [];
      // Listing is a query of its own: the table work waits for the center's next answer.
      return;
    }
    if (Date.now() - lastMaintainedAt < MAINTENANCE_SPACING_MS) return;
    const { name, op } = dueTables[0];
    const started = performance.now();
    let ran;
    try {
      ran = await outsideTransaction(MAINTENANCE_SQL[op](name));
    } catch (err) {
      dueTables.shift();
      // A table dropped since the listing (an old partition) needs nothing.
      if (err?.code === '42P01') return;
      throw Object.assign(err, { table: name });
    }
    if (!ran) return;
    lastMaintainedAt = Date.now();
    dueTables.shift();
    parentPort.postMessage({ maintenance: { table: name, op, ms: performance.now() - started } });
  } finally {
    maintaining = false;
  }
}

function errorFields(err) {
  const fields = { message: err instanceof Error ? err.message : String(err) };
  for (const key of ['code', 'detail', 'constraint', 'table', 'column', 'schema', 'severity', 'hint']) {
    if (err && typeof err === 'object' && err[key] !== undefined) fields[key] = err[key];
  }
  return fields;
}

/*
 * Prepared statements. PGlite's `query` parses, analyses and describes its statement every time, in six
 * separate calls into WebAssembly (parse, describe, bind, describe, execute, sync). A statement with
 * parameters that comes a second time (the ledger's group statement comes 100–200 times a second) is
 * prepared under a name instead, and each later run is one call of bind, describe, execute and sync.
 * Plans stay custom (`plan_cache_mode` in the settings above): a generic plan, made without the arrays'
 * sizes, could join a group's 8,000 rows by nested loops.
 */
const { serialize } = protocol;
const PREPARED_MAX = 100;
const prepared = new Map(); // statement text → { name, paramTypes }, oldest first
const seenOnce = new Set();
let statementNo = 0;

function concat(parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** Runs protocol messages and a sync; throws the statement's error, if any, after the sync. */
async function exchange(parts) {
  const { messages } = await pg.execProtocol(concat([...parts, serialize.sync()]), {
    syncToFs: false,
    throwOnError: false,
  });
  const error = messages.find((m) => m.name === 'error');
  if (error) throw error;
  return messages;
}

async function statementFor(text) {
  let statement = prepared.get(text);
  if (statement) {
    prepared.delete(text); // to the back of the line: least recently used first
    prepared.set(text, statement);
    return statement;
  }
  const name = `sde_${++statementNo}`;
  const messages = await exchange([serialize.parse({ name, text }), serialize.describe({ type: 'S', name })]);
  statement = {
    name,
    paramTypes: messages.find((m) => m.name === 'parameterDescription')?.dataTypeIDs ?? [],
  };
  prepared.set(text, statement);
  if (prepared.size > PREPARED_MAX) {
    const [oldest, { name: old }] = prepared.entries().next().value;
    prepared.delete(oldest);
    await exchange([serialize.close({ type: 'S', name: old })]);
  }
  return statement;
}

/** `pg.query`, but a statement with parameters is prepared from its second run on. */
async function query(text, params) {
  if (params.length === 0) return pg.query(text, params);
  if (!prepared.has(text) && !seenOnce.has(text)) {
    if (seenOnce.size >= 10 * PREPARED_MAX) seenOnce.clear();
    seenOnce.add(text);
    return pg.query(text, params);
  }
  seenOnce.delete(text);
  return pg.runExclusive(async () => {
    const { name, paramTypes } = await statementFor(text);
    const values = params.map((value, i) => {
      if (value === null || value === undefined) return null;
      const serializer = pg.serializers[paramTypes[i]];
      return serializer ? serializer(value) : value.toString();
    });
    const messages = await exchange([
      serialize.bind({ statement: name, values }),
      serialize.describe({ type: 'P' }),
      serialize.execute({}),
    ]);
    if (!pg.isInTransaction()) await pg.syncToFs();
    return pgResults.parseResults(messages, pg.parsers)[0];
  });
}

parentPort.on('message', async (m) => {
  try {
    if (m.op === 'close') {
      await pg.close();
      parentPort.postMessage({ id: m.id });
      return;
    }
    if (m.params.length === 0 && m.sql.includes(';')) {
      // Several statements (a migration): the simple protocol runs them all; the last result is returned.
      const results = await pg.exec(m.sql);
      parentPort.postMessage({ id: m.id, rows: results.at(-1)?.rows ?? [] });
    } else {
      const r = await query(m.sql, m.params);
      parentPort.postMessage({ id: m.id, rows: r.rows, affectedRows: r.affectedRows });
    }
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: errorFields(err) });
    return;
  }
  // After the answer is on its way: the query that was waiting for it is not held up by the checkpoint,
  // nor by a table's vacuum.
  await checkpointIfDue().catch((err) => parentPort.postMessage({ checkpointFailed: errorFields(err) }));
  await maintainIfDue().catch((err) => parentPort.postMessage({ maintenanceFailed: errorFields(err) }));
});
parentPort.postMessage({ ready: true });
