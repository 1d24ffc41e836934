/**
 * The compliance engine's inputs and outputs (issue 4, T4.3). Everything here is plain data: the center
 * reads it from the database, the engine computes, the center persists what comes out.
 * Times are center-clock milliseconds since the Unix epoch (device time corrected by the measured offset).
 */
import type { Obligation, SupervisionKind } from '../court-order.js';

/** Text in Polish (the language of the court file) and English. */
export interface Bilingual {
  /** Polish. */
  readonly pl: string;
  /** English. */
  readonly en: string;
}

/** Event kinds of SDE device protocol v1 (docs/protocol.md §3). */
export type EngineEventKind =
  | 'heartbeat'
  | 'tx_in_range'
  | 'tx_out_of_range'
  | 'tx_strap_tamper'
  | 'tx_case_tamper'
  | 'tx_battery_low'
  | 'unit_case_tamper'
  | 'unit_moved'
  | 'unit_power_lost'
  | 'unit_power_restored'
  | 'unit_battery_low'
  | 'location'
  | 'proximity_tx_heard'
  | 'proximity_tx_lost'
  | 'message_read'
  | 'fault';

/** The kind-specific fields of an event (as the protocol sends them); fields a kind lacks are absent. */
export interface EngineEventBody {
  /** The transmitter concerned (tx_* and proximity_* kinds). */
  readonly tx?: string;
  /** Received signal strength, dBm. */
  readonly rssi?: number;
  /** Battery, percent (heartbeat, tx_battery_low, unit_battery_low). */
  readonly battery?: number;
  /** Network signal, percent (heartbeat). */
  readonly signal?: number;
  /** Power source (heartbeat). */
  readonly power?: 'mains' | 'battery';
  /** Latitude, WGS 84 degrees (location). */
  readonly lat?: number;
  /** Longitude, WGS 84 degrees (location). */
  readonly lon?: number;
  /** Radius of the error circle, metres (location). */
  readonly acc?: number;
  /** Source of the fix (location). */
  readonly src?: 'gps' | 'cell' | 'wifi';
  /** Fault code (fault). */
  readonly code?: string;
  /** Fault detail (fault). */
  readonly detail?: string;
  /** Command id (message_read). */
  readonly msg?: string;
  /**
   * Protocol v1.1 heartbeat: the paired transmitters' state as the unit sees it at that heartbeat (at most
   * 4). `inRange: false` confirms an absence at the heartbeat's time, `inRange: true` a presence (ADR 0501); the battery rules read `battery` as
   * a transmitter battery report (ADR 0502).
   */
  readonly txs?: readonly TxState[];
}

/** One paired transmitter's state in a v1.1 heartbeat. */
export interface TxState {
  /** The transmitter. */
  readonly tx: string;
  /** Whether the unit hears it. */
  readonly inRange: boolean;
  /** Its battery, percent, when the unit knows it. */
  readonly battery?: number;
}

/** One device event as stored by the ledger, already normalised and offset-corrected. */
export interface EngineEvent {
  /** The unit that recorded it. */
  readonly deviceId: string;
  /** Per-device sequence number (contiguous from 1). */
  readonly seq: number;
  /** What happened. */
  readonly kind: EngineEventKind;
  /** When it happened, center clock (device time + measured offset). */
  readonly time: number;
  /** When the center first received it (center clock). */
  readonly receivedAt: number;
  /** Kind-specific fields. */
  readonly body: EngineEventBody;
}

/** A reference to one stored event: the evidence an alarm points to. */
export interface EvidenceRef {
  /** The unit. */
  readonly deviceId: string;
  /** Its sequence number. */
  readonly seq: number;
  /** The event kind. */
  readonly kind: EngineEventKind;
  /** Event time. */
  readonly time: number;
  /** Arrival time. */
  readonly receivedAt: number;
}

/** A unit assigned to the supervision and how often it must report (its heartbeat interval). */
export interface AssignedUnit {
  /** The unit's id. */
  readonly deviceId: string;
  /** Reporting interval, ms: a report later than this (plus grace) is missing. */
  readonly reportIntervalMs: number;
}

/** The devices serving the supervision while a version is in force. */
export interface AssignedDevices {
  /** The transmitter (tag) worn by the person. */
  readonly transmitterId: string;
  /** The stationary (home) unit, for a stay-at-place obligation. */
  readonly homeUnit?: AssignedUnit;
  /** The portable unit carried by the person (mobile monitoring, location fixes). */
  readonly portableUnit?: AssignedUnit;
  /** The protected person's unit (restraining order). */
  readonly protectedUnit?: AssignedUnit;
}

/** Settings of the curfew / presence rule (stay at the place outside the away windows). */
export interface PresenceSettings {
  /** An absence while required shorter than this raises nothing (late by a few minutes). */
  readonly graceMs: number;
  /** An in-range spell shorter than this does not end an absence (range-border hysteresis). */
  readonly returnHoldMs: number;
}

/** Settings of the "at most 12 hours away in a calendar day" rule (R4). */
export interface DailyLimitSettings {
  /** Longest total absence in one Warsaw calendar day. */
  readonly maxAwayMs: number;
  /** Tolerance beyond `maxAwayMs` before an alarm. */
  readonly graceMs: number;
}

/** Settings of exclusion and inclusion zones. */
export interface ZoneSettings {
  /** Extra time after confirmation before an alarm (0: at once). */
  readonly graceMs: number;
  /** Consecutive deciding fixes inside (exclusion) / outside (inclusion) to open. */
  readonly enterFixes: number;
  /** Consecutive deciding fixes on the good side to resolve. */
  readonly exitFixes: number;
  /** A fix decides only if its error circle plus this margin is on one side of the border. */
  readonly marginMeters: number;
  /** A fix implying a faster move than this from the last accepted fix is an outlier until confirmed. */
  readonly maxSpeedMps: number;
}

/** Settings of the proximity (restraining order) rule. */
export interface ProximitySettings {
  /** Extra time before an alarm (0: at once: the protected person is in danger). */
  readonly graceMs: number;
  /** A spell of distance shorter than this does not end an episode. */
  readonly resolveHoldMs: number;
  /** A location fix older than this does not count for the two-track comparison. */
  readonly stalenessMs: number;
  /** Consecutive deciding track comparisons to open or to resolve. */
  readonly pairFixes: number;
}

/** Settings of the communication-loss rule. */
export interface CommunicationSettings {
  /** How many reporting intervals may pass without a report. */
  readonly missedReports: number;
  /** Tolerance for network delay after the missed reports. */
  readonly graceMs: number;
}

/** Settings of the location-loss rule (portable unit alive but without a usable fix). */
export interface LocationLossSettings {
  /** No usable fix for this long is a loss. */
  readonly lossAfterMs: number;
  /** A fix with a larger error circle is not usable. */
  readonly usableAccuracyMeters: number;
}

/** Settings of the equipment rules. */
export interface EquipmentSettings {
  /** Repeats of the same equipment event within this span belong to one episode. */
  readonly coalesceMs: number;
  /** Battery at or below this percent is critical (serious). */
  readonly batteryCriticalPercent: number;
  /** Battery at or above this percent (or mains power) ends a unit battery episode. */
  readonly batteryRecoveredPercent: number;
}

/** Every tunable of the engine; orders may override any part. */
export interface EngineSettings {
  /** Curfew / presence. */
  readonly presence: PresenceSettings;
  /** 12 h per day. */
  readonly dailyLimit: DailyLimitSettings;
  /** Zones. */
  readonly zones: ZoneSettings;
  /** Proximity. */
  readonly proximity: ProximitySettings;
  /** Communication loss. */
  readonly communication: CommunicationSettings;
  /** Location loss. */
  readonly location: LocationLossSettings;
  /** Equipment. */
  readonly equipment: EquipmentSettings;
  /** An alarm whose evidence reached the center more than this after it opened is marked late. */
  readonly lateThresholdMs: number;
}

/** A partial override of {@link EngineSettings}, per rule. */
export type EngineSettingsOverride = {
  readonly [K in keyof EngineSettings]?: EngineSettings[K] extends object
    ? Partial<EngineSettings[K]>
    : EngineSettings[K];
};

/**
 * One version of the configuration the engine applies: a court-order version (its obligations) together
 * with the devices assigned while it is in force. A device swap is a new version with the same obligations.
 */
export interface EngineOrderVersion {
  /** Stable id of this configuration version (e.g. `order-17@v2/devices-3`). */
  readonly id: string;
  /** Order reference for explanations, e.g. `III Kow 456/25, wersja 2`. */
  readonly orderRef: string;
  /** The instant from which it applies (until the next version's). */
  readonly validFromUtcMs: number;
  /** Kinds of monitoring ordered. */
  readonly supervisionKinds: readonly SupervisionKind[];
  /** The obligations (the domain's court-order type). */
  readonly obligations: readonly Obligation[];
  /** The devices assigned. */
  readonly devices: AssignedDevices;
  /** Per-order overrides of the defaults. */
  readonly settings?: EngineSettingsOverride;
}

/** The configuration timeline of one supervision. */
export interface SupervisionTimeline {
  /** The supervision's id. */
  readonly supervisionId: string;
  /** Its region (T4.5), for infrastructure correlation. */
  readonly regionId: string;
  /** Versions, any order (sorted by `validFromUtcMs` inside); the first one is the activation (R6). */
  readonly versions: readonly EngineOrderVersion[];
  /** When monitoring ended (sentence served or revoked), if it has. */
  readonly endsAtUtcMs?: number;
}

/** What the ledger knows about one device's sequence numbers. */
export interface DeviceSeqProgress {
  /** The device. */
  readonly deviceId: string;
  /** Highest seq such that every seq up to it is stored (the acknowledged mark). */
  readonly contiguousSeq: number;
  /** Highest seq stored. */
  readonly highestSeq: number;
}

/** Everything the engine needs to evaluate one supervision. */
export interface SupervisionInput {
  /** The configuration timeline. */
  readonly timeline: SupervisionTimeline;
  /** The events of every device of the supervision (duplicates allowed, any order). */
  readonly events: readonly EngineEvent[];
  /** Sequence knowledge per device; devices not listed are taken as having no gaps. */
  readonly progress?: readonly DeviceSeqProgress[];
  /** The current instant, center clock. */
  readonly now: number;
  /**
   * Evaluation checkpoint: episodes wholly over before it are left out (already final in the database).
   * Events from `from - ENGINE_LOOKBACK_MS` on, plus the carry-in events ({@link selectEvaluationWindow}), suffice.
   */
  readonly from?: number;
}

/** The rules, one per kind of alarm. */
export type AlarmRule =
  | 'presence'
  | 'daily_away_limit'
  | 'exclusion_zone'
  | 'inclusion_zone'
  | 'proximity'
  | 'strap_tamper'
  | 'case_tamper'
  | 'unit_moved'
  | 'tx_battery_low'
  | 'unit_battery_low'
  /** Retired (ADR 0502): a critical battery raises the severity of its `tx_battery_low` / `unit_battery_low` episode. */
  | 'battery_critical'
  | 'unit_power'
  | 'device_fault'
  | 'communication_loss'
  | 'location_loss';

/** Alarm severity (critical: an immediate patrol may be needed, B5). */
export type AlarmSeverity = 'critical' | 'serious' | 'informational';

/**
 * What an undecided episode waits for (ADR 0501): `sequence` — numbers the center has not received (`fromSeq`
 * to `toSeq`); `silence` — the unit recorded nothing from `fromTime` to `toTime` (switched off, or silent now
 * when `toSeq` is null), so it observed nothing then; `next_report` — the unit has not reported since
 * `fromTime` yet (its next report decides).
 */
export type AwaitingKind = 'sequence' | 'silence' | 'next_report';

/** A run of sequence numbers the center has not received yet, and the span of time it may cover. */
export interface SeqGap {
  /** What is missing (absent: `sequence`, or `silence` when `toSeq` is null). */
  readonly kind?: AwaitingKind;
  /** The device. */
  readonly deviceId: string;
  /** First missing seq. */
  readonly fromSeq: number;
  /** Last missing seq; null when open-ended: the unit is silent and anything after `fromSeq - 1` may come. */
  readonly toSeq: number | null;
  /** Event time of the stored event just before the gap (or -Infinity when unknown). */
  readonly fromTime: number;
  /** Event time of the stored event just after the gap. */
  readonly toTime: number;
}

/**
 * One alarm episode: a violation from its start to its end, never one alarm per event.
 * Its `id` depends only on the supervision, the rule, the subject and the start, so the center upserts it.
 */
export interface AlarmEpisode {
  /** Deterministic identity: `supervision/rule/subject/startedAt`. */
  readonly id: string;
  /** The supervision. */
  readonly supervisionId: string;
  /** The rule broken. */
  readonly rule: AlarmRule;
  /** What within the rule: a zone id, a device id, a date; empty when the rule has one subject. */
  readonly subject: string;
  /** Severity. */
  readonly severity: AlarmSeverity;
  /** A finer cause, e.g. `left_when_required`, `absent_at_required_start`. */
  readonly cause: string;
  /** Event time at which the violating condition began. */
  readonly startedAt: number;
  /** Event time at which the alarm is raised (after grace or confirmation). */
  readonly openedAt: number;
  /** Event time of the latest evidence or change. */
  readonly updatedAt: number;
  /** Event time at which the condition ended; absent while it lasts or until an operator closes it. */
  readonly resolvedAt?: number;
  /** `condition`: the engine resolves it; `operator`: only a person can close it (tamper, fault). */
  readonly endsBy: 'condition' | 'operator';
  /** The earliest center time at which the alarm could be known (all its opening evidence received). */
  readonly detectedAt: number;
  /** True when found from data that arrived after it happened (beyond the late threshold). */
  readonly late: boolean;
  /** True while missing sequence numbers could change whether it happened. */
  readonly undecided: boolean;
  /** The gaps it waits for. */
  readonly awaiting: readonly SeqGap[];
  /** The evidence events, in time order (capped; see `evidenceCount`). */
  readonly evidence: readonly EvidenceRef[];
  /** How many evidence events there were in all. */
  readonly evidenceCount: number;
  /** The configuration version in force when it opened. */
  readonly orderVersionId: string;
  /** The clause of the order broken, e.g. "harmonogram: poniedziałek 08:00–16:00 praca". */
  readonly clause: Bilingual;
  /** The explanation: rule, clause, evidence and times. */
  readonly explanation: Bilingual;
  /** Set by {@link correlateIncidents}: the infrastructure incident this episode belongs to. */
  readonly incidentId?: string;
}

/** The engine's answer for one supervision. */
export interface SupervisionEvaluation {
  /** The supervision. */
  readonly supervisionId: string;
  /** Its region. */
  readonly regionId: string;
  /** The `now` evaluated at. */
  readonly now: number;
  /** All episodes (open and resolved), sorted by start then id. */
  readonly episodes: readonly AlarmEpisode[];
  /**
   * The next instant after `now` at which, with no new data, an episode may open or change (a grace period
   * ends, a curfew begins, a report becomes overdue). Set one timer for it; undefined: nothing is due.
   */
  readonly nextDueAt: number | undefined;
  /** Sequence gaps of the supervision's devices: the decisions they cover are provisional. */
  readonly awaiting: readonly SeqGap[];
  /** Location fixes set aside as impossible jumps (flagged, not deleted). */
  readonly suppressedFixes: readonly EvidenceRef[];
  /**
   * Ids of undecided episodes left out because their time limit passed with no data deciding them
   * (ADR 0501): the center withdraws them with that reason, not "disproved by data received later".
   */
  readonly expired?: readonly string[];
}
