/**
 * The scenario format: a script of device events as plain data (device ids, event kinds, offsets in ms from
 * a start instant) plus the alarms that must and must not result. The unit tests run them through the
 * engine; the simulator can play the same data live against a running center.
 */
import type { Obligation, SupervisionKind } from '../../court-order.js';
import type {
  AlarmRule,
  AlarmSeverity,
  AssignedDevices,
  Bilingual,
  EngineEventBody,
  EngineEventKind,
  EngineSettingsOverride,
} from '../types.js';

/** One scripted device event. */
export interface ScenarioEvent {
  /** Event time, ms after the scenario start. */
  readonly at: number;
  /** The unit that records it. */
  readonly deviceId: string;
  /** Event kind (protocol v1). */
  readonly kind: EngineEventKind;
  /** Kind-specific fields. */
  readonly body?: EngineEventBody;
  /** Arrival at the center, ms after the start (default: `at` + 1 s, or the upload of an offline span). */
  readonly receivedAt?: number;
  /** True: recorded by the unit (it takes a seq) but never received by the center during the run. */
  readonly withheld?: boolean;
  /**
   * True: sent under the sequence number of the unit's previous event, with its own content (a unit that
   * reused a number): the center refuses it (`seq_reused`, protocol §4), so the engine never sees it.
   */
  readonly reusesSeq?: boolean;
}

/**
 * A unit whose clock is off until it syncs (protocol v1.1 §3.1): it stamps events `offsetMs` off the
 * center's clock before `syncAt`, and on the center's clock from then on. Events stamped before the sync
 * and sent after it carry the step (`adj`); the center must date every event at its scripted time.
 */
export interface ScenarioClock {
  /** The unit. */
  readonly deviceId: string;
  /** Device clock minus center clock before the sync, ms. */
  readonly offsetMs: number;
  /** When the unit syncs, ms after start. */
  readonly syncAt: number;
}

/** A unit's regular heartbeats. */
export interface ScenarioHeartbeats {
  /** The unit. */
  readonly deviceId: string;
  /** Interval, ms. */
  readonly everyMs: number;
  /** First heartbeat, ms after start. */
  readonly from: number;
  /** No heartbeat at or after this. */
  readonly to: number;
  /** Battery percent reported (default 90). */
  readonly battery?: number;
  /** Power source reported (default mains for home units, battery otherwise). */
  readonly power?: 'mains' | 'battery';
}

/** A walk: location fixes every `everyMs` along straight legs between waypoints. */
export interface ScenarioTrack {
  /** The unit reporting fixes. */
  readonly deviceId: string;
  /** Interval between fixes, ms. */
  readonly everyMs: number;
  /** Waypoints; the first and last `at` bound the track. */
  readonly path: readonly { readonly at: number; readonly lat: number; readonly lon: number }[];
  /** Reported accuracy (radius, m). */
  readonly acc: number;
  /** Gaussian position noise, metres (deterministic, seeded). */
  readonly noiseMeters?: number;
  /** Seed of the noise. */
  readonly seed?: number;
}

/** A span in which a unit keeps recording but cannot reach the center; its events arrive at `uploadAt`. */
export interface ScenarioOffline {
  /** The unit. */
  readonly deviceId: string;
  /** Start of the outage, ms after start. */
  readonly from: number;
  /** End of the outage. */
  readonly to: number;
  /** When the buffered events arrive (default: `to`). */
  readonly uploadAt?: number;
}

/** A span in which a unit is off: it records nothing (generated heartbeats and fixes are dropped). */
export interface ScenarioOff {
  /** The unit. */
  readonly deviceId: string;
  /** From, ms after start. */
  readonly from: number;
  /** To. */
  readonly to: number;
}

/** A configuration version with its start as an offset. */
export interface ScenarioVersion {
  /** Version id. */
  readonly id: string;
  /** Order reference for explanations. */
  readonly orderRef: string;
  /** In force from, ms after start (may be negative: in force before the script begins). */
  readonly validFrom: number;
  /** Kinds of monitoring. */
  readonly supervisionKinds: readonly SupervisionKind[];
  /** Obligations. */
  readonly obligations: readonly Obligation[];
  /** Devices. */
  readonly devices: AssignedDevices;
  /** Overrides. */
  readonly settings?: EngineSettingsOverride;
}

/** One supervision in a scenario. */
export interface ScenarioSupervision {
  /** Id (unique in the corpus). */
  readonly supervisionId: string;
  /** Region. */
  readonly regionId: string;
  /** Versions. */
  readonly versions: readonly ScenarioVersion[];
}

/** An alarm that MUST result. */
export interface ExpectedAlarm {
  /** The supervision. */
  readonly supervisionId: string;
  /** The rule. */
  readonly rule: AlarmRule;
  /** Approximate opening, ms after start. */
  readonly openedAt: number;
  /** Allowed deviation of `openedAt`, ms. */
  readonly toleranceMs: number;
  /** Approximate start of the condition (`startedAt`, same tolerance), where the dating is the point. */
  readonly startedAt?: number;
  /** Approximate resolution (same tolerance); `null`: must still be open at the end. */
  readonly resolvedAt?: number | null;
  /** Expected late flag. */
  readonly late?: boolean;
  /** Expected severity. */
  readonly severity?: AlarmSeverity;
  /** Expected cause. */
  readonly cause?: string;
  /** Expected undecided flag. */
  readonly undecided?: boolean;
}

/** Alarms that MUST NOT result: no episode of `rule` opening within `[from, to]` (default: the whole run). */
export interface ForbiddenAlarm {
  /** The supervision. */
  readonly supervisionId: string;
  /** The rule; `*` for any rule. */
  readonly rule: AlarmRule | '*';
  /** From, ms after start. */
  readonly from?: number;
  /** To, ms after start. */
  readonly to?: number;
  /** Why it must not (shown on failure). */
  readonly why: string;
}

/** An infrastructure incident that must result. */
export interface ExpectedIncident {
  /** Region. */
  readonly regionId: string;
  /** Kind. */
  readonly kind: 'power_outage' | 'network_outage';
  /** At least this many supervisions linked. */
  readonly minSupervisions: number;
}

/** A scripted scenario. */
export interface Scenario {
  /** Stable id, e.g. `presence-late-return`. */
  readonly id: string;
  /** Title. */
  readonly title: Bilingual;
  /** Rules it exercises. */
  readonly covers: readonly AlarmRule[];
  /** The start instant (center clock, ms since epoch). */
  readonly startUtcMs: number;
  /** Length of the run: `now` is start + this. */
  readonly durationMs: number;
  /** Supervisions. */
  readonly supervisions: readonly ScenarioSupervision[];
  /** Single events. */
  readonly events: readonly ScenarioEvent[];
  /** Regular heartbeats. */
  readonly heartbeats?: readonly ScenarioHeartbeats[];
  /** Location tracks. */
  readonly tracks?: readonly ScenarioTrack[];
  /** Link outages (events buffered, uploaded later). */
  readonly offline?: readonly ScenarioOffline[];
  /** Units off. */
  readonly off?: readonly ScenarioOff[];
  /** Units whose clocks are off until a sync (only the live player stamps them so; the engine sees center time). */
  readonly clocks?: readonly ScenarioClock[];
  /** Must result. */
  readonly expect: readonly ExpectedAlarm[];
  /** Must not result. */
  readonly forbid: readonly ForbiddenAlarm[];
  /** True: no episode beyond `expect` may result. */
  readonly exhaustive?: boolean;
  /** Incidents that must result. */
  readonly incidents?: readonly ExpectedIncident[];
}
