/**
 * SDE device protocol v1 (with the v1.1 additions, ADR 0504): the messages a device and the center
 * exchange, as zod schemas. v1.1 only adds optional fields, so every v1 message stays valid.
 *
 * The schemas are the single source of truth: the codec validates with them, docs/asyncapi.json is
 * generated from them, and the center and the simulator share their types.
 */
import { z } from 'zod';

/** The only protocol version this code speaks. */
export const PROTOCOL_VERSION = 1;

/** Largest number of events one `events` message may carry. */
export const MAX_EVENTS_PER_BATCH = 500;

/** Largest encoded frame, in bytes, that either side accepts. */
export const MAX_FRAME_BYTES = 256 * 1024;

/** A device id: the unique, visible id printed on the device (T1, T2.1, T3). */
export const DeviceId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'device ids use letters, digits, "_", "." and "-"');

/**
 * Free text from a device (a fault's code, a command id it echoes). JSON can carry what PostgreSQL cannot
 * store — the NUL character and unpaired UTF-16 surrogates — and one such value would fail the whole group
 * of other units' events written with it, so it is refused here with the reason.
 */
const UNSTORABLE = /[\0\p{Cs}]/u;
function text(max: number, min = 0) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !UNSTORABLE.test(s), {
      message: 'text must be valid Unicode without the NUL character (U+0000)',
    });
}

/** Milliseconds since the Unix epoch, as read from the sender's clock. */
const EpochMs = z.number().int().min(0).max(8_640_000_000_000);
const Seq = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const TransmitterRef = z.object({ tx: DeviceId });
const Rssi = z.number().min(-150).max(20);

/** Most transmitters a heartbeat reports on (v1.1): a unit pairs with one, a few at most. */
export const MAX_HEARTBEAT_TXS = 4;

/**
 * v1.1: one paired transmitter's state as the unit sees it at a heartbeat: in range or not, and its battery
 * when the unit knows it. `inRange: false` confirms an absence at the heartbeat's time, `true` a presence.
 */
export const HeartbeatTx = z.object({
  tx: DeviceId,
  inRange: z.boolean(),
  battery: z.number().min(0).max(100).optional(),
});
export type HeartbeatTx = z.infer<typeof HeartbeatTx>;

/**
 * Largest clock correction an event may carry (`adj`, v1.1): the whole span of `t`, so that a unit whose
 * clock started at 0 (1970) can still say how far its sync moved it.
 */
export const MAX_CLOCK_ADJ_MS = 8_640_000_000_000;

/** What a device reports; the `kind` names are the protocol's event types (docs/protocol.md). */
export const EventBody = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('heartbeat'),
    battery: z.number().min(0).max(100),
    signal: z.number().min(0).max(100),
    power: z.enum(['mains', 'battery']),
    /** v1.1: the paired transmitters' state at this heartbeat; v1 units omit it. */
    txs: z
      .array(HeartbeatTx)
      .max(MAX_HEARTBEAT_TXS)
      .refine((list) => new Set(list.map((x) => x.tx)).size === list.length, {
        message: 'a transmitter appears more than once',
      })
      .optional()
      .describe("v1.1: the paired transmitters' state as the unit sees it at this heartbeat (at most 4)"),
  }),
  TransmitterRef.extend({ kind: z.literal('tx_in_range'), rssi: Rssi }),
  TransmitterRef.extend({ kind: z.literal('tx_out_of_range'), rssi: Rssi.optional() }),
  TransmitterRef.extend({ kind: z.literal('tx_strap_tamper') }),
  TransmitterRef.extend({ kind: z.literal('tx_case_tamper') }),
  TransmitterRef.extend({
    kind: z.literal('tx_battery_low'),
    battery: z.number().min(0).max(100).optional(),
  }),
  z.object({ kind: z.literal('unit_case_tamper') }),
  z.object({ kind: z.literal('unit_moved') }),
  z.object({ kind: z.literal('unit_power_lost') }),
  z.object({ kind: z.literal('unit_power_restored') }),
  z.object({ kind: z.literal('unit_battery_low'), battery: z.number().min(0).max(100).optional() }),
  z.object({
    kind: z.literal('location'),
    lat: z.number().min(-90).max(90),
    lon: z.number().min(-180).max(180),
    acc: z.number().min(0).max(100_000),
    src: z.enum(['gps', 'cell', 'wifi']),
  }),
  TransmitterRef.extend({ kind: z.literal('proximity_tx_heard'), rssi: Rssi }),
  TransmitterRef.extend({ kind: z.literal('proximity_tx_lost') }),
  z.object({ kind: z.literal('message_read'), msg: text(64, 1) }),
  z.object({
    kind: z.literal('fault'),
    code: text(64, 1),
    detail: text(500).optional(),
  }),
]);
export type EventBody = z.infer<typeof EventBody>;
/** Every event kind of protocol v1. */
export type EventKind = EventBody['kind'];
export const EVENT_KINDS = EventBody.options.map((o) => o.shape.kind.value) as readonly EventKind[];

/**
 * v1.1: milliseconds to add to an event's `t` to put it on the clock its frame's `ts` was read from — the
 * sum of the steps the unit's clock syncs made since it stamped the event (protocol §3.2, ADR 0504).
 * Sent, not recorded: `t` stays as recorded, and a retransmission may carry a different `adj`.
 */
const ClockAdj = z
  .number()
  .int()
  .min(-MAX_CLOCK_ADJ_MS)
  .max(MAX_CLOCK_ADJ_MS)
  .describe(
    "v1.1: ms the unit's clock was stepped by syncs since it stamped t; t + adj is on the clock of the frame's ts",
  );

/** One event as the device recorded it: its sequence number and the device-clock time it happened. */
// A discriminated union of whole objects rather than an intersection: zod checks it in one pass, which
// matters at tens of thousands of events per second.
export const DeviceEvent = z.discriminatedUnion(
  'kind',
  EventBody.options.map((o) => o.extend({ seq: Seq, t: EpochMs, adj: ClockAdj.optional() })) as unknown as [
    z.ZodObject<{ kind: z.ZodLiteral<EventKind>; seq: typeof Seq; t: typeof EpochMs }>,
  ],
) as unknown as z.ZodType<{ seq: number; t: number; adj?: number } & EventBody>;
export type DeviceEvent = z.infer<typeof DeviceEvent>;

const Header = { v: z.literal(PROTOCOL_VERSION), dev: DeviceId, ts: EpochMs };

/** Device → center: a batch of events, in any order, each with its own sequence number. */
export const EventsMessage = z.object({
  ...Header,
  type: z.literal('events'),
  events: z
    .array(DeviceEvent)
    .min(1)
    .max(MAX_EVENTS_PER_BATCH)
    // v1.1: a corrected time must still be a time (one loop over the batch, only reading a field).
    .superRefine((events, ctx) => {
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        if (e.adj === undefined) continue;
        const at = e.t + e.adj;
        if (at < 0 || at > 8_640_000_000_000)
          ctx.addIssue({
            code: 'custom',
            path: [i, 'adj'],
            message: 't + adj must be a time from 1970 on (ms since the epoch)',
          });
      }
    }),
});
/** Device → center: sent on every (re)connection; the center answers with `ack` and any queued commands. */
export const HelloMessage = z.object({
  ...Header,
  type: z.literal('hello'),
  model: z.enum(['transmitter', 'home_unit', 'portable_unit', 'protected_unit']),
  fw: text(64),
});
/** Device → center: a clock synchronisation request (T2.4, T3). */
export const TimeRequestMessage = z.object({ ...Header, type: z.literal('time_req') });
/** Device → center: the outcome of a command. */
export const CommandAckMessage = z.object({
  ...Header,
  type: z.literal('cmd_ack'),
  id: text(64, 1),
  status: z.enum(['done', 'rejected']),
  reason: text(200).optional(),
});

export const UplinkMessage = z.discriminatedUnion('type', [
  EventsMessage,
  HelloMessage,
  TimeRequestMessage,
  CommandAckMessage,
]);
export type UplinkMessage = z.infer<typeof UplinkMessage>;
export type EventsMessage = z.infer<typeof EventsMessage>;
export type HelloMessage = z.infer<typeof HelloMessage>;
export type CommandAckMessage = z.infer<typeof CommandAckMessage>;

/** Center → device: every event with `seq <= through` is durably stored; the device may free them. */
export const AckMessage = z.object({ ...Header, type: z.literal('ack'), through: z.number().int().min(0) });
/** Center → device: the answer to `time_req`; `req` echoes the request's `ts`, `recv` is the center's receive time. */
export const TimeMessage = z.object({ ...Header, type: z.literal('time'), req: EpochMs, recv: EpochMs });

/** The commands a center may send (T2.2, T2.5, T3). */
export const CommandBody = z.discriminatedUnion('cmd', [
  z.object({ cmd: z.literal('message'), text: z.string().min(1).max(1000) }),
  /** Monitoring range in metres; portable units allow 200 ± 20 m at most (T3). */
  z.object({ cmd: z.literal('set_range'), meters: z.number().int().min(1).max(220) }),
  z.object({ cmd: z.literal('set_interval'), seconds: z.number().int().min(5).max(86_400) }),
]);
export type CommandBody = z.infer<typeof CommandBody>;
/** Center → device: a command; the device confirms it with `cmd_ack` carrying the same id. */
export const CommandMessage = z.intersection(
  z.object({ ...Header, type: z.literal('cmd'), id: z.string().min(1).max(64) }),
  CommandBody,
);
/** Center → device: the center could not accept a message; `code` is stable, `message` is for people. */
export const RefusalMessage = z.object({
  ...Header,
  type: z.literal('refusal'),
  code: z.string(),
  message: z.string(),
  /**
   * v1.1, with `seq_reused`: the sequence numbers of the frame the center already holds with other content.
   * Those events are not stored, and the `ack` that follows does not cover them.
   */
  seqs: z
    .array(Seq)
    .max(MAX_EVENTS_PER_BATCH)
    .optional()
    .describe('v1.1, with seq_reused: the numbers held with other content; not stored, not acknowledged'),
});

export const DownlinkMessage = z.union([AckMessage, TimeMessage, CommandMessage, RefusalMessage]);
export type DownlinkMessage = z.infer<typeof DownlinkMessage>;
export type AckMessage = z.infer<typeof AckMessage>;
export type TimeMessage = z.infer<typeof TimeMessage>;
export type CommandMessage = z.infer<typeof CommandMessage>;
export type RefusalMessage = z.infer<typeof RefusalMessage>;

/** Offline read-out file: the first frame, naming the device and the range of sequence numbers inside (T2.6). */
export const ReadoutHeader = z.object({
  ...Header,
  type: z.literal('readout'),
  from: z.number().int().min(1),
  to: z.number().int().min(0),
  count: z.number().int().min(0),
});
/** Offline read-out file: the last frame; without it the file is truncated. */
export const ReadoutEnd = z.object({
  ...Header,
  type: z.literal('readout_end'),
  frames: z.number().int().min(0),
  events: z.number().int().min(0),
});
export type ReadoutHeader = z.infer<typeof ReadoutHeader>;
export type ReadoutEnd = z.infer<typeof ReadoutEnd>;
