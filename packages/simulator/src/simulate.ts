/** `simulate`: the entry point the CLI calls to run a fleet for a while and report what reached the center. */
import type { BehaviourOptions } from './behaviour.js';
import type { DeviceCredentials } from './credentials.js';
import { Fleet, type FleetOptions, type ScriptedEvent } from './fleet.js';
import type { LatencySummary } from './histogram.js';
import type { JournalOptions } from './journal.js';

/** What to simulate. */
export interface SimulateOptions {
  credentials: DeviceCredentials[];
  /** Broker URL of the center. */
  mqttUrl: string;
  /** How long the devices generate events, in seconds (Infinity: until `signal` aborts). */
  durationSec: number;
  /**
   * After the duration, keep the devices connected (reconnecting forever, e.g. while the center restarts)
   * until the center has acknowledged every event. Otherwise wait `graceSec` for acks and return.
   */
  untilAcked?: boolean;
  /** The fleet's memory; running again with the same directory resumes the devices. */
  stateDir: string;
  /** Load mode: events per second per device. */
  rate?: number;
  /** Seconds to wait for acks after the duration when not `untilAcked` (default 5). */
  graceSec?: number;
  /** Stops the run early: generation ends and the fleet disconnects without waiting for acks. */
  signal?: AbortSignal;
  /** Called about every `progressEveryMs` (default 1000) with the counts so far. */
  onProgress?: (progress: SimulateResult) => void;
  progressEveryMs?: number;
  behaviour?: Partial<BehaviourOptions>;
  journal?: JournalOptions;
  connectRatePerSec?: number;
  clockSkewMs?: FleetOptions['clockSkewMs'];
  seed?: number;
  device?: FleetOptions['device'];
  log?: (line: string) => void;
  /** Events recorded on given devices at given times after the start (a demo's choreography). */
  script?: readonly ScriptedEvent[];
}

/**
 * The outcome, cumulative over the state directory (a resumed run counts the events of earlier runs too, so
 * the numbers match what the center has stored from these devices).
 */
export interface SimulateResult {
  devices: number;
  /** Distinct events produced and published at least once. */
  sent: number;
  /** Events acknowledged by the center. */
  acked: number;
  /** sent − acked. */
  pending: number;
  /** Events recorded in the devices' memory (published or not). */
  recorded: number;
  /** Publish→ack latency of the batches first published in this run. */
  latency: LatencySummary;
  retransmissions: number;
  refusals: number;
  /** Wall time of the run in ms. */
  elapsedMs: number;
}

/** Runs a fleet: generate for `durationSec`, then wait for acknowledgements, then disconnect. */
export async function simulate(options: SimulateOptions): Promise<SimulateResult> {
  const started = Date.now();
  const fleet = await Fleet.start({
    credentials: options.credentials,
    mqttUrl: options.mqttUrl,
    stateDir: options.stateDir,
    ...(options.rate !== undefined ? { rate: options.rate } : {}),
    ...(options.behaviour ? { behaviour: options.behaviour } : {}),
    ...(options.journal ? { journal: options.journal } : {}),
    ...(options.connectRatePerSec !== undefined ? { connectRatePerSec: options.connectRatePerSec } : {}),
    ...(options.clockSkewMs !== undefined ? { clockSkewMs: options.clockSkewMs } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.device ? { device: options.device } : {}),
    ...(options.log ? { log: options.log } : {}),
    ...(options.script ? { script: options.script } : {}),
  });
  const result = (): SimulateResult => {
    const counts = fleet.counts();
    const stats = fleet.stats();
    return {
      devices: counts.devices,
      sent: counts.sent,
      acked: counts.acked,
      pending: counts.pending,
      recorded: counts.recorded,
      latency: stats.latency,
      retransmissions: stats.retransmissions,
      refusals: stats.refusals,
      elapsedMs: Date.now() - started,
    };
  };
  const progress = options.onProgress
    ? setInterval(() => options.onProgress?.(result()), options.progressEveryMs ?? 1000)
    : undefined;
  try {
    await sleep(options.durationSec * 1000, options.signal);
    fleet.stopGenerating();
    await fleet.journal.flush();
    if (!options.signal?.aborted) {
      const deadline = options.untilAcked
        ? Number.POSITIVE_INFINITY
        : Date.now() + (options.graceSec ?? 5) * 1000;
      while (!fleet.allAcked() && Date.now() < deadline && !options.signal?.aborted) {
        await sleep(Math.min(100, deadline - Date.now()), options.signal);
      }
    }
    return result();
  } finally {
    clearInterval(progress);
    await fleet.stop();
  }
}

/** Waits `ms` (forever for Infinity), or less when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    // Node timers hold at most ~24.8 days; longer waits (Infinity) end only on abort.
    const timer = Number.isFinite(ms) && ms < 2 ** 31 - 1 ? setTimeout(done, ms) : undefined;
    signal?.addEventListener('abort', done, { once: true });
  });
}
