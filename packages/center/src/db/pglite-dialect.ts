/**
 * A Kysely dialect for PGlite, the in-process PostgreSQL of the embedded default. PGlite runs in a worker
 * thread (pglite-worker.js) so that its queries do not block the event loop that serves devices.
 *
 * PGlite has one connection. Kysely may ask for several at once (a transaction while another query
 * waits), so connections are handed out one at a time: a transaction holds the only connection until it
 * ends, and everything else queues behind it instead of interleaving inside it. Work marked urgent
 * (db/priority.ts) queues before everything that is not, and while urgent work is in progress the
 * connection waits for its next query instead of going to ordinary work in between.
 */
import { Worker } from 'node:worker_threads';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';
import { isPriority, onPriorityIdle, priorityActive } from './priority.js';

interface Reply {
  id: number;
  rows?: unknown[];
  affectedRows?: number;
  error?: { message: string } & Record<string, unknown>;
}

type ErrorFields = NonNullable<Reply['error']>;

/** An Error carrying the fields the worker sent (code, detail, constraint… as node-postgres has them). */
function errorFrom(fields: ErrorFields): Error {
  return Object.assign(new Error(fields.message), fields);
}

/** A checkpoint the worker ran on its own (PGlite has no checkpointer process): how long, after how much WAL. */
export interface CheckpointReport {
  ms: number;
  walBytes: number;
}

/** A vacuum or analyze the worker ran on its own (PGlite has no autovacuum): which table, what, how long. */
export interface MaintenanceReport {
  table: string;
  op: 'freeze' | 'vacuum' | 'analyze';
  ms: number;
}

export interface PGliteWorkerOptions {
  /** PostgreSQL settings at start (`-c name=value`), after the worker's own. */
  settings?: Record<string, string>;
  onCheckpoint?: (report: CheckpointReport) => void;
  onCheckpointFailed?: (err: Error) => void;
  onMaintenance?: (report: MaintenanceReport) => void;
  /** The error carries the table (`table`) besides PostgreSQL's fields. */
  onMaintenanceFailed?: (err: Error) => void;
}

/** What the worker sends: replies, and reports of what it ran on its own. */
type WorkerMessage = Reply & {
  checkpoint?: CheckpointReport;
  checkpointFailed?: ErrorFields;
  maintenance?: MaintenanceReport;
  maintenanceFailed?: ErrorFields;
};

/** PGlite running in a worker thread, spoken to by messages. */
export class PGliteWorker {
  private next = 1;
  private readonly pending = new Map<number, { resolve: (r: Reply) => void; reject: (e: Error) => void }>();
  private constructor(
    private readonly worker: Worker,
    options: PGliteWorkerOptions,
  ) {
    worker.on('message', (m: WorkerMessage) => {
      if (m.checkpoint) options.onCheckpoint?.(m.checkpoint);
      if (m.checkpointFailed) options.onCheckpointFailed?.(errorFrom(m.checkpointFailed));
      if (m.maintenance) options.onMaintenance?.(m.maintenance);
      if (m.maintenanceFailed) options.onMaintenanceFailed?.(errorFrom(m.maintenanceFailed));
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.error) p.reject(errorFrom(m.error));
      else p.resolve(m);
    });
    worker.on('error', (err) => this.failAll(err));
    worker.on('exit', (code) => this.failAll(new Error(`the PGlite worker exited (${code})`)));
  }

  /** Starts PGlite on `dataDir` in a worker; resolves when the database is open. */
  static async start(dataDir: string, options: PGliteWorkerOptions = {}): Promise<PGliteWorker> {
    const worker = new Worker(new URL('./pglite-worker.js', import.meta.url), {
      workerData: { dataDir, settings: options.settings },
    });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) =>
        reject(new Error(`the PGlite worker exited (${code}) while opening ${dataDir}`)),
      );
    });
    return new PGliteWorker(worker, options);
  }

  /** Runs one statement (or, without parameters, a script of several). */
  query(sql: string, params: readonly unknown[]): Promise<Reply> {
    return this.call({ op: 'query', sql, params });
  }

  /** Closes the database cleanly and ends the worker. */
  async close(): Promise<void> {
    await this.call({ op: 'close' });
    await this.worker.terminate();
  }

  private call(message: object): Promise<Reply> {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, ...message });
    });
  }

  private failAll(err: Error): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}

class PGliteConnection implements DatabaseConnection {
  constructor(private readonly pg: PGliteWorker) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pg.query(query.sql, query.parameters);
    const affected = result.affectedRows;
    return {
      rows: (result.rows ?? []) as R[],
      ...(affected !== undefined ? { numAffectedRows: BigInt(affected) } : {}),
    };
  }

  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries are not supported on PGlite');
  }
}

class PGliteDriver implements Driver {
  private readonly connection: PGliteConnection;
  private busy = false;
  /** Waiting for the connection: urgent ones first, each kind in order of arrival. */
  private readonly waiting: { urgent: boolean; go: () => void }[] = [];
  private idle: (() => void) | undefined;
  /** Held for urgent work in progress between its queries (busy, but nobody is using it). */
  private parked = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly pg: PGliteWorker) {
    this.connection = new PGliteConnection(pg);
    this.unsubscribe = onPriorityIdle(() => {
      if (!this.parked) return;
      this.parked = false;
      void this.releaseConnection();
    });
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    const urgent = isPriority();
    if (!this.busy || (this.parked && urgent)) {
      this.busy = true;
      this.parked = false;
      return this.connection;
    }
    await new Promise<void>((go) => {
      const at = urgent ? this.waiting.findIndex((w) => !w.urgent) : -1;
      if (at < 0) this.waiting.push({ urgent, go });
      else this.waiting.splice(at, 0, { urgent, go });
    });
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const level = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await connection.executeQuery(CompiledQuery.raw(`begin${level}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const next = this.waiting[0];
    if (next && !next.urgent && priorityActive()) {
      // Urgent work is between two of its queries: keep the connection for it.
      this.parked = true;
      return;
    }
    this.waiting.shift();
    if (next) next.go();
    else {
      this.busy = false;
      this.idle?.();
    }
  }

  async destroy(): Promise<void> {
    this.unsubscribe();
    if (this.busy) await new Promise<void>((resolve) => (this.idle = resolve));
    await this.pg.close();
  }
}

/** Kysely dialect over a PGlite worker; the dialect closes it when Kysely is destroyed. */
export class PGliteDialect implements Dialect {
  constructor(private readonly pg: PGliteWorker) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PGliteDriver(this.pg);
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
}
