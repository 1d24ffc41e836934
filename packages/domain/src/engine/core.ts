/** Shared machinery of the rules: event order, the configuration timeline, spans, texts. */
import { Temporal } from '@js-temporal/polyfill';
import { MONTHS_EN, WARSAW_TIME_ZONE } from '../time.js';
import { resolveSettings } from './settings.js';
import type {
  AlarmRule,
  AlarmSeverity,
  AssignedUnit,
  Bilingual,
  EngineEvent,
  EngineOrderVersion,
  EngineSettings,
  EvidenceRef,
  SupervisionTimeline,
} from './types.js';

/** A version of the configuration with the time it is in force: `[from, to)`. */
export interface Segment {
  /** The version. */
  readonly version: EngineOrderVersion;
  /** Its settings (defaults + overrides). */
  readonly settings: EngineSettings;
  /** First instant in force. */
  readonly from: number;
  /** First instant no longer in force (Infinity while open-ended). */
  readonly to: number;
}

/** What a rule produces before the common finishing (identity, lateness, gaps, evidence refs). */
export interface RawEpisode {
  readonly rule: AlarmRule;
  readonly subject: string;
  readonly severity: AlarmSeverity;
  readonly cause: string;
  readonly startedAt: number;
  readonly openedAt: number;
  readonly resolvedAt?: number;
  readonly endsBy: 'condition' | 'operator';
  readonly evidence: readonly EngineEvent[];
  /** Events that had to reach the center for the alarm to be known; default: evidence up to `openedAt`. */
  readonly decisive?: readonly EngineEvent[];
  /** Devices whose missing sequence numbers could change the decision. */
  readonly gapDevices: readonly string[];
  /**
   * For a rule that carries a state forward (presence, daily limit): the time of the latest observation
   * the episode's state rests on. The episode is decided only if `gapDevices` cover `(stateAt, openedAt)`
   * with no sequence gap, silence or missing report (ADR 0501). Absent: only the onset must be covered.
   */
  readonly stateAt?: number;
  readonly segment: Segment;
  readonly clause: Bilingual;
  readonly explanation: Bilingual;
}

/** What every rule returns. */
export interface RuleResult {
  readonly episodes: RawEpisode[];
  /** Instants after `now` at which something may become due without new data. */
  readonly due: number[];
}

/** The evaluation context handed to every rule. */
export interface RuleContext {
  readonly supervisionId: string;
  /** Events deduplicated on (device, seq) and sorted by time, device, seq. */
  readonly events: readonly EngineEvent[];
  readonly segments: readonly Segment[];
  readonly now: number;
  /** The last instant evaluated: `now`, or the end of monitoring if earlier. */
  readonly horizon: number;
  /** The first instant evaluated. */
  readonly start: number;
}

/** Deduplicates on (device, seq) — the first arrival wins — and sorts by event time, device, seq. */
export function normaliseEvents(events: readonly EngineEvent[]): EngineEvent[] {
  const byKey = new Map<string, EngineEvent>();
  for (const e of events) {
    if (!Number.isFinite(e.time) || !Number.isFinite(e.receivedAt)) continue;
    const key = `${e.deviceId}\u0000${e.seq}`;
    const prev = byKey.get(key);
    if (prev === undefined || e.receivedAt < prev.receivedAt) byKey.set(key, e);
  }
  return [...byKey.values()].sort(compareEvents);
}

/** Event order: time, then device, then seq. */
export function compareEvents(a: EngineEvent, b: EngineEvent): number {
  return a.time - b.time || (a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : 0) || a.seq - b.seq;
}

/** The timeline's versions as consecutive segments, cut at the end of monitoring. */
export function segmentsOf(timeline: SupervisionTimeline): Segment[] {
  const versions = [...timeline.versions].sort((a, b) => a.validFromUtcMs - b.validFromUtcMs);
  const end = timeline.endsAtUtcMs ?? Number.POSITIVE_INFINITY;
  const out: Segment[] = [];
  versions.forEach((version, i) => {
    const next = versions[i + 1];
    const from = version.validFromUtcMs;
    const to = Math.min(next === undefined ? Number.POSITIVE_INFINITY : next.validFromUtcMs, end);
    if (to > from) out.push({ version, settings: resolveSettings(version.settings), from, to });
  });
  return out;
}

/** The segment in force at `t`, if any. */
export function segmentAt(segments: readonly Segment[], t: number): Segment | undefined {
  for (const s of segments) if (s.from <= t && t < s.to) return s;
  return undefined;
}

/** Reference to an event, for evidence lists. */
export function refOf(e: EngineEvent): EvidenceRef {
  return { deviceId: e.deviceId, seq: e.seq, kind: e.kind, time: e.time, receivedAt: e.receivedAt };
}

/** Maximal runs of a unit's assignment: `[from, to)` with the unit's settings at each segment. */
export interface UnitAssignment {
  readonly unit: AssignedUnit;
  readonly segment: Segment;
  readonly from: number;
  readonly to: number;
}

/** Every assignment of every unit (home, portable, protected) of the supervision, per segment. */
export function unitAssignments(segments: readonly Segment[]): UnitAssignment[] {
  const out: UnitAssignment[] = [];
  for (const s of segments) {
    const d = s.version.devices;
    for (const unit of [d.homeUnit, d.portableUnit, d.protectedUnit]) {
      if (unit !== undefined) out.push({ unit, segment: s, from: s.from, to: s.to });
    }
  }
  return out;
}

function zoned(t: number): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(t).toZonedDateTimeISO(WARSAW_TIME_ZONE);
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** The language of a text an operator reads. */
export type Lang = 'pl' | 'en';

const MONTHS_PL = [
  'stycznia',
  'lutego',
  'marca',
  'kwietnia',
  'maja',
  'czerwca',
  'lipca',
  'sierpnia',
  'września',
  'października',
  'listopada',
  'grudnia',
];
/** The date part of {@link fmtTime}: `3 grudnia 2026` / `3 December 2026`. */
export function fmtDate(t: number, lang: Lang): string {
  const z = zoned(t);
  return `${z.day} ${(lang === 'pl' ? MONTHS_PL : MONTHS_EN)[z.month - 1] as string} ${z.year}`;
}

/**
 * The one time format of explanations (ADR 0503): `3 grudnia 2026, 14:05` / `3 December 2026, 14:05`,
 * Warsaw wall time; in the repeated October hour the season is added, the wall time alone being ambiguous.
 */
export function fmtTime(t: number, lang: Lang): string {
  if (!Number.isFinite(t)) return '—';
  const z = zoned(t);
  const base = `${fmtDate(t, lang)}, ${pad(z.hour)}:${pad(z.minute)}`;
  const earlier = z.toPlainDateTime().toZonedDateTime(WARSAW_TIME_ZONE, { disambiguation: 'earlier' });
  const later = z.toPlainDateTime().toZonedDateTime(WARSAW_TIME_ZONE, { disambiguation: 'later' });
  if (earlier.epochMilliseconds === later.epochMilliseconds) return base;
  const summer = z.epochMilliseconds === earlier.epochMilliseconds;
  if (lang === 'pl') return `${base} (czas ${summer ? 'letni' : 'zimowy'})`;
  return `${base} (${summer ? 'summer' : 'winter'} time)`;
}

/** `HH:MM` wall time in Warsaw. */
export function fmtWall(t: number): string {
  const z = zoned(t);
  return `${pad(z.hour)}:${pad(z.minute)}`;
}

/** A duration in words, e.g. `1 h 05 min 10 s`. */
export function fmtDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h} h ${pad(m)} min`;
  if (m > 0) return sec === 0 ? `${m} min` : `${m} min ${pad(sec)} s`;
  return `${sec} s`;
}

/** What an event says, in plain words (no event codes): "transmitter T out of range of unit U". */
export function eventWords(e: EngineEvent): Bilingual {
  const u = e.deviceId;
  const tx = e.body.tx ?? '?';
  const pct = isNum(e.body.battery) ? ` (${e.body.battery} %)` : '';
  switch (e.kind) {
    case 'heartbeat': {
      const power =
        e.body.power === undefined
          ? { pl: '', en: '' }
          : e.body.power === 'mains'
            ? { pl: ', zasilanie sieciowe', en: ', on mains' }
            : { pl: ', zasilanie z baterii', en: ', on battery' };
      return {
        pl: `raport okresowy urządzenia ${u}${isNum(e.body.battery) ? ` (bateria ${e.body.battery} %${power.pl})` : ''}`,
        en: `periodic report of unit ${u}${isNum(e.body.battery) ? ` (battery ${e.body.battery} %${power.en})` : ''}`,
      };
    }
    case 'tx_in_range':
      return {
        pl: `nadajnik ${tx} w zasięgu urządzenia ${u}`,
        en: `transmitter ${tx} in range of unit ${u}`,
      };
    case 'tx_out_of_range':
      return {
        pl: `nadajnik ${tx} poza zasięgiem urządzenia ${u}`,
        en: `transmitter ${tx} out of range of unit ${u}`,
      };
    case 'tx_strap_tamper':
      return {
        pl: `urządzenie ${u} zgłosiło naruszenie paska nadajnika ${tx}`,
        en: `unit ${u} reported the strap of transmitter ${tx} tampered`,
      };
    case 'tx_case_tamper':
      return {
        pl: `urządzenie ${u} zgłosiło otwarcie obudowy nadajnika ${tx}`,
        en: `unit ${u} reported the case of transmitter ${tx} opened`,
      };
    case 'tx_battery_low':
      return {
        pl: `urządzenie ${u} zgłosiło niski poziom baterii nadajnika ${tx}${pct}`,
        en: `unit ${u} reported transmitter ${tx} battery low${pct}`,
      };
    case 'unit_case_tamper':
      return { pl: `otwarcie obudowy urządzenia ${u}`, en: `case of unit ${u} opened` };
    case 'unit_moved':
      return { pl: `przemieszczenie urządzenia ${u}`, en: `unit ${u} moved` };
    case 'unit_power_lost':
      return { pl: `zanik zasilania sieciowego urządzenia ${u}`, en: `mains power lost at unit ${u}` };
    case 'unit_power_restored':
      return { pl: `powrót zasilania sieciowego urządzenia ${u}`, en: `mains power back at unit ${u}` };
    case 'unit_battery_low':
      return { pl: `niski poziom baterii urządzenia ${u}${pct}`, en: `unit ${u} battery low${pct}` };
    case 'location':
      return {
        pl: `pozycja urządzenia ${u}${isNum(e.body.acc) ? ` (dokładność ${Math.round(e.body.acc)} m)` : ''}`,
        en: `position of unit ${u}${isNum(e.body.acc) ? ` (accurate to ${Math.round(e.body.acc)} m)` : ''}`,
      };
    case 'proximity_tx_heard':
      return {
        pl: `urządzenie osoby chronionej ${u} słyszy nadajnik ${tx}`,
        en: `the protected person's unit ${u} hears transmitter ${tx}`,
      };
    case 'proximity_tx_lost':
      return {
        pl: `urządzenie osoby chronionej ${u} przestało słyszeć nadajnik ${tx}`,
        en: `the protected person's unit ${u} no longer hears transmitter ${tx}`,
      };
    case 'message_read':
      return { pl: `odczytanie wiadomości na urządzeniu ${u}`, en: `message read on unit ${u}` };
    case 'fault': {
      const what = e.body.detail ?? e.body.code;
      return {
        pl: `usterka urządzenia ${u}${what === undefined ? '' : `: ${what}`}`,
        en: `fault of unit ${u}${what === undefined ? '' : `: ${what}`}`,
      };
    }
  }
}

/**
 * The evidence of an explanation in plain words, e.g. "2 marca 2026, 16:00 — nadajnik T poza zasięgiem
 * urządzenia U; …": every event that is not a routine report (location, heartbeat) first, then the first and
 * last routine ones; the full list, with sequence numbers, is in `evidence` (ADR 0503).
 */
export function evidenceText(events: readonly EngineEvent[], max = 6): Bilingual {
  const routine = (e: EngineEvent): boolean => e.kind === 'location' || e.kind === 'heartbeat';
  const notable = events.filter((e) => !routine(e));
  const rest = events.filter(routine);
  const picked = [...notable.slice(0, max)];
  const firstRest = rest[0];
  const lastRest = rest[rest.length - 1];
  if (firstRest !== undefined && picked.length < max) picked.push(firstRest);
  if (lastRest !== undefined && lastRest !== firstRest && picked.length < max) picked.push(lastRest);
  picked.sort(compareEvents);
  const shown = (lang: Lang): string[] =>
    picked.map((e) => `${fmtTime(e.time, lang)} — ${eventWords(e)[lang]}`);
  const more = events.length - picked.length;
  const pl = shown('pl');
  const en = shown('en');
  if (more > 0) {
    pl.push(`i ${more} ${more === 1 ? 'inne zdarzenie' : 'innych zdarzeń'}`);
    en.push(`and ${more} other event${more === 1 ? '' : 's'}`);
  }
  return { pl: pl.join('; '), en: en.join('; ') };
}

/** The text with its first letter in upper case. */
export function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Sorted unique events (by identity). */
export function uniqueEvents(events: readonly EngineEvent[]): EngineEvent[] {
  const seen = new Set<string>();
  const out: EngineEvent[] = [];
  for (const e of [...events].sort(compareEvents)) {
    const key = `${e.deviceId}\u0000${e.seq}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(e);
  }
  return out;
}

/** A period in which a condition holds: `[start, end)`, `end` undefined while it still holds at the horizon. */
export interface Span {
  readonly start: number;
  /** When the engine could first tell (e.g. the second confirming fix); `start` when at once. */
  readonly confirmAt: number;
  readonly end: number | undefined;
  readonly events: readonly EngineEvent[];
}

/**
 * Spans from transitions: `on` events start the condition, `off` events end it; an `off` followed by an
 * `on` within `holdMs` does not end it (border hysteresis).
 */
export function transitionSpans(
  transitions: readonly { readonly event: EngineEvent; readonly on: boolean }[],
  holdMs: (t: number) => number,
): Span[] {
  const raw: { start: number; end: number | undefined; events: EngineEvent[] }[] = [];
  let cur: { start: number; end: number | undefined; events: EngineEvent[] } | undefined;
  for (const { event, on } of transitions) {
    if (on) {
      if (cur === undefined) {
        cur = { start: event.time, end: undefined, events: [event] };
        raw.push(cur);
      } else cur.events.push(event);
    } else if (cur !== undefined) {
      cur.end = event.time;
      cur.events.push(event);
      cur = undefined;
    }
  }
  return mergeSpans(
    raw.map((r) => ({ start: r.start, confirmAt: r.start, end: r.end, events: r.events })),
    holdMs,
  );
}

/** Merges spans (sorted by start) separated by less than `holdMs(end)`; overlapping ones always merge. */
export function mergeSpans(spans: readonly Span[], holdMs: (t: number) => number): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (
      last !== undefined &&
      (last.end === undefined || s.start - last.end < Math.max(0, holdMs(last.end)))
    ) {
      out[out.length - 1] = {
        start: last.start,
        confirmAt: Math.min(last.confirmAt, s.confirmAt),
        end: last.end === undefined || s.end === undefined ? undefined : Math.max(last.end, s.end),
        events: [...last.events, ...s.events],
      };
    } else out.push(s);
  }
  return out;
}

/** A sample of a two-valued condition: true = violating, false = compliant, undefined = does not decide. */
export interface Sample {
  readonly time: number;
  readonly value: boolean | undefined;
  readonly event: EngineEvent;
}

/**
 * Spans from samples with consecutive-sample hysteresis: `enterN` deciding samples in a row open a span
 * (starting at the first of them), `exitN` in a row close it (ending at the first of them). Samples that
 * do not decide neither count nor break a run.
 */
export function hysteresisSpans(samples: readonly Sample[], enterN: number, exitN: number): Span[] {
  const out: Span[] = [];
  let open: { start: number; confirmAt: number; events: EngineEvent[] } | undefined;
  let run: Sample[] = [];
  for (const s of samples) {
    if (s.value === undefined) continue;
    if (open === undefined) {
      if (s.value) {
        run.push(s);
        if (run.length >= Math.max(1, enterN)) {
          const first = run[0] as Sample;
          open = { start: first.time, confirmAt: s.time, events: run.map((r) => r.event) };
          run = [];
        }
      } else run = [];
    } else if (!s.value) {
      run.push(s);
      if (run.length >= Math.max(1, exitN)) {
        const first = run[0] as Sample;
        out.push({ ...open, end: first.time, events: [...open.events, ...run.map((r) => r.event)] });
        open = undefined;
        run = [];
      }
    } else {
      open.events.push(...run.map((r) => r.event), s.event);
      run = [];
    }
  }
  if (open !== undefined)
    out.push({ ...open, end: undefined, events: [...open.events, ...run.map((r) => r.event)] });
  return out;
}

/** Cuts spans to `[from, to)`; a span still open at `to` stays open only if `to` is beyond the horizon. */
export function clipSpan(span: Span, from: number, to: number, horizon: number): Span | undefined {
  const start = Math.max(span.start, from);
  const rawEnd = span.end === undefined ? Number.POSITIVE_INFINITY : span.end;
  const endAt = Math.min(rawEnd, to);
  if (endAt <= start || start >= horizon) return undefined;
  return {
    start,
    confirmAt: Math.max(span.confirmAt, start),
    end: endAt > horizon ? undefined : endAt,
    events: span.events.filter((e) => e.time <= endAt),
  };
}

/** True when `n` is a finite number. */
export function isNum(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}
