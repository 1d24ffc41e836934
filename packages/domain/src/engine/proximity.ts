/**
 * Proximity (restraining order, R9, T3): the transmitter must not come within the ordered distance of the
 * protected person. Two independent witnesses, joined into one episode:
 *  1. the protected person's unit hears the transmitter (`proximity_tx_heard` … `proximity_tx_lost`);
 *  2. the two location tracks (the person's portable unit, the protected person's unit) come within the
 *     distance — decided only when both fixes are fresh and `distance ± (acc₁ + acc₂)` is on one side.
 */
import type { Obligation } from '../court-order.js';
import { haversineMeters } from '../zone.js';
import type { RawEpisode, RuleContext, RuleResult, Sample, Segment, Span } from './core.js';
import {
  evidenceText,
  fmtDuration,
  fmtTime,
  hysteresisSpans,
  mergeSpans,
  segmentAt,
  transitionSpans,
} from './core.js';
import type { Fix } from './zones.js';
import { filterJumps, fixesOf } from './zones.js';
import type { EngineEvent } from './types.js';

type KeepDistance = Extract<Obligation, { kind: 'keep_distance' }>;

function keepDistanceOf(s: Segment): KeepDistance | undefined {
  if (s.version.devices.protectedUnit === undefined) return undefined;
  for (const o of s.version.obligations) if (o.kind === 'keep_distance') return o;
  return undefined;
}

/** The proximity rule. */
export function proximityRule(ctx: RuleContext): RuleResult {
  const segs = ctx.segments.filter((s) => keepDistanceOf(s) !== undefined);
  if (segs.length === 0) return { episodes: [], due: [] };
  const at = (t: number): Segment | undefined => {
    const s = segmentAt(ctx.segments, t);
    return s !== undefined && keepDistanceOf(s) !== undefined ? s : undefined;
  };

  // Witness 1: the protected person's unit hears the transmitter.
  const transitions: { event: EngineEvent; on: boolean }[] = [];
  for (const e of ctx.events) {
    if (e.kind !== 'proximity_tx_heard' && e.kind !== 'proximity_tx_lost') continue;
    const s = at(e.time);
    if (s === undefined) continue;
    if (
      s.version.devices.protectedUnit?.deviceId !== e.deviceId ||
      e.body.tx !== s.version.devices.transmitterId
    ) {
      continue;
    }
    transitions.push({ event: e, on: e.kind === 'proximity_tx_heard' });
  }
  const heard = transitionSpans(transitions, () => 0);

  // Witness 2: two location tracks.
  const speed = (t: number): number => at(t)?.settings.zones.maxSpeedMps ?? Number.POSITIVE_INFINITY;
  const mine = filterJumps(
    fixesOf(ctx, (s) => (keepDistanceOf(s) ? s.version.devices.portableUnit?.deviceId : undefined)),
    speed,
  ).accepted;
  const theirs = filterJumps(
    fixesOf(ctx, (s) => (keepDistanceOf(s) ? s.version.devices.protectedUnit?.deviceId : undefined)),
    speed,
  ).accepted;
  const tracks = trackSpans(ctx, mine, theirs, at);

  const hold = (t: number): number => at(t)?.settings.proximity.resolveHoldMs ?? 0;
  const joined = mergeSpans([...heard, ...tracks], hold);
  const episodes: RawEpisode[] = [];
  const due: number[] = [];
  for (const span of joined) {
    const seg = at(span.start) ?? (segs[0] as Segment);
    const openedAt = Math.max(span.confirmAt, span.start + seg.settings.proximity.graceMs);
    if (span.end !== undefined && span.end < openedAt) continue;
    if (openedAt > ctx.horizon) {
      if (span.end === undefined) due.push(openedAt);
      continue;
    }
    const openSeg = at(openedAt) ?? seg;
    episodes.push(proximityEpisode(span, openedAt, openSeg));
  }
  return { episodes, due };
}

/** Spans in which the two tracks are decidedly within the distance. */
function trackSpans(
  ctx: RuleContext,
  mine: readonly Fix[],
  theirs: readonly Fix[],
  at: (t: number) => Segment | undefined,
): Span[] {
  if (mine.length === 0 || theirs.length === 0) return [];
  const merged = [...mine.map((f) => ({ f, side: 0 })), ...theirs.map((f) => ({ f, side: 1 }))].sort(
    (a, b) => a.f.event.time - b.f.event.time || a.side - b.side,
  );
  const last: [Fix | undefined, Fix | undefined] = [undefined, undefined];
  const samples: Sample[] = [];
  for (const { f, side } of merged) {
    last[side] = f;
    const s = at(f.event.time);
    const a = last[0];
    const b = last[1];
    if (s === undefined || a === undefined || b === undefined) continue;
    const t = f.event.time;
    const { stalenessMs } = s.settings.proximity;
    if (t - a.event.time > stalenessMs || t - b.event.time > stalenessMs) {
      samples.push({ time: t, value: undefined, event: f.event });
      continue;
    }
    const limit = keepDistanceOf(s)?.minDistanceMeters ?? 0;
    const d = haversineMeters(a, b);
    const u = a.acc + b.acc;
    samples.push({
      time: t,
      value: d + u <= limit ? true : d - u >= limit ? false : undefined,
      event: f.event,
    });
  }
  const first = at(merged[0]?.f.event.time ?? 0);
  const n = first?.settings.proximity.pairFixes ?? 2;
  const spans = hysteresisSpans(samples, n, n);
  // A span still open ends when the tracks stop being comparable (a side's fix goes stale).
  return spans.map((span) => {
    if (span.end !== undefined) return span;
    const lastEv = span.events[span.events.length - 1];
    const s = lastEv === undefined ? undefined : at(lastEv.time);
    if (lastEv === undefined || s === undefined) return span;
    const stale = Math.min(
      (last[0]?.event.time ?? 0) + s.settings.proximity.stalenessMs,
      (last[1]?.event.time ?? 0) + s.settings.proximity.stalenessMs,
    );
    return stale <= ctx.horizon ? { ...span, end: Math.max(stale, span.confirmAt) } : span;
  });
}

function proximityEpisode(span: Span, openedAt: number, segment: Segment): RawEpisode {
  const keep = keepDistanceOf(segment);
  const d = segment.version.devices;
  const pu = d.protectedUnit?.deviceId ?? '?';
  const byHearing = span.events.some((e) => e.kind === 'proximity_tx_heard');
  const byTracks = span.events.some((e) => e.kind === 'location');
  const cause = byHearing && byTracks ? 'heard_and_tracks' : byHearing ? 'heard' : 'tracks';
  const clause = {
    pl: `${segment.version.orderRef}: zakaz zbliżania się do osoby chronionej na mniej niż ${keep?.minDistanceMeters ?? '?'} m`,
    en: `${segment.version.orderRef}: must not come within ${keep?.minDistanceMeters ?? '?'} m of the protected person`,
  };
  const how = {
    pl: [
      byHearing ? `urządzenie osoby chronionej ${pu} odebrało sygnał nadajnika ${d.transmitterId}` : '',
      byTracks
        ? 'pozycje obu urządzeń (z uwzględnieniem ich dokładności) są bliżej niż nakazana odległość'
        : '',
    ]
      .filter((x) => x !== '')
      .join('; '),
    en: [
      byHearing ? `the protected person's unit ${pu} heard transmitter ${d.transmitterId}` : '',
      byTracks
        ? 'the positions of both units (allowing for their accuracy) are closer than the ordered distance'
        : '',
    ]
      .filter((x) => x !== '')
      .join('; '),
  };
  const end = span.end;
  const ev = evidenceText(span.events);
  return {
    rule: 'proximity',
    subject: pu,
    severity: 'critical',
    cause,
    startedAt: span.start,
    openedAt,
    ...(end === undefined ? {} : { resolvedAt: end }),
    endsBy: 'condition',
    evidence: span.events,
    gapDevices: [pu, ...(d.portableUnit ? [d.portableUnit.deviceId] : [])],
    segment,
    clause,
    explanation: {
      pl: `Reguła: zakaz zbliżania się. Od ${fmtTime(span.start, 'pl')}: ${how.pl}; ${end === undefined ? 'trwa' : `koniec o ${fmtTime(end, 'pl')} (${fmtDuration(end - span.start)})`}. Postanowienie: ${clause.pl}. Dowody: ${ev.pl}.`,
      en: `Rule: restraining order. From ${fmtTime(span.start, 'en')}: ${how.en}; ${end === undefined ? 'ongoing' : `ended at ${fmtTime(end, 'en')} (${fmtDuration(end - span.start)})`}. Order: ${clause.en}. Evidence: ${ev.en}.`,
    },
  };
}
