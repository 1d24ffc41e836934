/**
 * Baseline for bench/ingest.ts: a "center" that does everything the real gateway does with a frame (open,
 * look up the secret, check the HMAC, validate with zod) and acknowledges at once, storing nothing. Against
 * the same fleet and broker it shows what durable storage costs. Not a product component.
 *
 * usage: tsx bench/ack-only-center.ts <credentials.json> <embedded-port | mqtt://broker>
 */
import { createServer } from 'node:net';
import { readFileSync } from 'node:fs';
import { Aedes } from 'aedes';
import mqtt from 'mqtt';
import {
  deviceOfUplinkTopic,
  downlinkQos,
  downlinkTopic,
  type DownlinkMessage,
  type DownlinkQos,
  encodeFrame,
  openFrame,
  parseUplink,
  UPLINK_FILTER,
  verifyFrame,
} from '@sde/protocol';

const [credentialsFile, target] = process.argv.slice(2);
if (!credentialsFile || !target)
  throw new Error('usage: ack-only-center <credentials.json> <port | mqtt://url>');
const secrets = new Map(
  (
    JSON.parse(readFileSync(credentialsFile, 'utf8')) as { devices: { id: string; secret: string }[] }
  ).devices.map((d) => [d.id, d.secret]),
);
const marks = new Map<string, number>();

function answer(
  topic: string,
  payload: Buffer,
  publish: (topic: string, payload: Buffer, qos: DownlinkQos) => void,
): void {
  const dev = deviceOfUplinkTopic(topic);
  const opened = openFrame(payload);
  if (!dev || !opened.ok) return;
  const secret = secrets.get(opened.value.dev);
  if (!secret || !verifyFrame(opened.value, secret)) return;
  const message = parseUplink(opened.value.body);
  if (!message.ok) return;
  const m = message.value;
  const reply = (body: DownlinkMessage) =>
    publish(downlinkTopic(dev), encodeFrame(body, secret), downlinkQos(body.type));
  if (m.type === 'events') {
    let through = marks.get(dev) ?? 0;
    const seqs = new Set(m.events.map((e) => e.seq));
    while (seqs.has(through + 1)) through++;
    marks.set(dev, through);
    reply({ v: 1, type: 'ack', dev, ts: Date.now(), through });
  } else if (m.type === 'hello') {
    reply({ v: 1, type: 'ack', dev, ts: Date.now(), through: marks.get(dev) ?? 0 });
  } else if (m.type === 'time_req') {
    reply({ v: 1, type: 'time', dev, ts: Date.now(), req: m.ts, recv: Date.now() });
  }
}

if (/^\d+$/.test(target)) {
  const broker = await Aedes.createBroker();
  broker.subscribe(
    UPLINK_FILTER,
    (packet, cb) => {
      answer(packet.topic, packet.payload as Buffer, (topic, payload, qos) =>
        broker.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false }, () => undefined),
      );
      cb();
    },
    () => undefined,
  );
  createServer({ noDelay: true }, broker.handle).listen(Number(target), '127.0.0.1', () =>
    console.log('ready'),
  );
} else {
  const client = await mqtt.connectAsync(target, { clean: true });
  (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
  client.on('message', (topic, payload) =>
    answer(topic, payload, (t, p, qos) => client.publish(t, p, { qos })),
  );
  // Uplinks at QoS 0, as the center takes them (ADR 0007).
  await client.subscribeAsync(UPLINK_FILTER, { qos: 0 });
  console.log('ready');
}
