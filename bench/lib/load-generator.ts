/**
 * Test equipment for bench/ingest.ts: thousands of protocol v1 devices on raw MQTT sockets, light enough that
 * the load it offers is not limited by its own CPU on the machine it shares with the center.
 *
 * The devices of @sde/simulator (a journal, clock sync, commands, reconnection with back-off, one mqtt.js client
 * each) are what the tests use; at 5,000 devices × 4 events/s their clients alone took 0.6–0.75 of one of this
 * machine's two cores, which the center then did not have. This generator keeps only what a measurement of
 * ingest needs, each device speaking the real protocol on its own connection:
 * - MQTT 3.1.1 over its own TCP socket (TCP_NODELAY, as a unit's modem sends), authenticated with its id and
 *   secret, subscribed to its downlink topic at QoS 1, greeting the center with `hello`;
 * - every `tickMs`, at its own phase, a signed `events` frame (QoS 1) with the heartbeats recorded since the
 *   last tick, contiguous sequence numbers from 1;
 * - publish→ack latency of each frame, taken when an `ack` covers its last event;
 * - a window of unacknowledged events (events recorded beyond it wait), and retransmission of everything
 *   unacknowledged when the center has made no progress for `retransmitMs`, doubling the wait (to 60 s) while
 *   it makes none, as the simulator's units do.
 * It does not check the center's signatures on downlinks, reconnect, or keep anything across restarts.
 */
import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import {
  downlinkTopic,
  encodeFrame,
  MAX_EVENTS_PER_BATCH,
  openFrame,
  PROTOCOL_VERSION,
  uplinkTopic,
  type UplinkMessage,
} from '@sde/protocol';
import { LatencyHistogram, type DeviceCredentials } from '@sde/simulator';

export interface LoadOptions {
  credentials: DeviceCredentials[];
  /** mqtt://host:port */
  mqttUrl: string;
  /** Events per device per second. */
  rate: number;
  /** How often a device sends what it recorded (default 1000 ms). */
  tickMs?: number;
  /** Devices are spread over this many phases of a tick (default 200: 5 ms apart at 1 s). */
  tickSlots?: number;
  /** New connections per second while the fleet starts (default 1000). */
  connectRatePerSec?: number;
  /** Unacknowledged events a device lets out at once (default 5000, as the simulator). */
  window?: number;
  /** Resend everything unacknowledged after this long without progress (default 5000 ms). */
  retransmitMs?: number;
}

export interface LoadCounts {
  online: number;
  /** Events recorded by the devices so far. */
  recorded: number;
  acked: number;
  /** Recorded and not yet acknowledged. */
  pending: number;
  retransmissions: number;
}

interface Frame {
  last: number;
  at: number;
}

class LeanDevice {
  private socket: Socket | undefined;
  online = false;
  /** Highest sequence number recorded, sent, acknowledged. */
  recorded = 0;
  sent = 0;
  acked = 0;
  /** Recording time of each event not yet sent (index = seq - sent - 1). */
  private readonly unsentTimes: number[] = [];
  /** Published frames awaiting their ack, oldest first. */
  private readonly frames: Frame[] = [];
  private credit: number;
  private lastTick = Date.now();
  private packetId = 0;
  private lastProgressAt = Date.now();
  private retransmitWaitMs = 0;
  private readonly up: string;
  private readonly down: string;

  constructor(
    readonly id: string,
    private readonly secret: string,
    private readonly load: Required<Omit<LoadOptions, 'credentials' | 'mqttUrl'>>,
    private readonly latency: LatencyHistogram,
    private readonly stats: { retransmissions: number },
  ) {
    this.up = uplinkTopic(id);
    this.down = downlinkTopic(id);
    this.credit = Math.random();
  }

  open(host: string, port: number): void {
    const socket = connect({ host, port, noDelay: true });
    this.socket = socket;
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    parser.on('packet', (packet) => this.onPacket(packet));
    parser.on('error', () => socket.destroy());
    socket.on('data', (chunk) => parser.parse(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.online = false;
    });
    this.write({
      cmd: 'connect',
      protocolId: 'MQTT',
      protocolVersion: 4,
      clean: true,
      clientId: this.id,
      username: this.id,
      password: Buffer.from(this.secret),
      keepalive: 60,
    });
  }

  close(): void {
    this.socket?.end(mqttPacket.generate({ cmd: 'disconnect' }));
    this.socket?.destroySoon();
  }

  /** Records the events due since the last tick and sends what the window allows. */
  tick(now: number): void {
    this.credit += (this.load.rate * (now - this.lastTick)) / 1000;
    this.lastTick = now;
    while (this.credit >= 1) {
      this.credit -= 1;
      this.recorded++;
      this.unsentTimes.push(now);
    }
    if (!this.online) return;
    this.pump(now);
    const wait = this.retransmitWaitMs || this.load.retransmitMs;
    if (this.frames.length > 0 && now - this.lastProgressAt > wait) {
      // No progress for a while: the center or the broker lost something; send it all again, backing off
      // (as the simulator's units do) so that retransmissions do not add to a slow center's backlog.
      this.retransmitWaitMs = Math.min(60_000, wait * 2);
      this.stats.retransmissions++;
      this.lastProgressAt = now;
      // Resent with the time of resending: the center keys events on (device, seq) and keeps the first copy.
      this.publishEvents(this.acked + 1, this.sent, () => now);
    }
  }

  private pump(now: number): void {
    while (this.sent < this.recorded && this.sent - this.acked < this.load.window) {
      const from = this.sent + 1;
      const to = Math.min(this.recorded, from + MAX_EVENTS_PER_BATCH - 1, this.acked + this.load.window);
      const times = this.unsentTimes.splice(0, to - from + 1);
      this.publishEvents(from, to, (seq) => times[seq - from]!);
      if (this.frames.length === 0) this.lastProgressAt = now;
      this.frames.push({ last: to, at: now });
      this.sent = to;
    }
  }

  private publishEvents(from: number, to: number, timeOf: (seq: number) => number): void {
    for (let start = from; start <= to; start += MAX_EVENTS_PER_BATCH) {
      const end = Math.min(to, start + MAX_EVENTS_PER_BATCH - 1);
      const events = [];
      for (let seq = start; seq <= end; seq++)
        events.push({
          seq,
          t: timeOf(seq),
          kind: 'heartbeat' as const,
          battery: 100,
          signal: 55 + (seq % 40),
          power: 'mains' as const,
        });
      this.send({ v: PROTOCOL_VERSION, type: 'events', dev: this.id, ts: Date.now(), events });
    }
  }

  private send(message: UplinkMessage): void {
    this.packetId = (this.packetId % 65535) + 1;
    this.write({
      cmd: 'publish',
      topic: this.up,
      payload: encodeFrame(message, this.secret),
      qos: 1,
      messageId: this.packetId,
      retain: false,
      dup: false,
    });
  }

  private write(packet: mqttPacket.Packet): void {
    if (this.socket?.writable) this.socket.write(mqttPacket.generate(packet));
  }

  private onPacket(packet: mqttPacket.Packet): void {
    switch (packet.cmd) {
      case 'connack':
        if (packet.returnCode !== 0) {
          this.socket?.destroy();
          return;
        }
        this.write({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: this.down, qos: 1 }] });
        return;
      case 'suback':
        this.online = true;
        this.send({
          v: PROTOCOL_VERSION,
          type: 'hello',
          dev: this.id,
          ts: Date.now(),
          model: 'home_unit',
          fw: 'load-generator',
        });
        return;
      case 'publish': {
        if (packet.qos === 1 && packet.messageId !== undefined)
          this.write({ cmd: 'puback', messageId: packet.messageId });
        const opened = openFrame(packet.payload as Buffer);
        const body = opened.ok ? opened.value.body : undefined;
        if (body?.type === 'ack' && typeof body.through === 'number') this.onAck(body.through);
        return;
      }
      // The broker's answers to our QoS 1 publishes and pings need nothing; a broker sends no other packets.
      case 'puback':
      case 'pingresp':
      case 'pubrec':
      case 'pubrel':
      case 'pubcomp':
      case 'unsuback':
      case 'auth':
      case 'connect':
      case 'disconnect':
      case 'pingreq':
      case 'subscribe':
      case 'unsubscribe':
        return;
    }
  }

  private onAck(through: number): void {
    if (through <= this.acked) return;
    const now = Date.now();
    this.acked = Math.min(through, this.sent);
    this.lastProgressAt = now;
    this.retransmitWaitMs = 0;
    while (this.frames.length > 0 && this.frames[0]!.last <= this.acked)
      this.latency.record(now - this.frames.shift()!.at);
  }
}

/** A running load: devices connect at the configured pace and report until `stop()`. */
export class LoadGenerator {
  readonly latency = new LatencyHistogram();
  private readonly devices: LeanDevice[];
  private readonly stats = { retransmissions: 0 };
  private readonly timers: NodeJS.Timeout[] = [];

  private constructor(options: LoadOptions) {
    const load = {
      rate: options.rate,
      tickMs: options.tickMs ?? 1000,
      tickSlots: options.tickSlots ?? 200,
      connectRatePerSec: options.connectRatePerSec ?? 1000,
      window: options.window ?? 5000,
      retransmitMs: options.retransmitMs ?? 5000,
    };
    this.devices = options.credentials.map(
      (c) => new LeanDevice(c.id, c.secret, load, this.latency, this.stats),
    );
    const url = new URL(options.mqttUrl);
    const [host, port] = [url.hostname, Number(url.port || 1883)];
    // Connections in steps of 1/20 s at the configured pace.
    const perStep = Math.max(1, Math.round(load.connectRatePerSec / 20));
    let next = 0;
    const opener = setInterval(() => {
      for (const end = Math.min(this.devices.length, next + perStep); next < end; next++)
        this.devices[next]!.open(host, port);
      if (next >= this.devices.length) clearInterval(opener);
    }, 50);
    this.timers.push(opener);
    // Device i ticks at phase (i mod slots) of every tick; a late timer catches up on the slots it missed.
    const slotMs = load.tickMs / load.tickSlots;
    let lastSlot = Math.floor(Date.now() / slotMs);
    this.timers.push(
      setInterval(() => {
        const now = Date.now();
        const current = Math.floor(now / slotMs);
        while (lastSlot < current) {
          lastSlot++;
          for (let i = lastSlot % load.tickSlots; i < this.devices.length; i += load.tickSlots)
            this.devices[i]!.tick(now);
        }
      }, slotMs),
    );
  }

  static start(options: LoadOptions): LoadGenerator {
    return new LoadGenerator(options);
  }

  counts(): LoadCounts {
    let online = 0;
    let recorded = 0;
    let acked = 0;
    for (const d of this.devices) {
      if (d.online) online++;
      recorded += d.recorded;
      acked += d.acked;
    }
    return {
      online,
      recorded,
      acked,
      pending: recorded - acked,
      retransmissions: this.stats.retransmissions,
    };
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    for (const d of this.devices) d.close();
  }
}
