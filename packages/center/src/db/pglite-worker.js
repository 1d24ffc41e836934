// PGlite in a worker thread. PGlite runs PostgreSQL as WebAssembly on the thread that calls it, and a query
// blocks that thread; here it blocks this worker instead of the center's event loop, so devices keep being
// served while a group commits, and the database gets the machine's second core. Plain JavaScript: workers
// do not inherit the TypeScript loader. Messages: {id, op: 'query'|'close', sql, params} → {id, rows, affectedRows}
// or {id, error}; after each checkpoint it runs on its own: {checkpoint: {ms, walBytes}}.
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

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
const settings = { fsync: 'on', wal_sync_method: 'fsync', wal_init_zero: 'off', ...workerData.settings };
const pg = await PGlite.create({
  dataDir: workerData.dataDir,
  startParams: [
    ...PGlite.defaultStartParams,
    ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ],
});
const nodefs = pg.mod?.NODEFS;
if (!nodefs?.stream_ops || typeof nodefs.tryFSOperation !== 'function') {
  // A PGlite whose file layer is not the one this was written for: refuse rather than store without syncs.
  throw new Error(
    'this version of PGlite does not expose its file layer; the embedded store cannot sync to disk',
  );
}
nodefs.stream_ops.fsync = (stream) => {
  if (stream.nfd !== undefined) nodefs.tryFSOperation(() => fsyncSync(stream.nfd));
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
    await pg.exec('checkpoint');
    lastCheckpointAt = Date.now();
    parentPort.postMessage({ checkpoint: { ms: performance.now() - started, walBytes } });
  } finally {
    checkpointing = false;
  }
}

function errorFields(err) {
  const fields = { message: err instanceof Error ? err.message : String(err) };
  for (const key of ['code', 'detail', 'constraint', 'table', 'column', 'schema', 'severity', 'hint']) {
    if (err && typeof err === 'object' && err[key] !== undefined) fields[key] = err[key];
  }
  return fields;
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
      const r = await pg.query(m.sql, m.params);
      parentPort.postMessage({ id: m.id, rows: r.rows, affectedRows: r.affectedRows });
    }
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: errorFields(err) });
    return;
  }
  // After the answer is on its way: the query that was waiting for it is not held up by the checkpoint.
  await checkpointIfDue().catch((err) => parentPort.postMessage({ checkpointFailed: errorFields(err) }));
});
parentPort.postMessage({ ready: true });
