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
import { Aedes } from 'aedes';
import { deviceOfUplinkTopic, downlinkTopic, MAX_FRAME_BYTES } from '@sde/protocol';
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
  // that the center has taken the frame and stamped its arrival. Nobody subscribes to uplinks in this broker.
  authorizePublish: (client, packet, done) => {
    if (!client) return done(null);
    if (packet.payload.length > MAX_FRAME_BYTES * 2) return done(new Error('frame too large'));
    if (deviceOfUplinkTopic(packet.topic) !== client.id) return done(new Error('not your topic'));
    uplinks.add({ topic: packet.topic, payload: packet.payload as Buffer, release: () => done(null) });
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
const uplinks = new TurnBatches<{ topic: string; payload: Buffer; release: () => void }>((batch, items) => {
  const { data, ends } = pack(items.map((u) => u.payload));
  post({ type: 'uplinks', batch, topics: items.map((u) => u.topic), ends, data }, [data]);
});

function publishAll(message: Extract<ToBroker, { type: 'publish' }>): void {
  let left = message.topics.length;
  const failed: number[] = [];
  message.topics.forEach((topic, i) => {
    const payload = unpacked(message.data, message.ends, i);
    const packet = {
      cmd: 'publish' as const,
      topic,
      payload,
      qos: message.qos[i]!,
      retain: false,
      dup: false,
    };
    broker.publish(packet, (err) => {
      if (err) failed.push(i);
      if (--left === 0) post({ type: 'published', batch: message.batch, failed });
    });
  });
}

async function stop(): Promise<void> {
  clearInterval(census);
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
      for (const { release } of uplinks.settle(message.batch)) release();
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
  post({
    type: 'failed',
    message: (err as Error).message,
    ...(err instanceof PortInUseError
      ? { portInUse: { port: err.port, what: err.what, hint: err.hint } }
      : {}),
  });
}
