/**
 * Test peer: a small stand-in for the center's device gateway. It authenticates uplink frames with the
 * protocol package, stores events by (device, seq), and answers `ack`, `time` and commands the way protocol v1
 * says. It is test code, not shipped: the real center lives in packages/center.
 */
import mqtt, { type MqttClient } from 'mqtt';
import {
  PROTOCOL_VERSION,
  UPLINK_FILTER,
  deviceOfUplinkTopic,
  downlinkTopic,
  encodeFrame,
  openFrame,
  parseUplink,
  verifyFrame,
  type CommandAckMessage,
  type CommandBody,
  type DeviceEvent,
  type DownlinkMessage,
  type EventsMessage,
  type HelloMessage,
} from '@sde/protocol';

/** A test responder connected to a broker. */
export class Responder {
  /** Events stored per device, by seq. */
  readonly events = new Map<string, Map<number, DeviceEvent>>();
  readonly hellos: HelloMessage[] = [];
  readonly cmdAcks: CommandAckMessage[] = [];
  /** Frames refused (bad signature, invalid message). */
  readonly refused: string[] = [];
  /** Events received again after they were stored (retransmissions). */
  duplicates = 0;
  timeRequests = 0;
  /** When true, events are stored but no `ack` is sent (a center whose acks get lost). */
  dropAcks = false;
  /** When true, events frames are lost on the way (neither stored nor answered). */
  dropEvents = false;
  /** When true, clock requests go unanswered (a unit that has not synced yet). */
  dropTimeRequests = false;
  /** Every events message received, retransmissions included, with its arrival on the center's clock. */
  readonly batches: { recv: number; message: EventsMessage }[] = [];
  /** The center's clock. */
  clock: () => number = Date.now;

  private constructor(
    private readonly client: MqttClient,
    private readonly secretOf: (id: string) => string | undefined,
  ) {}

  static async start(url: string, secretOf: (id: string) => string | undefined): Promise<Responder> {
    const client = await mqtt.connectAsync(url, {
      clientId: 'responder',
      username: 'responder',
      clean: true,
      reconnectPeriod: 200,
    });
    const responder = new Responder(client, secretOf);
    client.on('message', (topic, payload) => responder.onUplink(topic, payload));
    client.on('connect', () => void client.subscribeAsync(UPLINK_FILTER, { qos: 1 }));
    await client.subscribeAsync(UPLINK_FILTER, { qos: 1 });
    return responder;
  }

  /** Highest seq such that every seq from 1 up to it is stored. */
  through(dev: string): number {
    const stored = this.events.get(dev);
    let n = 0;
    while (stored?.has(n + 1)) n++;
    return n;
  }

  /** Sorted seqs stored for `dev`. */
  seqs(dev: string): number[] {
    return [...(this.events.get(dev)?.keys() ?? [])].sort((a, b) => a - b);
  }

  /** Sends a command to a device. */
  sendCommand(dev: string, id: string, body: CommandBody): void {
    this.send(dev, { v: PROTOCOL_VERSION, type: 'cmd', dev, ts: this.clock(), id, ...body });
  }

  /** Acknowledges what is stored for `dev` now. */
  ack(dev: string): void {
    this.send(dev, { v: PROTOCOL_VERSION, type: 'ack', dev, ts: this.clock(), through: this.through(dev) });
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }

  private onUplink(topic: string, payload: Buffer): void {
    const recv = this.clock();
    const dev = deviceOfUplinkTopic(topic);
    const opened = openFrame(payload);
    if (!dev || !opened.ok) return void this.refused.push(`${topic}: unreadable`);
    const secret = this.secretOf(opened.value.dev);
    if (!secret || !verifyFrame(opened.value, secret) || opened.value.dev !== dev) {
      return void this.refused.push(`${topic}: not authentic`);
    }
    const parsed = parseUplink(opened.value.body);
    if (!parsed.ok) return void this.refused.push(`${topic}: ${parsed.error.message}`);
    const message = parsed.value;
    switch (message.type) {
      case 'hello':
        this.hellos.push(message);
        this.ack(dev);
        break;
      case 'time_req':
        this.timeRequests++;
        if (this.dropTimeRequests) break;
        this.send(dev, { v: PROTOCOL_VERSION, type: 'time', dev, ts: this.clock(), req: message.ts, recv });
        break;
      case 'events': {
        if (this.dropEvents) break;
        this.batches.push({ recv, message });
        let stored = this.events.get(dev);
        if (!stored) this.events.set(dev, (stored = new Map()));
        for (const event of message.events) {
          if (stored.has(event.seq)) this.duplicates++;
          else stored.set(event.seq, event);
        }
        if (!this.dropAcks) this.ack(dev);
        break;
      }
      case 'cmd_ack':
        this.cmdAcks.push(message);
        break;
    }
  }

  private send(dev: string, message: DownlinkMessage): void {
    const secret = this.secretOf(dev);
    if (!secret) return;
    this.client.publish(downlinkTopic(dev), encodeFrame(message, secret), { qos: 1 });
  }
}
