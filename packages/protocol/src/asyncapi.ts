/**
 * The AsyncAPI 3 description of protocol v1 (revision 1.1), generated from the same zod schemas the codec validates with.
 * docs/asyncapi.json is this document; a test fails when the two differ (`npm run docs:asyncapi` rewrites it).
 */
import { z } from 'zod';
import {
  AckMessage,
  CommandAckMessage,
  CommandMessage,
  EventsMessage,
  HelloMessage,
  RefusalMessage,
  TimeMessage,
  TimeRequestMessage,
} from './messages.js';
import { TOPIC_ROOT } from './topics.js';

const uplink = {
  events: [
    EventsMessage,
    'A batch of events, each with its per-device sequence number and device-clock time.',
  ],
  hello: [HelloMessage, 'Sent on every connection; answered with ack and any queued commands.'],
  time_req: [TimeRequestMessage, 'Clock synchronisation request.'],
  cmd_ack: [CommandAckMessage, 'The outcome of a command, by its id.'],
} as const;
const downlink = {
  ack: [AckMessage, 'Every event with seq <= through is durably stored; the device may free them.'],
  time: [TimeMessage, 'Answer to time_req: req echoes the request ts, recv is the center receive time.'],
  cmd: [CommandMessage, 'A command (message, set_range, set_interval), queued while the device is offline.'],
  refusal: [RefusalMessage, 'The center could not accept a message; code is stable.'],
} as const;

/** Builds the AsyncAPI 3.0 document. */
export function buildAsyncApi(): Record<string, unknown> {
  const messages: Record<string, unknown> = {};
  for (const [name, [schema, summary]] of [...Object.entries(uplink), ...Object.entries(downlink)]) {
    messages[name] = {
      name,
      summary,
      contentType: 'text/plain',
      description:
        'Carried as a signed frame: the message as compact JSON, a TAB, and the lowercase hex HMAC-SHA256 ' +
        'of the JSON bytes keyed with the device secret. The payload schema below is that of the JSON part.',
      payload: z.toJSONSchema(schema as z.ZodType, { io: 'input' }),
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'SDE device protocol',
      version: '1.1',
      description:
        'How monitoring units (home, portable, protected-person) talk to an SDE monitoring center over MQTT. ' +
        'See docs/protocol.md for the rules: sequence numbers, acknowledgements, clock sync, commands, read-out files. ' +
        'Revision 1.1 only adds optional fields (heartbeat txs, event adj, refusal seqs); messages keep v = 1.',
    },
    defaultContentType: 'text/plain',
    servers: {
      production: { host: 'broker.example:8883', protocol: 'mqtts', description: 'TLS in production' },
      embedded: {
        host: '127.0.0.1:1883',
        protocol: 'mqtt',
        description: 'the embedded broker of a development center',
      },
    },
    channels: {
      uplink: {
        address: `${TOPIC_ROOT}/{deviceId}/up`,
        parameters: { deviceId: { description: 'the device id, as in the message field dev' } },
        messages: Object.fromEntries(
          Object.keys(uplink).map((n) => [n, { $ref: `#/components/messages/${n}` }]),
        ),
      },
      downlink: {
        address: `${TOPIC_ROOT}/{deviceId}/down`,
        parameters: { deviceId: { description: 'the device id' } },
        messages: Object.fromEntries(
          Object.keys(downlink).map((n) => [n, { $ref: `#/components/messages/${n}` }]),
        ),
      },
    },
    operations: {
      sendUplink: {
        action: 'send',
        channel: { $ref: '#/channels/uplink' },
        messages: Object.keys(uplink).map((n) => ({ $ref: `#/channels/uplink/messages/${n}` })),
      },
      receiveDownlink: {
        action: 'receive',
        channel: { $ref: '#/channels/downlink' },
        messages: Object.keys(downlink).map((n) => ({ $ref: `#/channels/downlink/messages/${n}` })),
      },
    },
    components: { messages },
  };
}
