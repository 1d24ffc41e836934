/**
 * Statutory deadlines of the SDE procedure (R3, R4, R5). The counting rules are explained in
 * docs/deadlines.md; every result carries the explanation so a clerk can check it by hand.
 */
import type { DomainMessage, Result } from './messages.js';
import { fail, message, ok } from './messages.js';
import { fmtTime } from './engine/core.js';
import { isNonWorkingDay, publicHolidayOn } from './holidays.js';
import type { LocalDate } from './time.js';
import {
  HOUR_MS,
  addDays,
  formatDay,
  isLocalDate,
  isoDayOfWeek,
  localDateOf,
  startOfLocalDay,
} from './time.js';

/**
 * How a deadline in days ends: `procedural` moves an end on a Saturday, Sunday or holiday to the next
 * working day (art. 123 §3 KPK via art. 1 §2 KKW); `calendar` never moves it.
 */
export type DayCountingRule = 'procedural' | 'calendar';

/** A computed deadline: the last day on which the act is on time and the instant it expires. */
export interface Deadline {
  /** Last local (Warsaw) day on which the act is still on time; for hour deadlines, the day of expiry. */
  readonly lastDay: LocalDate;
  /** The first instant at which the act is late (exclusive end). */
  readonly dueUtcMs: number;
  /** How the deadline was computed, in Polish and English. */
  readonly explanation: { readonly pl: string; readonly en: string };
}

/** Days the penitentiary court has to decide an application (R3). */
export const DECISION_DEADLINE_DAYS = 30;
/** Longest readiness deadline the court may set, in hours from announcement or delivery (R4). */
export const MAX_READINESS_DEADLINE_HOURS = 24;
/** Days the center operator has to install the devices after the readiness report (R5). */
export const INSTALLATION_DEADLINE_DAYS = 3;

const WEEKDAY_PL = ['', 'poniedziałek', 'wtorek', 'środa', 'czwartek', 'piątek', 'sobota', 'niedziela'];
const WEEKDAY_EN = ['', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

function dayName(date: LocalDate): { pl: string; en: string } {
  const holiday = publicHolidayOn(date);
  const dow = isoDayOfWeek(date);
  if (holiday) return { pl: `${WEEKDAY_PL[dow]}, ${holiday.pl}`, en: `${WEEKDAY_EN[dow]}, ${holiday.en}` };
  return { pl: WEEKDAY_PL[dow] ?? '', en: WEEKDAY_EN[dow] ?? '' };
}

/**
 * A deadline of `days` days counted from the event day `eventDate`: the event day is not counted
 * (art. 123 §1 KPK), so the nominal end is `eventDate + days`; under the `procedural` rule an end on a
 * non-working day moves to the next working day. The act is on time until the end of `lastDay`.
 */
export function deadlineInDays(eventDate: LocalDate, days: number, rule: DayCountingRule): Result<Deadline> {
  if (!isLocalDate(eventDate)) return fail([invalidDate(eventDate)]);
  if (!Number.isInteger(days) || days < 1) {
    return fail([
      message(
        'deadline_days_invalid',
        `Termin w dniach musi być dodatnią liczbą całkowitą (podano ${days}).`,
        `A deadline in days must be a positive whole number (got ${days}).`,
      ),
    ]);
  }
  const nominal = addDays(eventDate, days);
  let lastDay = nominal;
  const skipped: LocalDate[] = [];
  if (rule === 'procedural') {
    while (isNonWorkingDay(lastDay)) {
      skipped.push(lastDay);
      lastDay = addDays(lastDay, 1);
    }
  }
  const dueUtcMs = startOfLocalDay(addDays(lastDay, 1));
  let pl = `Zdarzenie ${formatDay(eventDate, 'pl')}; dnia zdarzenia nie wlicza się; ${days} dni upływa ${formatDay(nominal, 'pl')} (${dayName(nominal).pl}).`;
  let en = `Event on ${formatDay(eventDate, 'en')}; the event day is not counted; ${days} days end on ${formatDay(nominal, 'en')} (${dayName(nominal).en}).`;
  if (skipped.length > 0) {
    pl += ` Koniec terminu przypada na dzień wolny od pracy lub sobotę, więc przesuwa się na najbliższy dzień roboczy: ${formatDay(lastDay, 'pl')} (art. 123 § 3 KPK).`;
    en += ` The end falls on a Saturday or a day off, so it moves to the next working day: ${formatDay(lastDay, 'en')} (art. 123 §3 KPK).`;
  } else if (rule === 'calendar') {
    pl += ' Termin liczony kalendarzowo: soboty i święta go nie przedłużają.';
    en += ' Counted in calendar days: Saturdays and holidays do not extend it.';
  }
  pl += ` Termin upływa z końcem dnia ${formatDay(lastDay, 'pl')} (o północy czasu polskiego).`;
  en += ` It expires at the end of ${formatDay(lastDay, 'en')} (at midnight, Polish time).`;
  return ok({ lastDay, dueUtcMs, explanation: { pl, en } });
}

/**
 * R3: the court decides within 30 days of the day the application was received (the day of receipt
 * is not counted; an end on a Saturday or holiday moves to the next working day).
 */
export function decisionDeadline(applicationReceivedOn: LocalDate): Result<Deadline> {
  return deadlineInDays(applicationReceivedOn, DECISION_DEADLINE_DAYS, 'procedural');
}

/**
 * R4: the person must report readiness for installation within the hours set by the court (at most 24)
 * from announcement or delivery of the decision, counted in elapsed hours (a DST night does not add or
 * remove an hour) and never moved for weekends or holidays.
 */
export function readinessDeadline(
  announcedOrDeliveredAtUtcMs: number,
  hoursSetByCourt: number,
): Result<Deadline> {
  const errors: DomainMessage[] = [];
  if (!Number.isFinite(announcedOrDeliveredAtUtcMs)) {
    errors.push(
      message(
        'readiness_event_time_invalid',
        'Brak poprawnej chwili ogłoszenia lub doręczenia postanowienia.',
        'The time of announcement or delivery of the decision is missing or invalid.',
      ),
    );
  }
  if (
    !Number.isInteger(hoursSetByCourt) ||
    hoursSetByCourt < 1 ||
    hoursSetByCourt > MAX_READINESS_DEADLINE_HOURS
  ) {
    errors.push(
      message(
        'readiness_deadline_hours_invalid',
        `Termin zgłoszenia gotowości musi wynosić od 1 do 24 pełnych godzin (podano ${hoursSetByCourt}).`,
        `The readiness deadline must be 1 to 24 whole hours (got ${hoursSetByCourt}).`,
      ),
    );
  }
  if (errors.length > 0) return fail(errors);
  const dueUtcMs = announcedOrDeliveredAtUtcMs + hoursSetByCourt * HOUR_MS;
  return ok({
    lastDay: localDateOf(dueUtcMs - 1),
    dueUtcMs,
    explanation: {
      pl: `Ogłoszenie lub doręczenie: ${fmtTime(announcedOrDeliveredAtUtcMs, 'pl')}; termin ${hoursSetByCourt} h liczony w godzinach rzeczywistych, bez przesunięcia na dzień roboczy; upływa ${fmtTime(dueUtcMs, 'pl')}.`,
      en: `Announced or delivered at ${fmtTime(announcedOrDeliveredAtUtcMs, 'en')}; ${hoursSetByCourt} h counted in elapsed hours, not moved to a working day; expires at ${fmtTime(dueUtcMs, 'en')}.`,
    },
  });
}

/**
 * R5: the operator installs the devices within 3 days of the day readiness was reported; the report day
 * is not counted and, because the center works around the clock, the end is not moved for weekends or
 * holidays (see docs/deadlines.md).
 */
export function installationDeadline(readinessReportedAtUtcMs: number): Result<Deadline> {
  if (!Number.isFinite(readinessReportedAtUtcMs)) {
    return fail([
      message(
        'readiness_report_time_invalid',
        'Brak poprawnej chwili zgłoszenia gotowości.',
        'The time of the readiness report is missing or invalid.',
      ),
    ]);
  }
  return deadlineInDays(localDateOf(readinessReportedAtUtcMs), INSTALLATION_DEADLINE_DAYS, 'calendar');
}

function invalidDate(s: string): DomainMessage {
  return message(
    'date_invalid',
    `Niepoprawna data: „${s}” (oczekiwano RRRR-MM-DD).`,
    `Invalid date "${s}" (expected YYYY-MM-DD).`,
  );
}
