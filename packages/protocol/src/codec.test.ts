import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeDownlink, parseUplink } from './codec.js';
import { encodeFrame, openFrame, verifyFrame } from './frame.js';
import { MAX_EVENTS_PER_BATCH, type DeviceEvent, type UplinkMessage } from './messages.js';
import { encodeReadout, parseReadout } from './readout.js';

const SECRET = 'device-secret-for-tests';
const deviceId = fc.stringMatching(/^[A-Z][A-Z0-9-]{0,20}$/);
const time = fc.integer({ min: 1_500_000_000_000, max: 2_500_000_000_000 });
const txId = fc.constantFrom('TX-1', 'TX-2');

const eventBody = fc.oneof(
  fc.record({
    kind: fc.constant('heartbeat' as const),
    battery: fc.integer({ min: 0, max: 100 }),
    signal: fc.integer({ min: 0, max: 100 }),
    power: fc.constantFrom('mains' as const, 'battery' as const),
  }),
  fc.record({ kind: fc.constant('tx_in_range' as const), tx: txId, rssi: fc.integer({ min: -120, max: 0 }) }),
  fc.record({ kind: fc.constant('tx_strap_tamper' as const), tx: txId }),
  fc.record({ kind: fc.constant('unit_power_lost' as const) }),
  fc.record({
    kind: fc.constant('location' as const),
    lat: fc.double({ min: -90, max: 90, noNaN: true }).map((x) => x + 0),
    lon: fc.double({ min: -180, max: 180, noNaN: true }).map((x) => x + 0),
    acc: fc.double({ min: 0, max: 5000, noNaN: true }).map((x) => x + 0),
    src: fc.constantFrom('gps' as const, 'cell' as const, 'wifi' as const),
  }),
  fc.record({ kind: fc.constant('message_read' as const), msg: fc.uuid() }),
  fc.record({
    kind: fc.constant('fault' as const),
    code: fc.string({ minLength: 1, maxLength: 10 }),
    detail: fc.string(),
  }),
);

const events = fc
  .array(fc.tuple(time, eventBody), { minLength: 1, maxLength: 40 })
  .map((list) => list.map(([t, body], i) => ({ seq: i + 1, t, ...body }) as DeviceEvent));

const batch = fc
  .record({ dev: deviceId, ts: time, events })
  .map(({ dev, ts, events }) => ({ v: 1, type: 'events', dev, ts, events }) as UplinkMessage);

function decode(frame: Buffer | string, secret = SECRET) {
  const opened = openFrame(frame);
  if (!opened.ok) return opened;
  if (!verifyFrame(opened.value, secret)) return { ok: false as const, error: { code: 'bad_signature' } };
  return parseUplink(opened.value.body);
}

describe('protocol v1 codec', () => {
  it('decodes every valid batch to exactly what was encoded', () => {
    fc.assert(
      fc.property(batch, (message) => {
        const decoded = decode(encodeFrame(message, SECRET));
        expect(decoded).toEqual({ ok: true, value: message });
      }),
    );
  });

  it('never throws on mutated frames, and never accepts a changed message', () => {
    fc.assert(
      fc.property(
        batch,
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
        fc.option(fc.nat()),
        (message, flips, cut) => {
          const frame = Buffer.from(encodeFrame(message, SECRET));
          for (const [pos, byte] of flips) frame[pos % frame.length] = byte;
          const mutated = cut === null ? frame : frame.subarray(0, cut % frame.length);
          const decoded = decode(mutated);
          // Either refused with a reason, or (a flip that changed nothing, e.g. same byte) the very same message.
          if (decoded.ok) expect(decoded.value).toEqual(message);
          else expect(typeof decoded.error.code).toBe('string');
        },
      ),
    );
  });

  it('refuses arbitrary input with a code instead of throwing', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.uint8Array().map((a) => Buffer.from(a)),
        ),
        (input) => {
          const decoded = decode(typeof input === 'string' ? `${input}\t${'a'.repeat(64)}` : input);
          expect(decoded.ok).toBe(false);
        },
      ),
    );
  });

  it('names the problem: version, type, size, and the wrong field', () => {
    const frame = (m: object) => decode(encodeFrame(m, SECRET));
    expect(frame({ v: 2, type: 'events', dev: 'A', ts: 1, events: [] })).toMatchObject({
      ok: false,
      error: { code: 'unsupported_version' },
    });
    expect(frame({ v: 1, type: 'selfie', dev: 'A', ts: 1 })).toMatchObject({
      error: { code: 'unknown_type' },
    });
    const many = Array.from({ length: MAX_EVENTS_PER_BATCH + 1 }, (_, i) => ({
      seq: i + 1,
      t: 1,
      kind: 'unit_moved',
    }));
    expect(frame({ v: 1, type: 'events', dev: 'A', ts: 1, events: many })).toMatchObject({
      error: { code: 'invalid_message', message: expect.stringMatching(/^events:/) },
    });
    expect(
      frame({ v: 1, type: 'events', dev: 'A', ts: 1, events: [{ seq: 0, t: 1, kind: 'unit_moved' }] }),
    ).toMatchObject({
      error: { code: 'invalid_message', message: expect.stringMatching(/^events\.0\.seq/) },
    });
    expect(
      decode(encodeFrame({ v: 1, type: 'hello', dev: 'A', ts: 1, model: 'home_unit', fw: '1' }, 'other')),
    ).toMatchObject({
      ok: false,
      error: { code: 'bad_signature' },
    });
  });

  it('authenticates downlinks for the device', () => {
    const ack = { v: 1, type: 'ack', dev: 'A', ts: 5, through: 9 };
    expect(decodeDownlink(encodeFrame(ack, SECRET), SECRET)).toEqual({ ok: true, value: ack });
    expect(decodeDownlink(encodeFrame(ack, 'forger'), SECRET)).toMatchObject({ ok: false });
  });
});

describe('offline read-out files', () => {
  it('round-trips the events of a unit', () => {
    fc.assert(
      fc.property(deviceId, events, (dev, list) => {
        const parsed = parseReadout(encodeReadout(dev, SECRET, list, 1), () => SECRET);
        expect(parsed.ok).toBe(true);
        if (!parsed.ok) return;
        expect(parsed.value.complete).toBe(true);
        expect(parsed.value.batches.flatMap((b) => b.events)).toEqual(list);
      }),
    );
  });

  it('yields only authentic events of a file cut anywhere, and says it was cut', () => {
    const many = fc
      .integer({ min: 1, max: 1200 })
      .map((n) =>
        Array.from(
          { length: n },
          (_, i) => ({ seq: i + 1, t: 1_700_000_000_000 + i, kind: 'unit_moved' }) as DeviceEvent,
        ),
      );
    fc.assert(
      fc.property(many, fc.double({ min: 0, max: 1, noNaN: true }), (list, where) => {
        const file = encodeReadout('UNIT-1', SECRET, list, 1);
        const cut = file.slice(0, Math.floor(file.length * where));
        const parsed = parseReadout(cut, () => SECRET);
        if (!parsed.ok) return; // a cut inside the header line leaves nothing to use
        const got = parsed.value.batches.flatMap((b) => b.events);
        expect(got).toEqual(list.slice(0, got.length));
        if (cut.length < file.length) expect(parsed.value.complete).toBe(false);
      }),
    );
  });

  it('refuses a file with one altered or foreign frame', () => {
    const list = Array.from(
      { length: 10 },
      (_, i) => ({ seq: i + 1, t: 1000 + i, kind: 'unit_moved' }) as DeviceEvent,
    );
    const file = encodeReadout('UNIT-1', SECRET, list, 1);
    expect(parseReadout(file.replace('"seq":3', '"seq":4'), () => SECRET)).toMatchObject({
      ok: false,
      error: { code: 'bad_signature' },
    });
    expect(parseReadout(file, () => 'wrong')).toMatchObject({ ok: false, error: { code: 'bad_signature' } });
    expect(parseReadout(file, () => undefined)).toMatchObject({
      ok: false,
      error: { code: 'unknown_device' },
    });
  });
});
