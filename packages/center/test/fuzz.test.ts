/**
 * Random and mutated frames thrown at a running center between valid batches: the center never stops
 * serving, refuses each bad frame, and every valid event is stored exactly once.
 */
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame, type DownlinkMessage } from '@sde/protocol';
import { heartbeats, startTestCenter, TestDevice, type TestCenter } from './harness.js';

describe('the center under random and mutated device input', () => {
  let tc: TestCenter;
  let dev: TestDevice;
  let writer: TestDevice;
  let neighbour: TestDevice;

  beforeAll(async () => {
    tc = await startTestCenter('pglite', 'embedded');
    const [c, w, n] = await tc.provision(3, 'FUZZ-');
    dev = await TestDevice.connect(tc.center.mqttUrl, c!.id, c!.secret);
    writer = await TestDevice.connect(tc.center.mqttUrl, w!.id, w!.secret);
    neighbour = await TestDevice.connect(tc.center.mqttUrl, n!.id, n!.secret);
  });
  afterAll(async () => {
    await Promise.all([dev, writer, neighbour].map((d) => d.close()));
    await tc.close();
  });

  it('stores every valid event once, whatever garbage arrives in between', async () => {
    let nextSeq = 1;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(
            fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a)),
            fc.json().map((j) => Buffer.from(`${j}\t${'f'.repeat(64)}`)),
            fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([pos, byte]) => {
              const frame = Buffer.from(
                encodeFrame(
                  { v: 1, type: 'events', dev: dev.id, ts: Date.now(), events: heartbeats(1, 3) },
                  dev.secret,
                ),
              );
              frame[pos % frame.length] = byte;
              return frame;
            }),
          ),
          { maxLength: 8 },
        ),
        fc.integer({ min: 1, max: 20 }),
        async (garbage, valid) => {
          for (const g of garbage) await dev.publishRaw(g);
          const from = nextSeq;
          nextSeq += valid;
          await dev.sendEvents(heartbeats(from, nextSeq - 1));
          expect((await dev.waitForAck(nextSeq - 1)).through).toBe(nextSeq - 1);
        },
      ),
      { numRuns: 40 },
    );
    const verify = await tc.api<Record<string, number>>('GET', '/api/v1/ledger/verify');
    expect(verify.body).toMatchObject({ events: nextSeq - 1, devices: 1, duplicates: 0, gaps: 0 });
    expect((await tc.api('GET', '/healthz')).status).toBe(200);
  });

  it('stores any signed text a unit reports, or refuses it, and its neighbours are stored either way', async () => {
    // Any UTF-16 code units, lone surrogates and NUL included: what a device's firmware might put in a
    // fault's code and detail, signed with the right secret. The store cannot keep everything JSON can
    // carry; whatever it cannot keep must be refused, never fail a group other units' events share.
    const text = fc
      .array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: 12 })
      .map((units) => String.fromCharCode(...units));
    let neighbourSeq = 0;
    let writerSeq = 0;
    const refused = (m: DownlinkMessage) => m.type === 'refusal' && m.code === 'invalid_message';
    await fc.assert(
      fc.asyncProperty(text, text, async (code, detail) => {
        const seq = ++writerSeq;
        const before = writer.inbox.length;
        await writer.sendEvents([{ seq, t: Date.now(), kind: 'fault', code, detail }]);
        neighbourSeq += 3;
        await neighbour.sendEvents(heartbeats(neighbourSeq - 2, neighbourSeq));
        expect((await neighbour.waitForAck(neighbourSeq)).through).toBe(neighbourSeq);
        const answer = await writer.waitFor(
          (m): m is DownlinkMessage => refused(m) || (m.type === 'ack' && m.through >= seq),
          { from: before },
        );
        if (answer.type === 'refusal') {
          writerSeq--; // not stored: the unit sends the next event with the same number
          return;
        }
        // Stored: exactly as the unit reported it.
        const stored = await sql<{ body: unknown }>`
          select e.body from events e join devices d on d.no = e.device_no
          where d.id = ${writer.id} and e.seq = ${seq}`.execute(tc.center.database.db);
        expect(stored.rows.map((r) => r.body)).toEqual([{ code, detail }]);
      }),
      { numRuns: 60 },
    );
    expect(writerSeq).toBeGreaterThan(0);
  });
});
