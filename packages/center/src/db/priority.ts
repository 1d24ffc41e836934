/**
 * Urgent database work: what runs inside `withPriority` goes to the front of the queue for PGlite's single
 * connection (pglite-dialect.ts). A cut strap's evaluation must not wait behind a backlog of heartbeat
 * groups and console queries (T4.3: immediately). A PostgreSQL server's pool has no such queue; there the
 * mark changes nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const urgent = new AsyncLocalStorage<true>();

/** Runs `fn` with its queries marked urgent. */
export function withPriority<T>(fn: () => Promise<T>): Promise<T> {
  return urgent.run(true, fn);
}

/** True inside `withPriority`. */
export function isPriority(): boolean {
  return urgent.getStore() === true;
}
