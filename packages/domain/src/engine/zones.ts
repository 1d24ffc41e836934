/**
 * Location rules (mobile monitoring, R9): exclusion zones, inclusion zones and location loss, with
 * impossible-jump suppression, accuracy gating (a fix whose error circle straddles a border does not
 * decide) and hysteresis (consecutive deciding fixes to enter and to leave).
 */
import type { Obligation } from '../court-order.js';
import { containsPoint, distanceToBorderMeters, haversineMeters } from '../zone.js';
import type { RawEpisode, RuleContext, RuleResult, Sample, Segment, Span } from './core.js';
import { eventWords, evidenceText, fmtDuration, fmtTime, hysteresisSpans, isNum, segmentAt } from './core.js';
import { recordingHoles } from './confirmation.js';
import type { EngineEvent } from './types.js';

/** A location fix with its numbers checked. */
export interface Fix {
  readonly event: EngineEvent;
  readonly lat: number;
  readonly lon: number;
  readonly acc: number;
}

/** Location fixes of the unit `unitOf(segment)` returns, taking the assignment at each fix's time. */
export function fixesOf(ctx: RuleContext, unitOf: (s: Segment) => string | undefined): Fix[] {
  const out: Fix[] = [];
  for (const e of ctx.events) {
    if (e.kind !== 'location') continue;
    const { lat, lon, acc } = e.body;
    if (!isNum(lat) || !isNum(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) continue;
    const s = segmentAt(ctx.segments, e.time);
    if (s === undefined || unitOf(s) !== e.deviceId) continue;
    out.push({ event: e, lat, lon, acc: isNum(acc) && acc >= 0 ? acc : 1000 });
  }
  return out;
}

/**
 * Sets aside fixes that imply a move faster than `maxSpeedMps` from the last accepted fix (allowing for
 * both error circles). A suspicious fix is kept pending: if the next fix agrees with it rather than with
 * the anchor, the person really moved and both are accepted; otherwise it is suppressed.
 */
export function filterJumps(
  fixes: readonly Fix[],
  maxSpeedMps: (t: number) => number,
): { accepted: Fix[]; suppressed: Fix[] } {
  const accepted: Fix[] = [];
  const suppressed: Fix[] = [];
  const plausible = (a: Fix, b: Fix): boolean => {
    const dt = Math.max(1, (b.event.time - a.event.time) / 1000);
    return haversineMeters(a, b) - (a.acc + b.acc) <= maxSpeedMps(b.event.time) * dt;
  };
  let anchor: Fix | undefined;
  let pending: Fix | undefined;
  for (const f of fixes) {
    if (anchor === undefined || plausible(anchor, f)) {
      if (pending !== undefined) suppressed.push(pending);
      pending = undefined;
      accepted.push(f);
      anchor = f;
    } else if (pending !== undefined && plausible(pending, f)) {
      accepted.push(pending, f);
      anchor = f;
      pending = undefined;
    } else {
      if (pending !== undefined) suppressed.push(pending);
      pending = f;
    }
  }
  if (pending !== undefined) suppressed.push(pending);
  return { accepted, suppressed };
}

type ZoneObligation = Extract<Obligation, { kind: 'exclusion_zone' | 'inclusion_zone' }>;

function zonesOf(s: Segment, kind: ZoneObligation['kind']): ZoneObligation[] {
  return s.version.obligations.filter((o): o is ZoneObligation => o.kind === kind);
}

/** Inside (true), outside (false) or undecided: the error circle plus margin straddles the border. */
function classify(z: ZoneObligation, f: Fix, marginMeters: number): boolean | undefined {
  const d = distanceToBorderMeters(z.zone, f.lat, f.lon);
  if (d < f.acc + marginMeters) return undefined;
  return containsPoint(z.zone, f.lat, f.lon);
}

/** The first event (sorted by time) at or after `t`: binary search. */
function firstAtOrAfter(sorted: readonly EngineEvent[], t: number): EngineEvent | undefined {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as EngineEvent).time < t) lo = mid + 1;
    else hi = mid;
  }
  return sorted[lo];
}

/** Exclusion and inclusion zone rules, and location loss. */
export function zoneRules(ctx: RuleContext): RuleResult & { suppressed: EngineEvent[] } {
  const portable = (s: Segment): string | undefined => s.version.devices.portableUnit?.deviceId;
  const all = fixesOf(ctx, portable);
  if (all.length === 0 && !ctx.segments.some((s) => portable(s) !== undefined)) {
    return { episodes: [], due: [], suppressed: [] };
  }
  const { accepted, suppressed } = filterJumps(
    all,
    (t) => segmentAt(ctx.segments, t)?.settings.zones.maxSpeedMps ?? Number.POSITIVE_INFINITY,
  );
  const episodes: RawEpisode[] = [];
  const due: number[] = [];

  // Exclusion zones: one subject per zone id.
  const zoneIds = new Set<string>();
  for (const s of ctx.segments) for (const z of zonesOf(s, 'exclusion_zone')) zoneIds.add(z.id);
  for (const id of [...zoneIds].sort()) {
    const inForce = (s: Segment): ZoneObligation | undefined =>
      portable(s) === undefined ? undefined : zonesOf(s, 'exclusion_zone').find((z) => z.id === id);
    const r = zoneEpisodes(
      ctx,
      accepted,
      id,
      inForce,
      (s, f) => {
        const z = inForce(s);
        return z === undefined ? undefined : classify(z, f, s.settings.zones.marginMeters);
      },
      (s, f) => {
        const z = inForce(s);
        if (z === undefined) return undefined;
        const d = distanceToBorderMeters(z.zone, f.lat, f.lon);
        return containsPoint(z.zone, f.lat, f.lon) ? d : -d;
      },
    );
    episodes.push(...r.episodes);
    due.push(...r.due);
  }

  // Inclusion zones: the person must be inside at least one of them.
  const hasInclusion = (s: Segment): ZoneObligation | undefined =>
    portable(s) === undefined ? undefined : zonesOf(s, 'inclusion_zone')[0];
  if (ctx.segments.some((s) => hasInclusion(s) !== undefined)) {
    const r = zoneEpisodes(
      ctx,
      accepted,
      'inclusion',
      hasInclusion,
      (s, f) => {
        const zs = zonesOf(s, 'inclusion_zone');
        if (zs.length === 0) return undefined;
        const c = zs.map((z) => classify(z, f, s.settings.zones.marginMeters));
        if (c.some((v) => v === true)) return false;
        if (c.every((v) => v === false)) return true;
        return undefined;
      },
      (s, f) => {
        const zs = zonesOf(s, 'inclusion_zone');
        if (zs.length === 0) return undefined;
        const d = zs.map((z) => distanceToBorderMeters(z.zone, f.lat, f.lon));
        const inside = zs.flatMap((z, i) => (containsPoint(z.zone, f.lat, f.lon) ? [d[i] as number] : []));
        return inside.length > 0 ? -Math.max(...inside) : Math.min(...d);
      },
    );
    episodes.push(...r.episodes);
    due.push(...r.due);
  }

  episodes.push(...locationLoss(ctx, accepted));
  return { episodes, due, suppressed: suppressed.map((f) => f.event) };
}

/**
 * A fix as the hysteresis sees it, with how deep its centre lies on the violating side of the border
 * (negative: on the allowed side; undefined: too coarse to say).
 */
type ZoneSample = Sample & { readonly depth: number | undefined };

/** Beyond this, two fixes on either side of the border are too far apart to interpolate between. */
const CROSSING_INTERPOLATION_MS = 2 * 60_000;

/**
 * Dates a confirmed span from the crossing rather than from its first deciding fix. A fix decides only
 * when its error circle plus the margin lies wholly on one side, so on a slow walk into a zone the first
 * deciding fix comes after the border (at 1.4 m/s, 25 m of error and 10 m of margin are 25 s, and
 * correlated noise lagging 50 m behind the walk makes it a minute and more). The fixes just before it that
 * did not decide but whose centres were already on the violating side are the walk across the border; the
 * crossing lies between the first of that unbroken run and the fix before it, on the allowed side, and is
 * interpolated by their distances to the border (when they are at most 2 minutes apart; otherwise the
 * first fix across is the start). Any deciding fix ends the walk back; a coarse fix (a cell fix, error over
 * the usable accuracy) says nothing about the side and is passed over. Only the start moves: whether and
 * when the episode opens is still decided by the deciding fixes alone, so no alarm is added (ADR 0505).
 */
function datedFromCrossing(span: Span, samples: readonly ZoneSample[]): Span {
  const k = samples.findIndex((x) => x.event === span.events[0]);
  if (k < 0) return span;
  let first = k;
  let before: ZoneSample | undefined;
  for (let j = k - 1; j >= 0; j--) {
    const prev = samples[j] as ZoneSample;
    if (prev.depth === undefined) continue;
    if (prev.value !== undefined || prev.depth <= 0) {
      before = prev;
      break;
    }
    first = j;
  }
  const inside = samples[first] as ZoneSample;
  const depthIn = inside.depth ?? 0;
  let start = inside.time;
  if (
    before?.depth !== undefined &&
    before.depth <= 0 &&
    depthIn > 0 &&
    inside.time - before.time <= CROSSING_INTERPOLATION_MS
  ) {
    const out = -before.depth;
    start = Math.round(before.time + ((inside.time - before.time) * out) / (out + depthIn));
  }
  if (start === span.start) return span;
  const walk = samples
    .slice(first, k)
    .filter((x) => x.depth !== undefined)
    .map((x) => x.event);
  return { ...span, start, events: [...(before ? [before.event] : []), ...walk, ...span.events] };
}

/** Runs the fix hysteresis within each stretch of time in which the zone is in force. */
function zoneEpisodes(
  ctx: RuleContext,
  fixes: readonly Fix[],
  subject: string,
  inForce: (s: Segment) => ZoneObligation | undefined,
  violating: (s: Segment, f: Fix) => boolean | undefined,
  centreDepth: (s: Segment, f: Fix) => number | undefined,
): RuleResult {
  const episodes: RawEpisode[] = [];
  const due: number[] = [];
  // Stretches of consecutive segments in which the zone is in force.
  const stretches: { from: number; to: number }[] = [];
  for (const s of ctx.segments) {
    if (inForce(s) === undefined) continue;
    const last = stretches[stretches.length - 1];
    if (last !== undefined && last.to === s.from) last.to = s.to;
    else stretches.push({ from: s.from, to: s.to });
  }
  for (const st of stretches) {
    const samples: ZoneSample[] = [];
    for (const f of fixes) {
      if (f.event.time < st.from || f.event.time >= st.to) continue;
      const s = segmentAt(ctx.segments, f.event.time);
      if (s === undefined) continue;
      samples.push({
        time: f.event.time,
        value: violating(s, f),
        event: f.event,
        depth: f.acc > s.settings.location.usableAccuracyMeters ? undefined : centreDepth(s, f),
      });
    }
    const first = segmentAt(ctx.segments, st.from);
    if (first === undefined) continue;
    const { enterFixes, exitFixes } = first.settings.zones;
    for (const decided of hysteresisSpans(samples, enterFixes, exitFixes)) {
      const span = datedFromCrossing(decided, samples);
      const end = span.end ?? (st.to <= ctx.horizon ? st.to : undefined);
      const seg = segmentAt(ctx.segments, span.confirmAt) ?? first;
      const openedAt = Math.max(span.confirmAt, span.start + seg.settings.zones.graceMs);
      if (end !== undefined && end < openedAt) continue;
      if (openedAt > ctx.horizon) {
        if (end === undefined) due.push(openedAt);
        continue;
      }
      const zone = inForce(segmentAt(ctx.segments, openedAt) ?? seg) ?? inForce(seg);
      if (zone === undefined) continue;
      episodes.push(
        zoneEpisode(subject, zone, span, openedAt, end, segmentAt(ctx.segments, openedAt) ?? seg),
      );
    }
  }
  return { episodes, due };
}

function zoneEpisode(
  subject: string,
  zone: ZoneObligation,
  span: Span,
  openedAt: number,
  end: number | undefined,
  segment: Segment,
): RawEpisode {
  const exclusion = zone.kind === 'exclusion_zone';
  const ref = segment.version.orderRef;
  const clause = exclusion
    ? {
        pl: `${ref}: zakaz przebywania w strefie „${zone.name}”`,
        en: `${ref}: must not be in the zone "${zone.name}"`,
      }
    : {
        pl: `${ref}: obowiązek przebywania w strefie „${zone.name}”`,
        en: `${ref}: must stay within the zone "${zone.name}"`,
      };
  const fixes = span.events.filter((e) => e.time <= (end ?? Number.POSITIVE_INFINITY));
  const ev = evidenceText(fixes);
  const dur = end === undefined ? undefined : fmtDuration(end - span.start);
  const unit = segment.version.devices.portableUnit?.deviceId ?? '?';
  return {
    rule: exclusion ? 'exclusion_zone' : 'inclusion_zone',
    subject,
    severity: exclusion ? 'critical' : 'serious',
    cause: exclusion ? 'inside_exclusion_zone' : 'outside_inclusion_zone',
    startedAt: span.start,
    openedAt,
    ...(end === undefined ? {} : { resolvedAt: end }),
    endsBy: 'condition',
    evidence: fixes,
    gapDevices: [unit],
    segment,
    clause,
    explanation: {
      pl: `Reguła: ${exclusion ? 'strefa zakazana' : 'strefa dozwolona'}. Urządzenie przenośne ${unit}: ${exclusion ? 'w strefie' : 'poza strefą'} od ${fmtTime(span.start, 'pl')} (chwila przekroczenia granicy oszacowana z ostatniej pozycji przed nią i pierwszej za nią; potwierdzone kolejnymi pozycjami o ${fmtTime(span.confirmAt, 'pl')}, pozycje, których okrąg błędu przecina granicę, nie rozstrzygają); ${end === undefined ? 'trwa' : `koniec o ${fmtTime(end, 'pl')} (${dur})`}. Postanowienie: ${clause.pl}. Dowody: ${ev.pl}.`,
      en: `Rule: ${exclusion ? 'exclusion zone' : 'inclusion zone'}. Portable unit ${unit}: ${exclusion ? 'inside the zone' : 'outside the zone'} from ${fmtTime(span.start, 'en')} (the crossing estimated from the last fix before the border and the first beyond it; confirmed by consecutive fixes at ${fmtTime(span.confirmAt, 'en')}; fixes whose error circle crosses the border do not decide); ${end === undefined ? 'ongoing' : `ended at ${fmtTime(end, 'en')} (${dur})`}. Order: ${clause.en}. Evidence: ${ev.en}.`,
    },
  };
}

/**
 * Location loss: the portable unit kept working (some event of it after the loss began) but produced no
 * usable fix for `lossAfterMs`. While the unit is silent, communication loss covers it instead.
 */
function locationLoss(ctx: RuleContext, accepted: readonly Fix[]): RawEpisode[] {
  const out: RawEpisode[] = [];
  // Stretches of consecutive segments with the same portable unit: a new order version does not reset it.
  const stretches: { unit: string; seg: Segment; from: number; to: number }[] = [];
  for (const seg of ctx.segments) {
    const unit = seg.version.devices.portableUnit?.deviceId;
    if (unit === undefined) continue;
    const last = stretches[stretches.length - 1];
    if (last !== undefined && last.unit === unit && last.to === seg.from) last.to = seg.to;
    else stretches.push({ unit, seg, from: seg.from, to: seg.to });
  }
  for (const { unit, seg: s, from, to } of stretches) {
    const { lossAfterMs, usableAccuracyMeters } = s.settings.location;
    const usable = accepted.filter(
      (f) =>
        f.event.deviceId === unit &&
        f.acc <= usableAccuracyMeters &&
        f.event.time >= from &&
        f.event.time < to,
    );
    const alive = ctx.events.filter((e) => e.deviceId === unit && e.time >= from && e.time < to);
    // A silence of the unit (nothing recorded for longer than its communication-loss threshold) is
    // communication loss, not location loss: the measure starts again when the unit records again (ADR 0501).
    const holes = recordingHoles({ ...ctx, events: alive });
    const marks = [Math.max(from, ctx.start), ...usable.map((f) => f.event.time)];
    const pieces: { last: number; next: number; nextFix: Fix | undefined; i: number; cut: boolean }[] = [];
    for (let i = 0; i < marks.length; i++) {
      const nextFix = usable[i];
      const next = nextFix?.event.time ?? Math.min(to, ctx.horizon);
      let last = marks[i] as number;
      for (const h of holes) {
        if (h.fromTime < last || h.toTime > next) continue;
        pieces.push({ last, next: h.fromTime, nextFix: undefined, i, cut: true });
        last = h.toTime;
      }
      pieces.push({ last, next, nextFix, i, cut: last !== marks[i] });
    }
    for (const { last, next, nextFix, i, cut } of pieces) {
      const openedAt = last + lossAfterMs;
      if (next <= openedAt) continue;
      const proof = firstAtOrAfter(alive, openedAt);
      if (proof !== undefined && proof.time >= next) continue;
      if (proof === undefined) continue;
      const lastFix = i > 0 && !cut ? usable[i - 1] : undefined;
      const end =
        nextFix !== undefined
          ? nextFix.event.time
          : next < Math.min(to, ctx.horizon) || to <= ctx.horizon
            ? next
            : undefined;
      const evidence = [...(lastFix ? [lastFix.event] : []), proof, ...(nextFix ? [nextFix.event] : [])];
      const clause = {
        pl: `${s.version.orderRef}: dozór mobilny — stałe ustalanie położenia`,
        en: `${s.version.orderRef}: mobile monitoring — the position must be known`,
      };
      out.push({
        rule: 'location_loss',
        subject: unit,
        severity: 'serious',
        cause: 'no_usable_fix',
        startedAt: last,
        openedAt,
        ...(end === undefined ? {} : { resolvedAt: end }),
        endsBy: 'condition',
        evidence,
        decisive: [proof],
        gapDevices: [unit],
        segment: s,
        clause,
        explanation: {
          pl: `Reguła: utrata położenia. Urządzenie ${unit} działa (${eventWords(proof).pl} o ${fmtTime(proof.time, 'pl')}), ale od ${fmtTime(last, 'pl')} nie podało pozycji o dokładności do ${usableAccuracyMeters} m przez ponad ${fmtDuration(lossAfterMs)}; ${end === undefined ? 'trwa' : `pozycja ponownie o ${fmtTime(end, 'pl')}`}. Postanowienie: ${clause.pl}. Dowody: ${evidenceText(evidence).pl}.`,
          en: `Rule: location loss. Unit ${unit} is working (${eventWords(proof).en} at ${fmtTime(proof.time, 'en')}) but has given no fix within ${usableAccuracyMeters} m since ${fmtTime(last, 'en')}, over ${fmtDuration(lossAfterMs)}; ${end === undefined ? 'ongoing' : `position again at ${fmtTime(end, 'en')}`}. Order: ${clause.en}. Evidence: ${evidenceText(evidence).en}.`,
        },
      });
    }
  }
  return out;
}
