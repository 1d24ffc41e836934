/**
 * The truth benchmark's data (issue 19 item 5, ADR 0505): what a generated person really did, what their
 * units recorded and how it reached the center.
 */
import type { AlarmRule, EngineEvent, SupervisionTimeline } from '@sde/domain';

/** A condition that really held: the engine should raise one episode of `rule` starting at `startedAt`. */
export interface TrueCondition {
  /** The supervision. */
  readonly supervisionId: string;
  /** The rule that should fire. */
  readonly rule: AlarmRule;
  /** When the condition really began (true time, not a unit's clock). */
  readonly startedAt: number;
  /** When it really ended (undefined: at the end of the run, or closed only by an operator). */
  readonly endedAt?: number;
  /** What happened, in words (for the report). */
  readonly what: string;
}

/** One supervision of the generated fleet. */
export interface GeneratedSupervision {
  /** Stationary (home unit and schedule) or mobile (portable unit and exclusion zones). */
  readonly kind: 'stationary' | 'mobile';
  /** The configuration the engine evaluates. */
  readonly timeline: SupervisionTimeline;
  /**
   * Every delivery of an event to the center, any order: `receivedAt` is when this delivery arrived
   * (duplicates are further deliveries of the same `(deviceId, seq)` with a later `receivedAt`), `time` the
   * offset-corrected time the center computes.
   */
  readonly deliveries: readonly EngineEvent[];
  /** The conditions that really held. */
  readonly truth: readonly TrueCondition[];
}

/** Parameters of a generated fleet. */
export interface FleetParams {
  /** Supervisions in the fleet. */
  readonly supervisions: number;
  /** Days each one lives. */
  readonly days: number;
  /** Seed: the same seed gives the same fleet. */
  readonly seed: number;
  /** The instant the month begins (every supervision is activated then). */
  readonly startUtcMs: number;
  /** Heartbeats carry the transmitter's state (`txs`, protocol v1.1). */
  readonly v11: boolean;
  /** Overrides of the generator's rates (`RATES` in generate.ts), e.g. more violations for a smoke test. */
  readonly rates?: Readonly<Record<string, number>>;
}

/** One published change of an episode, as the player saw it. */
export interface PublishedRecord {
  /** Episode id. */
  readonly id: string;
  /** Supervision. */
  readonly supervisionId: string;
  /** Rule. */
  readonly rule: AlarmRule;
  /** Cause as the engine named it. */
  readonly cause: string;
  /** Event-time start. */
  readonly startedAt: number;
  /** Center time it was first published. */
  readonly firstPublishedAt: number;
  /** Ever published with `undecided: false`. */
  everDecided: boolean;
  /** Center time it was withdrawn (the last time, if it came back and went again). */
  withdrawnAt?: number;
  /** Present (not withdrawn) at the end of the run. */
  present: boolean;
  /** Undecided in the last version published. */
  undecidedAtEnd: boolean;
  /** Times it was published as opened (more than 1: withdrawn and opened again). */
  opened: number;
}
