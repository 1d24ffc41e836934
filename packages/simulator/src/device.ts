/**
 * One simulated monitoring unit on the network: its MQTT connection, clock, memory and the device side of
 * protocol v1.1 (hello, clock sync, numbered events dated across syncs, acknowledgement, retransmission,
 * commands).
 */
import { EventEmitter } from 'node:events';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  MAX_EVENTS_PER_BATCH,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  clockOffset,
  decodeDownlink,
  downlinkTopic,
  encodeFrame,
  uplinkTopic,
  type CommandMessage,
  type DeviceEvent,
  type DownlinkMessage,
  type EventBody,
  type RefusalMessage,
  type UplinkMessage,
} from '@sde/protocol';
import { MAX_STATIONARY_RANGE_METERS, PORTABLE_RANGE_METERS } from '@sde/domain/law';
import type { LatencyHistogram } from './histogram.js';
import {
  Journal,
  type DeviceMemory,
  type JournalOptions,
  type StoredMessage,
  type UnitKind,
} from './journal.js';

/** Firmware version the simulated units report in `hello`. */
export const SIM_FIRMWARE = 'sde-sim/0.1';

/**
 * Why a unit of `kind` refuses a range of `meters`, or undefined when it accepts it: a home unit's range is
 * confined to the monitoring place (T2.2, at most 200 m), a portable unit's is 200 ± 20 m (T3). The bounds
 * are the domain's; the firmware only enforces them.
 */
export function rangeRefusal(kind: UnitKind, meters: number): string | undefined {
  if (kind === 'home_unit') {
    return meters > MAX_STATIONARY_RANGE_METERS
      ? `a home unit's range is at most ${MAX_STATIONARY_RANGE_METERS} m (T2.2)`
      : undefined;
  }
  const { min, max } = PORTABLE_RANGE_METERS;
  return meters < min || meters > max ? `a portable unit's range is ${min}–${max} m (T3)` : undefined;
}

/** Longest wait between retransmissions while the center makes no progress. */
const MAX_RETRANSMIT_WAIT_MS = 60_000;

/** How a simulated unit connects and behaves on the network. */
export interface SimDeviceOptions {
  id: string;
  secret: string;
  kind: UnitKind;
  /** The paired transmitter (for a protected-person unit: the monitored person's); default `<id>-tx`. */
  tx?: string;
  /** Broker URL, e.g. `mqtt://127.0.0.1:1883`. */
  mqttUrl: string;
  /** The memory to use; a fleet shares one journal. Default: a journal in `stateDir`, or memory only. */
  journal?: Journal;
  /** Directory of the device's own journal when no `journal` is given. */
  stateDir?: string;
  /** Options of the device's own journal. */
  journalOptions?: JournalOptions;
  /** How far the device's clock is off before it syncs, in ms (positive: ahead). */
  clockSkewMs?: number;
  /** Retransmit unacknowledged events after this long without acknowledgement progress (default 4000 ms). */
  retransmitMs?: number;
  /** Largest number of published, unacknowledged events at a time (default 5000). */
  maxInflight?: number;
  /** First reconnect delay, doubled per failure up to `reconnectMaxMs`, with ±50 % jitter (default 500 ms). */
  reconnectMinMs?: number;
  /** Longest reconnect delay (default 10 s). */
  reconnectMaxMs?: number;
  /** Re-sync the clock this often while connected (default 1 h). */
  timeSyncEveryMs?: number;
  /** MQTT keepalive in seconds (default 30). */
  keepaliveSec?: number;
  /** Where publish→ack latencies are recorded. */
  latency?: LatencyHistogram;
  /** Run the device's own timer for retransmission and clock sync (default true; a fleet ticks its devices). */
  autoTick?: boolean;
  /**
   * Protocol revision the unit speaks: `'1.1'` (default) sends `adj` with events stamped before a clock
   * sync; `'1'` behaves as a v1 unit and sends them as stamped.
   */
  protocol?: '1' | '1.1';
  /** Diagnostic log; silent by default. */
  log?: (line: string) => void;
  /** Extra mqtt.js options (tests use them to tune timeouts). */
  mqtt?: Partial<IClientOptions>;
}

/** Counters of one device since it was created in this process. */
export interface SimDeviceStats {
  connects: number;
  batchesPublished: number;
  retransmissions: number;
  refusals: number;
  badDownlinks: number;
  timeSyncs: number;
}

/** Events a SimDevice emits (Node EventEmitter). */
export interface SimDeviceEvents {
  ready: [];
  offline: [];
  ack: [through: number];
  time: [offsetMs: number];
  command: [command: CommandMessage];
  refusal: [refusal: RefusalMessage];
}

/** A simulated monitoring unit; create it with `createSimDevice` or through a fleet. */
export class SimDevice {
  readonly id: string;
  readonly kind: UnitKind;
  readonly tx: string;
  /** The device's memory in the journal: seq counters, retained events, settings and messages. */
  readonly memory: DeviceMemory;
  /** Commands received since the device was created in this process, in arrival order. */
  readonly commands: CommandMessage[] = [];
  /** Refusals received since the device was created in this process. */
  readonly refusals: RefusalMessage[] = [];
  readonly stats: SimDeviceStats = {
    connects: 0,
    batchesPublished: 0,
    retransmissions: 0,
    refusals: 0,
    badDownlinks: 0,
    timeSyncs: 0,
  };

  private readonly secret: string;
  private readonly up: string;
  private readonly down: string;
  private client: MqttClient | undefined;
  private ready = false;
  private stopping = false;
  private sentThrough = 0;
  private lastProgressAt = 0;
  /** Wait before the next retransmission; doubles while the center makes no progress (docs/protocol.md §4). */
  private retransmitWaitMs = 0;
  private readonly batchTimes: { last: number; at: number }[] = [];
  private skewMs: number;
  private offsetMs = 0;
  /**
   * The clock's corrections (protocol v1.1 §3.2, ADR 0504): from which sequence number on events were
   * stamped with which sync correction. Events recorded before this process started are not listed: their
   * stamping clock is unknown here, so they are sent without `adj`.
   */
  private readonly stamps: { fromSeq: number; correction: number }[];
  /** Send `adj` with events stamped before a clock step (protocol v1.1; default true). */
  private readonly sendAdj: boolean;
  private synced = false;
  private timeRequest: number | undefined;
  private lastSyncAt = 0;
  private reconnectAttempts = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private tickTimer: NodeJS.Timeout | undefined;
  private pumpScheduled = false;
  private commandChain: Promise<void> = Promise.resolve();
  private readonly bus = new EventEmitter();
  /** The journal holding the device's memory. */
  readonly journal: Journal;
  private readonly ownsJournal: boolean;

  /** A device whose memory is in `options.journal` (not closed with the device) or in a memory-only journal. */
  constructor(
    private readonly options: SimDeviceOptions,
    ownJournal?: Journal,
  ) {
    this.id = options.id;
    this.kind = options.kind;
    this.secret = options.secret;
    this.tx = options.tx ?? `${options.id}-tx`;
    this.up = uplinkTopic(options.id);
    this.down = downlinkTopic(options.id);
    this.skewMs = options.clockSkewMs ?? 0;
    this.journal = ownJournal ?? options.journal ?? Journal.memory();
    this.ownsJournal = options.journal === undefined;
    this.memory = this.journal.register({
      id: options.id,
      kind: options.kind,
      secret: options.secret,
      tx: this.tx,
    });
    this.stamps = [{ fromSeq: this.memory.lastSeq + 1, correction: 0 }];
    this.sendAdj = options.protocol !== '1';
  }

  /** The device clock in ms since the epoch: the local clock, its skew, and the correction learned by syncing. */
  now(): number {
    return Date.now() + this.skewMs + this.offsetMs;
  }

  /** The correction the last clock sync applied, in ms (0 before the first sync). */
  get clockCorrectionMs(): number {
    return this.offsetMs;
  }

  /** True after the device has synced its clock with the center at least once. */
  get clockSynced(): boolean {
    return this.synced;
  }

  /** True while connected, subscribed and greeted. */
  get online(): boolean {
    return this.ready;
  }

  /** Highest recorded seq. */
  get lastSeq(): number {
    return this.memory.lastSeq;
  }

  /** Highest seq acknowledged by the center. */
  get acked(): number {
    return this.memory.acked;
  }

  /** Events recorded but not yet acknowledged. */
  get unacked(): number {
    return this.memory.lastSeq - this.memory.acked;
  }

  /** Messages the center sent to the unit (T2.5). */
  get messages(): readonly StoredMessage[] {
    return this.memory.settings.messages;
  }

  /** Makes the device's clock drift: sets the skew of its local clock (the sync correction stays). */
  setClockSkew(ms: number): void {
    this.skewMs = ms;
  }

  /**
   * Connects to the broker and keeps reconnecting (with jittered backoff) until `close`. Resolves once the
   * device is connected and has said hello, or at once with `{ wait: false }`.
   */
  async connect(opts: { wait?: boolean } = {}): Promise<void> {
    this.stopping = false;
    if (this.options.autoTick ?? true) {
      this.tickTimer ??= setInterval(() => this.tick(Date.now()), 250);
      this.tickTimer.unref();
    }
    if (!this.client) {
      this.client = mqtt.connect(this.options.mqttUrl, {
        clientId: this.id,
        username: this.id,
        password: this.secret,
        clean: true,
        reconnectPeriod: 0,
        resubscribe: false,
        keepalive: this.options.keepaliveSec ?? 30,
        connectTimeout: 10_000,
        ...this.options.mqtt,
      });
      this.client.on('connect', () => {
        // As a unit's modem would: small frames leave at once, not after Nagle's ~40 ms wait.
        (this.client?.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
        void this.onConnect();
      });
      this.client.on('message', (_topic, payload) => void this.onDownlink(payload));
      this.client.on('close', () => this.onClose());
      this.client.on('error', (err) => this.log(`mqtt error: ${err.message}`));
    }
    if (opts.wait === false || this.ready) return;
    await new Promise<void>((resolve) => this.bus.once('ready', resolve));
  }

  /** Disconnects and stops reconnecting; memory stays in the journal (closed too if the device owns it). */
  async close(opts: { force?: boolean } = {}): Promise<void> {
    this.stopping = true;
    this.ready = false;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.tickTimer);
    this.tickTimer = undefined;
    const client = this.client;
    this.client = undefined;
    if (client) await client.endAsync(opts.force ?? false).catch(() => undefined);
    if (this.ownsJournal) await this.journal.close();
  }

  /**
   * Records an event (written to the journal first) and sends it when the device is online. `t` sets the
   * device time of the event (default: now on the device clock), e.g. to replay something that happened earlier.
   */
  async emit(body: EventBody, opts: { t?: number } = {}): Promise<DeviceEvent> {
    const { event, durable } = this.journal.record(this.memory, body, opts.t ?? this.now());
    await durable;
    this.schedulePump();
    return event;
  }

  /** Records `body` when the device clock reaches `deviceTime` (at once if it already has). */
  async emitAt(deviceTime: number, body: EventBody): Promise<DeviceEvent> {
    // The device's clock can move while it waits (a clock sync corrects its offset): wait again if it is
    // still short, so the event is recorded once that clock has reached the time.
    for (let wait = deviceTime - this.now(); wait > 0; wait = deviceTime - this.now())
      await new Promise((resolve) => setTimeout(resolve, wait));
    return this.emit(body, { t: Math.max(deviceTime, 0) });
  }

  /** Resolves when the center has acknowledged `seq` (default: the last recorded event). */
  async waitForAck(seq = this.memory.lastSeq, timeoutMs = 30_000): Promise<void> {
    if (this.memory.acked >= seq) return;
    await this.waitFor('ack', () => this.memory.acked >= seq, timeoutMs, `ack of seq ${seq}`);
  }

  /** Resolves with the first command (received before or after the call) that matches `match`. */
  async waitForCommand(
    match: (command: CommandMessage) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<CommandMessage> {
    const seen = this.commands.find(match);
    if (seen) return seen;
    let found: CommandMessage | undefined;
    await this.waitFor(
      'command',
      () => {
        found = this.commands.find(match);
        return found !== undefined;
      },
      timeoutMs,
      'a command',
    );
    return found as CommandMessage;
  }

  /** Sends `time_req` and resolves with the correction applied to the clock. */
  async syncClock(timeoutMs = 10_000): Promise<number> {
    const before = this.stats.timeSyncs;
    this.requestTime();
    let offset = 0;
    const listener = (o: number): void => {
      offset = o;
    };
    this.bus.on('time', listener);
    try {
      await this.waitFor('time', () => this.stats.timeSyncs > before, timeoutMs, 'a time answer');
    } finally {
      this.bus.off('time', listener);
    }
    return offset;
  }

  /** The person reads message `id`: the unit marks it read and reports `message_read` (T2.5, T2.7). */
  async readMessage(id: string): Promise<DeviceEvent | undefined> {
    const message = this.memory.settings.messages.find((m) => m.id === id);
    if (!message || message.readAt !== undefined) return undefined;
    message.readAt = this.now();
    await this.journal.saveSettings(this.memory);
    return this.emit({ kind: 'message_read', msg: id });
  }

  /**
   * Periodic work: retransmission after `retransmitMs` without acknowledgement progress, and clock re-sync.
   * A fleet calls it for all its devices from one timer.
   */
  tick(now: number): void {
    if (!this.ready) return;
    const m = this.memory;
    const wait = this.retransmitWaitMs || (this.options.retransmitMs ?? 4000);
    if (this.sentThrough > m.acked && now - this.lastProgressAt > wait) {
      this.log(`no ack progress past ${m.acked} for ${now - this.lastProgressAt} ms: retransmitting`);
      // Back off while the center is slow, so that retransmissions do not add to its backlog.
      this.retransmitWaitMs = Math.min(MAX_RETRANSMIT_WAIT_MS, wait * 2);
      this.stats.retransmissions++;
      this.sentThrough = m.acked;
      this.lastProgressAt = now;
      this.pump();
    }
    if (now - this.lastSyncAt > (this.options.timeSyncEveryMs ?? 3_600_000)) this.requestTime();
  }

  private async onConnect(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.reconnectAttempts = 0;
    this.stats.connects++;
    try {
      await client.subscribeAsync(this.down, { qos: 1 });
    } catch (err) {
      this.log(`subscribe failed: ${(err as Error).message}`);
      client.end(true);
      return;
    }
    if (this.client !== client || !client.connected) return;
    this.send({
      v: PROTOCOL_VERSION,
      type: 'hello',
      dev: this.id,
      ts: this.now(),
      model: this.kind,
      fw: SIM_FIRMWARE,
    });
    this.requestTime();
    this.ready = true;
    // Everything unacknowledged goes again on every connection.
    this.sentThrough = this.memory.acked;
    this.lastProgressAt = Date.now();
    this.emit_('ready');
    this.pump();
  }

  private onClose(): void {
    const wasReady = this.ready;
    this.ready = false;
    this.timeRequest = undefined;
    if (wasReady) this.emit_('offline');
    if (this.stopping || !this.client) return;
    const min = this.options.reconnectMinMs ?? 500;
    const max = this.options.reconnectMaxMs ?? 10_000;
    const base = Math.min(max, min * 2 ** Math.min(this.reconnectAttempts, 20));
    this.reconnectAttempts++;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(
      () => {
        if (!this.stopping && this.client && !this.client.connected) this.client.reconnect();
      },
      base * (0.5 + Math.random()),
    );
  }

  private async onDownlink(payload: Buffer): Promise<void> {
    const decoded = decodeDownlink(payload, this.secret);
    if (!decoded.ok) {
      this.stats.badDownlinks++;
      this.log(`bad downlink (${decoded.error.code}): ${decoded.error.message}`);
      return;
    }
    const message: DownlinkMessage = decoded.value;
    if (message.dev !== this.id) {
      this.stats.badDownlinks++;
      return;
    }
    switch (message.type) {
      case 'ack':
        this.onAck(message.through);
        break;
      case 'time':
        this.onTime(message.req, message.recv, message.ts);
        break;
      case 'cmd':
        // Commands are applied one at a time, in the order they arrived.
        this.commandChain = this.commandChain
          .then(() => this.onCommand(message))
          .catch((err: unknown) => {
            this.log(`command ${message.id} failed: ${(err as Error).message}`);
          });
        await this.commandChain;
        break;
      case 'refusal':
        this.stats.refusals++;
        this.refusals.push(message);
        if (this.refusals.length > 100) this.refusals.shift();
        this.log(`refused (${message.code}): ${message.message}`);
        this.emit_('refusal', message);
        break;
    }
  }

  private onAck(through: number): void {
    const m = this.memory;
    if (through < m.acked)
      this.log(`center acknowledged through ${through}, below ${m.acked} it acked before`);
    if (!this.journal.acknowledge(m, through)) return;
    const now = Date.now();
    this.lastProgressAt = now;
    this.retransmitWaitMs = 0;
    while (this.batchTimes.length > 0 && (this.batchTimes[0]?.last ?? Infinity) <= m.acked) {
      const batch = this.batchTimes.shift();
      if (batch) this.options.latency?.record(now - batch.at);
    }
    this.emit_('ack', m.acked);
    this.pump();
  }

  private onTime(req: number, recv: number, ts: number): void {
    if (this.timeRequest === undefined || req !== this.timeRequest) return; // a late answer to an old request
    this.timeRequest = undefined;
    const offset = clockOffset(req, recv, ts, this.now());
    this.offsetMs += offset;
    // Events recorded from now on are stamped on the corrected clock; those before carry the step (`adj`).
    if (offset !== 0) {
      const next = this.memory.lastSeq + 1;
      if (this.stamps.at(-1)!.fromSeq === next) this.stamps.pop();
      this.stamps.push({ fromSeq: next, correction: this.offsetMs });
    }
    this.synced = true;
    this.stats.timeSyncs++;
    this.emit_('time', offset);
  }

  private async onCommand(command: CommandMessage): Promise<void> {
    const settings = this.memory.settings;
    this.commands.push(command);
    if (this.commands.length > 1000) this.commands.shift();
    let status: 'done' | 'rejected' = 'done';
    let reason: string | undefined;
    if (!settings.commandIds.includes(command.id)) {
      switch (command.cmd) {
        case 'message':
          settings.messages.push({ id: command.id, text: command.text, receivedAt: this.now() });
          if (settings.messages.length > 200) settings.messages.shift();
          break;
        case 'set_range':
          reason = rangeRefusal(this.kind, command.meters);
          if (reason !== undefined) status = 'rejected';
          else settings.rangeM = command.meters;
          break;
        case 'set_interval':
          settings.intervalSec = command.seconds;
          break;
      }
      settings.commandIds.push(command.id);
      if (settings.commandIds.length > 1000) settings.commandIds.shift();
      // The command is applied only once it is in memory that survives a restart; then it is confirmed.
      await this.journal.saveSettings(this.memory);
    }
    this.send({
      v: PROTOCOL_VERSION,
      type: 'cmd_ack',
      dev: this.id,
      ts: this.now(),
      id: command.id,
      status,
      ...(reason !== undefined ? { reason } : {}),
    });
    this.emit_('command', command);
  }

  private requestTime(): void {
    if (!this.ready && !this.client?.connected) return;
    const ts = this.now();
    this.timeRequest = ts;
    this.lastSyncAt = Date.now();
    this.send({ v: PROTOCOL_VERSION, type: 'time_req', dev: this.id, ts });
  }

  private schedulePump(): void {
    if (this.pumpScheduled || !this.ready) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Publishes durable events above what this connection has sent, within the in-flight window. */
  private pump(): void {
    if (!this.ready) return;
    const m = this.memory;
    const window = this.options.maxInflight ?? 5000;
    if (this.sentThrough < m.acked) this.sentThrough = m.acked;
    while (this.sentThrough < m.durable && this.sentThrough - m.acked < window) {
      const from = this.sentThrough + 1;
      const to = Math.min(m.durable, from + MAX_EVENTS_PER_BATCH - 1, m.acked + window);
      const events: DeviceEvent[] = [];
      for (let seq = from; seq <= to; seq++) {
        const event = this.journal.event(m, seq);
        if (event) events.push(event);
      }
      if (this.sentThrough === m.acked) this.lastProgressAt = Date.now();
      this.publishBatch(events);
      if (to > m.published) {
        this.batchTimes.push({ last: to, at: Date.now() });
        this.journal.published(m, to);
      }
      this.sentThrough = to;
      if (!this.ready) return;
    }
  }

  /**
   * v1.1: how far the clock has been stepped since event `seq` was stamped (ms to add to its `t` to put it
   * on the clock of the frame's `ts`); 0 for an event stamped on the current clock, or of unknown stamping.
   */
  private adjOf(seq: number): number {
    const first = this.stamps[0]!;
    if (!this.sendAdj || seq < first.fromSeq || this.stamps.length === 1) return 0;
    let correction = first.correction;
    for (const step of this.stamps) {
      if (step.fromSeq > seq) break;
      correction = step.correction;
    }
    return this.offsetMs - correction;
  }

  private publishBatch(recorded: DeviceEvent[]): void {
    if (recorded.length === 0) return;
    // The journal keeps events as stamped; the clock correction since is added to what is sent.
    const events = recorded.map((e) => {
      const adj = this.adjOf(e.seq);
      return adj === 0 ? e : { ...e, adj };
    });
    const frame = encodeFrame(
      { v: PROTOCOL_VERSION, type: 'events', dev: this.id, ts: this.now(), events } satisfies UplinkMessage,
      this.secret,
    );
    if (frame.length > MAX_FRAME_BYTES && recorded.length > 1) {
      // Long texts (fault details) can make 500 events too big for one frame: halve until it fits.
      const half = Math.ceil(recorded.length / 2);
      this.publishBatch(recorded.slice(0, half));
      this.publishBatch(recorded.slice(half));
      return;
    }
    this.stats.batchesPublished++;
    this.client?.publish(this.up, frame, { qos: 1 }, (err) => {
      if (err) this.log(`publish failed: ${err.message}`);
    });
  }

  private send(message: UplinkMessage): void {
    this.client?.publish(this.up, encodeFrame(message, this.secret), { qos: 1 }, (err) => {
      if (err) this.log(`publish failed: ${err.message}`);
    });
  }

  private waitFor(
    event: 'ack' | 'command' | 'time',
    done: () => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!done()) return;
        clearTimeout(timer);
        this.bus.off(event, check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.bus.off(event, check);
        reject(new Error(`${this.id}: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.bus.on(event, check);
    });
  }

  /** Listens to what happens to the device: `ready`, `offline`, `ack`, `time`, `command`, `refusal`. */
  on<K extends keyof SimDeviceEvents>(event: K, listener: (...args: SimDeviceEvents[K]) => void): this {
    this.bus.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  /** Stops listening. */
  off<K extends keyof SimDeviceEvents>(event: K, listener: (...args: SimDeviceEvents[K]) => void): this {
    this.bus.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  // `emit` means "record a device event" here; this one notifies listeners.
  private emit_<K extends keyof SimDeviceEvents>(event: K, ...args: SimDeviceEvents[K]): void {
    this.bus.emit(event, ...args);
  }

  private log(line: string): void {
    this.options.log?.(`[${this.id}] ${line}`);
  }
}

/** Creates a single simulated unit (for scenario tests); call `connect()` to put it on the network. */
export async function createSimDevice(options: SimDeviceOptions): Promise<SimDevice> {
  if (options.journal || !options.stateDir) return new SimDevice(options);
  const journal = await Journal.open(options.stateDir, options.journalOptions);
  return new SimDevice(options, journal);
}
