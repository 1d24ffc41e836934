/**
 * Dates, times and numbers in the reader's language, always in Europe/Warsaw (the time zone of every court
 * order), with the zone shown where a time stands alone.
 */
export type Lang = 'pl' | 'en';

/** The zone every time is shown in. */
export const TIME_ZONE = 'Europe/Warsaw';

/** The Intl locale of a console language. */
export function localeOf(lang: Lang): string {
  return lang === 'pl' ? 'pl-PL' : 'en-GB';
}

const cache = new Map<string, Intl.DateTimeFormat>();
function dtf(lang: Lang, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = lang + JSON.stringify(opts);
  let f = cache.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(localeOf(lang), { timeZone: TIME_ZONE, ...opts });
    cache.set(key, f);
  }
  return f;
}

/** Date and time, e.g. `22.11.2026, 14:05 CET`; `zone: false` leaves the zone out (in tables with a zone header). */
export function formatDateTime(
  iso: string | number | null | undefined,
  lang: Lang,
  opts: { zone?: boolean; seconds?: boolean } = {},
): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return dtf(lang, {
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    ...(opts.seconds ? { second: '2-digit' } : {}),
    ...(opts.zone === false ? {} : { timeZoneName: 'short' }),
  }).format(d);
}

/** Time of day, e.g. `14:05:09`. */
export function formatTime(iso: string | number, lang: Lang): string {
  return dtf(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(iso));
}

/** A calendar day `YYYY-MM-DD` (a Warsaw day, as the API gives it), e.g. `26.05.2027` / `26/05/2027`. */
export function formatDay(day: string | null | undefined, lang: Lang): string {
  if (!day) return '—';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return day;
  // Noon UTC is the same calendar day in Warsaw in every season.
  return dtf(lang, { year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    new Date(`${day}T12:00:00Z`),
  );
}

/** A number in the locale's format (`1 234,5` / `1,234.5`). */
export function formatNumber(n: number, lang: Lang, digits = 0): string {
  return new Intl.NumberFormat(localeOf(lang), { maximumFractionDigits: digits }).format(n);
}

/** A duration in words, the two largest units: `2 h 5 min`, `45 s`. */
export function formatDuration(ms: number, lang: Lang): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const dayUnit = lang === 'pl' ? 'd' : 'd';
  const parts: string[] = [];
  if (d) parts.push(`${d} ${dayUnit}`);
  if (h) parts.push(`${h} h`);
  if (m) parts.push(`${m} min`);
  if (sec && !d && !h) parts.push(`${sec} s`);
  return parts.slice(0, 2).join(' ') || '0 s';
}

/** Today's calendar day in Warsaw, `YYYY-MM-DD`. */
export function warsawToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone: TIME_ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(now);
}

/** The instant of midnight starting `day` in Warsaw, with its offset (`+01:00` in winter, `+02:00` in summer). */
export function warsawMidnight(day: string): string {
  for (const off of ['+01:00', '+02:00']) {
    const iso = `${day}T00:00:00${off}`;
    const parts = new Intl.DateTimeFormat('en-GB', {
      timeZone: TIME_ZONE,
      hour: '2-digit',
      hourCycle: 'h23',
    }).format(new Date(iso));
    if (parts === '00') return iso;
  }
  return `${day}T00:00:00+01:00`;
}

const inputFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** An instant as the value of a `datetime-local` input in Warsaw time, `YYYY-MM-DDTHH:mm`. */
export function toWarsawInput(at: Date | string | number): string {
  const p = Object.fromEntries(inputFormat.formatToParts(new Date(at)).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

/**
 * The instant a `datetime-local` value means as Warsaw wall time, whatever the browser's own zone. In the
 * autumn hour that happens twice it is the first (summer time); a time skipped in spring, or a malformed
 * value, is null.
 */
export function fromWarsawInput(value: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?$/.exec(value);
  if (!m) return null;
  const wall = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}`;
  for (const off of ['+02:00', '+01:00']) {
    const d = new Date(`${wall}:00${off}`);
    if (!Number.isNaN(d.getTime()) && toWarsawInput(d) === wall) return d;
  }
  return null;
}
