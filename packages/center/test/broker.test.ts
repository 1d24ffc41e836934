/** The embedded broker: device credentials at connection, per-device topics, and TLS. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import mqtt from 'mqtt';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downlinkTopic, encodeFrame, uplinkTopic } from '@sde/protocol';
import { createLogger, PortInUseError } from '../src/index.js';
import { startEmbeddedBroker } from '../src/transport/embedded-broker.js';
import { heartbeats, metric, startTestCenter, TestDevice, type TestCenter } from './harness.js';

describe('the embedded broker', () => {
  let tc: TestCenter;
  let creds: { id: string; secret: string }[];
  beforeAll(async () => {
    tc = await startTestCenter('pglite', 'embedded');
    creds = await tc.provision(2, 'BRK-');
  });
  afterAll(() => tc.close());

  it('refuses a wrong secret and an unknown device at connection, and counts them', async () => {
    const before = await metric(tc, 'sde_mqtt_connections_refused_total');
    await expect(
      TestDevice.connect(tc.center.mqttUrl, creds[0]!.id, creds[0]!.secret, 'wrong'),
    ).rejects.toThrow();
    await expect(TestDevice.connect(tc.center.mqttUrl, 'NOBODY-1', 'whatever')).rejects.toThrow();
    expect(await metric(tc, 'sde_mqtt_connections_refused_total')).toBe(before + 2);
  });

  it("keeps each device to its own topics: it cannot read another device's downlink or post on its uplink", async () => {
    const a = await TestDevice.connect(tc.center.mqttUrl, creds[0]!.id, creds[0]!.secret);
    const b = await TestDevice.connect(tc.center.mqttUrl, creds[1]!.id, creds[1]!.secret);
    try {
      await expect(a.client.subscribeAsync(downlinkTopic(b.id), { qos: 1 })).rejects.toThrow(
        /Subscribe error/,
      );
      // A publish on someone else's topic is dropped by the broker (MQTT 3.1.1 closes the connection).
      await settle(
        a.client.publishAsync(
          uplinkTopic(b.id),
          encodeFrame(
            { v: 1, type: 'events', dev: b.id, ts: Date.now(), events: heartbeats(1, 1) },
            b.secret,
          ),
          { qos: 1 },
        ),
      );
      await b.sendEvents(heartbeats(1, 2));
      expect((await b.waitForAck(2)).through).toBe(2);
      const verify = await tc.api<Record<string, number>>('GET', '/api/v1/ledger/verify');
      expect(verify.body.events).toBe(2);
    } finally {
      a.client.end(true);
      await b.close();
    }
  });
});

describe('the embedded broker over TLS', () => {
  let tc: TestCenter;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sde-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    tc = await startTestCenter('pglite', 'embedded', {
      SDE_MQTT_TLS_CERT: join(dir, 'cert.pem'),
      SDE_MQTT_TLS_KEY: join(dir, 'key.pem'),
    });
  });
  afterAll(async () => {
    await tc.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses to start on an explicitly chosen port that is taken, naming the port and the setting', async () => {
    const taken = Number(new URL(tc.center.mqttUrl).port);
    const err = await startEmbeddedBroker({
      host: '127.0.0.1',
      port: taken,
      explicitPort: true,
      checkCredentials: async () => false,
      logger: createLogger('silent'),
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PortInUseError);
    expect((err as PortInUseError).port).toBe(taken);
    expect((err as Error).message).toMatch(new RegExp(`port ${taken} is already in use.*SDE_MQTT_PORT`));
  });

  it('serves devices over mqtts and refuses plain MQTT on that port', async () => {
    expect(tc.center.mqttUrl).toMatch(/^mqtts:/);
    const [c] = await tc.provision(1, 'TLS-');
    const client = await mqtt.connectAsync(tc.center.mqttUrl, {
      clientId: c!.id,
      username: c!.id,
      password: c!.secret,
      ca: readFileSync(join(dir, 'cert.pem')),
      reconnectPeriod: 0,
    });
    const acks: Buffer[] = [];
    client.on('message', (_t, p) => acks.push(p));
    await client.subscribeAsync(downlinkTopic(c!.id), { qos: 1 });
    await client.publishAsync(
      uplinkTopic(c!.id),
      encodeFrame({ v: 1, type: 'events', dev: c!.id, ts: Date.now(), events: heartbeats(1, 3) }, c!.secret),
      { qos: 1 },
    );
    for (let i = 0; i < 100 && acks.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(acks.join('')).toContain('"through":3');
    client.end(true);
    // A plain MQTT CONNECT on the TLS port gets no CONNACK.
    const u = new URL(tc.center.mqttUrl);
    const answer = await new Promise<Buffer>((resolve) => {
      const socket = connect({ host: u.hostname, port: Number(u.port) }, () => {
        socket.write(Buffer.from([0x10, 0x0d, 0, 4, 0x4d, 0x51, 0x54, 0x54, 4, 2, 0, 10, 0, 1, 0x78]));
      });
      const chunks: Buffer[] = [];
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('error', () => undefined);
      setTimeout(() => {
        socket.destroy();
        resolve(Buffer.concat(chunks));
      }, 1500);
    });
    expect(answer[0]).not.toBe(0x20);
  });
});

describe("the embedded broker's PUBACK", () => {
  let tc: TestCenter;
  let creds: { id: string; secret: string }[];
  beforeAll(async () => {
    tc = await startTestCenter('pglite', 'embedded');
    creds = await tc.provision(3, 'PUBACK-');
  });
  afterAll(() => tc.close());

  it("leaves with the center's answer to the frame, in the same write", async () => {
    const [c] = creds;
    const unit = await RawUnit.connect(tc.center.mqttUrl, c!, true);
    try {
      const frame = encodeFrame(
        { v: 1, type: 'events', dev: c!.id, ts: Date.now(), events: heartbeats(1, 4) },
        c!.secret,
      );
      unit.publish(7, frame);
      const chunk = await unit.chunkWith((p) => p.cmd === 'puback' && p.messageId === 7);
      // The ack of the four events is in the chunk that brought the PUBACK, after it.
      const [first, second] = chunk;
      expect(first).toMatchObject({ cmd: 'puback', messageId: 7 });
      expect(second).toMatchObject({ cmd: 'publish', topic: downlinkTopic(c!.id) });
      expect(String((second as { payload: Buffer }).payload)).toContain('"through":4');
      const verify = await tc.api<Record<string, number>>('GET', '/api/v1/ledger/verify');
      expect(verify.body.events).toBe(4);
    } finally {
      unit.close();
    }
  });

  it('is still sent for a frame the center does not answer, and to a unit not listening to its downlink', async () => {
    const [, a, b] = creds;
    const listening = await RawUnit.connect(tc.center.mqttUrl, a!, true);
    const deaf = await RawUnit.connect(tc.center.mqttUrl, b!, false);
    try {
      // A confirmation of a command nobody sent: recorded as unknown, not answered.
      listening.publish(
        9,
        encodeFrame(
          { v: 1, type: 'cmd_ack', dev: a!.id, ts: Date.now(), id: 'nope', status: 'done' },
          a!.secret,
        ),
      );
      expect(await listening.chunkWith((p) => p.cmd === 'puback' && p.messageId === 9)).toBeDefined();
      // Events from a unit that never subscribed: stored; the answer goes nowhere, the PUBACK still comes.
      deaf.publish(
        3,
        encodeFrame(
          { v: 1, type: 'events', dev: b!.id, ts: Date.now(), events: heartbeats(1, 2) },
          b!.secret,
        ),
      );
      expect(await deaf.chunkWith((p) => p.cmd === 'puback' && p.messageId === 3)).toBeDefined();
    } finally {
      listening.close();
      deaf.close();
    }
  });
});

/** A unit on a raw MQTT 3.1.1 connection, recording the packets of each chunk the socket reads. */
class RawUnit {
  private readonly chunks: Packet[][] = [];
  private waiters: (() => void)[] = [];
  private constructor(
    private readonly socket: Socket,
    private readonly id: string,
  ) {
    const parser = mqttPacket.parser();
    let current: Packet[] = [];
    parser.on('packet', (p: Packet) => current.push(p));
    socket.on('data', (data: Buffer) => {
      current = [];
      parser.parse(data);
      this.chunks.push(current);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async connect(url: string, c: { id: string; secret: string }, subscribe: boolean): Promise<RawUnit> {
    const u = new URL(url);
    const socket = connect({ host: u.hostname, port: Number(u.port) });
    socket.setNoDelay(true);
    const unit = new RawUnit(socket, c.id);
    socket.write(
      mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clean: true,
        clientId: c.id,
        keepalive: 60,
        username: c.id,
        password: Buffer.from(c.secret),
      }),
    );
    await unit.chunkWith((p) => p.cmd === 'connack');
    if (subscribe) {
      socket.write(
        mqttPacket.generate({
          cmd: 'subscribe',
          messageId: 1,
          subscriptions: [{ topic: downlinkTopic(c.id), qos: 1 }],
        }),
      );
      await unit.chunkWith((p) => p.cmd === 'suback');
    }
    return unit;
  }

  publish(messageId: number, payload: Buffer): void {
    this.socket.write(
      mqttPacket.generate({
        cmd: 'publish',
        messageId,
        qos: 1,
        dup: false,
        retain: false,
        topic: uplinkTopic(this.id),
        payload,
      }),
    );
  }

  /** The first chunk read (so far or within 5 s) holding a packet that matches. */
  async chunkWith(match: (p: Packet) => boolean): Promise<Packet[]> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const chunk = this.chunks.find((c) => c.some(match));
      if (chunk) return chunk;
      if (Date.now() > deadline) throw new Error('no such packet within 5 s');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Waits for a promise that may never settle (a publish on a connection the broker closed), at most 2 s. */
async function settle(p: Promise<unknown>): Promise<void> {
  await Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
}
