import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decisionDeadline, deadlineInDays, installationDeadline, readinessDeadline } from './deadlines.js';
import { easterSunday, isNonWorkingDay, polishPublicHolidays, publicHolidayOn } from './holidays.js';
import type { Result } from './messages.js';
import { HOUR_MS, addDays, daysBetween } from './time.js';

const at = (iso: string): number => Date.parse(iso);
function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.errors.map((e) => e.code).join(','));
  return r.value;
}

describe('Polish statutory holidays', () => {
  it('computes Easter for known years', () => {
    expect(easterSunday(2008)).toBe('2008-03-23');
    expect(easterSunday(2019)).toBe('2019-04-21');
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(easterSunday(2025)).toBe('2025-04-20');
    expect(easterSunday(2038)).toBe('2038-04-25');
  });

  it('derives Easter Monday, Pentecost and Corpus Christi from Easter', () => {
    expect(publicHolidayOn('2025-04-21')?.en).toBe('Easter Monday');
    expect(publicHolidayOn('2025-06-08')?.en).toBe('Pentecost Sunday');
    expect(publicHolidayOn('2025-06-19')?.pl).toBe('Boże Ciało');
    expect(publicHolidayOn('2026-06-04')?.pl).toBe('Boże Ciało');
  });

  it('follows the statute’s amendments: Epiphany from 2011, Christmas Eve from 2025', () => {
    expect(polishPublicHolidays(2010)).toHaveLength(12);
    expect(polishPublicHolidays(2024)).toHaveLength(13);
    expect(polishPublicHolidays(2025)).toHaveLength(14);
    expect(publicHolidayOn('2024-12-24')).toBeUndefined();
    expect(publicHolidayOn('2025-12-24')?.pl).toBe('Wigilia Bożego Narodzenia');
  });

  it('treats Saturdays, Sundays and holidays as non-working days', () => {
    expect(isNonWorkingDay('2025-06-07')).toBe(true); // Saturday
    expect(isNonWorkingDay('2025-05-01')).toBe(true); // Thursday, Labour Day
    expect(isNonWorkingDay('2025-05-02')).toBe(false);
  });
});

describe('deadlines in days (art. 123 KPK)', () => {
  it('R3: 30 days from 1 April 2025 end on 1 May, a holiday, so the court has until 2 May', () => {
    const d = value(decisionDeadline('2025-04-01'));
    expect(d.lastDay).toBe('2025-05-02');
    expect(d.dueUtcMs).toBe(at('2025-05-03T00:00+02:00'));
    expect(d.explanation.pl).toContain('art. 123 § 3 KPK');
    expect(d.explanation.en).toContain('1 May 2025');
  });

  it('R3: an end on Christmas Eve 2025 skips the holidays and the weekend to Monday 29 December', () => {
    expect(value(decisionDeadline('2025-11-24')).lastDay).toBe('2025-12-29');
  });

  it('R3: an end on an ordinary working day does not move', () => {
    const d = value(decisionDeadline('2025-02-10'));
    expect(d.lastDay).toBe('2025-03-12');
    expect(daysBetween('2025-02-10', d.lastDay)).toBe(30);
  });

  it('rejects an invalid date or a non-positive number of days', () => {
    expect(decisionDeadline('2025-02-30').ok).toBe(false);
    const r = deadlineInDays('2025-02-10', 0, 'calendar');
    expect(r.ok ? '' : r.errors[0]?.code).toBe('deadline_days_invalid');
  });

  it('R5: installation within 3 calendar days of the readiness report, even over Christmas', () => {
    const d = value(installationDeadline(at('2025-12-23T20:00+01:00')));
    expect(d.lastDay).toBe('2025-12-26');
    expect(d.dueUtcMs).toBe(at('2025-12-27T00:00+01:00'));
  });

  it('R5: the report day is the Warsaw date, not the UTC date', () => {
    // 00:30 on 1 June in Warsaw is still 31 May in UTC.
    expect(value(installationDeadline(at('2025-06-01T00:30+02:00'))).lastDay).toBe('2025-06-04');
  });

  it('procedural deadlines never end on a Saturday, Sunday or holiday, and move only over such days', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2000-01-01T00:00:00Z'),
          max: new Date('2099-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 1, max: 60 }),
        (date, days) => {
          const event = date.toISOString().slice(0, 10);
          const d = value(deadlineInDays(event, days, 'procedural'));
          const nominal = addDays(event, days);
          expect(isNonWorkingDay(d.lastDay)).toBe(false);
          expect(d.lastDay >= nominal).toBe(true);
          for (let x = nominal; x < d.lastDay; x = addDays(x, 1)) expect(isNonWorkingDay(x)).toBe(true);
          expect(value(deadlineInDays(event, days, 'calendar')).lastDay).toBe(nominal);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a later event never gives an earlier deadline', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date('2020-01-01T00:00:00Z'),
          max: new Date('2030-12-31T00:00:00Z'),
          noInvalidDate: true,
        }),
        fc.integer({ min: 1, max: 20 }),
        (date, shift) => {
          const a = date.toISOString().slice(0, 10);
          const b = addDays(a, shift);
          expect(value(decisionDeadline(b)).dueUtcMs).toBeGreaterThanOrEqual(
            value(decisionDeadline(a)).dueUtcMs,
          );
        },
      ),
    );
  });
});

describe('readiness deadline in hours (R4)', () => {
  it('counts 24 elapsed hours across the October clock change', () => {
    const d = value(readinessDeadline(at('2025-10-25T12:00+02:00'), 24));
    expect(d.dueUtcMs).toBe(at('2025-10-26T11:00+01:00'));
    expect(d.dueUtcMs - at('2025-10-25T12:00+02:00')).toBe(24 * HOUR_MS);
  });

  it('is not moved for a weekend or holiday', () => {
    const d = value(readinessDeadline(at('2025-12-24T10:00+01:00'), 12));
    expect(d.dueUtcMs).toBe(at('2025-12-24T22:00+01:00'));
    expect(d.lastDay).toBe('2025-12-24');
  });

  it('refuses a deadline longer than 24 hours or not in whole hours', () => {
    for (const h of [25, 0, 1.5]) {
      const r = readinessDeadline(at('2025-06-02T10:00+02:00'), h);
      expect(r.ok ? '' : r.errors[0]?.code).toBe('readiness_deadline_hours_invalid');
    }
  });
});

describe('deadline words', () => {
  it('name days as people write them, never as ISO dates or timestamps', () => {
    const iso = /\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}/;
    const day = fc
      .date({ min: new Date('2020-01-01'), max: new Date('2035-12-31'), noInvalidDate: true })
      .map((d) => d.toISOString().slice(0, 10));
    fc.assert(
      fc.property(day, fc.integer({ min: 1, max: 24 }), (received, hours) => {
        const decision = value(decisionDeadline(received));
        const readiness = value(readinessDeadline(Date.parse(`${received}T10:00:00Z`), hours));
        for (const text of [decision.explanation, readiness.explanation].flatMap((e) => [e.pl, e.en])) {
          expect(text).not.toMatch(iso);
        }
        const [y, m, d] = decision.lastDay.split('-');
        expect(decision.explanation.pl).toContain(`${d}.${m}.${y}`);
      }),
    );
  });
});
