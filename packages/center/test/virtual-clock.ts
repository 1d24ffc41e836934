/**
 * A virtual clock for replays (ADR 0202): `now` moves only when the test moves it, and timers set through it
 * fire when the test advances past their due instant, each at that instant, in due order.
 */
import type { Clock } from '../src/clock.js';

interface Timer {
  id: number;
  at: number;
  fn: () => void;
}

/** A clock that stands still until {@link VirtualClock.advanceTo} or {@link VirtualClock.jumpTo}. */
export class VirtualClock implements Clock {
  private t: number;
  private timers: Timer[] = [];
  private lastId = 0;

  constructor(start: number) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { id: ++this.lastId, at: this.t + Math.max(0, ms), fn };
    this.timers.push(timer);
    return timer.id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  /**
   * Moves to `t`, firing every timer due at or before it in due order (ties in the order they were set):
   * `now` is each timer's due instant while it fires, and `settle` (e.g. the engine's `idle`) is awaited
   * after each, so what a timer sets in motion — and the timers that sets — happens at that instant.
   * A timer overdue after a {@link jumpTo} fires at the current instant: time never runs backwards here.
   */
  async advanceTo(t: number, settle: () => Promise<void>): Promise<void> {
    for (;;) {
      let next: Timer | undefined;
      for (const timer of this.timers) {
        if (timer.at <= t && (next === undefined || timer.at < next.at)) next = timer;
      }
      if (next === undefined) break;
      this.timers = this.timers.filter((x) => x !== next);
      this.t = Math.max(this.t, next.at);
      next.fn();
      await settle();
    }
    this.t = Math.max(this.t, t);
  }

  /** Sets `now` to `t` (forwards or backwards) without firing anything: the start of an unrelated replay. */
  jumpTo(t: number): void {
    this.t = t;
  }
}
