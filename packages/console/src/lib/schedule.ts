/**
 * The weekly schedule drawn as a week grid: every away window becomes a block in its day's column, a window
 * that ends the next day (a night shift) is split at midnight and continues in the next column (Sunday
 * continues on Monday). Times are Europe/Warsaw wall clock, as in the court order.
 */
import type { AwayWindow } from '@sde/api';

/** The days of a weekly schedule, Monday first, as a court order names them. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type WeeklySchedule = Record<Weekday, AwayWindow[]>;

const DAY_MIN = 24 * 60;

/** Minutes since midnight of `HH:MM` (24:00 is 1440). */
export function toMinutes(hhmm: string): number {
  const m = /^(\d{1,2}):(\d{2})$/.exec(hhmm.trim());
  if (!m) throw new Error(`not a time HH:MM: ${hhmm}`);
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 24 || min > 59 || (h === 24 && min > 0)) throw new Error(`not a time HH:MM: ${hhmm}`);
  return h * 60 + min;
}

/** A block in one day's column. */
export interface GridBlock {
  day: Weekday;
  /** Minutes since midnight. */
  startMin: number;
  endMin: number;
  label: string;
  /** The window started the day before (the top of the block is midnight). */
  fromPreviousDay: boolean;
  /** The window goes on into the next day. */
  intoNextDay: boolean;
  /** Percentages of the column height, for drawing. */
  topPct: number;
  heightPct: number;
}

/** One column of the grid. */
export interface GridDay {
  day: Weekday;
  blocks: GridBlock[];
  /** Minutes away on this calendar day (the 12 h daily limit is checked by the server, not here). */
  awayMinutes: number;
}

function block(
  day: Weekday,
  startMin: number,
  endMin: number,
  label: string,
  from: boolean,
  into: boolean,
): GridBlock {
  return {
    day,
    startMin,
    endMin,
    label,
    fromPreviousDay: from,
    intoNextDay: into,
    topPct: (startMin / DAY_MIN) * 100,
    heightPct: ((endMin - startMin) / DAY_MIN) * 100,
  };
}

/** Lays out `weekly` as seven columns, Monday first. */
export function weekGrid(weekly: WeeklySchedule): GridDay[] {
  const days: GridDay[] = WEEKDAYS.map((day) => ({ day, blocks: [], awayMinutes: 0 }));
  WEEKDAYS.forEach((day, i) => {
    for (const w of weekly[day] ?? []) {
      const s = toMinutes(w.start);
      const e = toMinutes(w.end);
      const overnight = w.endsNextDay === true || e <= s;
      if (!overnight) {
        days[i]!.blocks.push(block(day, s, e, w.label, false, false));
        continue;
      }
      days[i]!.blocks.push(block(day, s, DAY_MIN, w.label, false, e > 0));
      if (e > 0) {
        const next = WEEKDAYS[(i + 1) % 7]!;
        days[(i + 1) % 7]!.blocks.push(block(next, 0, e, w.label, true, false));
      }
    }
  });
  for (const d of days) {
    d.blocks.sort((a, b) => a.startMin - b.startMin);
    d.awayMinutes = d.blocks.reduce((n, b) => n + b.endMin - b.startMin, 0);
  }
  return days;
}

/** `HH:MM` of minutes since midnight. */
export function fromMinutes(min: number): string {
  return `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}`;
}

/** One day's windows as the text a person edits: `07:00-16:00 praca; 21:30-06:30 zmiana nocna`. */
export function formatDay(windows: readonly AwayWindow[]): string {
  return windows.map((w) => `${w.start}-${w.end}${w.label ? ` ${w.label}` : ''}`).join('; ');
}

/**
 * Parses one day's text back into windows; a window whose end is not after its start ends the next day.
 * Throws with the part it could not read.
 */
export function parseDay(text: string): AwayWindow[] {
  const parts = text
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return parts.map((p) => {
    const m = /^(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})\s*(.*)$/.exec(p);
    if (!m) throw new Error(p);
    const start = m[1]!.padStart(5, '0');
    const end = m[2]!.padStart(5, '0');
    toMinutes(start);
    const e = toMinutes(end);
    const w: AwayWindow = { start, end, label: m[3]!.trim() };
    if (e <= toMinutes(start) && end !== '24:00') w.endsNextDay = true;
    return w;
  });
}

/** Days whose windows differ between two versions of a schedule. */
export function changedDays(a: WeeklySchedule, b: WeeklySchedule): Weekday[] {
  return WEEKDAYS.filter((d) => formatDay(a[d] ?? []) !== formatDay(b[d] ?? []));
}
