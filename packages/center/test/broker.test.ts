/** The embedded broker: device credentials at connection, per-device topics, and TLS. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import mqtt from 'mqtt';
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

/** Waits for a promise that may never settle (a publish on a connection the broker closed), at most 2 s. */
async function settle(p: Promise<unknown>): Promise<void> {
  await Promise.race([p.catch(() => undefined), new Promise((r) => setTimeout(r, 2000))]);
}
