/**
 * Length and end of a sentence served under electronic monitoring (R6, R8). See
 * docs/adr/0104-domain-sentence-end.md for the counting rule and its sources.
 */
import { Temporal } from '@js-temporal/polyfill';
import type { DomainMessage, Result } from './messages.js';
import { fail, message, ok } from './messages.js';
import type { LocalDate } from './time.js';
import { addDays, formatDay, isLocalDate, startOfLocalDay } from './time.js';

/** A term of imprisonment as written in the judgment: years, months and days (whole, non-negative). */
export interface Term {
  /** Whole years. */
  readonly years: number;
  /** Whole months. */
  readonly months: number;
  /** Whole days. */
  readonly days: number;
}

/**
 * How months and years are turned into days: `kkw_art12c` counts a month as 30 days and a year as
 * 365 days (art. 12c KKW, the default); `calendar` adds calendar months (a date that does not exist in
 * the target month becomes that month's last day).
 */
export type SentenceCountingMethod = 'kkw_art12c' | 'calendar';

/** When a sentence served under monitoring ends, with the reasoning. */
export interface SentenceEnd {
  /** First day of the sentence: the day the devices were activated (R6). */
  readonly firstDay: LocalDate;
  /** Last day of the sentence; it counts as served at the end of this day (R8). */
  readonly lastDay: LocalDate;
  /** The instant the sentence counts as served (midnight after `lastDay`, Warsaw time). */
  readonly endsAtUtcMs: number;
  /** Days to serve after credit, including the first and the last day. */
  readonly daysToServe: number;
  /** How the date was computed, in Polish and English. */
  readonly explanation: { readonly pl: string; readonly en: string };
}

/** Days in `term` under art. 12c KKW: a month is 30 days, a year 365 days. */
export function termInDays(term: Term): number {
  return term.years * 365 + term.months * 30 + term.days;
}

/** The sum of terms to be served one after another, unit by unit (no carrying between units). */
export function sumTerms(terms: readonly Term[]): Term {
  return terms.reduce(
    (a, t) => ({ years: a.years + t.years, months: a.months + t.months, days: a.days + t.days }),
    {
      years: 0,
      months: 0,
      days: 0,
    },
  );
}

/** The term written the Polish way, e.g. `1 rok 6 miesięcy` / `1 year 6 months`. */
export function formatTerm(term: Term): { pl: string; en: string } {
  const plUnit = (n: number, one: string, few: string, many: string): string => {
    const lastTwo = n % 100;
    const last = n % 10;
    if (n === 1) return `${n} ${one}`;
    if (last >= 2 && last <= 4 && !(lastTwo >= 12 && lastTwo <= 14)) return `${n} ${few}`;
    return `${n} ${many}`;
  };
  const pl: string[] = [];
  const en: string[] = [];
  if (term.years) {
    pl.push(plUnit(term.years, 'rok', 'lata', 'lat'));
    en.push(`${term.years} year${term.years === 1 ? '' : 's'}`);
  }
  if (term.months) {
    pl.push(plUnit(term.months, 'miesiąc', 'miesiące', 'miesięcy'));
    en.push(`${term.months} month${term.months === 1 ? '' : 's'}`);
  }
  if (term.days || pl.length === 0) {
    pl.push(plUnit(term.days, 'dzień', 'dni', 'dni'));
    en.push(`${term.days} day${term.days === 1 ? '' : 's'}`);
  }
  return { pl: pl.join(' '), en: en.join(' ') };
}

/** Errors in a term: each unit a whole number ≥ 0 and the whole term longer than zero. */
export function checkTerm(term: Term, path = 'term'): DomainMessage[] {
  const parts = [term.years, term.months, term.days];
  if (parts.some((n) => !Number.isInteger(n) || n < 0)) {
    return [
      message(
        'term_invalid',
        'Wymiar kary musi być podany w pełnych latach, miesiącach i dniach (liczby nieujemne).',
        'The term must be given in whole years, months and days (non-negative numbers).',
        path,
      ),
    ];
  }
  if (parts.every((n) => n === 0)) {
    return [message('term_empty', 'Wymiar kary nie może być zerowy.', 'The term cannot be zero.', path)];
  }
  return [];
}

/** Input of {@link sentenceEnd}. */
export interface SentenceEndInput {
  /** The Warsaw date on which the devices were activated: the first day of the sentence (R6). */
  readonly activationDate: LocalDate;
  /** The term to serve. */
  readonly term: Term;
  /** Days already served and credited (e.g. pre-trial detention, art. 63 KK); default 0. */
  readonly creditedDays?: number;
  /** Counting method; default `kkw_art12c`. */
  readonly method?: SentenceCountingMethod;
}

/**
 * The last day of a sentence served under monitoring. The activation day is the first day; the
 * sentence lasts the term's days (art. 12c KKW by default) minus credited days, so the last day is
 * `activation + days − 1`, and it counts as served at the end of that day.
 */
export function sentenceEnd(input: SentenceEndInput): Result<SentenceEnd> {
  const errors = checkTerm(input.term);
  const credited = input.creditedDays ?? 0;
  const method = input.method ?? 'kkw_art12c';
  if (!isLocalDate(input.activationDate)) {
    errors.push(
      message(
        'date_invalid',
        `Niepoprawna data uruchomienia: „${input.activationDate}”.`,
        `Invalid activation date "${input.activationDate}".`,
        'activationDate',
      ),
    );
  }
  if (!Number.isInteger(credited) || credited < 0) {
    errors.push(
      message(
        'credited_days_invalid',
        'Liczba dni zaliczonych na poczet kary musi być nieujemną liczbą całkowitą.',
        'Credited days must be a whole number of at least zero.',
        'creditedDays',
      ),
    );
  }
  if (errors.length > 0) return fail(errors);

  const first = Temporal.PlainDate.from(input.activationDate);
  const { years, months, days } = input.term;
  // The day after the nominal end, before credit: the activation day counts as day one.
  const afterEnd =
    method === 'kkw_art12c'
      ? first.add({ days: termInDays(input.term) })
      : first.add({ months: years * 12 + months }, { overflow: 'constrain' }).add({ days });
  const fullDays = first.until(afterEnd, { largestUnit: 'days' }).days;
  const daysToServe = fullDays - credited;
  if (daysToServe < 1) {
    return fail([
      message(
        'sentence_already_served',
        `Zaliczone ${credited} dni obejmują całą karę (${fullDays} dni); nie ma czego wykonywać w dozorze elektronicznym.`,
        `The ${credited} credited days cover the whole sentence (${fullDays} days); nothing is left to serve under monitoring.`,
      ),
    ]);
  }
  const lastDay = addDays(input.activationDate, daysToServe - 1);
  const endsAtUtcMs = startOfLocalDay(addDays(lastDay, 1));
  const t = formatTerm(input.term);
  const rulePl =
    method === 'kkw_art12c'
      ? `kara ${t.pl} = ${fullDays} dni (art. 12c KKW: miesiąc = 30 dni, rok = 365 dni)`
      : `kara ${t.pl} = ${fullDays} dni (miesiące kalendarzowe)`;
  const ruleEn =
    method === 'kkw_art12c'
      ? `a term of ${t.en} = ${fullDays} days (art. 12c KKW: a month is 30 days, a year 365 days)`
      : `a term of ${t.en} = ${fullDays} days (calendar months)`;
  const creditPl = credited > 0 ? `, minus ${credited} dni zaliczonych = ${daysToServe} dni` : '';
  const creditEn = credited > 0 ? `, less ${credited} credited days = ${daysToServe} days` : '';
  return ok({
    firstDay: input.activationDate,
    lastDay,
    endsAtUtcMs,
    daysToServe,
    explanation: {
      pl: `Pierwszy dzień kary to dzień uruchomienia środków technicznych, ${formatDay(input.activationDate, 'pl')}; ${rulePl}${creditPl}; ostatni dzień kary: ${formatDay(lastDay, 'pl')}; kara uważana za wykonaną z końcem tego dnia (o północy czasu polskiego).`,
      en: `The first day is the day the devices were activated, ${formatDay(input.activationDate, 'en')}; ${ruleEn}${creditEn}; last day: ${formatDay(lastDay, 'en')}; the sentence counts as served at the end of that day (at midnight, Polish time).`,
    },
  });
}
