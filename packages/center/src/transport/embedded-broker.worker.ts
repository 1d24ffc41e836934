/**
 * The embedded MQTT broker's thread (aedes): devices' connections, MQTT parsing, topic matching and socket
 * writes run here, so that they do not share the center's event loop with frame checks and the ledger.
 * At 5,000 devices × one frame a second they were a third of that loop's work (ADR 0008).
 *
 * The center's side is embedded-broker.ts; the messages between the two are in embedded-broker.messages.ts.
 * Credentials are checked by the center (the device registry lives there): the broker asks and waits.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { parentPort, workerData } from 'node:worker_threads';
import { Aedes, type Client } from 'aedes';
import mqttPacket from 'mqtt-packet';
import { deviceOfDownlinkTopic, deviceOfUplinkTopic, downlinkTopic, MAX_FRAME_BYTES } from '@sde/protocol';
import { listenWithFallback, PortInUseError } from '../net.js';
import {
  pack,
  TurnBatches,
  unpacked,
  type BrokerOptions,
  type ToBroker,
  type ToCenter,
} from './embedded-broker.messages.js';

const port = parentPort!;
const options = workerData as BrokerOptions;
const post = (message: ToCenter, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);

const pendingAuth = new Map<number, (ok: boolean) => void>();
let nextAuth = 0;

const broker = await Aedes.createBroker({
  // Device ids are at most 64 characters (protocol v1).
  maxClientsIdLength: 64,
  // Messages the broker's emitter handles at once. With the default (100) a burst of thousands of
  // acknowledgements queues inside the emitter, which releases its queue recursively and can overflow
  // the stack.
  concurrency: 10_000,
  authenticate: (client, username, password, done) => {
    const refuse = () => {
      const err = Object.assign(new Error('bad device id or secret'), { returnCode: 4 as const });
      done(err, false);
    };
    if (!username || !password || client.id !== username) {
      post({ type: 'authRefused' });
      return refuse();
    }
    // The center counts the refusals it decides.
    const id = nextAuth++;
    pendingAuth.set(id, (ok) => (ok ? done(null, true) : refuse()));
    post({ type: 'auth', id, deviceId: username, secret: password.toString('utf8') });
  },
  // A device's frame goes to the center from here, before aedes answers the PUBACK: the PUBACK then says
  // that the center has taken the frame and stamped its arrival (and waits for the center's answer, below).
  // Nobody subscribes to uplinks in this broker.
  authorizePublish: (client, packet, done) => {
    if (!client) return done(null);
    if (packet.payload.length > MAX_FRAME_BYTES * 2) return done(new Error('frame too large'));
    if (deviceOfUplinkTopic(packet.topic) !== client.id) return done(new Error('not your topic'));
    uplinks.add({
      device: client.id,
      topic: packet.topic,
      payload: packet.payload as Buffer,
      release: () => done(null),
    });
  },
  authorizeSubscribe: (client, sub, done) => {
    done(null, sub.topic === downlinkTopic(client.id) ? sub : null);
  },
});
broker.on('clientError', (client, err) =>
  post({ type: 'clientError', device: client.id, error: err.message }),
);

// Acknowledgements are small writes answering small reads: with Nagle's algorithm on, each one waits for
// the device's delayed TCP acknowledgement (about 40 ms on Linux) before it leaves.
const server: Server = options.tls
  ? createTlsServer(
      { cert: readFileSync(options.tls.certFile), key: readFileSync(options.tls.keyFile), noDelay: true },
      broker.handle,
    )
  : createServer({ noDelay: true }, broker.handle);

/*
 * Uplinks travel to the center in batches, one per turn of this thread's event loop, their payloads packed
 * into one transferred buffer. A frame's PUBACK waits until the center has taken its batch, and a device's
 * next packet is not read before: a busy center slows the devices' sockets down instead of filling its
 * message queue.
 */
const uplinks = new TurnBatches<{ device: string; topic: string; payload: Buffer; release: () => void }>(
  (batch, items) => {
    const { data, ends } = pack(items.map((u) => u.payload));
    post({ type: 'uplinks', batch, topics: items.map((u) => u.topic), ends, data }, [data]);
  },
);

/*
 * The PUBACK of a taken frame waits for the center's answer to its device (the ack, a refusal), and both
 * leave in one write: a write to a socket is most of this thread's work (each one a system call that also
 * runs the loopback or network stack), and a frame otherwise cost two. A frame the center does not answer
 * has its PUBACK sent by the sweep, 100–200 ms after it was taken. Held PUBACKs are in `held` (taken since
 * the last sweep) or `older` (taken before it), by device.
 */
let held = new Map<string, (() => void)[]>();
let older = new Map<string, (() => void)[]>();
function hold(device: string, release: () => void): void {
  const list = held.get(device);
  if (list) list.push(release);
  else held.set(device, [release]);
}
function releaseHeld(device: string): void {
  for (const map of [older, held]) {
    const list = map.get(device);
    if (!list) continue;
    map.delete(device);
    for (const release of list) release();
  }
}
function releaseAllHeld(): void {
  for (const map of [older, held]) for (const list of map.values()) for (const release of list) release();
  older.clear();
  held.clear();
}
const sweep = setInterval(() => {
  for (const list of older.values()) for (const release of list) release();
  older = held;
  held = new Map();
}, 100);

/** Connected devices subscribed to their downlink topic, by id: where an answer can be written directly. */
const listening = new Map<string, Client>();
broker.on('subscribe', (subscriptions, client) => {
  if (client && subscriptions.some((s) => s.topic === downlinkTopic(client.id))) {
    listening.set(client.id, client);
    post({ type: 'presence', device: client.id, online: true });
  }
});
broker.on('unsubscribe', (topics, client) => {
  if (client && topics.includes(downlinkTopic(client.id)) && listening.get(client.id) === client) {
    listening.delete(client.id);
    post({ type: 'presence', device: client.id, online: false });
  }
});
broker.on('clientDisconnect', (client) => {
  if (listening.get(client.id) === client) {
    listening.delete(client.id);
    post({ type: 'presence', device: client.id, online: false });
  }
});

/**
 * An answer (QoS 0) written straight to its device's connection, with the PUBACKs it was waiting for, in one
 * write; false when aedes must route it (the device is not connected, or not subscribed to its downlink).
 * For QoS 0 to a connected subscriber, that write is all aedes does too, after a topic match and a turn of
 * the loop.
 */
function answerDirectly(topic: string, payload: Buffer): boolean {
  const device = deviceOfDownlinkTopic(topic);
  const client = device === undefined ? undefined : listening.get(device);
  if (!client?.connected) return false;
  const conn = client.conn;
  conn.cork();
  releaseHeld(client.id);
  mqttPacket.writeToStream({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, conn);
  process.nextTick(() => conn.uncork());
  return true;
}

function publishAll(message: Extract<ToBroker, { type: 'publish' }>): void {
  let left = message.topics.length;
  const failed: number[] = [];
  const done = () => {
    if (--left === 0) post({ type: 'published', batch: message.batch, failed });
  };
  message.topics.forEach((topic, i) => {
    const payload = unpacked(message.data, message.ends, i);
    const qos = message.qos[i]!;
    if (qos === 0 && answerDirectly(topic, payload)) return done();
    const packet = { cmd: 'publish' as const, topic, payload, qos, retain: false, dup: false };
    broker.publish(packet, (err) => {
      if (err) failed.push(i);
      done();
    });
  });
}

async function stop(): Promise<void> {
  clearInterval(census);
  clearInterval(sweep);
  releaseAllHeld();
  // Closing the broker disconnects the devices; only then can the listening socket finish closing.
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => broker.close(() => resolve()));
  await closed;
  post({ type: 'stopped' });
}

port.on('message', (message: ToBroker) => {
  switch (message.type) {
    case 'authResult':
      pendingAuth.get(message.id)?.(message.ok);
      pendingAuth.delete(message.id);
      return;
    case 'taken':
      for (const { device, release } of uplinks.settle(message.batch)) hold(device, release);
      return;
    case 'publish':
      if (broker.closed) post({ type: 'published', batch: message.batch, failed: [] });
      else publishAll(message);
      return;
    case 'stop':
      void stop();
      return;
  }
});

// The count of connected devices, for /metrics, also when no device sends anything.
const census = setInterval(() => post({ type: 'clients', clients: broker.connectedClients }), 1000);

try {
  const bound = await listenWithFallback(server, {
    host: options.host,
    port: options.port,
    explicit: options.explicitPort,
    what: 'embedded MQTT broker',
    hint: 'Set SDE_MQTT_PORT to a free port, or SDE_MQTT_URL to use the broker that holds it.',
  });
  post({ type: 'listening', ...bound });
} catch (err) {
  clearInterval(census);
  clearInterval(sweep);
  post({
    type: 'failed',
    message: (err as Error).message,
    ...(err instanceof PortInUseError
      ? { portInUse: { port: err.port, what: err.what, hint: err.hint } }
      : {}),
  });
}
