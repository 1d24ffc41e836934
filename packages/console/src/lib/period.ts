/**
 * Periods the terminals ask the center about (the map track, the Bureau's statistics): the last N hours up
 * to now, or a range chosen on Warsaw wall time.
 */
import { fromWarsawInput } from './format.js';

/** A period as chosen: relative to now, or fixed instants (ISO). */
export type PeriodChoice = { kind: 'last'; ms: number } | { kind: 'range'; from: string; to: string };

/** The instants of a choice at `now`. */
export function resolvePeriod(choice: PeriodChoice, now = Date.now()): { from: Date; to: Date } {
  return choice.kind === 'last'
    ? { from: new Date(now - choice.ms), to: new Date(now) }
    : { from: new Date(choice.from), to: new Date(choice.to) };
}

/** The query string `from=…&to=…` of a choice at `now`. */
export function periodQuery(choice: PeriodChoice, now = Date.now()): string {
  const p = resolvePeriod(choice, now);
  return `from=${encodeURIComponent(p.from.toISOString())}&to=${encodeURIComponent(p.to.toISOString())}`;
}

/** Why a custom range cannot be asked for. */
export type RangeProblem = 'invalid' | 'reversed' | 'tooLong';

/**
 * Reads two `datetime-local` values as Warsaw time: the range, or what is wrong with it (a time that does
 * not exist in Warsaw, `from` not before `to`, longer than `maxDays`).
 */
export function parseRange(
  from: string,
  to: string,
  maxDays: number,
): { ok: true; choice: PeriodChoice } | { ok: false; problem: RangeProblem } {
  const a = fromWarsawInput(from);
  const b = fromWarsawInput(to);
  if (!a || !b) return { ok: false, problem: 'invalid' };
  if (a.getTime() >= b.getTime()) return { ok: false, problem: 'reversed' };
  if (b.getTime() - a.getTime() > maxDays * 86_400_000) return { ok: false, problem: 'tooLong' };
  return { ok: true, choice: { kind: 'range', from: a.toISOString(), to: b.toISOString() } };
}
