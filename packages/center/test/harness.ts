/** Starts a real center for a test, on the chosen storage and broker, and gives device-side helpers. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import {
  decodeDownlink,
  downlinkTopic,
  encodeFrame,
  uplinkTopic,
  type DownlinkMessage,
  type DeviceEvent,
} from '@sde/protocol';
import { createLogger, loadConfig, startCenter, type Center, type CenterOptions } from '../src/index.js';
import { createTestDatabase, MQTT_SERVER_URL } from './services.js';

export type Storage = 'pglite' | 'postgres';
export type Broker = 'embedded' | 'mosquitto';

/** A center running for a test, with its temporary data directory. */
export interface TestCenter {
  center: Center;
  dataDir: string;
  env: Record<string, string>;
  api<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
  ): Promise<{ status: number; body: T }>;
  provision(
    count: number,
    prefix: string,
    kind?: string,
  ): Promise<{ id: string; secret: string; kind: string }[]>;
  close(): Promise<void>;
}

/** Starts a center on `storage` and `broker` (`options`: e.g. a virtual clock). */
export async function startTestCenter(
  storage: Storage,
  broker: Broker,
  extraEnv: Record<string, string> = {},
  options: CenterOptions = {},
) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sde-test-'));
  const database = storage === 'postgres' ? await createTestDatabase() : undefined;
  const env: Record<string, string> = {
    SDE_DATA_DIR: dataDir,
    SDE_HTTP_PORT: '0',
    SDE_MQTT_PORT: '0',
    SDE_LOG_LEVEL: 'silent',
    ...(database ? { SDE_DATABASE_URL: database.url } : {}),
    ...(broker === 'mosquitto' ? { SDE_MQTT_URL: MQTT_SERVER_URL } : {}),
    ...extraEnv,
  };
  const config = loadConfig(env);
  const center = await startCenter(config, createLogger('silent'), options);
  const tc: TestCenter = {
    center,
    dataDir,
    env,
    async api(method, path, body, contentType) {
      const res = await fetch(`${center.httpUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${center.adminToken}`,
          ...(body !== undefined ? { 'content-type': contentType ?? 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* metrics are text */
      }
      return { status: res.status, body: parsed as never };
    },
    async provision(count, prefix, kind = 'home_unit') {
      const r = await tc.api<{ devices: { id: string; secret: string; kind: string }[] }>(
        'POST',
        '/api/v1/devices',
        {
          kind,
          count,
          prefix,
        },
      );
      if (r.status !== 201) throw new Error(`provision failed: ${JSON.stringify(r.body)}`);
      return r.body.devices;
    },
    async close() {
      await center.stop();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return tc;
}

/** A device speaking protocol v1 by hand, for tests that need exact control over every frame. */
export class TestDevice {
  readonly inbox: DownlinkMessage[] = [];
  readonly raw: Buffer[] = [];
  private waiters: (() => void)[] = [];
  private constructor(
    readonly id: string,
    readonly secret: string,
    readonly client: MqttClient,
  ) {
    client.on('message', (_topic, payload) => {
      this.raw.push(payload);
      const m = decodeDownlink(payload, secret);
      if (m.ok) this.inbox.push(m.value);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Connects with the device's credentials and subscribes to its downlink. */
  static async connect(url: string, id: string, secret: string, password = secret): Promise<TestDevice> {
    const client = await mqtt.connectAsync(url, {
      clientId: id,
      username: id,
      password,
      reconnectPeriod: 0,
      clean: true,
    });
    await client.subscribeAsync(downlinkTopic(id), { qos: 1 });
    return new TestDevice(id, secret, client);
  }

  /** Publishes a raw payload on this device's uplink topic (or another topic). */
  async publishRaw(payload: Buffer | string, topic = uplinkTopic(this.id)): Promise<void> {
    await this.client.publishAsync(topic, typeof payload === 'string' ? Buffer.from(payload) : payload, {
      qos: 1,
    });
  }

  /** Signs and publishes a message. */
  async send(message: object): Promise<void> {
    await this.publishRaw(encodeFrame(message, this.secret));
  }

  /** Sends an events batch. */
  async sendEvents(events: DeviceEvent[], ts = Date.now()): Promise<void> {
    await this.send({ v: 1, type: 'events', dev: this.id, ts, events });
  }

  /** Waits for a downlink message matching `pred` that arrived after `from` messages. */
  async waitFor<T extends DownlinkMessage>(
    pred: (m: DownlinkMessage) => m is T,
    opts: { from?: number; timeoutMs?: number } = {},
  ): Promise<T> {
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    for (;;) {
      const found = this.inbox.slice(opts.from ?? 0).find(pred);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`device ${this.id}: no matching downlink within the timeout`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  /** Waits for an ack whose `through` is at least `through`. */
  waitForAck(through: number, timeoutMs?: number) {
    return this.waitFor(
      (m): m is Extract<DownlinkMessage, { type: 'ack' }> => m.type === 'ack' && m.through >= through,
      timeoutMs === undefined ? {} : { timeoutMs },
    );
  }

  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

// One base for the whole file: a number sent again carries the same content (ADR 0504 refuses a number
// reused with other content).
const HEARTBEATS_T0 = Date.now() - 60_000;

/** Heartbeat events with sequence numbers `from`..`to`. */
export function heartbeats(from: number, to: number, t0 = HEARTBEATS_T0): DeviceEvent[] {
  const events: DeviceEvent[] = [];
  for (let seq = from; seq <= to; seq++) {
    events.push({ seq, t: t0 + seq * 1000, kind: 'heartbeat', battery: 90, signal: 70, power: 'mains' });
  }
  return events;
}

/** Reads one counter or gauge value from the center's /metrics text. */
export async function metric(tc: TestCenter, name: string, labels = ''): Promise<number> {
  const r = await tc.api<string>('GET', '/metrics');
  const line = String(r.body)
    .split('\n')
    .find((l) => l.startsWith(`${name}${labels} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').at(-1)) : 0;
}
