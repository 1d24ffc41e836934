/**
 * Urgent database work: what runs inside `withPriority` goes to the front of the queue for PGlite's single
 * connection (pglite-dialect.ts), and while such work is in progress the connection is not lent to other
 * work between its queries. A cut strap's evaluation asks the database several times; behind a backlog of
 * heartbeat groups each ask would otherwise wait for a whole group (T4.3: immediately). A PostgreSQL
 * server's pool has no such queue; there the mark changes nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const urgent = new AsyncLocalStorage<true>();
let active = 0;
const idleListeners = new Set<() => void>();

/** Runs `fn` with its queries marked urgent. */
export async function withPriority<T>(fn: () => Promise<T>): Promise<T> {
  active++;
  try {
    return await urgent.run(true, fn);
  } finally {
    active--;
    if (active === 0) for (const l of [...idleListeners]) l();
  }
}

/** Runs `fn` outside any urgent work (callbacks that merely start other, ordinary work). */
export function withoutPriority<T>(fn: () => T): T {
  return urgent.exit(fn);
}

/** True inside `withPriority`. */
export function isPriority(): boolean {
  return urgent.getStore() === true;
}

/** True while some urgent work is in progress anywhere in the process. */
export function priorityActive(): boolean {
  return active > 0;
}

/** Calls `listener` each time the last urgent work in progress ends; returns the unsubscribe. */
export function onPriorityIdle(listener: () => void): () => void {
  idleListeners.add(listener);
  return () => idleListeners.delete(listener);
}
