/**
 * The compliance engine's entry point: a pure function of (configuration timeline, the SET of events,
 * sequence knowledge, now). Same input → same episodes, whatever the order or number of times events
 * arrived (docs/engine.md, ADR 0201).
 */
import { communicationRule } from './communication.js';
import {
  UNDECIDED_OBSERVED_LIMIT_MS,
  UNDECIDED_STATE_LIMIT_MS,
  recordingHoles,
  reportTails,
} from './confirmation.js';
import type { RawEpisode, RuleContext } from './core.js';
import type { Lang } from './core.js';
import { fmtTime, normaliseEvents, refOf, segmentsOf, uniqueEvents } from './core.js';
import { equipmentRules } from './equipment.js';
import { presenceRule } from './presence.js';
import { proximityRule } from './proximity.js';
import type {
  AlarmEpisode,
  DeviceSeqProgress,
  EngineEvent,
  SeqGap,
  SupervisionEvaluation,
  SupervisionInput,
} from './types.js';
import { zoneRules } from './zones.js';

/** Most evidence references kept on one episode (the count is kept in `evidenceCount`). */
export const MAX_EVIDENCE_REFS = 50;

/**
 * How far before a checkpoint events can still change an episode after it: the rules' memory (a calendar
 * day for the 12-hour rule, a night window, grace and hysteresis periods).
 */
export const ENGINE_LOOKBACK_MS = 36 * 3_600_000;

/** Missing sequence numbers of each device and the span of event time each gap may cover. */
export function sequenceGaps(
  progress: readonly DeviceSeqProgress[],
  events: readonly EngineEvent[],
): SeqGap[] {
  const out: SeqGap[] = [];
  for (const p of progress) {
    if (!(p.highestSeq > p.contiguousSeq)) continue;
    const timeOf = new Map<number, number>();
    for (const e of events) if (e.deviceId === p.deviceId) timeOf.set(e.seq, e.time);
    let seq = p.contiguousSeq + 1;
    while (seq <= p.highestSeq) {
      if (timeOf.has(seq)) {
        seq++;
        continue;
      }
      const fromSeq = seq;
      while (seq <= p.highestSeq && !timeOf.has(seq)) seq++;
      const toSeq = seq - 1;
      out.push({
        kind: 'sequence',
        deviceId: p.deviceId,
        fromSeq,
        toSeq,
        fromTime: timeOf.get(fromSeq - 1) ?? Number.NEGATIVE_INFINITY,
        toTime: timeOf.get(toSeq + 1) ?? Number.POSITIVE_INFINITY,
      });
    }
  }
  return out.sort((a, b) =>
    a.deviceId < b.deviceId ? -1 : a.deviceId > b.deviceId ? 1 : a.fromSeq - b.fromSeq,
  );
}

/**
 * Open-ended gaps of units in communication loss now: whatever they recorded since their last event has
 * not arrived, so decisions that depend on them after that instant are provisional.
 */
function silentGaps(commEpisodes: readonly RawEpisode[], events: readonly EngineEvent[]): SeqGap[] {
  const out: SeqGap[] = [];
  for (const ep of commEpisodes) {
    if (ep.rule !== 'communication_loss' || ep.resolvedAt !== undefined) continue;
    const own = events.filter((e) => e.deviceId === ep.subject);
    const lastSeq = Math.max(0, ...own.map((e) => e.seq));
    const lastTime = Math.max(Number.NEGATIVE_INFINITY, ...own.map((e) => e.time));
    out.push({
      kind: 'silence',
      deviceId: ep.subject,
      fromSeq: lastSeq + 1,
      toSeq: null,
      fromTime: Number.isFinite(lastTime) ? lastTime : ep.startedAt,
      toTime: Number.POSITIVE_INFINITY,
    });
  }
  return out;
}

/** Evaluates one supervision. Pure and deterministic. */
export function evaluateSupervision(input: SupervisionInput): SupervisionEvaluation {
  const { timeline, now } = input;
  const events = normaliseEvents(input.events);
  const segments = segmentsOf(timeline);
  const first = segments[0];
  const empty: SupervisionEvaluation = {
    supervisionId: timeline.supervisionId,
    regionId: timeline.regionId,
    now,
    episodes: [],
    nextDueAt: undefined,
    awaiting: [],
    suppressedFixes: [],
  };
  if (first === undefined) return empty;
  const horizon = Math.min(now, timeline.endsAtUtcMs ?? Number.POSITIVE_INFINITY);
  const earliest = events[0]?.time ?? now;
  const start =
    input.from === undefined
      ? first.from
      : Math.max(first.from, Math.min(input.from - ENGINE_LOOKBACK_MS, earliest - 86_400_000));
  const ctx: RuleContext = { supervisionId: timeline.supervisionId, events, segments, now, horizon, start };

  const zones = zoneRules(ctx);
  const communication = communicationRule(ctx);
  const results = [presenceRule(ctx), zones, proximityRule(ctx), equipmentRules(ctx), communication];
  const silent = silentGaps(communication.episodes, events);
  const gaps = [...sequenceGaps(input.progress ?? [], events), ...silent];
  // What a carried state also needs covered: past silences and the stretch since each unit's last report.
  const unconfirmed = [
    ...gaps,
    ...recordingHoles(ctx),
    ...reportTails(ctx, new Set(silent.map((g) => g.deviceId))),
  ];
  const due = results.flatMap((r) => r.due);
  const expired: string[] = [];
  const finished = results
    .flatMap((r) => r.episodes)
    .filter((e) => e.startedAt < horizon || e.openedAt <= horizon)
    .map((raw) => ({ raw, ep: finish(timeline.supervisionId, raw, gaps, unconfirmed, horizon, now) }))
    .sort((a, b) => a.ep.startedAt - b.ep.startedAt || (a.ep.id < b.ep.id ? -1 : a.ep.id > b.ep.id ? 1 : 0));
  // One episode per unconfirmed state (ADR 0501): while nothing new is observed, the later days' episodes
  // that rest on the same carried state would only repeat the first one's doubt.
  const groups = new Set<string>();
  const kept: AlarmEpisode[] = [];
  for (const { raw, ep } of finished) {
    if (ep.undecided && raw.stateAt !== undefined) {
      const key = `${raw.rule}\u0000${raw.stateAt}\u0000${raw.gapDevices.join(',')}`;
      if (groups.has(key)) continue;
      groups.add(key);
      const limit = ep.detectedAt + UNDECIDED_STATE_LIMIT_MS;
      if (now >= limit) {
        expired.push(ep.id);
        continue;
      }
      due.push(limit);
    } else if (ep.undecided) due.push(ep.detectedAt + UNDECIDED_OBSERVED_LIMIT_MS);
    kept.push(ep);
  }
  const episodes = kept
    .filter((e) => input.from === undefined || e.resolvedAt === undefined || e.resolvedAt >= input.from)
    .filter((e) => input.from === undefined || e.endsBy === 'condition' || e.updatedAt >= input.from);

  for (const s of segments) {
    due.push(s.from);
    if (Number.isFinite(s.to)) due.push(s.to);
  }
  const future = due.filter((t) => t > now && Number.isFinite(t));
  return {
    ...empty,
    episodes,
    nextDueAt: future.length === 0 ? undefined : Math.min(...future),
    awaiting: gaps,
    suppressedFixes: uniqueEvents(zones.suppressed).map(refOf),
    expired,
  };
}

/** Missing events in plain words, not `device#seq` notation (ADR 0503): how many, whose, since when. */
function missingWords(g: SeqGap, lang: Lang): string {
  const n = g.toSeq === null ? undefined : g.toSeq - g.fromSeq + 1;
  const since = Number.isFinite(g.fromTime) ? fmtTime(g.fromTime, lang) : undefined;
  if (lang === 'pl')
    return `${n === undefined ? 'wszystkich zdarzeń' : n === 1 ? 'jednego zdarzenia' : `${n} zdarzeń`} urządzenia ${g.deviceId}${since === undefined ? '' : ` zapisanych po ${since}`}`;
  return `${n === undefined ? 'every event' : n === 1 ? 'one event' : `${n} events`} of unit ${g.deviceId}${since === undefined ? '' : ` recorded after ${since}`}`;
}

/** What the undecided episode waits for, in plain words. */
function awaitingText(awaiting: readonly SeqGap[]): { pl: string; en: string } {
  const pl: string[] = [];
  const en: string[] = [];
  for (const g of awaiting) {
    const from = { pl: fmtTime(g.fromTime, 'pl'), en: fmtTime(g.fromTime, 'en') };
    if (g.kind === 'next_report') {
      pl.push(`brak jeszcze raportu urządzenia ${g.deviceId} po ${from.pl}`);
      en.push(`no report of unit ${g.deviceId} after ${from.en} yet`);
    } else if (g.kind === 'silence' && g.toSeq === null) {
      pl.push(`urządzenie ${g.deviceId} milczy od ${from.pl}`);
      en.push(`unit ${g.deviceId} has been silent since ${from.en}`);
    } else if (g.kind === 'silence') {
      pl.push(
        `urządzenie ${g.deviceId} nic nie zapisało od ${from.pl} do ${fmtTime(g.toTime, 'pl')} i nie potwierdziło potem stanu nadajnika`,
      );
      en.push(
        `unit ${g.deviceId} recorded nothing from ${from.en} to ${fmtTime(g.toTime, 'en')} and has not confirmed the transmitter's state since`,
      );
    } else {
      pl.push(`centrala nie otrzymała jeszcze ${missingWords(g, 'pl')}`);
      en.push(`the center has not yet received ${missingWords(g, 'en')}`);
    }
  }
  return { pl: pl.join(', '), en: en.join(', ') };
}

/** Identity, lateness, gaps and evidence references common to every rule. */
function finish(
  supervisionId: string,
  raw: RawEpisode,
  gaps: readonly SeqGap[],
  unconfirmed: readonly SeqGap[],
  horizon: number,
  now: number,
): AlarmEpisode {
  const evidence = uniqueEvents(raw.evidence);
  const decisive = raw.decisive ?? evidence.filter((e) => e.time <= raw.openedAt);
  const threshold = raw.segment.settings.lateThresholdMs;
  let detectedAt = raw.openedAt;
  let lateEvent: EngineEvent | undefined;
  for (const e of decisive) {
    detectedAt = Math.max(detectedAt, e.receivedAt);
    if (e.receivedAt - Math.max(e.time, raw.openedAt) > threshold) lateEvent = e;
  }
  const stateAt = raw.stateAt;
  let awaiting =
    stateAt === undefined
      ? gaps.filter(
          (g) =>
            raw.gapDevices.includes(g.deviceId) && g.fromTime <= raw.openedAt && g.toTime >= raw.startedAt,
        )
      : // A carried state: nothing unobserved between the observation it rests on and the opening.
        unconfirmed.filter(
          (g) => raw.gapDevices.includes(g.deviceId) && g.fromTime < raw.openedAt && g.toTime > stateAt,
        );
  // An opening observed directly (fixes, radio contact): missing numbers an hour after detection are lost.
  const lost =
    stateAt === undefined && awaiting.length > 0 && now >= detectedAt + UNDECIDED_OBSERVED_LIMIT_MS;
  const lostList = lost ? awaiting : [];
  if (lost) awaiting = [];
  const lastEvidence = evidence.filter((e) => e.time <= horizon).map((e) => e.time);
  const updatedAt = Math.max(raw.openedAt, raw.resolvedAt ?? Number.NEGATIVE_INFINITY, ...lastEvidence);
  const notes = { pl: '', en: '' };
  if (lateEvent !== undefined) {
    notes.pl += ` Wykryto z opóźnieniem: dane z ${fmtTime(lateEvent.time, 'pl')} dotarły do centrali o ${fmtTime(detectedAt, 'pl')}; czas alarmu jest czasem zdarzenia.`;
    notes.en += ` Found late: data from ${fmtTime(lateEvent.time, 'en')} reached the center at ${fmtTime(detectedAt, 'en')}; the alarm keeps its event time.`;
  }
  if (awaiting.length > 0) {
    const what = awaitingText(awaiting);
    notes.pl += ` Nierozstrzygnięte: ${what.pl}; to może zmienić ocenę.`;
    notes.en += ` Undecided: ${what.en}; this may change the decision.`;
  }
  if (lostList.length > 0) {
    const list = (lang: Lang) => lostList.map((g) => missingWords(g, lang)).join(', ');
    notes.pl += ` Centrala nie otrzymała ${list('pl')} w ciągu godziny od wykrycia: uznane za utracone, ocena na podstawie zapisanych danych.`;
    notes.en += ` The center did not receive ${list('en')} within an hour of detection: taken as lost, decided on the stored data.`;
  }
  const subjectPart = raw.subject === '' ? '-' : raw.subject;
  return {
    id: `${supervisionId}/${raw.rule}/${subjectPart}/${raw.startedAt}`,
    supervisionId,
    rule: raw.rule,
    subject: raw.subject,
    severity: raw.severity,
    cause: raw.cause,
    startedAt: raw.startedAt,
    openedAt: raw.openedAt,
    updatedAt,
    ...(raw.resolvedAt === undefined ? {} : { resolvedAt: raw.resolvedAt }),
    endsBy: raw.endsBy,
    detectedAt,
    late: lateEvent !== undefined,
    undecided: awaiting.length > 0,
    awaiting,
    // The first events (how it began) and the last ones (how it ended) when there are too many.
    evidence: (evidence.length <= MAX_EVIDENCE_REFS
      ? evidence
      : [...evidence.slice(0, MAX_EVIDENCE_REFS - 10), ...evidence.slice(-10)]
    ).map(refOf),
    evidenceCount: evidence.length,
    orderVersionId: raw.segment.version.id,
    clause: raw.clause,
    explanation: { pl: raw.explanation.pl + notes.pl, en: raw.explanation.en + notes.en },
  };
}
