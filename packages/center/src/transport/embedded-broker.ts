/**
 * An MQTT broker inside the center process (aedes): the embedded default. Devices authenticate with their
 * id and secret, may publish only to their own uplink topic and subscribe only to their own downlink topic.
 *
 * The broker runs on a thread of its own (embedded-broker.worker.ts, ADR 0008); this side checks the
 * credentials it asks about, hands uplinks to the gateway and sends downlinks in batches, one per turn of
 * the center's event loop.
 */
import { Worker } from 'node:worker_threads';
import type { Logger } from '../logger.js';
import { PortInUseError } from '../net.js';
import {
  pack,
  TurnBatches,
  unpacked,
  type BrokerOptions,
  type ToBroker,
  type ToCenter,
} from './embedded-broker.messages.js';
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
  const workerData: BrokerOptions = {
    host: opts.host,
    port: opts.port,
    explicitPort: opts.explicitPort,
    tls: opts.tls,
  };
  const worker = new Worker(new URL('./embedded-broker.worker.js', import.meta.url), { workerData });
  const send = (message: ToBroker, transfer?: ArrayBuffer[]) => worker.postMessage(message, transfer);

  let handler: UplinkHandler | undefined;
  let clients = 0;
  // Devices listening to their downlink, as the broker's thread reports them (commands count as sent only to these).
  const listening = new Set<string>();
  let running = true;
  let alive = true;
  let onStopped: (() => void) | undefined;

  // Downlinks of this turn, sent together; each publish settles when the broker has taken it.
  type Outgoing = { topic: string; payload: Buffer; qos: 0 | 1; settle: (err?: Error) => void };
  const downlinks = new TurnBatches<Outgoing>((batch, items) => {
    // The broker's thread is gone: nothing will confirm these, and devices resend what was not acknowledged.
    if (!alive) return downlinks.settle(batch).forEach((o) => o.settle());
    const { data, ends } = pack(items.map((o) => o.payload));
    const [topics, qos] = [items.map((o) => o.topic), items.map((o) => o.qos)];
    send({ type: 'publish', batch, topics, qos, ends, data }, [data]);
  });

  function onMessage(message: ToCenter): void {
    switch (message.type) {
      case 'auth':
        // A check that fails (the registry unreachable) refuses the connection like a wrong secret.
        void opts
          .checkCredentials(message.deviceId, message.secret)
          .catch(() => false)
          .then((ok) => {
            if (!ok) opts.onAuthFailure?.();
            send({ type: 'authResult', id: message.id, ok });
          });
        return;
      case 'authRefused':
        opts.onAuthFailure?.();
        return;
      case 'clientError':
        opts.logger.debug({ device: message.device, err: message.error }, 'mqtt client error');
        return;
      case 'uplinks':
        try {
          if (handler)
            for (let i = 0; i < message.topics.length; i++)
              handler(message.topics[i]!, unpacked(message.data, message.ends, i));
        } finally {
          send({ type: 'taken', batch: message.batch });
        }
        return;
      case 'published': {
        const failed = new Set(message.failed);
        downlinks
          .settle(message.batch)
          .forEach((o, i) =>
            o.settle(failed.has(i) ? new Error('the broker did not take the message') : undefined),
          );
        return;
      }
      case 'clients':
        clients = message.clients;
        return;
      case 'presence':
        if (message.online) listening.add(message.device);
        else listening.delete(message.device);
        return;
      case 'stopped':
        onStopped?.();
        return;
      case 'listening':
      case 'failed':
        return;
    }
  }

  const started = await new Promise<{ port: number; fellBack: boolean }>((resolve, reject) => {
    const onFirst = (message: ToCenter) => {
      if (message.type === 'listening') {
        worker.off('message', onFirst);
        resolve({ port: message.port, fellBack: message.fellBack });
      } else if (message.type === 'failed') {
        worker.off('message', onFirst);
        // The same error as a listen on this thread would throw (the CLI explains a PortInUseError).
        const p = message.portInUse;
        reject(p ? new PortInUseError(p.port, p.what, p.hint) : new Error(message.message));
      }
    };
    worker.on('message', onFirst);
    worker.once('error', reject);
  }).catch(async (err: unknown) => {
    await worker.terminate();
    throw err;
  });
  worker.on('message', onMessage);
  worker.on('error', (err) => opts.logger.error({ err: err.message }, 'embedded MQTT broker thread failed'));
  worker.on('exit', () => {
    alive = false;
    clients = 0;
    // Anything not confirmed will not be: devices resend what was not acknowledged.
    for (const o of downlinks.abandon()) o.settle();
    onStopped?.();
  });

  return {
    url: `${opts.tls ? 'mqtts' : 'mqtt'}://${opts.host}:${started.port}`,
    port: started.port,
    fellBack: started.fellBack,
    async start(h: UplinkHandler) {
      handler = h;
    },
    publish(topic, payload, qos) {
      // Stopping: the devices are being disconnected, so an answer cannot reach them; a unit keeps what it
      // was not acknowledged and sends it again, and the ledger stores it once.
      if (!running || !alive) return Promise.resolve();
      return new Promise((resolve, reject) =>
        downlinks.add({ topic, payload, qos, settle: (err) => (err ? reject(err) : resolve()) }),
      );
    },
    healthy: () => running && alive,
    connectedDevices: () => clients,
    isConnected: (id) => listening.has(id),
    async stop() {
      if (!running) return;
      running = false;
      if (!alive) return;
      downlinks.flush();
      await new Promise<void>((resolve) => {
        onStopped = resolve;
        send({ type: 'stop' });
      });
      await worker.terminate();
    },
  };
}
