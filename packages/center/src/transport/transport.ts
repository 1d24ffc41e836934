/**
 * The device transport seam: an MQTT broker embedded in the process, or an external broker the center
 * connects to as a client. The gateway sees only this interface.
 */

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
  /**
   * Publishes a downlink frame: QoS 1 for commands, QoS 0 for answers a device recovers by asking again
   * (acknowledgements, clock answers, refusals; ADR 0007).
   */
  publish(topic: string, payload: Buffer, qos: DownlinkQos): Promise<void>;
  /** True while the broker accepts devices and the center is subscribed. */
  healthy(): boolean;
  /** Devices connected right now, when the transport can know it (embedded broker only). */
  connectedDevices(): number | undefined;
  /** Stops taking uplinks and closes. */
  stop(): Promise<void>;
}

/** MQTT QoS of a downlink frame. */
export type DownlinkQos = 0 | 1;

/** Checks a device's MQTT credentials; used by the embedded broker. */
export type CredentialCheck = (deviceId: string, secret: string) => Promise<boolean>;
