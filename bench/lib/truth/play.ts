/**
 * Plays one generated supervision to the engine as its events would reach the center (by `receivedAt`)
 * and records every published episode change, as the center's runner does
 * (packages/center/src/engine/engine.runner.ts): on an arriving batch and at the engine's `nextDueAt`,
 * evaluate over the checkpointed window, `diffEpisodes` against what was published (the alarm service's
 * `covered` filter), apply.
 *
 * The runner's loop is tied to the database and timers, so the loop is rebuilt here with the same pure
 * calls (ADR 0505). Two departures, both to make 30,000 person-days run in minutes (an evaluation costs
 * about 3 ms, most of it schedule expansion):
 * - routine batches (heartbeats and fixes arriving within the late threshold of their time, with no silence
 *   before them, the same power and a battery above 30 %) are not evaluated on arrival but folded into the
 *   next evaluation, at the latest `foldMs` later. Such data only adds what the rules would have seen
 *   minutes later anyway, so this delays an opening (a zone entry seen in on-time fixes, a location loss)
 *   but cannot create a withdrawal; an episode opened from them and withdrawn by later data within the
 *   fold is not counted as a transient (ADR 0505 says when this matters);
 * - the engine's `nextDueAt` is the earliest of every rule's due instants, and with no routine evaluation
 *   the communication-loss deadline (last arrival + 2 intervals + 30 s) would hide the others. The player
 *   tracks that deadline itself from the arrivals and, when the engine's due instant is that deadline and
 *   an absence may be open (the only state in which the presence rules have due instants), asks a shadow
 *   evaluation without communication deadlines for the other rules' next instant.
 */
import type {
  AlarmEpisode,
  DeviceSeqProgress,
  EngineEvent,
  SupervisionEvaluation,
  SupervisionTimeline,
} from '@sde/domain';
import {
  CARRY_IN_FIXES,
  DEFAULT_ENGINE_SETTINGS,
  diffEpisodes,
  ENGINE_LOOKBACK_MS,
  evaluateSupervision,
} from '@sde/domain';
import type { GeneratedSupervision, PublishedRecord } from './model.js';

/** Options of a play. */
export interface PlayOptions {
  /** The end of the run (center time): arrivals after it are not played; a last evaluation runs at it. */
  readonly end: number;
  /** Longest delay of a routine batch before it is evaluated. */
  readonly foldMs: number;
  /** Evaluate every batch on arrival (no folding, no shadow timers): slow, for checking the shortcuts. */
  readonly exact?: boolean;
}

/** What a play gives. */
export interface PlayResult {
  /** Every episode ever published, with what happened to it. */
  readonly records: PublishedRecord[];
  /** Evaluations run (shadow ones apart). */
  readonly evaluations: number;
  /** Shadow evaluations run for due instants. */
  readonly shadowEvaluations: number;
}

/** Events arriving within this of a batch's first one are one batch (the runner's debounce). */
const DEBOUNCE_MS = 50;
/** Carried-in state is looked for this far before the window, as the runner's SQL does. */
const CARRY_IN_SCAN_MS = 35 * 86_400_000;

/** The alarm service's filter: episodes an evaluation with checkpoint `from` covers. */
function covered(ep: AlarmEpisode, from: number | undefined): boolean {
  if (from === undefined) return true;
  return (
    (ep.resolvedAt === undefined || ep.resolvedAt >= from) &&
    (ep.endsBy === 'condition' || ep.updatedAt >= from)
  );
}

function lowerBound(list: readonly EngineEvent[], time: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as EngineEvent).time < time) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Inserts `e` into a list sorted by time (appends when in order, the common case). */
function insertByTime(list: EngineEvent[], e: EngineEvent): void {
  const last = list[list.length - 1];
  if (last === undefined || last.time <= e.time) {
    list.push(e);
    return;
  }
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as EngineEvent).time <= e.time) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, e);
}

interface UnitState {
  readonly id: string;
  readonly intervalMs: number;
  /** First arrivals in arrival order. */
  readonly arrivals: EngineEvent[];
  lastArrival: number | undefined;
  latestTime: number;
  readonly seqs: Set<number>;
  contiguous: number;
  highest: number;
  lastPower: string | undefined;
  lastTxs: string | undefined;
}

/** Plays one supervision. */
export function playSupervision(sup: GeneratedSupervision, options: PlayOptions): PlayResult {
  const timeline = sup.timeline;
  const version = timeline.versions[0];
  if (version === undefined) return { records: [], evaluations: 0, shadowEvaluations: 0 };
  const first = Math.min(...timeline.versions.map((v) => v.validFromUtcMs));
  const settings = DEFAULT_ENGINE_SETTINGS;
  const commAllowance = (u: UnitState): number =>
    settings.communication.missedReports * u.intervalMs + settings.communication.graceMs;
  const units = new Map<string, UnitState>();
  for (const v of timeline.versions) {
    for (const a of [v.devices.homeUnit, v.devices.portableUnit, v.devices.protectedUnit]) {
      if (a === undefined || units.has(a.deviceId)) continue;
      units.set(a.deviceId, {
        id: a.deviceId,
        intervalMs: a.reportIntervalMs,
        arrivals: [],
        lastArrival: undefined,
        latestTime: Number.NEGATIVE_INFINITY,
        seqs: new Set(),
        contiguous: 0,
        highest: 0,
        lastPower: undefined,
        lastTxs: undefined,
      });
    }
  }
  const shadow: SupervisionTimeline = {
    ...timeline,
    versions: timeline.versions.map((v) => ({
      ...v,
      devices: {
        transmitterId: v.devices.transmitterId,
        ...(v.devices.homeUnit
          ? { homeUnit: { ...v.devices.homeUnit, reportIntervalMs: 365 * 86_400_000 } }
          : {}),
        ...(v.devices.portableUnit
          ? { portableUnit: { ...v.devices.portableUnit, reportIntervalMs: 365 * 86_400_000 } }
          : {}),
        ...(v.devices.protectedUnit
          ? { protectedUnit: { ...v.devices.protectedUnit, reportIntervalMs: 365 * 86_400_000 } }
          : {}),
      },
    })),
  };
  const homeUnit = version.devices.homeUnit?.deviceId;
  const tx = version.devices.transmitterId;
  const hasPresence = version.obligations.some((o) => o.kind === 'stay_at_place');

  // The store: first arrivals by (device, seq), sorted by time, and per carry-in key.
  const seen = new Set<string>();
  const byTime: EngineEvent[] = [];
  const byKey = new Map<string, EngineEvent[]>();
  let lastRange = { time: Number.NEGATIVE_INFINITY, out: false };

  const published = new Map<string, AlarmEpisode>();
  const records = new Map<string, PublishedRecord>();
  let evaluations = 0;
  let shadowEvaluations = 0;
  let lastEval: number | undefined;
  let otherDue: number | undefined;
  let routineNewest: number | undefined;

  const deliveries = [...sup.deliveries]
    .filter((e) => e.receivedAt <= options.end)
    .sort((a, b) => a.receivedAt - b.receivedAt || a.seq - b.seq);

  /** Stores a first arrival; returns whether it could change what the rules decide (see the header). */
  function ingest(e: EngineEvent): boolean {
    const key = `${e.deviceId}\u0000${e.seq}`;
    if (seen.has(key)) return false; // the ledger drops duplicates: no evaluation
    seen.add(key);
    const u = units.get(e.deviceId);
    insertByTime(byTime, e);
    const k = `${e.deviceId}\u0000${e.kind}\u0000${e.body.tx ?? ''}`;
    let list = byKey.get(k);
    if (list === undefined) byKey.set(k, (list = []));
    insertByTime(list, e);
    if (
      e.deviceId === homeUnit &&
      e.body.tx === tx &&
      (e.kind === 'tx_in_range' || e.kind === 'tx_out_of_range')
    ) {
      if (e.time >= lastRange.time) lastRange = { time: e.time, out: e.kind === 'tx_out_of_range' };
    }
    if (u === undefined) return true;
    let significant = false;
    if (e.kind !== 'heartbeat' && e.kind !== 'location') significant = true;
    if (e.receivedAt - e.time > settings.lateThresholdMs) significant = true;
    if (u.lastArrival !== undefined && e.receivedAt - u.lastArrival > commAllowance(u)) significant = true;
    if (u.lastArrival === undefined) significant = true;
    if (e.kind === 'heartbeat') {
      const power = e.body.power;
      if (power !== u.lastPower) significant = true;
      if (power === 'battery' && (e.body.battery ?? 100) <= 30) significant = true;
      u.lastPower = power;
      const txs = (e.body as { txs?: unknown }).txs;
      if (txs !== undefined) {
        const text = JSON.stringify(txs);
        if (text !== u.lastTxs) significant = true;
        u.lastTxs = text;
      }
    }
    u.arrivals.push(e);
    u.lastArrival = Math.max(u.lastArrival ?? Number.NEGATIVE_INFINITY, e.receivedAt);
    u.latestTime = Math.max(u.latestTime, e.time);
    u.seqs.add(e.seq);
    u.highest = Math.max(u.highest, e.seq);
    while (u.seqs.has(u.contiguous + 1)) u.seqs.delete(++u.contiguous);
    return significant;
  }

  /** The events the runner's SQL would read for window start `cut` (engine.repository.ts eventWindow). */
  function window(cut: number): EngineEvent[] {
    const out = byTime.slice(lowerBound(byTime, cut));
    for (const [k, list] of byKey) {
      const i = lowerBound(list, cut);
      const n = k.includes('\u0000location\u0000') ? CARRY_IN_FIXES : 1;
      for (let j = Math.max(0, i - n); j < i; j++) {
        const e = list[j] as EngineEvent;
        if (e.time >= cut - CARRY_IN_SCAN_MS) out.push(e);
      }
    }
    for (const u of units.values()) {
      for (let j = u.arrivals.length - 1; j >= 0; j--) {
        const e = u.arrivals[j] as EngineEvent;
        if (e.time < cut) {
          if (e.time >= cut - CARRY_IN_SCAN_MS) out.push(e);
          break;
        }
      }
    }
    return out;
  }

  function progress(): DeviceSeqProgress[] {
    const out: DeviceSeqProgress[] = [];
    for (const u of units.values())
      if (u.highest > 0) out.push({ deviceId: u.id, contiguousSeq: u.contiguous, highestSeq: u.highest });
    return out;
  }

  function commDeadline(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const u of units.values()) min = Math.min(min, (u.lastArrival ?? first) + commAllowance(u));
    return min;
  }

  function evaluate(now: number, newest: number | undefined): void {
    const openSince = [...published.values()]
      .filter((e) => e.resolvedAt === undefined && e.endsBy === 'condition')
      .reduce((m, e) => Math.min(m, e.startedAt), Number.POSITIVE_INFINITY);
    let from: number | undefined = Math.min(newest ?? Infinity, openSince, lastEval ?? now - 7 * 86_400_000);
    if (from <= first) from = undefined;
    const events = window((from ?? first) - ENGINE_LOOKBACK_MS);
    const p = progress();
    const ev: SupervisionEvaluation = evaluateSupervision({
      timeline,
      events,
      progress: p,
      now,
      ...(from !== undefined ? { from } : {}),
    });
    evaluations++;
    const previous = [...published.values()].filter((e) => covered(e, from));
    const changes = diffEpisodes(
      previous,
      ev.episodes.filter((e) => covered(e, from)),
    );
    for (const c of changes) {
      if (c.type === 'withdrawn') {
        published.delete(c.previous.id);
        const r = records.get(c.previous.id);
        if (r !== undefined) {
          r.present = false;
          r.withdrawnAt = now;
        }
        continue;
      }
      const ep = c.episode;
      published.set(ep.id, ep);
      let r = records.get(ep.id);
      if (r === undefined) {
        r = {
          id: ep.id,
          supervisionId: ep.supervisionId,
          rule: ep.rule,
          cause: ep.cause,
          startedAt: ep.startedAt,
          firstPublishedAt: now,
          everDecided: false,
          present: true,
          undecidedAtEnd: ep.undecided,
          opened: 0,
        };
        records.set(ep.id, r);
      }
      if (c.type === 'opened') r.opened++;
      r.present = true;
      r.everDecided ||= !ep.undecided;
      r.undecidedAtEnd = ep.undecided;
    }
    lastEval = now;
    routineNewest = undefined;
    // Due instants: the engine's, unless it is only the communication deadline the player tracks itself.
    const due = ev.nextDueAt;
    if (options.exact === true || due === undefined || Math.abs(due - commDeadline()) > 1) otherDue = due;
    else if (hasPresence && lastRange.out) {
      const s = evaluateSupervision({
        timeline: shadow,
        events,
        progress: p,
        now,
        ...(from !== undefined ? { from } : {}),
      });
      shadowEvaluations++;
      otherDue = s.nextDueAt;
    } else otherDue = undefined;
  }

  evaluate(first + 1000, undefined);
  let i = 0;
  for (;;) {
    const batchAt = deliveries[i]?.receivedAt ?? Number.POSITIVE_INFINITY;
    const last = lastEval as number;
    const comm = options.exact === true ? Number.POSITIVE_INFINITY : commDeadline();
    const commAt = comm > last ? comm : Number.POSITIVE_INFINITY;
    const dueAt = otherDue !== undefined && otherDue > last ? otherDue : Number.POSITIVE_INFINITY;
    const foldAt = routineNewest !== undefined ? last + options.foldMs : Number.POSITIVE_INFINITY;
    const t = Math.min(batchAt, commAt, dueAt, foldAt);
    if (t > options.end) break;
    if (t === batchAt) {
      let significant = false;
      let newest = Number.POSITIVE_INFINITY;
      let at = batchAt;
      while (i < deliveries.length && (deliveries[i] as EngineEvent).receivedAt - batchAt <= DEBOUNCE_MS) {
        const e = deliveries[i] as EngineEvent;
        if (!seen.has(`${e.deviceId}\u0000${e.seq}`)) newest = Math.min(newest, e.time);
        significant = ingest(e) || significant;
        at = e.receivedAt;
        i++;
      }
      if (!Number.isFinite(newest)) continue; // only duplicates
      if (significant || options.exact === true) evaluate(at, Math.min(newest, routineNewest ?? Infinity));
      else routineNewest = Math.min(routineNewest ?? Infinity, newest);
    } else evaluate(t, routineNewest);
  }
  evaluate(options.end, routineNewest);
  return { records: [...records.values()], evaluations, shadowEvaluations };
}
