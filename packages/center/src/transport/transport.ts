/**
 * The device transport seam: an MQTT broker embedded in the process, or an external broker the center
 * connects to as a client. The gateway sees only this interface.
 */
import type { DownlinkQos } from '@sde/protocol';

/**
 * Receives each uplink frame with the topic it came on, synchronously as it arrives (the gateway reads the
 * arrival time from the center's clock). Must not throw.
 */
export type UplinkHandler = (topic: string, payload: Buffer) => void;

/** Devices' MQTT access, whichever broker carries it. */
export interface DeviceTransport {
  /** Where devices connect, e.g. mqtt://127.0.0.1:1883. */
  readonly url: string;
  /** Starts delivering uplinks to `handler`. */
  start(handler: UplinkHandler): Promise<void>;
  /** Publishes a downlink frame with the QoS its type has (`downlinkQos`, ADR 0007). */
  publish(topic: string, payload: Buffer, qos: DownlinkQos): Promise<void>;
  /** True while the broker accepts devices and the center is subscribed. */
  healthy(): boolean;
  /** Devices connected right now, when the transport can know it (embedded broker only). */
  connectedDevices(): number | undefined;
  /**
   * Whether device `id` is connected and listening to its downlink now; undefined when the transport cannot
   * know (an external broker). A command counts as sent only to a connected unit (ADR 0504).
   */
  isConnected?(id: string): boolean | undefined;
  /** Stops taking uplinks and closes. */
  stop(): Promise<void>;
}

/** Checks a device's MQTT credentials; used by the embedded broker. */
export type CredentialCheck = (deviceId: string, secret: string) => Promise<boolean>;
