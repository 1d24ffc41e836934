/**
 * Curfew / presence (stationary monitoring, R4, R9): the transmitter must be in range of the home unit
 * whenever the schedule does not allow the person to be away — and at most 12 hours a day away.
 * Schedules are state (architecture principle 4): the rule intersects "observed absent" with "required
 * present", so a person already out when a curfew begins is in violation at that instant.
 */
import type { Schedule, AwayInterval } from '../schedule.js';
import { awayIntervalsStartingOn, awayWindowsBetween, DAY_EN, DAY_PL, dayOfWeekOf } from '../schedule.js';
import { addDays, localDateOf, startOfLocalDay } from '../time.js';
import { observedBy } from './confirmation.js';
import type { RawEpisode, RuleContext, RuleResult, Segment, Span } from './core.js';
import { evidenceText, fmtDate, fmtDuration, fmtTime, fmtWall, segmentAt, transitionSpans } from './core.js';
import type { EngineEvent } from './types.js';

const DAY = 86_400_000;
/** How far ahead of `now` curfew starts are looked for, to set the next timer. */
const LOOKAHEAD_MS = 8 * DAY;

/** The schedule of the version's stay-at-place obligation, if it has one. */
export function scheduleOf(segment: Segment): Schedule | undefined {
  for (const o of segment.version.obligations) if (o.kind === 'stay_at_place') return o.schedule;
  return undefined;
}

/** A period in which the person must be at the monitoring place. */
interface RequiredPeriod {
  readonly start: number;
  readonly end: number;
  /** The away window that ended at `start`, if that is why the period begins. */
  readonly after: AwayInterval | undefined;
  /** The away window that begins at `end`, if any. */
  readonly before: AwayInterval | undefined;
  /** The segment in force at `start`. */
  readonly segment: Segment;
}

/** "poniedziałek 08:00–16:00 praca" / "Monday 08:00–16:00 praca". */
export function windowClause(w: AwayInterval): { pl: string; en: string } {
  const dow = dayOfWeekOf(w.startDate);
  const times = `${fmtWall(w.startUtcMs)}–${fmtWall(w.endUtcMs)}`;
  const src = w.source === 'weekly' ? '' : w.source === 'one_off' ? ' (zmiana jednorazowa)' : ' (wyjątek)';
  const srcEn = w.source === 'weekly' ? '' : w.source === 'one_off' ? ' (one-off change)' : ' (exception)';
  return {
    pl: `${DAY_PL[dow]} ${fmtDate(w.startUtcMs, 'pl')} ${times} ${w.label}${src}`,
    en: `${DAY_EN[dow]} ${fmtDate(w.startUtcMs, 'en')} ${times} ${w.label}${srcEn}`,
  };
}

/** Required periods of one segment within `[from, to)`. */
function requiredPeriodsOf(segment: Segment, schedule: Schedule, from: number, to: number): RequiredPeriod[] {
  if (!(to > from)) return [];
  const away: AwayInterval[] = [];
  for (let d = addDays(localDateOf(from), -1); d <= localDateOf(to); d = addDays(d, 1)) {
    away.push(...awayIntervalsStartingOn(schedule, d));
  }
  away.sort((a, b) => a.startUtcMs - b.startUtcMs || a.endUtcMs - b.endUtcMs);
  // Merge touching or overlapping windows; keep the one ending last as the group's end.
  const groups: { start: number; end: number; first: AwayInterval; last: AwayInterval }[] = [];
  for (const w of away) {
    const g = groups[groups.length - 1];
    if (g !== undefined && w.startUtcMs <= g.end) {
      if (w.endUtcMs > g.end) {
        g.end = w.endUtcMs;
        g.last = w;
      }
    } else groups.push({ start: w.startUtcMs, end: w.endUtcMs, first: w, last: w });
  }
  const out: RequiredPeriod[] = [];
  let cursor = from;
  let after: AwayInterval | undefined;
  for (const g of groups) {
    if (g.end <= from) {
      if (g.end === from) after = g.last;
      continue;
    }
    if (g.start >= to) {
      if (cursor < to) out.push({ start: cursor, end: to, after, before: g.first, segment });
      cursor = to;
      break;
    }
    if (g.start > cursor) out.push({ start: cursor, end: g.start, after, before: g.first, segment });
    cursor = Math.max(cursor, g.end);
    after = g.last;
  }
  if (cursor < to) out.push({ start: cursor, end: to, after, before: undefined, segment });
  return out;
}

/** Required periods across all presence segments, joined across version boundaries. */
function requiredPeriods(segments: readonly Segment[], from: number, to: number): RequiredPeriod[] {
  const all: RequiredPeriod[] = [];
  for (const s of segments) {
    const schedule = scheduleOf(s);
    if (schedule === undefined || s.version.devices.homeUnit === undefined) continue;
    all.push(...requiredPeriodsOf(s, schedule, Math.max(s.from, from), Math.min(s.to, to)));
  }
  const out: RequiredPeriod[] = [];
  for (const p of all) {
    const last = out[out.length - 1];
    if (last !== undefined && last.end === p.start)
      out[out.length - 1] = { ...last, end: p.end, before: p.before };
    else out.push(p);
  }
  return out;
}

/** The home unit's range events for the assigned transmitter, as absence spans. */
function absenceSpans(ctx: RuleContext): { spans: Span[]; devices: string[] } {
  const devices = new Set<string>();
  const transitions: { event: EngineEvent; on: boolean }[] = [];
  for (const e of ctx.events) {
    if (e.kind !== 'tx_in_range' && e.kind !== 'tx_out_of_range' && e.body.txs === undefined) continue;
    const s = segmentAt(ctx.segments, e.time);
    if (s === undefined || scheduleOf(s) === undefined) continue;
    const d = s.version.devices;
    if (d.homeUnit?.deviceId !== e.deviceId) continue;
    devices.add(e.deviceId);
    if (e.kind === 'heartbeat') {
      // A v1.1 heartbeat reports the transmitter's state: an observation like a transition (ADR 0501).
      const state = e.body.txs?.find((x) => x.tx === d.transmitterId);
      if (state !== undefined) transitions.push({ event: e, on: !state.inRange });
      continue;
    }
    if (e.body.tx !== d.transmitterId) continue;
    transitions.push({ event: e, on: e.kind === 'tx_out_of_range' });
  }
  const hold = (t: number): number => segmentAt(ctx.segments, t)?.settings.presence.returnHoldMs ?? 0;
  return { spans: transitionSpans(transitions, hold), devices: [...devices] };
}

/** The curfew / presence rule and the 12-hours-a-day rule. */
export function presenceRule(ctx: RuleContext): RuleResult {
  const presenceSegments = ctx.segments.filter(
    (s) => scheduleOf(s) !== undefined && s.version.devices.homeUnit !== undefined,
  );
  if (presenceSegments.length === 0) return { episodes: [], due: [] };
  const { spans: absences, devices } = absenceSpans(ctx);
  const required = requiredPeriods(presenceSegments, ctx.start, ctx.horizon + LOOKAHEAD_MS);
  const episodes: RawEpisode[] = [];
  const due: number[] = [];

  for (const a of absences) {
    const aEnd = a.end ?? Number.POSITIVE_INFINITY;
    for (const r of required) {
      if (r.end <= a.start || r.start >= aEnd) continue;
      const start = Math.max(a.start, r.start);
      const segment = segmentAt(ctx.segments, start) ?? r.segment;
      const grace = segment.settings.presence.graceMs;
      if (start >= ctx.horizon) {
        // A curfew still to begin while the person is away: wake up when its grace runs out.
        if (a.end === undefined) due.push(start + grace);
        continue;
      }
      const endAt = Math.min(aEnd, r.end);
      const end = endAt > ctx.horizon ? undefined : endAt;
      const openedAt = start + grace;
      if ((end ?? ctx.horizon) - start < grace || openedAt > ctx.horizon) {
        if (end === undefined) due.push(openedAt);
        continue;
      }
      const evidence = a.events.filter((e) => e.time <= (end ?? ctx.horizon));
      const openedSegment = segmentAt(ctx.segments, openedAt) ?? segment;
      episodes.push({
        ...presenceEpisode(a, r, start, openedAt, end, evidence, devices, openedSegment, endAt),
        stateAt: observedBy(a.events, openedAt),
      });
    }
  }
  const daily = dailyLimit(ctx, absences, presenceSegments, devices);
  episodes.push(...daily.episodes);
  due.push(...daily.due);
  return { episodes, due };
}

function presenceEpisode(
  a: Span,
  r: RequiredPeriod,
  start: number,
  openedAt: number,
  end: number | undefined,
  evidence: readonly EngineEvent[],
  devices: readonly string[],
  segment: Segment,
  endAt: number,
): RawEpisode {
  const leftWhenRequired = a.start >= r.start;
  const d = segment.version.devices;
  const hu = d.homeUnit?.deviceId ?? '?';
  const ref = segment.version.orderRef;
  let cause: string;
  let clause: { pl: string; en: string };
  let what: { pl: string; en: string };
  if (leftWhenRequired) {
    cause = 'left_when_required';
    const next = r.before === undefined ? undefined : windowClause(r.before);
    const after = r.after === undefined ? undefined : windowClause(r.after);
    clause = {
      pl: `${ref}, harmonogram: obowiązek przebywania w miejscu dozoru ${after ? `po oknie ${after.pl}` : `od ${fmtTime(r.start, 'pl')}`}${next ? ` do okna ${next.pl}` : ''}`,
      en: `${ref}, schedule: must be at the monitoring place ${after ? `after the window ${after.en}` : `from ${fmtTime(r.start, 'en')}`}${next ? ` until the window ${next.en}` : ''}`,
    };
    what = {
      pl: `opuszczenie miejsca dozoru w czasie, gdy harmonogram tego nie dopuszcza — nadajnik ${d.transmitterId} poza zasięgiem rejestratora ${hu} od ${fmtTime(start, 'pl')}`,
      en: `left the monitoring place when the schedule does not allow it — transmitter ${d.transmitterId} out of range of home unit ${hu} from ${fmtTime(start, 'en')}`,
    };
  } else if (r.after !== undefined) {
    cause = 'absent_at_required_start';
    const w = windowClause(r.after);
    clause = {
      pl: `${ref}, harmonogram: ${w.pl} — po końcu okna obowiązek przebywania w miejscu dozoru`,
      en: `${ref}, schedule: ${w.en} — after the window the person must be at the monitoring place`,
    };
    what = {
      pl: `brak powrotu do miejsca dozoru po końcu okna wyjścia o ${fmtTime(start, 'pl')} — nadajnik ${d.transmitterId} poza zasięgiem rejestratora ${hu} od ${fmtTime(a.start, 'pl')}`,
      en: `not back at the monitoring place when the away window ended at ${fmtTime(start, 'en')} — transmitter ${d.transmitterId} out of range of home unit ${hu} since ${fmtTime(a.start, 'en')}`,
    };
  } else {
    cause = 'absent_at_order_start';
    clause = {
      pl: `${ref}, obowiązek przebywania w miejscu dozoru od ${fmtTime(r.start, 'pl')}`,
      en: `${ref}, must be at the monitoring place from ${fmtTime(r.start, 'en')}`,
    };
    what = {
      pl: `nieobecność w miejscu dozoru, gdy obowiązek zaczął obowiązywać (${fmtTime(start, 'pl')}) — nadajnik ${d.transmitterId} poza zasięgiem rejestratora ${hu} od ${fmtTime(a.start, 'pl')}`,
      en: `absent from the monitoring place when the obligation took effect (${fmtTime(start, 'en')}) — transmitter ${d.transmitterId} out of range of home unit ${hu} since ${fmtTime(a.start, 'en')}`,
    };
  }
  const returned = a.end !== undefined && a.end === endAt;
  const endText =
    end === undefined
      ? { pl: 'trwa', en: 'ongoing' }
      : returned
        ? {
            pl: `powrót o ${fmtTime(end, 'pl')} (${fmtDuration(end - start)})`,
            en: `back at ${fmtTime(end, 'en')} (${fmtDuration(end - start)})`,
          }
        : {
            pl: `od ${fmtTime(end, 'pl')} wyjście dozwolone (${fmtDuration(end - start)})`,
            en: `away allowed from ${fmtTime(end, 'en')} (${fmtDuration(end - start)})`,
          };
  const ev = evidenceText(evidence);
  return {
    rule: 'presence',
    subject: '',
    severity: 'serious',
    cause,
    startedAt: start,
    openedAt,
    ...(end === undefined ? {} : { resolvedAt: end }),
    endsBy: 'condition',
    evidence,
    gapDevices: devices,
    segment,
    clause,
    explanation: {
      pl: `Reguła: obecność w miejscu dozoru (dozór stacjonarny). Naruszenie: ${what.pl}; ${endText.pl}. Postanowienie: ${clause.pl}. Dowody: ${ev.pl}.`,
      en: `Rule: presence at the monitoring place (stationary monitoring). Violation: ${what.en}; ${endText.en}. Order: ${clause.en}. Evidence: ${ev.en}.`,
    },
  };
}

/** R4: at most 12 hours away in one Warsaw calendar day, counting every observed absence. */
function dailyLimit(
  ctx: RuleContext,
  absences: readonly Span[],
  segments: readonly Segment[],
  devices: readonly string[],
): RuleResult {
  const episodes: RawEpisode[] = [];
  const due: number[] = [];
  const days = new Set<string>();
  for (const a of absences) {
    const last = localDateOf(Math.min(a.end ?? ctx.horizon, ctx.horizon));
    for (let d = localDateOf(a.start); d <= last; d = addDays(d, 1)) days.add(d);
  }
  for (const day of [...days].sort()) {
    const d0 = startOfLocalDay(day);
    const d1 = startOfLocalDay(addDays(day, 1));
    const dayStart = segmentAt(segments, Math.max(d0, segments[0]?.from ?? d0));
    if (dayStart === undefined) continue;
    const { graceMs } = dayStart.settings.dailyLimit;
    // A schedule the court approved is never a violation of the daily limit: on the autumn DST day a
    // 12-hour window on the wall clock lasts 13 real hours.
    const schedule = scheduleOf(dayStart);
    const allowed =
      schedule === undefined
        ? 0
        : awayWindowsBetween(schedule, d0, d1).reduce((sum, w) => sum + w.endUtcMs - w.startUtcMs, 0);
    const maxAwayMs = Math.max(dayStart.settings.dailyLimit.maxAwayMs, allowed);
    const threshold = maxAwayMs + graceMs;
    let cum = 0;
    let reachedAt: number | undefined;
    // The day's total rests on every absence counted, so on the state since the first one began.
    let countedSince = Number.POSITIVE_INFINITY;
    const seen: EngineEvent[] = [];
    for (const a of absences) {
      for (const s of segments) {
        const from = Math.max(a.start, d0, s.from);
        const endCap = Math.min(d1, s.to);
        const to = Math.min(a.end ?? Number.POSITIVE_INFINITY, endCap, ctx.horizon);
        if (to <= from) continue;
        countedSince = Math.min(countedSince, a.start);
        seen.push(...a.events.filter((e) => e.time <= to));
        if (reachedAt === undefined && cum + (to - from) >= maxAwayMs) reachedAt = from + (maxAwayMs - cum);
        if (cum + (to - from) >= threshold) {
          const openedAt = from + (threshold - cum);
          const partEnd = Math.min(a.end ?? Number.POSITIVE_INFINITY, endCap);
          const end = partEnd > ctx.horizon ? undefined : partEnd;
          episodes.push({
            ...dailyEpisode(day, reachedAt ?? openedAt, openedAt, end, cum + (to - from), seen, devices, s),
            stateAt: countedSince,
          });
          cum = Number.NEGATIVE_INFINITY; // one episode per day
          break;
        }
        cum += to - from;
        // Still away at the horizon: the limit is reached at a known instant.
        if (a.end === undefined && to === ctx.horizon && endCap > ctx.horizon) {
          const at = ctx.horizon + (threshold - cum);
          if (at < endCap) due.push(at);
        }
      }
      if (cum === Number.NEGATIVE_INFINITY) break;
    }
  }
  return { episodes, due };
}

function dailyEpisode(
  day: string,
  startedAt: number,
  openedAt: number,
  end: number | undefined,
  total: number,
  evidence: readonly EngineEvent[],
  devices: readonly string[],
  segment: Segment,
): RawEpisode {
  const max = fmtDuration(segment.settings.dailyLimit.maxAwayMs);
  const clause = {
    pl: `${segment.version.orderRef}: łącznie najwyżej ${max} poza miejscem dozoru w ciągu doby (R4)`,
    en: `${segment.version.orderRef}: at most ${max} in total away from the monitoring place per day (R4)`,
  };
  const ev = evidenceText(evidence);
  return {
    rule: 'daily_away_limit',
    subject: day,
    severity: 'serious',
    cause: 'daily_total_exceeded',
    startedAt,
    openedAt,
    ...(end === undefined ? {} : { resolvedAt: end }),
    endsBy: 'condition',
    evidence,
    gapDevices: devices,
    segment,
    clause,
    explanation: {
      pl: `Reguła: limit czasu poza miejscem dozoru w dobie ${fmtDate(startedAt, 'pl')}. Limit ${max} przekroczony o ${fmtTime(startedAt, 'pl')}, alarm o ${fmtTime(openedAt, 'pl')}; ${end === undefined ? 'nieobecność trwa' : `koniec o ${fmtTime(end, 'pl')}`} (łącznie co najmniej ${fmtDuration(total)}). Postanowienie: ${clause.pl}. Dowody: ${evidenceText(evidence).pl}.`,
      en: `Rule: daily limit of time away on ${fmtDate(startedAt, 'en')}. The ${max} limit was reached at ${fmtTime(startedAt, 'en')}, alarm at ${fmtTime(openedAt, 'en')}; ${end === undefined ? 'still away' : `ended at ${fmtTime(end, 'en')}`} (at least ${fmtDuration(total)} in all). Order: ${clause.en}. Evidence: ${ev.en}.`,
    },
  };
}
