/**
 * Local-time helpers for Europe/Warsaw. All time-zone rules come from Temporal (the
 * `@js-temporal/polyfill`, backed by the IANA database in Intl); nothing here hand-rolls DST.
 */
import { Temporal } from '@js-temporal/polyfill';

/** The time zone in which court orders, schedules and deadlines are written. */
export const WARSAW_TIME_ZONE = 'Europe/Warsaw';

/** A calendar date written `YYYY-MM-DD` (ISO 8601), meaning a day in Warsaw. */
export type LocalDate = string;

/** A wall-clock time written `HH:MM` (24-hour); `24:00` is accepted only as the end of a window. */
export type WallTime = string;

/** Milliseconds in one hour. */
export const HOUR_MS = 3_600_000;

/** Minutes in one day on a clock face (a DST day still has 1440 minutes on the face). */
export const MINUTES_PER_DAY = 1440;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIME_RE = /^([01]\d|2[0-4]):([0-5]\d)$/;

/** True when `s` is a real calendar date `YYYY-MM-DD` (e.g. rejects 2025-02-30). */
export function isLocalDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  try {
    Temporal.PlainDate.from(s, { overflow: 'reject' });
    return true;
  } catch {
    return false;
  }
}

/** Minutes since midnight for `HH:MM`, or undefined if malformed; `24:00` gives 1440 only when `allow24`. */
export function parseWallTime(s: string, allow24: boolean): number | undefined {
  const m = TIME_RE.exec(s);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h === 24) return allow24 && min === 0 ? MINUTES_PER_DAY : undefined;
  return h * 60 + min;
}

/** `HH:MM` for minutes since midnight (0–1440). */
export function formatWallTime(minutes: number): WallTime {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}

/** The Warsaw calendar date on which `instantUtcMs` falls. */
export function localDateOf(instantUtcMs: number): LocalDate {
  return Temporal.Instant.fromEpochMilliseconds(instantUtcMs)
    .toZonedDateTimeISO(WARSAW_TIME_ZONE)
    .toPlainDate()
    .toString();
}

/** `date` shifted by `days` calendar days. */
export function addDays(date: LocalDate, days: number): LocalDate {
  return Temporal.PlainDate.from(date).add({ days }).toString();
}

/** Whole calendar days from `a` to `b` (negative when `b` is earlier). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Temporal.PlainDate.from(a).until(Temporal.PlainDate.from(b), { largestUnit: 'days' }).days;
}

/** ISO day of week: 1 = Monday … 7 = Sunday. */
export function isoDayOfWeek(date: LocalDate): number {
  return Temporal.PlainDate.from(date).dayOfWeek;
}

/** The instant at which the Warsaw day `date` begins (its first instant, DST-aware). */
export function startOfLocalDay(date: LocalDate): number {
  return Temporal.PlainDate.from(date).toZonedDateTime({ timeZone: WARSAW_TIME_ZONE }).epochMilliseconds;
}

/** How a wall-clock time that is skipped or repeated by a DST change is read. */
export type WallTimeReading = 'window_start' | 'window_end';

/**
 * The instant at which the Warsaw wall clock shows `minutes` after midnight on `date`
 * (`minutes` may reach 1440 or beyond to mean the following day(s)).
 *
 * A time repeated in October resolves to its first occurrence for a window start and to its
 * second for a window end; a time skipped in March resolves to the instant the clock jumps
 * (03:00 CEST). Together: an away window covers exactly the instants at which a Warsaw clock
 * shows a time within it, so it is never lost or doubled and is read in the person's favour.
 */
export function wallTimeToInstant(date: LocalDate, minutes: number, reading: WallTimeReading): number {
  const dayOffset = Math.floor(minutes / MINUTES_PER_DAY);
  const inDay = minutes - dayOffset * MINUTES_PER_DAY;
  const plain = Temporal.PlainDate.from(date)
    .add({ days: dayOffset })
    .toPlainDateTime({ hour: Math.floor(inDay / 60), minute: inDay % 60 });
  const zoned = plain.toZonedDateTime(WARSAW_TIME_ZONE, {
    disambiguation: reading === 'window_start' ? 'earlier' : 'later',
  });
  if (Temporal.PlainDateTime.compare(zoned.toPlainDateTime(), plain) === 0) return zoned.epochMilliseconds;
  // The wall time does not exist (spring-forward gap): take the instant of the jump.
  // The 'earlier' reading lies strictly before the jump, so the next transition is the jump itself.
  const before = plain.toZonedDateTime(WARSAW_TIME_ZONE, { disambiguation: 'earlier' });
  const transition = before.getTimeZoneTransition('next');
  if (transition === null) throw new Error(`no DST transition after a skipped wall time on ${date}`);
  return transition.epochMilliseconds;
}

/** True when the wall time `minutes` (0–1439) on `date` does not exist in Warsaw (skipped in March). */
export function isSkippedWallTime(date: LocalDate, minutes: number): boolean {
  const plain = Temporal.PlainDate.from(date).toPlainDateTime({
    hour: Math.floor(minutes / 60),
    minute: minutes % 60,
  });
  const zoned = plain.toZonedDateTime(WARSAW_TIME_ZONE, { disambiguation: 'compatible' });
  return Temporal.PlainDateTime.compare(zoned.toPlainDateTime(), plain) !== 0;
}

/** ISO 8601 text of an instant in Warsaw local time with offset, e.g. `2025-03-30T03:00+02:00`. */
export function formatLocal(instantUtcMs: number): string {
  return Temporal.Instant.fromEpochMilliseconds(instantUtcMs)
    .toZonedDateTimeISO(WARSAW_TIME_ZONE)
    .toString({ timeZoneName: 'never', smallestUnit: 'minute' });
}

/** English month names, January first (texts the domain writes). */
export const MONTHS_EN = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/**
 * A calendar day as people read it in texts the domain writes (issue 20: no ISO dates in what a person reads):
 * `02.05.2025` in Polish, `2 May 2025` in English.
 */
export function formatDay(date: LocalDate, lang: 'pl' | 'en'): string {
  const [y, m, d] = date.split('-');
  if (lang === 'pl') return `${d}.${m}.${y}`;
  return `${Number(d)} ${MONTHS_EN[Number(m) - 1] ?? m} ${y}`;
}

/** Both languages of a text meant for a person. */
export interface InWords {
  readonly pl: string;
  readonly en: string;
}

/** A Warsaw day in both languages, as {@link formatDay} writes it; a malformed date stays as given. */
export function dayInWords(date: LocalDate): InWords {
  if (!DATE_RE.test(date)) return { pl: date, en: date };
  return { pl: formatDay(date, 'pl'), en: formatDay(date, 'en') };
}

/** An instant as a person reads it, on the Warsaw wall clock: `24.12.2026, 15:00` / `24 December 2026, 15:00`. */
export function instantInWords(instantUtcMs: number): InWords {
  const z = Temporal.Instant.fromEpochMilliseconds(instantUtcMs).toZonedDateTimeISO(WARSAW_TIME_ZONE);
  const day = dayInWords(z.toPlainDate().toString());
  const time = formatWallTime(z.hour * 60 + z.minute);
  return { pl: `${day.pl}, ${time}`, en: `${day.en}, ${time}` };
}
