import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Result } from './messages.js';
import type { Term } from './sentence.js';
import { formatTerm, sentenceEnd, sumTerms, termInDays } from './sentence.js';

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.errors.map((e) => e.code).join(','));
  return r.value;
}

describe('sentence end (R6, R8)', () => {
  it('counts the activation day as day one: 10 days from 2 June end on 11 June', () => {
    const e = value(sentenceEnd({ activationDate: '2025-06-02', term: { years: 0, months: 0, days: 10 } }));
    expect(e.lastDay).toBe('2025-06-11');
    expect(e.endsAtUtcMs).toBe(Date.parse('2025-06-12T00:00+02:00'));
    expect(e.daysToServe).toBe(10);
  });

  it('counts a month as 30 days and a year as 365 (art. 12c KKW) and explains it', () => {
    const e = value(sentenceEnd({ activationDate: '2025-01-31', term: { years: 1, months: 6, days: 0 } }));
    expect(e.daysToServe).toBe(545);
    expect(e.lastDay).toBe('2026-07-29');
    expect(e.explanation.pl).toContain('art. 12c KKW');
    expect(e.explanation.pl).toContain('1 rok 6 miesięcy');
    expect(e.explanation.en).toContain('29 July 2026');
  });

  it('can use calendar months: one month from 31 January ends on 27 February 2025 (28 Feb is the day after)', () => {
    const e = value(
      sentenceEnd({
        activationDate: '2025-01-31',
        term: { years: 0, months: 1, days: 0 },
        method: 'calendar',
      }),
    );
    expect(e.lastDay).toBe('2025-02-27');
    const e2 = value(
      sentenceEnd({
        activationDate: '2025-01-15',
        term: { years: 0, months: 1, days: 0 },
        method: 'calendar',
      }),
    );
    expect(e2.lastDay).toBe('2025-02-14');
  });

  it('subtracts credited days and refuses when nothing is left', () => {
    const e = value(
      sentenceEnd({ activationDate: '2025-06-02', term: { years: 0, months: 1, days: 0 }, creditedDays: 5 }),
    );
    expect(e.lastDay).toBe('2025-06-26');
    expect(e.explanation.pl).toContain('5 dni zaliczonych');
    const r = sentenceEnd({
      activationDate: '2025-06-02',
      term: { years: 0, months: 0, days: 5 },
      creditedDays: 5,
    });
    expect(r.ok ? '' : r.errors[0]?.code).toBe('sentence_already_served');
  });

  it('rejects an empty or fractional term and a bad date', () => {
    const codesOf = (r: Result<unknown>): string[] => (r.ok ? [] : r.errors.map((e) => e.code));
    expect(
      codesOf(sentenceEnd({ activationDate: '2025-06-02', term: { years: 0, months: 0, days: 0 } })),
    ).toEqual(['term_empty']);
    expect(
      codesOf(sentenceEnd({ activationDate: '2025-06-02', term: { years: 0, months: 1.5, days: 0 } })),
    ).toEqual(['term_invalid']);
    expect(
      codesOf(sentenceEnd({ activationDate: '2025-13-01', term: { years: 0, months: 1, days: 0 } })),
    ).toEqual(['date_invalid']);
  });

  it('writes terms with Polish plural forms', () => {
    expect(formatTerm({ years: 2, months: 5, days: 22 }).pl).toBe('2 lata 5 miesięcy 22 dni');
    expect(formatTerm({ years: 0, months: 12, days: 1 }).pl).toBe('12 miesięcy 1 dzień');
    expect(
      termInDays(
        sumTerms([
          { years: 0, months: 8, days: 0 },
          { years: 0, months: 10, days: 0 },
        ]),
      ),
    ).toBe(540);
  });

  const term = fc.record({
    years: fc.integer({ min: 0, max: 3 }),
    months: fc.integer({ min: 0, max: 24 }),
    days: fc.integer({ min: 0, max: 400 }),
  });
  const day = fc
    .date({
      min: new Date('2015-01-01T00:00:00Z'),
      max: new Date('2035-12-31T00:00:00Z'),
      noInvalidDate: true,
    })
    .map((d) => d.toISOString().slice(0, 10));
  const grow = (t: Term, by: Term): Term => ({
    years: t.years + by.years,
    months: t.months + by.months,
    days: t.days + by.days,
  });

  it('a longer term never ends earlier, under either method', () => {
    fc.assert(
      fc.property(
        day,
        term,
        term,
        fc.constantFrom('kkw_art12c' as const, 'calendar' as const),
        (d, t, extra, method) => {
          const a = sentenceEnd({ activationDate: d, term: t, method });
          const b = sentenceEnd({ activationDate: d, term: grow(t, extra), method });
          if (!a.ok) return; // the zero term
          expect(b.ok).toBe(true);
          if (b.ok) expect(b.value.lastDay >= a.value.lastDay).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('the sentence lasts exactly the term’s days, counted on the calendar including both ends', () => {
    fc.assert(
      fc.property(day, term, (d, t) => {
        const r = sentenceEnd({ activationDate: d, term: t });
        if (!r.ok) return;
        const span =
          (Date.parse(`${r.value.lastDay}T00:00:00Z`) - Date.parse(`${d}T00:00:00Z`)) / 86_400_000 + 1;
        expect(span).toBe(termInDays(t));
      }),
    );
  });
});
