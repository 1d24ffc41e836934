// PGlite in a worker thread. PGlite runs PostgreSQL as WebAssembly on the thread that calls it, and a query
// blocks that thread; here it blocks this worker instead of the center's event loop, so devices keep being
// served while a group commits, and the database gets the machine's second core. Plain JavaScript: workers
// do not inherit the TypeScript loader. Messages: {id, op: 'query'|'close', sql, params} → {id, rows, affectedRows}
// or {id, error}.
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const pg = await PGlite.create({ dataDir: workerData.dataDir });

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
      return;
    }
    const r = await pg.query(m.sql, m.params);
    parentPort.postMessage({ id: m.id, rows: r.rows, affectedRows: r.affectedRows });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: errorFields(err) });
  }
});
parentPort.postMessage({ ready: true });
