/**
 * Random and mutated frames thrown at a running center between valid batches: the center never stops
 * serving, refuses each bad frame, and every valid event is stored exactly once.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFrame } from '@sde/protocol';
import { heartbeats, startTestCenter, TestDevice, type TestCenter } from './harness.js';

describe('the center under random and mutated device input', () => {
  let tc: TestCenter;
  let dev: TestDevice;

  beforeAll(async () => {
    tc = await startTestCenter('pglite', 'embedded');
    const [c] = await tc.provision(1, 'FUZZ-');
    dev = await TestDevice.connect(tc.center.mqttUrl, c!.id, c!.secret);
  });
  afterAll(async () => {
    await dev.close();
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
    expect(verify.body).toEqual({ events: nextSeq - 1, devices: 1, duplicates: 0, gaps: 0 });
    expect((await tc.api('GET', '/healthz')).status).toBe(200);
  });
});
