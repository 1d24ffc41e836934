/**
 * Sequences of order amendments and probation officer's exceptions (issue 20, ADR 0601): each write is
 * accepted only as the center's services accept it (amendCourtOrder and amendmentProblemsWithExceptions
 * for an amendment, exceptionProblemsWithOrder for an exception), and no accepted sequence may leave a
 * calendar day more than 12 hours away under the version in force that day with every approved exception,
 * as the compliance engine reads them. The oracle below counts the wall clock itself; it shares only
 * `windowMinutes` (the reading of `HH:MM`) with the code under test.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CourtOrder, CourtOrderVersion } from './court-order.js';
import {
  amendCourtOrder,
  amendmentProblemsWithExceptions,
  exceptionProblemsWithOrder,
  versionInForce,
} from './court-order.js';
import { MAX_AWAY_MINUTES_PER_DAY } from './law.js';
import type { ApprovedException, AwayWindow, DayOfWeek, OneOffChange, Schedule } from './schedule.js';
import { DAYS_OF_WEEK, dayOfWeekOf, emptySchedule, windowMinutes } from './schedule.js';
import { MINUTES_PER_DAY, addDays, startOfLocalDay } from './time.js';

/** Windows the court and the officer pick from: day, evening, night (across midnight) and the DST hours. */
const POOL: readonly AwayWindow[] = [
  { start: '07:00', end: '15:00', label: 'praca' },
  { start: '06:00', end: '14:30', label: 'praca' },
  { start: '12:00', end: '18:00', label: 'szkoła' },
  { start: '16:00', end: '20:00', label: 'zakupy' },
  { start: '17:00', end: '21:30', label: 'lekarz' },
  { start: '09:00', end: '11:00', label: 'kościół' },
  { start: '20:00', end: '02:00', endsNextDay: true, label: 'dyżur' },
  { start: '22:00', end: '06:00', endsNextDay: true, label: 'zmiana nocna' },
  { start: '01:00', end: '03:30', label: 'pociąg' },
  { start: '00:00', end: '12:00', label: 'praca' },
];
/** Mondays of weeks whose Sunday the clocks change (30 March and 26 October 2025, 29 March 2026). */
const BASES = ['2025-03-24', '2025-10-20', '2026-03-23'] as const;
/** Days after the base that the sequence touches. */
const SPAN = 30;

const window = fc.constantFrom(...POOL);
const dayWindows = fc.uniqueArray(window, { maxLength: 2 });
const weekly = fc.record(
  Object.fromEntries(DAYS_OF_WEEK.map((d) => [d, dayWindows])) as Record<
    DayOfWeek,
    fc.Arbitrary<AwayWindow[]>
  >,
);
const oneOff = (base: string): fc.Arbitrary<OneOffChange> =>
  fc.record({
    date: fc.integer({ min: 0, max: SPAN }).map((d) => addDays(base, d)),
    mode: fc.constantFrom('add' as const, 'replace' as const),
    windows: fc.uniqueArray(window, { maxLength: 1 }),
    reason: fc.constant('wizyta lekarska'),
  });

type Step =
  | { kind: 'amend'; afterDays: number; weekly: Schedule['weekly']; oneOff: OneOffChange[] }
  | { kind: 'exception'; day: number; window: AwayWindow };

const steps = (base: string): fc.Arbitrary<Step[]> =>
  fc.array(
    fc.oneof(
      fc.record({
        kind: fc.constant('amend' as const),
        afterDays: fc.integer({ min: 1, max: 10 }),
        weekly,
        oneOff: fc.array(oneOff(base), { maxLength: 1 }),
      }),
      fc.record({
        kind: fc.constant('exception' as const),
        day: fc.integer({ min: 0, max: SPAN }),
        window,
      }),
    ),
    { maxLength: 8 },
  );

function version(n: number, validFrom: number, schedule: Schedule): CourtOrderVersion {
  return {
    version: n,
    validFromUtcMs: validFrom,
    decidedBy: 'sędzia-1',
    decidedOn: '2025-03-20',
    reason: n === 1 ? 'udzielenie zezwolenia' : 'zmiana harmonogramu',
    supervisionKinds: ['stationary'],
    obligations: [
      {
        kind: 'stay_at_place',
        place: { address: { street: 'ul. Długa 5', postalCode: '78-400', city: 'Szczecinek' } },
        schedule,
      },
    ],
    devices: ['transmitter', 'stationary_unit'],
    readinessDeadlineHours: 24,
  };
}

/** Wall-clock minutes [start, end) from `date`'s midnight of the windows starting on `date` under `s`. */
function windowsStartingOn(s: Schedule, exceptions: readonly ApprovedException[], date: string) {
  const changes = s.oneOffChanges.filter((c) => c.date === date);
  const ws = [
    ...(changes.some((c) => c.mode === 'replace') ? [] : s.weekly[dayOfWeekOf(date)]),
    ...changes.flatMap((c) => c.windows),
    ...exceptions.filter((e) => e.date === date).map((e) => e.window),
  ];
  return ws.map((w) => windowMinutes(w)!);
}

/** Minutes away on the wall clock of `date` (overlaps counted once) under the version in force that day. */
function minutesAway(
  versions: readonly CourtOrderVersion[],
  exceptions: readonly ApprovedException[],
  date: string,
) {
  const v = versionInForce({ id: '', caseId: '', caseNumber: '', versions }, startOfLocalDay(date));
  const stay = v?.obligations[0];
  if (stay?.kind !== 'stay_at_place') return 0;
  const parts = [
    ...windowsStartingOn(stay.schedule, exceptions, addDays(date, -1)).map((m) => ({
      start: m.start - MINUTES_PER_DAY,
      end: m.end - MINUTES_PER_DAY,
    })),
    ...windowsStartingOn(stay.schedule, exceptions, date),
  ]
    .map((m) => ({ start: Math.max(0, m.start), end: Math.min(MINUTES_PER_DAY, m.end) }))
    .filter((m) => m.end > m.start)
    .sort((a, b) => a.start - b.start);
  let total = 0;
  let reached = 0;
  for (const p of parts) {
    const from = Math.max(p.start, reached);
    if (p.end > from) total += p.end - from;
    reached = Math.max(reached, p.end);
  }
  return total;
}

describe('amendments and exceptions in any order (R4)', () => {
  it('no accepted sequence leaves a day more than 12 hours away, across versions and DST days', () => {
    const run = fc.constantFrom(...BASES).chain((base) => fc.tuple(fc.constant(base), weekly, steps(base)));
    fc.assert(
      fc.property(run, ([base, firstWeek, sequence]) => {
        const first = version(1, startOfLocalDay(base), { ...emptySchedule(), weekly: firstWeek });
        fc.pre(amendCourtOrder({ id: 'o', caseId: 'c', caseNumber: 'III Kow 1/25', versions: [] }, first).ok);
        let order: CourtOrder = { id: 'o', caseId: 'c', caseNumber: 'III Kow 1/25', versions: [first] };
        let exceptions: ApprovedException[] = [];
        let lastStart: string = base;
        for (const [i, step] of sequence.entries()) {
          if (step.kind === 'amend') {
            const from = addDays(lastStart, step.afterDays);
            const next = version(order.versions.length + 1, startOfLocalDay(from), {
              weekly: step.weekly,
              oneOffChanges: step.oneOff,
              exceptions: [],
            });
            const r = amendCourtOrder(order, next);
            if (r.ok && amendmentProblemsWithExceptions(r.value.versions, exceptions).length === 0) {
              order = r.value;
              lastStart = from;
            }
          } else {
            const e: ApprovedException = {
              id: `e${i}`,
              date: addDays(base, step.day),
              window: step.window,
              approvedBy: 'kurator-1',
              approvedAtUtcMs: 0,
              reason: 'wizyta lekarska',
            };
            if (exceptionProblemsWithOrder(order.versions, exceptions, e).length === 0) {
              exceptions = [...exceptions, e];
            }
          }
          for (let d = 0; d <= SPAN + 11 * order.versions.length; d++) {
            const date = addDays(base, d);
            expect(minutesAway(order.versions, exceptions, date), date).toBeLessThanOrEqual(
              MAX_AWAY_MINUTES_PER_DAY,
            );
          }
        }
      }),
      { numRuns: 150 },
    );
    // About 12 s on a busy 2-core host; the margin keeps a slower CI from failing it on time alone.
  }, 180_000);
});
