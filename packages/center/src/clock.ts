/**
 * The center's clock seam: where the ingest gateway reads the arrival time of a frame and where the engine
 * runner reads `now` and sets its due timer. Production uses the system clock; a replay can pass a
 * virtual clock so that arrival-time rules (communication loss, the `late` flag) see the times of the
 * script instead of the wall clock (ADR 0202).
 */

/** A source of the current instant and of timers that fire by it. */
export interface Clock {
  /** The current instant, ms since the Unix epoch. */
  now(): number;
  /** Calls `fn` once, `ms` from now by this clock; returns a handle for {@link Clock.clearTimeout}. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a timer set by {@link Clock.setTimeout} (a handle already fired or cleared is ignored). */
  clearTimeout(handle: unknown): void;
}

/** The wall clock and Node's timers; its timers do not keep the process alive, like every timer of the center. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return timer;
  },
  clearTimeout(handle) {
    clearTimeout(handle as NodeJS.Timeout);
  },
};
