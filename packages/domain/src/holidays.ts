/**
 * Polish statutory days off work (ustawa z dnia 18 stycznia 1951 r. o dniach wolnych od pracy),
 * computed for any year; movable feasts are derived from Easter, nothing is tabulated per year.
 */
import { Temporal } from '@js-temporal/polyfill';
import type { LocalDate } from './time.js';
import { isoDayOfWeek } from './time.js';

/** One statutory holiday: its date and its Polish and English names. */
export interface PublicHoliday {
  /** The date of the holiday. */
  readonly date: LocalDate;
  /** Polish name, as in the statute. */
  readonly pl: string;
  /** English name. */
  readonly en: string;
}

/** Easter Sunday (Gregorian calendar) for `year`, by the anonymous Gregorian (Meeus/Jones/Butcher) algorithm. */
export function easterSunday(year: number): LocalDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return Temporal.PlainDate.from({ year, month, day }).toString();
}

function fixed(year: number, month: number, day: number, pl: string, en: string): PublicHoliday {
  return { date: Temporal.PlainDate.from({ year, month, day }).toString(), pl, en };
}

/**
 * All statutory days off in Poland in `year`, sorted by date. Epiphany counts from 2011 and
 * Christmas Eve from 2025 (the statute's amendments); earlier years follow the statute as then in force
 * back to 1990.
 */
export function polishPublicHolidays(year: number): PublicHoliday[] {
  const easter = Temporal.PlainDate.from(easterSunday(year));
  const movable = (days: number, pl: string, en: string): PublicHoliday => ({
    date: easter.add({ days }).toString(),
    pl,
    en,
  });
  const list: PublicHoliday[] = [
    fixed(year, 1, 1, 'Nowy Rok', "New Year's Day"),
    movable(0, 'Wielkanoc (pierwszy dzień)', 'Easter Sunday'),
    movable(1, 'Poniedziałek Wielkanocny (drugi dzień Wielkanocy)', 'Easter Monday'),
    fixed(year, 5, 1, 'Święto Państwowe (1 Maja)', 'Labour Day'),
    fixed(year, 5, 3, 'Święto Narodowe Trzeciego Maja', 'Constitution Day'),
    movable(49, 'Zielone Świątki (pierwszy dzień Zielonych Świątek)', 'Pentecost Sunday'),
    movable(60, 'Boże Ciało', 'Corpus Christi'),
    fixed(year, 8, 15, 'Wniebowzięcie Najświętszej Maryi Panny', 'Assumption of Mary'),
    fixed(year, 11, 1, 'Wszystkich Świętych', "All Saints' Day"),
    fixed(year, 11, 11, 'Narodowe Święto Niepodległości', 'Independence Day'),
    fixed(year, 12, 25, 'Boże Narodzenie (pierwszy dzień)', 'Christmas Day'),
    fixed(year, 12, 26, 'Drugi dzień Bożego Narodzenia', 'Second Day of Christmas'),
  ];
  if (year >= 2011) list.push(fixed(year, 1, 6, 'Święto Trzech Króli', 'Epiphany'));
  if (year >= 2025) list.push(fixed(year, 12, 24, 'Wigilia Bożego Narodzenia', 'Christmas Eve'));
  return list.sort((x, y) => (x.date < y.date ? -1 : x.date > y.date ? 1 : 0));
}

/** The statutory holiday falling on `date`, or undefined. */
export function publicHolidayOn(date: LocalDate): PublicHoliday | undefined {
  const year = Temporal.PlainDate.from(date).year;
  return polishPublicHolidays(year).find((h) => h.date === date);
}

/**
 * True when `date` is not a working day for procedural purposes: a Saturday, a Sunday (a statutory
 * day off) or a statutory holiday (art. 123 §3 KPK).
 */
export function isNonWorkingDay(date: LocalDate): boolean {
  return isoDayOfWeek(date) >= 6 || publicHolidayOn(date) !== undefined;
}
