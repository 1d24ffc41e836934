/**
 * An MQTT broker inside the center process (aedes): the embedded default. Devices authenticate with their
 * id and secret, may publish only to their own uplink topic and subscribe only to their own downlink topic.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes, type AedesPublishPacket } from 'aedes';
import { deviceOfUplinkTopic, downlinkTopic, MAX_FRAME_BYTES, UPLINK_FILTER } from '@sde/protocol';
import type { Logger } from '../logger.js';
import { listenWithFallback } from '../net.js';
import type { CredentialCheck, DeviceTransport, UplinkHandler } from './transport.js';

/** Starts the embedded broker listening on `port` (a taken default port falls back to a free one). */
export async function startEmbeddedBroker(opts: {
  host: string;
  port: number;
  explicitPort: boolean;
  checkCredentials: CredentialCheck;
  /** Called for every connection refused for a bad device id or secret. */
  onAuthFailure?: () => void;
  /** PEM certificate and key files: the broker then speaks MQTT over TLS (mqtts://). */
  tls?: { certFile: string; keyFile: string };
  logger: Logger;
}): Promise<DeviceTransport & { port: number; fellBack: boolean }> {
  const broker = await Aedes.createBroker({
    // Device ids are at most 64 characters (protocol v1).
    maxClientsIdLength: 64,
    // Messages the broker's emitter handles at once. With the default (100) a burst of thousands of
    // acknowledgements queues inside the emitter, which releases its queue recursively and can overflow
    // the stack.
    concurrency: 10_000,
    authenticate: (client, username, password, done) => {
      const fail = () => {
        opts.onAuthFailure?.();
        const err = Object.assign(new Error('bad device id or secret'), { returnCode: 4 as const });
        done(err, false);
      };
      if (!username || !password || client.id !== username) return fail();
      opts.checkCredentials(username, password.toString('utf8')).then(
        (ok) => (ok ? done(null, true) : fail()),
        () => fail(),
      );
    },
    authorizePublish: (client, packet, done) => {
      if (!client) return done(null);
      if (packet.payload.length > MAX_FRAME_BYTES * 2) return done(new Error('frame too large'));
      done(deviceOfUplinkTopic(packet.topic) === client.id ? null : new Error('not your topic'));
    },
    authorizeSubscribe: (client, sub, done) => {
      done(null, sub.topic === downlinkTopic(client.id) ? sub : null);
    },
  });
  broker.on('clientError', (client, err) =>
    opts.logger.debug({ device: client.id, err: err.message }, 'mqtt client error'),
  );
  // Acknowledgements are small writes answering small reads: with Nagle's algorithm on, each one waits for
  // the device's delayed TCP acknowledgement (about 40 ms on Linux) before it leaves.
  const server: Server = opts.tls
    ? createTlsServer(
        { cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile), noDelay: true },
        broker.handle,
      )
    : createServer({ noDelay: true }, broker.handle);
  const { port, fellBack } = await listenWithFallback(server, {
    host: opts.host,
    port: opts.port,
    explicit: opts.explicitPort,
    what: 'embedded MQTT broker',
    hint: 'Set SDE_MQTT_PORT to a free port, or SDE_MQTT_URL to use the broker that holds it.',
  });
  let deliver: ((packet: AedesPublishPacket, cb: () => void) => void) | undefined;
  let running = true;

  return {
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://${opts.host}:${port}`,
    port,
    fellBack,
    async start(handler: UplinkHandler) {
      deliver = (packet, cb) => {
        handler(packet.topic, packet.payload as Buffer);
        // Released on the next tick: a synchronous release makes aedes' emitter recurse once per queued
        // message, which overflows the stack under a burst of thousands of devices.
        queueMicrotask(cb);
      };
      await new Promise<void>((resolve) => broker.subscribe(UPLINK_FILTER, deliver!, resolve));
    },
    publish(topic, payload, qos) {
      // Stopping: the devices are being disconnected, so an answer cannot reach them; a unit keeps what it
      // was not acknowledged and sends it again, and the ledger stores it once.
      if (!running || broker.closed) return Promise.resolve();
      return new Promise((resolve, reject) =>
        broker.publish({ cmd: 'publish', topic, payload, qos, retain: false, dup: false }, (err) =>
          err ? reject(err) : resolve(),
        ),
      );
    },
    healthy: () => running && !broker.closed,
    connectedDevices: () => broker.connectedClients,
    async stop() {
      running = false;
      // Closing the broker disconnects the devices; only then can the listening socket finish closing.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => broker.close(() => resolve()));
      await closed;
    },
  };
}
