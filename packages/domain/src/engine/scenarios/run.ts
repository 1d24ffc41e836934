/**
 * Expands a scenario's plain data into device events and engine inputs, runs it, and checks the result
 * against the scenario's expectations. The center's live test uses `expandScenarioEvents` to drive
 * simulated devices and `checkScenario` on what the center raised.
 */
import { fmtTime } from '../core.js';
import type { CorrelationResult } from '../correlate.js';
import { correlateIncidents } from '../correlate.js';
import { evaluateSupervision } from '../evaluate.js';
import type {
  AlarmEpisode,
  DeviceSeqProgress,
  EngineEvent,
  SupervisionInput,
  SupervisionTimeline,
} from '../types.js';
import type { Scenario, ScenarioSupervision } from './model.js';

/** A deterministic PRNG (mulberry32), so generated noise is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A standard normal sample from a uniform source (Box–Muller). */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  const v = rand();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

const M_PER_DEG_LAT = 111_195;

/** Moves a point by metres north and east. */
export function offsetMeters(
  lat: number,
  lon: number,
  north: number,
  east: number,
): { lat: number; lon: number } {
  return {
    lat: lat + north / M_PER_DEG_LAT,
    lon: lon + east / (M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180)),
  };
}

/** A scenario event with absolute times and its sequence number, plus whether the center ever gets it. */
export interface ScriptedEvent extends EngineEvent {
  /** False for withheld sequence numbers. */
  readonly delivered: boolean;
  /** True for an event sent under a reused number (`reusesSeq`): the center refuses it. */
  readonly refused?: boolean;
}

/** Every event of the scenario, absolute times, numbered per device in event-time order. */
export function expandScenarioEvents(s: Scenario): ScriptedEvent[] {
  type Draft = Omit<EngineEvent, 'seq' | 'time' | 'receivedAt'> & {
    at: number;
    receivedAt?: number;
    order: number;
    /** Recorded, never delivered during the run. */
    withheld?: boolean;
    /** Sent under the previous event's number. */
    reusesSeq?: boolean;
  };
  const drafts: Draft[] = [];
  let order = 0;
  for (const e of s.events) {
    drafts.push({
      deviceId: e.deviceId,
      kind: e.kind,
      body: e.body ?? {},
      at: e.at,
      ...(e.receivedAt === undefined ? {} : { receivedAt: e.receivedAt }),
      ...(e.withheld === true ? { withheld: true } : {}),
      ...(e.reusesSeq === true ? { reusesSeq: true } : {}),
      order: order++,
    });
  }
  for (const h of s.heartbeats ?? []) {
    for (let t = h.from; t < h.to; t += h.everyMs) {
      drafts.push({
        deviceId: h.deviceId,
        kind: 'heartbeat',
        body: { battery: h.battery ?? 90, signal: 70, power: h.power ?? 'mains' },
        at: t,
        order: order++,
      });
    }
  }
  for (const tr of s.tracks ?? []) {
    const rand = seededRandom(tr.seed ?? 1);
    const first = tr.path[0];
    const last = tr.path[tr.path.length - 1];
    if (first === undefined || last === undefined) continue;
    for (let t = first.at; t <= last.at; t += tr.everyMs) {
      let i = 0;
      while (i < tr.path.length - 2 && (tr.path[i + 1] as { at: number }).at <= t) i++;
      const a = tr.path[i] as { at: number; lat: number; lon: number };
      const b = tr.path[i + 1] ?? a;
      const f = b.at === a.at ? 0 : Math.min(1, Math.max(0, (t - a.at) / (b.at - a.at)));
      let lat = a.lat + (b.lat - a.lat) * f;
      let lon = a.lon + (b.lon - a.lon) * f;
      if (tr.noiseMeters !== undefined && tr.noiseMeters > 0) {
        const p = offsetMeters(lat, lon, gaussian(rand) * tr.noiseMeters, gaussian(rand) * tr.noiseMeters);
        lat = p.lat;
        lon = p.lon;
      }
      drafts.push({
        deviceId: tr.deviceId,
        kind: 'location',
        body: { lat, lon, acc: tr.acc, src: 'gps' },
        at: t,
        order: order++,
      });
    }
  }
  const isOff = (d: Draft): boolean =>
    (s.off ?? []).some((o) => o.deviceId === d.deviceId && d.at >= o.from && d.at < o.to);
  const kept = drafts.filter((d) => !isOff(d)).sort((a, b) => a.at - b.at || a.order - b.order);
  const seqs = new Map<string, number>();
  const out: ScriptedEvent[] = [];
  for (const d of kept) {
    const reused = d.reusesSeq === true && (seqs.get(d.deviceId) ?? 0) > 0;
    const seq = (seqs.get(d.deviceId) ?? 0) + (reused ? 0 : 1);
    seqs.set(d.deviceId, seq);
    const outage = (s.offline ?? []).find((o) => o.deviceId === d.deviceId && d.at >= o.from && d.at < o.to);
    const arrival = d.receivedAt ?? (outage ? (outage.uploadAt ?? outage.to) : d.at + 1000);
    out.push({
      deviceId: d.deviceId,
      seq,
      kind: d.kind,
      body: d.body,
      time: s.startUtcMs + d.at,
      receivedAt: s.startUtcMs + arrival,
      delivered: d.withheld !== true,
      ...(reused ? { refused: true } : {}),
    });
  }
  return out;
}

/** The supervision's configuration timeline with absolute times. */
export function scenarioTimeline(s: Scenario, sup: ScenarioSupervision): SupervisionTimeline {
  return {
    supervisionId: sup.supervisionId,
    regionId: sup.regionId,
    versions: sup.versions.map((v) => ({
      id: v.id,
      orderRef: v.orderRef,
      validFromUtcMs: s.startUtcMs + v.validFrom,
      supervisionKinds: v.supervisionKinds,
      obligations: v.obligations,
      devices: v.devices,
      ...(v.settings === undefined ? {} : { settings: v.settings }),
    })),
  };
}

function devicesOf(sup: ScenarioSupervision): Set<string> {
  const ids = new Set<string>();
  for (const v of sup.versions) {
    const d = v.devices;
    for (const u of [d.homeUnit, d.portableUnit, d.protectedUnit]) if (u) ids.add(u.deviceId);
  }
  return ids;
}

/** Options of a run. */
export interface ScenarioRunOptions {
  /** Evaluate at start + this (default: the scenario's duration). */
  readonly nowOffset?: number;
  /** Only events received by start + this (default: `nowOffset`). */
  readonly arrivedBy?: number;
}

/** The engine inputs of every supervision of the scenario, as the center would build them. */
export function scenarioInputs(s: Scenario, options: ScenarioRunOptions = {}): SupervisionInput[] {
  const nowOffset = options.nowOffset ?? s.durationMs;
  const cutoff = s.startUtcMs + (options.arrivedBy ?? nowOffset);
  const now = s.startUtcMs + nowOffset;
  const all = expandScenarioEvents(s);
  const arrived = all.filter((e) => e.delivered && e.refused !== true && e.receivedAt <= cutoff);
  return s.supervisions.map((sup) => {
    const devices = devicesOf(sup);
    const events: EngineEvent[] = arrived
      .filter((e) => devices.has(e.deviceId))
      .map(({ delivered: _d, refused: _r, ...e }) => e);
    const progress: DeviceSeqProgress[] = [];
    for (const id of [...devices].sort()) {
      const seqs = events.filter((e) => e.deviceId === id).map((e) => e.seq);
      if (seqs.length === 0) continue;
      const have = new Set(seqs);
      let contiguous = 0;
      while (have.has(contiguous + 1)) contiguous++;
      progress.push({ deviceId: id, contiguousSeq: contiguous, highestSeq: Math.max(...seqs) });
    }
    return { timeline: scenarioTimeline(s, sup), events, progress, now };
  });
}

/** Runs the scenario through the engine and the correlation. */
export function runScenario(s: Scenario, options: ScenarioRunOptions = {}): CorrelationResult {
  return correlateIncidents(scenarioInputs(s, options).map((i) => evaluateSupervision(i)));
}

function describe(e: AlarmEpisode, start: number): string {
  const rel = (t: number | undefined): string =>
    t === undefined ? 'open' : `+${Math.round((t - start) / 60_000)} min`;
  return `${e.supervisionId}/${e.rule}[${e.subject}] ${e.cause} started ${Math.round((e.startedAt - start) / 1000)} s, opened ${fmtTime(e.openedAt, 'en')} (${rel(e.openedAt)}) resolved ${rel(e.resolvedAt)} late=${e.late} undecided=${e.undecided}`;
}

/** Failures of a run against the scenario's expectations (empty: it passes). */
export function checkScenario(s: Scenario, result: CorrelationResult): string[] {
  const failures: string[] = [];
  const episodes = result.evaluations.flatMap((e) => e.episodes);
  const matched = new Set<string>();
  for (const x of s.expect) {
    const want = s.startUtcMs + x.openedAt;
    const hit = episodes.find(
      (e) =>
        !matched.has(e.id) &&
        e.supervisionId === x.supervisionId &&
        e.rule === x.rule &&
        Math.abs(e.openedAt - want) <= x.toleranceMs &&
        (x.startedAt === undefined ||
          Math.abs(e.startedAt - (s.startUtcMs + x.startedAt)) <= x.toleranceMs) &&
        (x.resolvedAt === undefined ||
          (x.resolvedAt === null
            ? e.resolvedAt === undefined
            : e.resolvedAt !== undefined &&
              Math.abs(e.resolvedAt - (s.startUtcMs + x.resolvedAt)) <= x.toleranceMs)) &&
        (x.late === undefined || e.late === x.late) &&
        (x.severity === undefined || e.severity === x.severity) &&
        (x.cause === undefined || e.cause === x.cause) &&
        (x.undecided === undefined || e.undecided === x.undecided),
    );
    if (hit === undefined) {
      failures.push(
        `missing: ${x.supervisionId}/${x.rule}` +
          `${x.startedAt === undefined ? '' : ` started ≈ +${Math.round(x.startedAt / 1000)} s`}` +
          ` opened ≈ +${Math.round(x.openedAt / 60_000)} min` +
          `${x.resolvedAt === undefined ? '' : x.resolvedAt === null ? ' still open' : ` resolved ≈ +${Math.round(x.resolvedAt / 60_000)} min`}` +
          `${x.late === undefined ? '' : ` late=${x.late}`}${x.cause ? ` cause=${x.cause}` : ''}`,
      );
    } else matched.add(hit.id);
  }
  for (const f of s.forbid) {
    const from = s.startUtcMs + (f.from ?? Number.NEGATIVE_INFINITY);
    const to = s.startUtcMs + (f.to ?? Number.POSITIVE_INFINITY);
    for (const e of episodes) {
      if (e.supervisionId !== f.supervisionId || (f.rule !== '*' && e.rule !== f.rule)) continue;
      if (matched.has(e.id) && f.rule === '*') continue;
      if (e.openedAt >= from && e.openedAt <= to)
        failures.push(`forbidden (${f.why}): ${describe(e, s.startUtcMs)}`);
    }
  }
  if (s.exhaustive) {
    for (const e of episodes)
      if (!matched.has(e.id)) failures.push(`unexpected: ${describe(e, s.startUtcMs)}`);
  }
  for (const x of s.incidents ?? []) {
    const hit = result.incidents.find(
      (i) => i.regionId === x.regionId && i.kind === x.kind && i.supervisionIds.length >= x.minSupervisions,
    );
    if (hit === undefined)
      failures.push(`missing incident: ${x.kind} in ${x.regionId} (≥ ${x.minSupervisions})`);
  }
  return failures;
}

/** All episodes of a run, described one per line (for test failure messages and docs). */
export function describeEpisodes(s: Scenario, result: CorrelationResult): string[] {
  return result.evaluations.flatMap((e) => e.episodes).map((e) => describe(e, s.startUtcMs));
}
