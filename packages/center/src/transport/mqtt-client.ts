/**
 * An external MQTT broker (Mosquitto, or a clustered broker): the center connects as a client and
 * subscribes to every uplink. The broker does not check device secrets; the center does, on every frame,
 * by its signature (docs/protocol.md).
 */
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';
import { UPLINK_FILTER } from '@sde/protocol';
import type { Logger } from '../logger.js';
import type { DeviceTransport, UplinkHandler } from './transport.js';

/**
 * Uplinks are taken at QoS 0 (ADR 0007): delivery is made sure of end to end by the center's acknowledgement
 * after storage, so a broker-level acknowledgement per frame adds nothing but work, and the broker's in-flight
 * window (20 messages on Mosquitto by default) would throttle every device's uplink to the pace of the center's
 * event loop.
 */
const UPLINK_SUBSCRIPTION = { qos: 0 } as const;

/** Connects to the broker at `url`. Resolves once connected; keeps reconnecting after that. */
export async function connectExternalBroker(opts: { url: string; logger: Logger }): Promise<DeviceTransport> {
  const client = mqtt.connect(opts.url, {
    clientId: `sde-center-${randomBytes(6).toString('hex')}`,
    // A clean session: frames the broker would queue while the center is away arrive stale; devices
    // retransmit everything unacknowledged with a fresh timestamp instead.
    clean: true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
  });
  let subscribed = false;
  let stopped = false;
  let handler: UplinkHandler | undefined;

  client.on('message', (topic, payload) => handler?.(topic, payload));
  client.on('connect', () => {
    // Small writes (acknowledgements) leave at once instead of waiting on Nagle's algorithm (~40 ms).
    (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    if (!handler) return;
    client.subscribe(UPLINK_FILTER, UPLINK_SUBSCRIPTION, (err) => {
      subscribed = !err;
      if (err) opts.logger.error({ err: err.message }, 'subscribing to device uplinks failed');
    });
  });
  client.on('close', () => {
    subscribed = false;
  });
  client.on('error', (err) => opts.logger.warn({ err: err.message, broker: opts.url }, 'mqtt broker error'));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.end(true);
      reject(new Error(`cannot reach the MQTT broker at ${opts.url} (SDE_MQTT_URL)`));
    }, 10_000);
    client.once('connect', () => {
      clearTimeout(timer);
      resolve();
    });
  });

  return {
    url: opts.url,
    async start(h) {
      handler = h;
      await client.subscribeAsync(UPLINK_FILTER, UPLINK_SUBSCRIPTION);
      subscribed = true;
    },
    async publish(topic, payload, qos) {
      // Stopping: no answer can be delivered; the unit sends again what it was not acknowledged.
      if (stopped) return;
      await client.publishAsync(topic, payload, { qos });
    },
    healthy: () => client.connected && subscribed,
    connectedDevices: () => undefined,
    async stop() {
      stopped = true;
      await client.endAsync();
    },
  };
}
