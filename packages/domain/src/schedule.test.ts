import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AwayWindow, DayOfWeek, Schedule } from './schedule.js';
import {
  DAYS_OF_WEEK,
  awayIntervalsStartingOn,
  awayWindowAt,
  awayWindowsBetween,
  dayOfWeekOf,
  emptySchedule,
  isAwayAllowed,
  validateSchedule,
  windowMinutes,
} from './schedule.js';
import { HOUR_MS, addDays, startOfLocalDay } from './time.js';

const at = (iso: string): number => {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new Error(`bad test instant ${iso}`);
  return t;
};
const win = (start: string, end: string, label = 'praca', endsNextDay = false): AwayWindow =>
  endsNextDay ? { start, end, label, endsNextDay } : { start, end, label };
const weekly = (days: Partial<Record<DayOfWeek, AwayWindow[]>>, extra: Partial<Schedule> = {}): Schedule => ({
  ...emptySchedule(),
  weekly: { ...emptySchedule().weekly, ...days },
  ...extra,
});
const codes = (s: Schedule): string[] => {
  const r = validateSchedule(s);
  return r.ok ? [] : r.errors.map((e) => e.code);
};
const totalMs = (s: Schedule, from: number, to: number): number =>
  awayWindowsBetween(s, from, to).reduce((sum, iv) => sum + iv.endUtcMs - iv.startUtcMs, 0);

describe('schedule validation (R4: at most 12 h a day)', () => {
  it('accepts a working week with a night shift and a Sunday church visit', () => {
    const s = weekly({
      mon: [win('07:00', '15:30')],
      tue: [win('07:00', '15:30'), win('17:00', '18:00', 'zakupy')],
      fri: [win('22:00', '06:00', 'praca zmianowa', true)],
      sun: [win('09:30', '11:00', 'kościół')],
    });
    expect(validateSchedule(s)).toEqual({ ok: true, value: s });
  });

  it('rejects 12.5 hours away on one day and names the day in both languages', () => {
    const r = validateSchedule(weekly({ wed: [win('06:00', '14:00'), win('15:00', '19:30', 'zajęcia')] }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const e = r.errors.find((x) => x.code === 'schedule_day_over_12h');
    expect(e?.path).toBe('weekly.wed');
    expect(e?.pl).toContain('12 h 30 min');
    expect(e?.pl).toContain('środa');
    expect(e?.en).toContain('Wednesday');
  });

  it('accepts exactly 12 hours away', () => {
    expect(codes(weekly({ thu: [win('06:00', '12:00'), win('13:00', '19:00')] }))).toEqual([]);
  });

  it('splits a night window at midnight: each part counts for its own calendar day', () => {
    // Mon 18:00–Tue 06:00 = 6 h on Monday + 6 h on Tuesday; Tuesday's own 7 h make 13 h on Tuesday.
    const s = weekly({ mon: [win('18:00', '06:00', 'nocka', true)], tue: [win('10:00', '17:00')] });
    const r = validateSchedule(s);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.code, e.path])).toEqual([['schedule_day_over_12h', 'weekly.tue']]);
    // Six hours on Tuesday is fine.
    expect(
      codes(weekly({ mon: [win('18:00', '06:00', 'nocka', true)], tue: [win('10:00', '16:00')] })),
    ).toEqual([]);
  });

  it('wraps Sunday night into Monday', () => {
    const s = weekly({ sun: [win('20:00', '07:00', 'nocka', true)], mon: [win('06:00', '10:00')] });
    expect(codes(s)).toContain('windows_overlap');
  });

  it('rejects overlapping windows on the same day', () => {
    expect(codes(weekly({ mon: [win('08:00', '12:00'), win('11:00', '13:00', 'lekarz')] }))).toEqual([
      'windows_overlap',
    ]);
  });

  it('allows windows that only touch', () => {
    expect(codes(weekly({ mon: [win('08:00', '12:00'), win('12:00', '13:00', 'obiad')] }))).toEqual([]);
  });

  it('rejects back-to-back windows that make one absence longer than 12 h across midnight', () => {
    const s = weekly({ mon: [win('14:00', '24:00')], tue: [win('00:00', '05:00', 'nocka')] });
    expect(codes(s)).toEqual(['continuous_absence_over_12h']);
  });

  it('tells the clerk to mark a window that ends after midnight', () => {
    const r = validateSchedule(weekly({ fri: [win('22:00', '06:00')] }));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]?.code).toBe('window_end_not_after_start');
    expect(r.errors[0]?.pl).toContain('następnego dnia');
    expect(r.errors[0]?.path).toBe('weekly.fri[0]');
  });

  it('rejects malformed times, 24:00 as a start, and bad labels', () => {
    expect(codes(weekly({ mon: [win('7:00', '15:00')] }))).toEqual(['window_time_invalid']);
    expect(codes(weekly({ mon: [win('24:00', '23:00')] }))).toEqual(['window_time_invalid']);
    expect(codes(weekly({ mon: [win('22:00', '24:00', 'x', true)] }))).toEqual(['window_time_invalid']);
    expect(codes(weekly({ mon: [win('08:00', '09:00', '   ')] }))).toEqual(['window_label_missing']);
    expect(codes(weekly({ mon: [win('08:00', '09:00', 'a'.repeat(81))] }))).toEqual(['window_label_invalid']);
    expect(codes(weekly({ mon: [win('08:00', '09:00', 'praca\n')] }))).toEqual(['window_label_invalid']);
    expect(codes(weekly({ mon: [win('12:00', '24:00')] }))).toEqual([]);
  });

  it('checks a one-off addition together with the weekly windows of that date', () => {
    const s = weekly(
      { wed: [win('07:00', '17:00')] },
      {
        oneOffChanges: [
          { date: '2025-05-14', mode: 'add', windows: [win('18:00', '21:00', 'lekarz')], reason: 'wizyta' },
        ],
      },
    );
    const r = validateSchedule(s);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => [e.code, e.path])).toEqual([['schedule_day_over_12h', 'date:2025-05-14']]);
  });

  it('lets a replacing change shorten a day and requires a reason', () => {
    const s = weekly(
      { wed: [win('07:00', '17:00')] },
      {
        oneOffChanges: [
          { date: '2025-05-14', mode: 'replace', windows: [win('10:00', '11:00', 'lekarz')], reason: ' ' },
        ],
      },
    );
    expect(codes(s)).toEqual(['one_off_reason_missing']);
  });

  it('rejects a dated window whose time does not exist on that night (clocks go forward)', () => {
    const s = weekly(
      {},
      {
        exceptions: [
          {
            id: 'e1',
            date: '2025-03-30',
            window: win('02:15', '04:00', 'apteka'),
            approvedBy: 'kurator-1',
            approvedAtUtcMs: 0,
            reason: 'choroba',
          },
        ],
      },
    );
    expect(codes(s)).toEqual(['window_time_skipped_by_dst']);
  });

  it('requires the approving probation officer on an exception', () => {
    const s = weekly(
      {},
      {
        exceptions: [
          {
            id: 'e1',
            date: '2025-06-02',
            window: win('10:00', '12:00', 'urząd'),
            approvedBy: '',
            approvedAtUtcMs: 0,
            reason: 'sprawa',
          },
        ],
      },
    );
    expect(codes(s)).toEqual(['exception_approval_incomplete']);
  });
});

describe('schedule evaluation across DST (Europe/Warsaw)', () => {
  it('01:30–03:30 on the last Sunday of March lasts 1 hour in real time', () => {
    const s = weekly({ sun: [win('01:30', '03:30', 'spacer')] });
    const ivs = awayIntervalsStartingOn(s, '2025-03-30');
    expect(ivs).toHaveLength(1);
    expect(ivs[0]?.startUtcMs).toBe(at('2025-03-30T01:30+01:00'));
    expect(ivs[0]?.endUtcMs).toBe(at('2025-03-30T03:30+02:00'));
    expect((ivs[0]?.endUtcMs ?? 0) - (ivs[0]?.startUtcMs ?? 0)).toBe(HOUR_MS);
  });

  it('01:30–03:30 on the last Sunday of October lasts 3 hours and appears once', () => {
    const s = weekly({ sun: [win('01:30', '03:30', 'spacer')] });
    const day = '2025-10-26';
    const ivs = awayWindowsBetween(s, startOfLocalDay(day), startOfLocalDay(addDays(day, 1)));
    expect(ivs).toHaveLength(1);
    expect((ivs[0]?.endUtcMs ?? 0) - (ivs[0]?.startUtcMs ?? 0)).toBe(3 * HOUR_MS);
  });

  it('a window ending at a repeated time ends at its second occurrence (in the person’s favour)', () => {
    const s = weekly({ sat: [win('22:00', '02:30', 'nocka', true)] });
    expect(isAwayAllowed(s, at('2025-10-26T02:45+02:00'))).toBe(true); // first 02:45
    expect(isAwayAllowed(s, at('2025-10-26T02:15+01:00'))).toBe(true); // second 02:15
    expect(isAwayAllowed(s, at('2025-10-26T02:30+01:00'))).toBe(false);
  });

  it('a window starting at a skipped time starts when the clock jumps to 03:00', () => {
    const s = weekly({ sun: [win('02:30', '05:00', 'piekarnia')] });
    const [iv] = awayIntervalsStartingOn(s, '2025-03-30');
    expect(iv?.startUtcMs).toBe(at('2025-03-30T03:00+02:00'));
    expect(isAwayAllowed(s, at('2025-03-30T01:59+01:00'))).toBe(false);
    expect(isAwayAllowed(s, at('2025-03-30T03:00+02:00'))).toBe(true);
  });

  it('a Saturday night shift over the October change lasts one hour longer, not doubled', () => {
    const s = weekly({ sat: [win('22:00', '06:00', 'nocka', true)] });
    const ivs = awayWindowsBetween(s, at('2025-10-25T00:00+02:00'), at('2025-10-28T00:00+01:00'));
    expect(ivs).toHaveLength(1);
    expect(ivs[0]?.startUtcMs).toBe(at('2025-10-25T22:00+02:00'));
    expect(ivs[0]?.endUtcMs).toBe(at('2025-10-26T06:00+01:00'));
    expect(ivs[0]?.label).toBe('nocka');
  });

  it('the end of a window is exclusive and the night window is found from the next day', () => {
    const s = weekly({ fri: [win('22:00', '06:00', 'nocka', true)] });
    expect(isAwayAllowed(s, at('2025-06-07T05:59+02:00'))).toBe(true);
    expect(isAwayAllowed(s, at('2025-06-07T06:00+02:00'))).toBe(false);
    expect(awayWindowAt(s, at('2025-06-07T01:00+02:00'))?.startDate).toBe('2025-06-06');
  });

  it('applies a replacing one-off change only on its date', () => {
    const s = weekly(
      { wed: [win('07:00', '15:00')] },
      {
        oneOffChanges: [
          {
            date: '2025-05-14',
            mode: 'replace',
            windows: [win('10:00', '11:00', 'lekarz')],
            reason: 'wizyta lekarska',
          },
        ],
      },
    );
    expect(isAwayAllowed(s, at('2025-05-14T08:00+02:00'))).toBe(false);
    expect(awayWindowAt(s, at('2025-05-14T10:30+02:00'))?.source).toBe('one_off');
    expect(isAwayAllowed(s, at('2025-05-21T08:00+02:00'))).toBe(true);
  });

  it('adds an exception approved by the probation officer', () => {
    const s = weekly(
      {},
      {
        exceptions: [
          {
            id: 'e1',
            date: '2025-06-02',
            window: win('10:00', '12:00', 'urząd'),
            approvedBy: 'kurator-1',
            approvedAtUtcMs: 0,
            reason: 'sprawa urzędowa',
          },
        ],
      },
    );
    expect(awayWindowAt(s, at('2025-06-02T11:00+02:00'))?.source).toBe('exception');
    expect(isAwayAllowed(s, at('2025-06-09T11:00+02:00'))).toBe(false);
  });

  it('clips windows to the requested range and returns nothing for an empty range', () => {
    const s = weekly({ mon: [win('08:00', '16:00')] });
    const from = at('2025-06-02T10:00+02:00');
    const ivs = awayWindowsBetween(s, from, at('2025-06-02T12:00+02:00'));
    expect(ivs.map((iv) => [iv.startUtcMs, iv.endUtcMs])).toEqual([[from, at('2025-06-02T12:00+02:00')]]);
    expect(awayWindowsBetween(s, from, from)).toEqual([]);
  });
});

// ---- properties ----

const QUARTER = 15;
/** A day's windows built left to right so they never overlap within the day; the last may cross midnight. */
const dayWindows = fc
  .array(fc.record({ gap: fc.integer({ min: 0, max: 40 }), len: fc.integer({ min: 1, max: 48 }) }), {
    maxLength: 3,
  })
  .map((parts) => {
    const out: AwayWindow[] = [];
    let cursor = 0;
    for (const { gap, len } of parts) {
      const start = cursor + gap * QUARTER;
      const end = start + len * QUARTER;
      if (start >= 1440) break;
      const fmt = (m: number): string =>
        `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      if (end > 1440) {
        out.push({ start: fmt(start), end: fmt(end - 1440), endsNextDay: true, label: 'nocka' });
        break;
      }
      out.push({ start: fmt(start), end: fmt(end), label: 'okno' });
      cursor = end + QUARTER; // keep a gap so windows never merge into one long absence
    }
    return out;
  });

const validSchedule: fc.Arbitrary<Schedule> = fc
  .tuple(...DAYS_OF_WEEK.map(() => dayWindows))
  .map((days) => {
    const w = Object.fromEntries(DAYS_OF_WEEK.map((d, i) => [d, days[i] ?? []])) as Record<
      DayOfWeek,
      AwayWindow[]
    >;
    return { ...emptySchedule(), weekly: w };
  })
  .filter((s) => validateSchedule(s).ok);

/** Days around the DST changes of 2025 and 2026 plus ordinary days. */
const anyDay = fc.constantFrom(
  '2025-03-29',
  '2025-03-30',
  '2025-03-31',
  '2025-10-25',
  '2025-10-26',
  '2025-10-27',
  '2026-03-28',
  '2026-03-29',
  '2026-10-25',
  '2025-07-15',
  '2025-12-31',
);

describe('schedule properties', () => {
  it('dated changes and exceptions that pass validation keep every day within 12 h (+1 h on the October night)', () => {
    const dated = fc.record({
      date: anyDay,
      mode: fc.constantFrom('add' as const, 'replace' as const),
      windows: dayWindows,
      exception: fc.option(dayWindows, { nil: undefined }),
    });
    fc.assert(
      fc.property(validSchedule, fc.array(dated, { maxLength: 3 }), (base, changes) => {
        const s: Schedule = {
          ...base,
          oneOffChanges: changes.map((c) => ({
            date: c.date,
            mode: c.mode,
            windows: c.windows,
            reason: 'zmiana',
          })),
          exceptions: changes.flatMap((c, i) =>
            (c.exception ?? []).slice(0, 1).map((window) => ({
              id: `e${i}`,
              date: c.date,
              window,
              approvedBy: 'kurator-1',
              approvedAtUtcMs: 0,
              reason: 'zgoda',
            })),
          ),
        };
        fc.pre(validateSchedule(s).ok);
        for (const c of changes) {
          for (const day of [c.date, addDays(c.date, 1)]) {
            const from = startOfLocalDay(day);
            const to = startOfLocalDay(addDays(day, 1));
            expect(totalMs(s, from, to)).toBeLessThanOrEqual(
              12 * HOUR_MS + Math.max(0, to - from - 24 * HOUR_MS),
            );
          }
        }
      }),
      { numRuns: 100 },
    );
  });

  it('in every local calendar day the real time away is at most 12 h (+1 h only on the night clocks go back)', () => {
    fc.assert(
      fc.property(validSchedule, anyDay, (s, day) => {
        const from = startOfLocalDay(day);
        const to = startOfLocalDay(addDays(day, 1));
        const extra = Math.max(0, to - from - 24 * HOUR_MS);
        expect(totalMs(s, from, to)).toBeLessThanOrEqual(12 * HOUR_MS + extra);
      }),
      { numRuns: 150 },
    );
  });

  it('isAwayAllowed agrees with awayWindowsBetween at every quarter hour and at window edges', () => {
    fc.assert(
      fc.property(validSchedule, anyDay, fc.integer({ min: 0, max: 24 * 4 * 2 - 1 }), (s, day, q) => {
        const from = startOfLocalDay(addDays(day, -1));
        const to = startOfLocalDay(addDays(day, 1));
        const ivs = awayWindowsBetween(s, from, to);
        const probes = [
          from + q * 15 * 60_000,
          ...ivs.flatMap((iv) => [iv.startUtcMs, iv.endUtcMs - 1, iv.endUtcMs]),
        ];
        for (const t of probes) {
          if (t < from || t >= to) continue;
          const inList = ivs.some((iv) => iv.startUtcMs <= t && t < iv.endUtcMs);
          expect(isAwayAllowed(s, t)).toBe(inList);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a valid schedule yields disjoint intervals, each window once per day, never lost over a DST night', () => {
    fc.assert(
      fc.property(validSchedule, anyDay, (s, day) => {
        const ivs = awayIntervalsStartingOn(s, day);
        // Only a window wholly inside the hour skipped in March (02:00–03:00) may vanish.
        const expected = s.weekly[dayOfWeekOf(day)].filter(
          (w) => !(isMarchChange(day) && insideSkippedHour(w)),
        );
        expect(ivs).toHaveLength(expected.length);
        for (let i = 1; i < ivs.length; i++) {
          expect(ivs[i]?.startUtcMs).toBeGreaterThanOrEqual(ivs[i - 1]?.endUtcMs ?? 0);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('on a DST Sunday, windows clear of 02:00–03:00 keep their wall-clock length in real time', () => {
    fc.assert(
      fc.property(validSchedule, fc.constantFrom('2025-03-30', '2025-10-26', '2026-03-29'), (s, day) => {
        const windows = s.weekly.sun
          .filter((w) => !(isMarchChange(day) && insideSkippedHour(w)))
          .sort((a, b) => (windowMinutes(a)?.start ?? 0) - (windowMinutes(b)?.start ?? 0));
        const ivs = awayIntervalsStartingOn(s, day);
        windows.forEach((w, i) => {
          const m = windowMinutes(w);
          const iv = ivs[i];
          if (m === undefined || iv === undefined) throw new Error('window lost');
          const real = iv.endUtcMs - iv.startUtcMs;
          const nominal = (m.end - m.start) * 60_000;
          if (m.end < 120 || m.start >= 180) expect(real).toBe(nominal);
          else if (isMarchChange(day)) expect(real).toBeLessThanOrEqual(nominal);
          else expect(real).toBeGreaterThanOrEqual(nominal);
        });
      }),
      { numRuns: 150 },
    );
  });
});

function isMarchChange(day: string): boolean {
  return day === '2025-03-30' || day === '2026-03-29';
}

function insideSkippedHour(w: AwayWindow): boolean {
  const m = windowMinutes(w);
  return m !== undefined && m.start >= 120 && m.end <= 180;
}
