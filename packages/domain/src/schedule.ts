/**
 * The schedule of a stationary obligation (R4, R11): when the person MAY BE AWAY from the
 * monitoring place. Wall-clock times in Europe/Warsaw; see docs/adr/0102-domain-schedule-time.md.
 */
import { MAX_AWAY_MINUTES_PER_DAY } from './law.js';
import type { DomainMessage, Result } from './messages.js';
import { message, resultOf } from './messages.js';
import type { LocalDate, WallTime } from './time.js';
import {
  MINUTES_PER_DAY,
  addDays,
  dayInWords,
  isLocalDate,
  isSkippedWallTime,
  isoDayOfWeek,
  localDateOf,
  parseWallTime,
  wallTimeToInstant,
} from './time.js';

/** A day of the week as used in a weekly schedule. */
export type DayOfWeek = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** Days of the week in ISO order (Monday first). */
export const DAYS_OF_WEEK: readonly DayOfWeek[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** Names of the days of the week, in Polish. */
export const DAY_PL: Readonly<Record<DayOfWeek, string>> = {
  mon: 'poniedziałek',
  tue: 'wtorek',
  wed: 'środa',
  thu: 'czwartek',
  fri: 'piątek',
  sat: 'sobota',
  sun: 'niedziela',
};
/** Names of the days of the week, in English. */
export const DAY_EN: Readonly<Record<DayOfWeek, string>> = {
  mon: 'Monday',
  tue: 'Tuesday',
  wed: 'Wednesday',
  thu: 'Thursday',
  fri: 'Friday',
  sat: 'Saturday',
  sun: 'Sunday',
};

/** The daily limit in whole hours, as the refusals say it. */
const MAX_HOURS = MAX_AWAY_MINUTES_PER_DAY / 60;
/** Longest label of a window, in characters. */
export const MAX_LABEL_LENGTH = 80;

/**
 * A period in which the person may be away, e.g. `07:00`–`15:30` "praca". With `endsNextDay` the
 * window crosses midnight (night shift `22:00`–`06:00`); it belongs to the day on which it starts.
 */
export interface AwayWindow {
  /** Wall-clock start `HH:MM`. */
  readonly start: WallTime;
  /** Wall-clock end `HH:MM` (exclusive); `24:00` allowed for a window ending at midnight. */
  readonly end: WallTime;
  /** True when `end` is on the following day. */
  readonly endsNextDay?: boolean;
  /** Why the person may be away (work, church, classes, shopping…), shown to clerks and the person. */
  readonly label: string;
}

/** A dated change ordered in the decision: `replace` the windows starting that day, or `add` to them. */
export interface OneOffChange {
  /** The day the change applies to. */
  readonly date: LocalDate;
  /** `replace` discards the weekly windows starting on `date`; `add` keeps them. */
  readonly mode: 'replace' | 'add';
  /** The windows starting on `date` (for `replace`, may be empty: stay in all day). */
  readonly windows: readonly AwayWindow[];
  /** Why, e.g. "wizyta lekarska". */
  readonly reason: string;
}

/** A one-time permission to be away approved by the probation officer. */
export interface ApprovedException {
  /** Identifier of the approval. */
  readonly id: string;
  /** The day the window starts. */
  readonly date: LocalDate;
  /** The extra window. */
  readonly window: AwayWindow;
  /** Who approved it (probation officer's id). */
  readonly approvedBy: string;
  /** When it was approved. */
  readonly approvedAtUtcMs: number;
  /** Why it was approved. */
  readonly reason: string;
}

/** The person's schedule: weekly windows plus dated changes and approved exceptions. */
export interface Schedule {
  /** Windows per day of the week, each starting on that day. */
  readonly weekly: Readonly<Record<DayOfWeek, readonly AwayWindow[]>>;
  /** Dated changes (at most one `replace` per date). */
  readonly oneOffChanges: readonly OneOffChange[];
  /** Exceptions approved by the probation officer. */
  readonly exceptions: readonly ApprovedException[];
}

/** Where a window in force on a date comes from. */
export type WindowSource = 'weekly' | 'one_off' | 'exception';

/** A concrete period during which the person may be away, in UTC milliseconds (half-open). */
export interface AwayInterval {
  /** First instant of the window. */
  readonly startUtcMs: number;
  /** First instant after the window. */
  readonly endUtcMs: number;
  /** The window's label. */
  readonly label: string;
  /** Where the window comes from. */
  readonly source: WindowSource;
  /** The local date on which the window starts. */
  readonly startDate: LocalDate;
}

/** A schedule with no windows at all: the person stays in all the time. */
export function emptySchedule(): Schedule {
  return {
    weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
    oneOffChanges: [],
    exceptions: [],
  };
}

/** The weekday of a date as used in the schedule. */
export function dayOfWeekOf(date: LocalDate): DayOfWeek {
  return DAYS_OF_WEEK[isoDayOfWeek(date) - 1] as DayOfWeek;
}

interface SourcedWindow {
  readonly window: AwayWindow;
  readonly source: WindowSource;
  readonly path: string;
}

/** Windows starting on `date` after applying dated changes and exceptions. */
function windowsStartingOn(schedule: Schedule, date: LocalDate): SourcedWindow[] {
  const dow = dayOfWeekOf(date);
  const changes = schedule.oneOffChanges.map((c, i) => ({ c, i })).filter(({ c }) => c.date === date);
  const replaced = changes.some(({ c }) => c.mode === 'replace');
  const out: SourcedWindow[] = [];
  if (!replaced) {
    schedule.weekly[dow].forEach((window, i) =>
      out.push({ window, source: 'weekly', path: `weekly.${dow}[${i}]` }),
    );
  }
  for (const { c, i } of changes) {
    c.windows.forEach((window, j) =>
      out.push({ window, source: 'one_off', path: `oneOffChanges[${i}].windows[${j}]` }),
    );
  }
  schedule.exceptions.forEach((e, i) => {
    if (e.date === date) out.push({ window: e.window, source: 'exception', path: `exceptions[${i}].window` });
  });
  return out;
}

/** Start and end of a window in minutes from the midnight that begins its start day, or undefined if malformed. */
export function windowMinutes(w: AwayWindow): { start: number; end: number } | undefined {
  const start = parseWallTime(w.start, false);
  const end = parseWallTime(w.end, !w.endsNextDay);
  if (start === undefined || end === undefined) return undefined;
  return { start, end: w.endsNextDay ? end + MINUTES_PER_DAY : end };
}

function fmtDuration(min: number): { pl: string; en: string } {
  const h = Math.floor(min / 60);
  const m = min % 60;
  return { pl: m === 0 ? `${h} h` : `${h} h ${m} min`, en: m === 0 ? `${h} h` : `${h} h ${m} min` };
}

// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

/** Checks one window on its own: time format, order, length and label. */
function checkWindow(w: AwayWindow, path: string): DomainMessage[] {
  const errors: DomainMessage[] = [];
  const label = typeof w.label === 'string' ? w.label.trim() : '';
  if (label.length === 0) {
    errors.push(
      message(
        'window_label_missing',
        'Okno wyjścia musi mieć opis (np. „praca”, „kościół”).',
        'An away window needs a label (e.g. "work", "church").',
        path,
      ),
    );
  } else if (label.length > MAX_LABEL_LENGTH || CONTROL_CHARS.test(w.label)) {
    errors.push(
      message(
        'window_label_invalid',
        `Opis okna może mieć najwyżej ${MAX_LABEL_LENGTH} znaków, bez znaków sterujących.`,
        `A window label may have at most ${MAX_LABEL_LENGTH} characters and no control characters.`,
        path,
      ),
    );
  }
  const mins = windowMinutes(w);
  if (mins === undefined) {
    errors.push(
      message(
        'window_time_invalid',
        `Niepoprawna godzina w oknie „${w.start}”–„${w.end}” (oczekiwano GG:MM, 00:00–23:59; 24:00 tylko jako koniec okna w tym samym dniu).`,
        `Invalid time in window "${w.start}"–"${w.end}" (expected HH:MM, 00:00–23:59; 24:00 only as the end of a same-day window).`,
        path,
      ),
    );
    return errors;
  }
  if (mins.end <= mins.start) {
    errors.push(
      message(
        'window_end_not_after_start',
        `Koniec okna (${w.end}) musi być późniejszy niż początek (${w.start}). Jeśli okno trwa przez północ, zaznacz, że kończy się następnego dnia.`,
        `The window's end (${w.end}) must be after its start (${w.start}). If the window runs past midnight, mark it as ending the next day.`,
        path,
      ),
    );
  } else if (mins.end - mins.start > MAX_AWAY_MINUTES_PER_DAY) {
    const d = fmtDuration(mins.end - mins.start);
    errors.push(
      message(
        'window_over_12h',
        `Okno ${w.start}–${w.end} trwa ${d.pl}; jedno wyjście nie może przekraczać ${MAX_HOURS} godzin.`,
        `Window ${w.start}–${w.end} lasts ${d.en}; one absence may not exceed ${MAX_HOURS} hours.`,
        path,
      ),
    );
  }
  return errors;
}

interface DayLabel {
  readonly pl: string;
  readonly en: string;
  readonly path: string;
}

interface TimelineItem {
  readonly day: number;
  readonly start: number;
  readonly end: number;
  readonly sw: SourcedWindow;
}

/**
 * Checks consecutive days (index 0 = first) on one nominal wall-clock timeline: the 12-hour daily
 * total, overlaps and continuous absences. `focus` picks the days whose problems are reported.
 */
function checkTimeline(
  days: readonly SourcedWindow[][],
  labels: readonly DayLabel[],
  totalsFor: readonly number[],
  reportPair: (a: TimelineItem, b: TimelineItem) => boolean,
  reportRun: (run: readonly TimelineItem[]) => boolean,
): DomainMessage[] {
  const errors: DomainMessage[] = [];
  const items: TimelineItem[] = [];
  days.forEach((ws, day) => {
    for (const sw of ws) {
      const m = windowMinutes(sw.window);
      if (m === undefined || m.end <= m.start) continue;
      items.push({ day, start: day * MINUTES_PER_DAY + m.start, end: day * MINUTES_PER_DAY + m.end, sw });
    }
  });
  items.sort((a, b) => a.start - b.start || a.end - b.end);

  for (const d of totalsFor) {
    const lo = d * MINUTES_PER_DAY;
    const hi = lo + MINUTES_PER_DAY;
    const total = items.reduce(
      (sum, it) => sum + Math.max(0, Math.min(it.end, hi) - Math.max(it.start, lo)),
      0,
    );
    const label = labels[d];
    if (total > MAX_AWAY_MINUTES_PER_DAY && label) {
      const t = fmtDuration(total);
      errors.push(
        message(
          'schedule_day_over_12h',
          `${label.pl}: łączny czas poza miejscem dozoru wynosi ${t.pl}; dopuszczalne jest najwyżej ${MAX_HOURS} godzin w ciągu doby (liczone od północy do północy, okno nocne dzieli się na dwie doby).`,
          `${label.en}: total time away is ${t.en}; at most ${MAX_HOURS} hours per calendar day are allowed (midnight to midnight; a night window is split between the two days).`,
          label.path,
        ),
      );
    }
  }

  for (let i = 0; i < items.length; i++) {
    const a = items[i] as TimelineItem;
    for (let j = i + 1; j < items.length; j++) {
      const b = items[j] as TimelineItem;
      if (b.start >= a.end) break;
      if (!reportPair(a, b)) continue;
      errors.push(
        message(
          'windows_overlap',
          `Okna „${a.sw.window.label}” (${a.sw.window.start}–${a.sw.window.end}) i „${b.sw.window.label}” (${b.sw.window.start}–${b.sw.window.end}) nakładają się; połącz je w jedno okno.`,
          `Windows "${a.sw.window.label}" (${a.sw.window.start}–${a.sw.window.end}) and "${b.sw.window.label}" (${b.sw.window.start}–${b.sw.window.end}) overlap; merge them into one window.`,
          b.sw.path,
        ),
      );
    }
  }

  let run: TimelineItem[] = [];
  let runEnd = -Infinity;
  const flush = (): void => {
    const first = run[0];
    if (first === undefined) return;
    const length = runEnd - first.start;
    if (length > MAX_AWAY_MINUTES_PER_DAY && run.length > 1 && reportRun(run)) {
      const t = fmtDuration(length);
      errors.push(
        message(
          'continuous_absence_over_12h',
          `Okna następujące bezpośrednio po sobie (od „${first.sw.window.label}”) dają nieprzerwaną nieobecność ${t.pl}; jedno wyjście nie może przekraczać ${MAX_HOURS} godzin.`,
          `Back-to-back windows (from "${first.sw.window.label}") make a continuous absence of ${t.en}; one absence may not exceed ${MAX_HOURS} hours.`,
          first.sw.path,
        ),
      );
    }
  };
  for (const it of items) {
    if (it.start > runEnd) {
      flush();
      run = [it];
      runEnd = it.end;
    } else {
      run.push(it);
      runEnd = Math.max(runEnd, it.end);
    }
  }
  flush();
  return errors;
}

function dedupe(errors: readonly DomainMessage[]): DomainMessage[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.code}|${e.path ?? ''}|${e.en}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Checks the weekly pattern alone: windows, 12 h per weekday, overlaps, continuous absences (incl. Sunday→Monday). */
function checkWeekly(schedule: Schedule): DomainMessage[] {
  const errors: DomainMessage[] = [];
  for (const dow of DAYS_OF_WEEK) {
    schedule.weekly[dow].forEach((w, i) => errors.push(...checkWindow(w, `weekly.${dow}[${i}]`)));
  }
  // Index 0 is the previous Sunday and 8 the next Monday, so the week wraps around.
  const order: DayOfWeek[] = ['sun', ...DAYS_OF_WEEK, 'mon'];
  const days = order.map((dow) =>
    schedule.weekly[dow].map((window, i) => ({
      window,
      source: 'weekly' as const,
      path: `weekly.${dow}[${i}]`,
    })),
  );
  const labels = order.map((dow) => ({
    pl: `Każdy ${DAY_PL[dow]}`,
    en: `Every ${DAY_EN[dow]}`,
    path: `weekly.${dow}`,
  }));
  const inWeek = (d: number): boolean => d >= 1 && d <= 7;
  errors.push(
    ...checkTimeline(
      days,
      labels,
      [1, 2, 3, 4, 5, 6, 7],
      (_a, b) => inWeek(b.day),
      (run) => inWeek((run[0] as TimelineItem).day),
    ),
  );
  return errors;
}

/** Checks one dated change or exception's day against its neighbours, as they will really be in force. */
function checkDated(schedule: Schedule, date: LocalDate): DomainMessage[] {
  const dates = [addDays(date, -1), date, addDays(date, 1), addDays(date, 2)];
  const days = dates.map((d) => windowsStartingOn(schedule, d));
  const labels = dates.map((d) => {
    const day = dayInWords(d);
    const dow = dayOfWeekOf(d);
    return { pl: `Dzień ${day.pl} (${DAY_PL[dow]})`, en: `${DAY_EN[dow]} ${day.en}`, path: `date:${d}` };
  });
  // The next day is re-checked only if a dated night window spills into it; otherwise it is weekly-only.
  const spills = (days[1] ?? []).some((sw) => sw.source !== 'weekly' && sw.window.endsNextDay === true);
  const errors = checkTimeline(
    days,
    labels,
    spills ? [1, 2] : [1],
    (a, b) => (a.day === 1 || b.day === 1) && (a.sw.source !== 'weekly' || b.sw.source !== 'weekly'),
    (run) => run.some((it) => it.day === 1 && it.sw.source !== 'weekly'),
  );
  // Dated windows name a real date, so a boundary the clocks skip that night is a clerk's mistake.
  for (const sw of days[1] ?? []) {
    if (sw.source === 'weekly') continue;
    const m = windowMinutes(sw.window);
    if (m === undefined) continue;
    for (const [minute, text] of [
      [m.start, sw.window.start],
      [m.end, sw.window.end],
    ] as const) {
      const dayShift = Math.floor(minute / MINUTES_PER_DAY);
      const inDay = minute - dayShift * MINUTES_PER_DAY;
      const onDate = addDays(date, dayShift);
      const onDay = dayInWords(onDate);
      if (inDay < MINUTES_PER_DAY && isSkippedWallTime(onDate, inDay)) {
        errors.push(
          message(
            'window_time_skipped_by_dst',
            `Godzina ${text} nie istnieje ${onDay.pl} (zmiana czasu na letni: zegary przesuwa się z 02:00 na 03:00).`,
            `The time ${text} does not exist on ${onDay.en} (clocks go forward from 02:00 to 03:00).`,
            sw.path,
          ),
        );
      }
    }
  }
  return errors;
}

/**
 * Validates a schedule (R4, R11). Rules: times `HH:MM`, end after start (or `endsNextDay`), a label
 * of 1–80 characters, no overlapping windows, no continuous absence over 12 h, and at most 12 h away in
 * every calendar day counted on the wall clock from midnight to midnight — a night window counts for each
 * day with its part on that day. Dated changes and exceptions are checked as they will be in force.
 */
export function validateSchedule(schedule: Schedule): Result<Schedule> {
  const errors = checkWeekly(schedule);
  const replaceDates = new Set<string>();
  schedule.oneOffChanges.forEach((c, i) => {
    const path = `oneOffChanges[${i}]`;
    if (!isLocalDate(c.date)) {
      errors.push(
        message(
          'date_invalid',
          `Niepoprawna data zmiany: „${c.date}”.`,
          `Invalid change date "${c.date}".`,
          path,
        ),
      );
      return;
    }
    if (c.mode === 'replace') {
      if (replaceDates.has(c.date)) {
        errors.push(
          message(
            'one_off_duplicate_replace',
            `Dla dnia ${dayInWords(c.date).pl} podano więcej niż jedną zmianę zastępującą harmonogram.`,
            `More than one replacing change for ${dayInWords(c.date).en}.`,
            path,
          ),
        );
      }
      replaceDates.add(c.date);
    }
    if (typeof c.reason !== 'string' || c.reason.trim().length === 0) {
      errors.push(
        message(
          'one_off_reason_missing',
          `Zmiana harmonogramu na dzień ${dayInWords(c.date).pl} musi mieć podany powód.`,
          `The schedule change for ${dayInWords(c.date).en} needs a reason.`,
          path,
        ),
      );
    }
    c.windows.forEach((w, j) => errors.push(...checkWindow(w, `${path}.windows[${j}]`)));
  });
  schedule.exceptions.forEach((e, i) => {
    const path = `exceptions[${i}]`;
    if (!isLocalDate(e.date)) {
      errors.push(
        message(
          'date_invalid',
          `Niepoprawna data wyjątku: „${e.date}”.`,
          `Invalid exception date "${e.date}".`,
          path,
        ),
      );
      return;
    }
    if (
      typeof e.approvedBy !== 'string' ||
      e.approvedBy.trim().length === 0 ||
      typeof e.reason !== 'string' ||
      e.reason.trim().length === 0
    ) {
      errors.push(
        message(
          'exception_approval_incomplete',
          `Wyjątek na dzień ${dayInWords(e.date).pl} musi wskazywać kuratora, który go zatwierdził, i powód.`,
          `The exception for ${dayInWords(e.date).en} must name the approving probation officer and give a reason.`,
          path,
        ),
      );
    }
    errors.push(...checkWindow(e.window, `${path}.window`));
  });
  const datedDays = new Set<string>();
  for (const c of schedule.oneOffChanges) if (isLocalDate(c.date)) datedDays.add(c.date);
  for (const e of schedule.exceptions) if (isLocalDate(e.date)) datedDays.add(e.date);
  for (const d of [...datedDays].sort()) errors.push(...checkDated(schedule, d));
  return resultOf(schedule, dedupe(errors));
}

/**
 * The concrete UTC intervals of the windows that start on `date`, unclipped. Wall times are read as in
 * {@link wallTimeToInstant}; a window that falls wholly in the hour skipped in March is empty and dropped.
 */
export function awayIntervalsStartingOn(schedule: Schedule, date: LocalDate): AwayInterval[] {
  const out: AwayInterval[] = [];
  for (const sw of windowsStartingOn(schedule, date)) {
    const m = windowMinutes(sw.window);
    if (m === undefined || m.end <= m.start) continue;
    const startUtcMs = wallTimeToInstant(date, m.start, 'window_start');
    const endUtcMs = wallTimeToInstant(date, m.end, 'window_end');
    if (endUtcMs <= startUtcMs) continue;
    out.push({ startUtcMs, endUtcMs, label: sw.window.label, source: sw.source, startDate: date });
  }
  return out.sort((a, b) => a.startUtcMs - b.startUtcMs);
}

/**
 * All away windows intersecting `[fromUtcMs, toUtcMs)`, clipped to it and sorted by start. Correct
 * across DST: each window appears once per day, with its real (elapsed) length.
 */
export function awayWindowsBetween(schedule: Schedule, fromUtcMs: number, toUtcMs: number): AwayInterval[] {
  if (!(toUtcMs > fromUtcMs)) return [];
  const out: AwayInterval[] = [];
  const last = localDateOf(toUtcMs - 1);
  // A window starting the day before `from` may still be running (night windows).
  for (let d = addDays(localDateOf(fromUtcMs), -1); d <= last; d = addDays(d, 1)) {
    for (const iv of awayIntervalsStartingOn(schedule, d)) {
      const startUtcMs = Math.max(iv.startUtcMs, fromUtcMs);
      const endUtcMs = Math.min(iv.endUtcMs, toUtcMs);
      if (endUtcMs > startUtcMs) out.push({ ...iv, startUtcMs, endUtcMs });
    }
  }
  return out.sort((a, b) => a.startUtcMs - b.startUtcMs);
}

/** The away window in force at `instantUtcMs`, or undefined when the person must be at the monitoring place. */
export function awayWindowAt(schedule: Schedule, instantUtcMs: number): AwayInterval | undefined {
  const today = localDateOf(instantUtcMs);
  for (const d of [addDays(today, -1), today]) {
    const hit = awayIntervalsStartingOn(schedule, d).find(
      (iv) => iv.startUtcMs <= instantUtcMs && instantUtcMs < iv.endUtcMs,
    );
    if (hit) return hit;
  }
  return undefined;
}

/** True when the schedule allows the person to be away from the monitoring place at `instantUtcMs`. */
export function isAwayAllowed(schedule: Schedule, instantUtcMs: number): boolean {
  return awayWindowAt(schedule, instantUtcMs) !== undefined;
}
