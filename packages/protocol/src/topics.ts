/** MQTT topics of protocol v1. Each device publishes only to its own uplink and reads only its own downlink. */

export const TOPIC_ROOT = 'sde/v1/d';

/** Device → center (QoS 1). */
export function uplinkTopic(deviceId: string): string {
  return `${TOPIC_ROOT}/${deviceId}/up`;
}

/** Center → device (commands QoS 1, answers QoS 0: ADR 0007). */
export function downlinkTopic(deviceId: string): string {
  return `${TOPIC_ROOT}/${deviceId}/down`;
}

/** MQTT QoS of a downlink frame. */
export type DownlinkQos = 0 | 1;

/**
 * The QoS a downlink of type `type` is published with (ADR 0007): a command must arrive (the device confirms
 * it); an acknowledgement, a clock answer or a refusal that is lost is recovered by the device sending again.
 */
export function downlinkQos(type: 'ack' | 'time' | 'cmd' | 'refusal'): DownlinkQos {
  return type === 'cmd' ? 1 : 0;
}

/** The filter the center subscribes to for all uplinks. */
export const UPLINK_FILTER = `${TOPIC_ROOT}/+/up`;

/** The device id in an uplink topic, or undefined when the topic is not one. */
export function deviceOfUplinkTopic(topic: string): string | undefined {
  return deviceOfTopic(topic, 'up');
}

/** The device id in a downlink topic, or undefined when the topic is not one. */
export function deviceOfDownlinkTopic(topic: string): string | undefined {
  return deviceOfTopic(topic, 'down');
}

function deviceOfTopic(topic: string, direction: 'up' | 'down'): string | undefined {
  const parts = topic.split('/');
  if (parts.length !== 5 || `${parts[0]}/${parts[1]}/${parts[2]}` !== TOPIC_ROOT || parts[4] !== direction) {
    return undefined;
  }
  return parts[3] || undefined;
}
