/** Protocol v1.1 (ADR 0504): its optional fields round-trip, v1 messages stay valid, and bounds are refused. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDownlink, parseUplink } from './codec.js';
import { encodeFrame, openFrame, verifyFrame } from './frame.js';
import { MAX_CLOCK_ADJ_MS, MAX_HEARTBEAT_TXS, type DeviceEvent, type UplinkMessage } from './messages.js';

const SECRET = 'device-secret-for-tests';
const MAX_T = 8_640_000_000_000;
const time = fc.integer({ min: 0, max: MAX_T });

const txState = fc.record(
  {
    tx: fc.stringMatching(/^TX-[0-9]{1,6}$/),
    inRange: fc.boolean(),
    battery: fc.integer({ min: 0, max: 100 }),
  },
  { requiredKeys: ['tx', 'inRange'] },
);
const txs = fc.uniqueArray(txState, { maxLength: MAX_HEARTBEAT_TXS, selector: (x) => x.tx });

const heartbeat = fc.record(
  {
    kind: fc.constant('heartbeat' as const),
    battery: fc.integer({ min: 0, max: 100 }),
    signal: fc.integer({ min: 0, max: 100 }),
    power: fc.constantFrom('mains' as const, 'battery' as const),
    txs,
  },
  { requiredKeys: ['kind', 'battery', 'signal', 'power'] },
);
const other = fc.oneof(
  fc.record({ kind: fc.constant('tx_out_of_range' as const), tx: fc.constant('TX-1') }),
  fc.record({ kind: fc.constant('unit_moved' as const) }),
);

/** An event whose `adj` (if any) keeps `t + adj` a time. */
const event = fc
  .tuple(
    time,
    fc.oneof(heartbeat, other),
    fc.option(fc.integer({ min: -MAX_T, max: MAX_T }), { nil: undefined }),
  )
  .map(([t, body, adj]) => {
    // `+ 0` because Math.max(-0, …) is -0 when t = 0, which JSON writes as 0: no unit can send -0.
    const fixed = adj === undefined ? undefined : Math.min(MAX_T - t, Math.max(-t, adj)) + 0;
    return { t, ...body, ...(fixed === undefined ? {} : { adj: fixed }) };
  });

const batchOf = (events: Omit<DeviceEvent, 'seq'>[]) =>
  ({
    v: 1,
    type: 'events',
    dev: 'HU-1',
    ts: 1_763_769_600_000,
    events: events.map((e, i) => ({ ...e, seq: i + 1 })),
  }) as UplinkMessage;

function decode(message: object) {
  const opened = openFrame(encodeFrame(message, SECRET));
  if (!opened.ok) return opened;
  expect(verifyFrame(opened.value, SECRET)).toBe(true);
  return parseUplink(opened.value.body);
}

/** The message as a v1 unit sends it: the v1.1 fields left out. */
function asV1(message: UplinkMessage): UplinkMessage {
  if (message.type !== 'events') return message;
  return {
    ...message,
    events: message.events.map((e) => {
      const { adj: _adj, ...rest } = e as DeviceEvent & { txs?: unknown };
      if (rest.kind !== 'heartbeat') return rest;
      const { txs: _txs, ...v1 } = rest;
      return v1;
    }) as DeviceEvent[],
  };
}

describe('protocol v1.1 codec', () => {
  it('decodes every batch with transmitter states and clock corrections to what was encoded', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 30 }), (events) => {
        const message = batchOf(events);
        expect(decode(message)).toEqual({ ok: true, value: message });
      }),
    );
  });

  it('still takes the same batch from a v1 unit, without the new fields', () => {
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 30 }), (events) => {
        const v1 = asV1(batchOf(events));
        const decoded = decode(v1);
        expect(decoded).toEqual({ ok: true, value: v1 });
        if (decoded.ok && decoded.value.type === 'events')
          for (const e of decoded.value.events) {
            expect(e).not.toHaveProperty('adj');
            expect(e).not.toHaveProperty('txs');
          }
      }),
    );
  });

  it('refuses a correction that leaves the epoch, naming the event', () => {
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 0, maxLength: 5 }),
        time,
        fc.integer({ min: 1, max: MAX_T }),
        fc.boolean(),
        (before, t, beyond, below) => {
          const adj = below ? -t - beyond : MAX_T - t + beyond;
          fc.pre(Math.abs(adj) <= MAX_CLOCK_ADJ_MS);
          const decoded = decode(batchOf([...before, { t, kind: 'unit_moved', adj }]));
          expect(decoded).toMatchObject({
            ok: false,
            error: {
              code: 'invalid_message',
              message: expect.stringMatching(`^events\\.${before.length}\\.adj:`),
            },
          });
        },
      ),
    );
  });

  it('refuses transmitter states out of bounds with the field at fault', () => {
    const hb = (list: unknown) =>
      batchOf([{ t: 1, kind: 'heartbeat', battery: 1, signal: 1, power: 'mains', txs: list } as never]);
    const five = Array.from({ length: MAX_HEARTBEAT_TXS + 1 }, (_, i) => ({ tx: `TX-${i}`, inRange: true }));
    expect(decode(hb(five))).toMatchObject({
      error: { code: 'invalid_message', message: /^events\.0\.txs:/ },
    });
    expect(
      decode(
        hb([
          { tx: 'TX-1', inRange: true },
          { tx: 'TX-1', inRange: false },
        ]),
      ),
    ).toMatchObject({ error: { message: /^events\.0\.txs: a transmitter appears more than once/ } });
    expect(decode(hb([{ tx: 'TX-1', inRange: true, battery: 101 }]))).toMatchObject({
      error: { message: /^events\.0\.txs\.0\.battery/ },
    });
    expect(decode(hb([{ tx: 'TX-1' }]))).toMatchObject({ error: { message: /^events\.0\.txs\.0\.inRange/ } });
    expect(decode(hb([{ tx: 'bad id!', inRange: true }]))).toMatchObject({
      error: { message: /^events\.0\.txs\.0\.tx/ },
    });
    expect(decode(batchOf([{ t: 5, kind: 'unit_moved', adj: 1.5 }]))).toMatchObject({
      error: { message: /^events\.0\.adj/ },
    });
  });

  it('carries the refused numbers of a seq_reused refusal, and a v1 refusal without them', () => {
    const v11 = { v: 1, type: 'refusal', dev: 'A', ts: 5, code: 'seq_reused', message: 'm', seqs: [2, 3] };
    expect(decodeDownlink(encodeFrame(v11, SECRET), SECRET)).toEqual({ ok: true, value: v11 });
    const { seqs: _seqs, ...v1 } = v11;
    expect(decodeDownlink(encodeFrame(v1, SECRET), SECRET)).toEqual({ ok: true, value: v1 });
  });
});
