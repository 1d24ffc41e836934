/**
 * A fleet: many simulated units in one process, sharing one journal and one timer. Each unit has its own
 * mqtt.js client (as a real device has its own connection); connects are staggered so thousands of devices
 * do not hit the broker in the same instant, and reconnects back off with jitter.
 */
import type { EventBody } from '@sde/protocol';
import {
  behaviourFor,
  DEFAULT_BEHAVIOUR,
  LoadBehaviour,
  type Behaviour,
  type BehaviourOptions,
} from './behaviour.js';
import type { DeviceCredentials } from './credentials.js';
import { SimDevice, type SimDeviceOptions } from './device.js';
import { LatencyHistogram, type LatencySummary } from './histogram.js';
import { Journal, type JournalOptions } from './journal.js';
import { hash32, seededRandom } from './random.js';

/** How a fleet runs. */
export interface FleetOptions {
  credentials: DeviceCredentials[];
  /** Broker URL of the center, e.g. `mqtt://127.0.0.1:1883`. */
  mqttUrl: string;
  /** Directory of the fleet's journal; without it the devices keep memory only in this process. */
  stateDir?: string;
  /** Journal options (fsync, compaction, retention). */
  journal?: JournalOptions;
  /** Load mode: events per second per device, instead of the realistic behaviour. */
  rate?: number;
  /** Knobs of the realistic behaviour. */
  behaviour?: Partial<BehaviourOptions>;
  /** New connections per second (default 200). */
  connectRatePerSec?: number;
  /** Clock skew of each device in ms, or the bound of a uniform random skew ±N (default ±5000 ms). */
  clockSkewMs?: number | ((id: string) => number);
  /** Seed for repeatable behaviour; default random. */
  seed?: number;
  /** Timer period of the fleet (default 250 ms). */
  tickMs?: number;
  /**
   * Spread each period over this many slots, each device ticking in its own slot (default 1: all devices
   * tick together). Real units are not synchronised; with slots, their reports arrive spread over the period
   * instead of in one burst.
   */
  tickSlots?: number;
  /** Options passed to every device (retransmit timeout, in-flight window, reconnect backoff, …). */
  device?: Partial<
    Pick<
      SimDeviceOptions,
      | 'retransmitMs'
      | 'maxInflight'
      | 'reconnectMinMs'
      | 'reconnectMaxMs'
      | 'keepaliveSec'
      | 'timeSyncEveryMs'
      | 'mqtt'
    >
  >;
  /** Diagnostic log (silent by default). */
  log?: (line: string) => void;
  /**
   * Events to record on given devices at given times after the start, besides their behaviour: a demo's
   * choreography (a strap cut shortly after start, so a new user sees an alarm arrive). Recorded like any
   * other event, so they are journalled, sequenced and retransmitted; skipped once generation stops.
   */
  script?: readonly ScriptedEvent[];
}

/** One scripted event: `body` recorded on `deviceId` `afterSec` seconds after the fleet starts. */
export interface ScriptedEvent {
  afterSec: number;
  deviceId: string;
  body: EventBody;
}

/** Counts of a fleet; cumulative over the state directory's life, not only this process. */
export interface FleetCounts {
  devices: number;
  /** Events recorded in the devices' memory. */
  recorded: number;
  /** Distinct events published at least once. */
  sent: number;
  /** Events the center acknowledged. */
  acked: number;
  /** sent − acked. */
  pending: number;
  /** Devices online now. */
  online: number;
}

/** A running fleet of simulated units. */
export class Fleet {
  readonly devices: SimDevice[] = [];
  /** Publish→ack latency of every batch published for the first time, in ms. */
  readonly latency = new LatencyHistogram();
  private readonly behaviours = new Map<SimDevice, Behaviour>();
  private timer: NodeJS.Timeout | undefined;
  private generating = true;
  private stopped = false;
  private connecting: Promise<void> = Promise.resolve();
  private lastPrune = Date.now();
  private recordErrors = 0;
  /** Scripted events still to record, earliest first. */
  private scripted: { at: number; record: () => void }[] = [];

  private constructor(
    readonly journal: Journal,
    private readonly options: FleetOptions,
  ) {}

  /** Opens the journal, creates the devices and their behaviour, and starts connecting them. */
  static async start(options: FleetOptions): Promise<Fleet> {
    const journal = options.stateDir
      ? await Journal.open(options.stateDir, options.journal)
      : Journal.memory(options.journal);
    const fleet = new Fleet(journal, options);
    try {
      fleet.create();
    } catch (err) {
      await journal.close();
      throw err;
    }
    const slots = Math.max(1, Math.floor(options.tickSlots ?? 1));
    fleet.timer = setInterval(() => fleet.tick(slots), (options.tickMs ?? 250) / slots);
    fleet.connecting = fleet.connectAll();
    return fleet;
  }

  /** The device with id `id`. */
  device(id: string): SimDevice | undefined {
    return this.devices.find((d) => d.id === id);
  }

  /** Stops making new events; retransmission and commands go on. */
  stopGenerating(): void {
    this.generating = false;
  }

  /** Counts over all devices. */
  counts(): FleetCounts {
    const counts: FleetCounts = {
      devices: this.devices.length,
      recorded: 0,
      sent: 0,
      acked: 0,
      pending: 0,
      online: 0,
    };
    for (const device of this.devices) {
      const m = device.memory;
      counts.recorded += m.lastSeq;
      counts.sent += m.published;
      counts.acked += m.acked;
      if (device.online) counts.online++;
    }
    counts.pending = counts.sent - counts.acked;
    return counts;
  }

  /** True when the center has acknowledged every recorded event of every device. */
  allAcked(): boolean {
    return this.devices.every((d) => d.memory.acked >= d.memory.lastSeq);
  }

  /** Summary of retransmissions, refusals and latency. */
  stats(): {
    retransmissions: number;
    refusals: number;
    connects: number;
    recordErrors: number;
    latency: LatencySummary;
  } {
    let retransmissions = 0;
    let refusals = 0;
    let connects = 0;
    for (const d of this.devices) {
      retransmissions += d.stats.retransmissions;
      refusals += d.stats.refusals;
      connects += d.stats.connects;
    }
    return {
      retransmissions,
      refusals,
      connects,
      recordErrors: this.recordErrors,
      latency: this.latency.summary(),
    };
  }

  /** Disconnects every device, writes what is left to the journal and closes it. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.generating = false;
    clearInterval(this.timer);
    await this.connecting;
    await this.journal.flush().catch(() => undefined);
    for (let i = 0; i < this.devices.length; i += 200) {
      await Promise.all(this.devices.slice(i, i + 200).map((d) => d.close({ force: true })));
    }
    await this.journal.close();
  }

  private create(): void {
    const { options } = this;
    const now = Date.now();
    const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
    const behaviourOptions = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
    const seen = new Set<string>();
    const ids = new Set(options.credentials.map((c) => c.id));
    for (const e of options.script ?? [])
      if (!ids.has(e.deviceId)) throw new Error(`the script names device ${e.deviceId}, not in the fleet`);
    for (const credentials of options.credentials) {
      if (seen.has(credentials.id)) throw new Error(`device ${credentials.id} is listed twice`);
      seen.add(credentials.id);
      const random = seededRandom(seed ^ hash32(credentials.id));
      const skew = options.clockSkewMs;
      const clockSkewMs =
        typeof skew === 'function' ? skew(credentials.id) : (2 * random() - 1) * (skew ?? 5000);
      const device = new SimDevice({
        ...options.device,
        ...credentials,
        mqttUrl: options.mqttUrl,
        journal: this.journal,
        clockSkewMs: Math.round(clockSkewMs),
        latency: this.latency,
        autoTick: false,
        ...(options.log ? { log: options.log } : {}),
      });
      const record = (body: Parameters<SimDevice['emit']>[0]): void => {
        device.emit(body).catch((err: unknown) => {
          this.recordErrors++;
          options.log?.(`[${device.id}] could not record ${body.kind}: ${String(err)}`);
        });
      };
      this.devices.push(device);
      for (const e of options.script ?? [])
        if (e.deviceId === credentials.id)
          this.scripted.push({ at: now + e.afterSec * 1000, record: () => record(e.body) });
      this.behaviours.set(
        device,
        options.rate !== undefined && options.rate > 0
          ? new LoadBehaviour(device, options.rate, random, record, now)
          : behaviourFor(device, behaviourOptions, random, record, now),
      );
    }
    this.scripted.sort((a, b) => a.at - b.at);
  }

  private async connectAll(): Promise<void> {
    const perSec = Math.max(1, this.options.connectRatePerSec ?? 200);
    const step = Math.max(1, Math.ceil(perSec / 20));
    for (let i = 0; i < this.devices.length && !this.stopped; i += step) {
      for (const device of this.devices.slice(i, i + step)) void device.connect({ wait: false });
      if (i + step < this.devices.length)
        await new Promise((resolve) => setTimeout(resolve, (1000 * step) / perSec));
    }
  }

  private slot = 0;

  private tick(slots: number): void {
    const now = Date.now();
    const slot = this.slot;
    this.slot = (this.slot + 1) % slots;
    for (let i = slot; i < this.devices.length; i += slots) {
      const device = this.devices[i]!;
      device.tick(now);
      if (this.generating) this.behaviours.get(device)?.tick(now);
    }
    while (this.generating && this.scripted.length > 0 && this.scripted[0]!.at <= now)
      this.scripted.shift()!.record();
    if (now - this.lastPrune > 60_000) {
      this.lastPrune = now;
      this.journal.prune(now);
    }
  }
}
