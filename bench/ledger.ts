/**
 * Storage capacity of the ledger alone, without MQTT or a device simulator: how many events per second the
 * group commit makes durable on PGlite and on the PostgreSQL server, with N devices each keeping one batch
 * of B events in flight (like units waiting for their ack). The gap between this and bench/ingest.ts is
 * what the transport and the load generator cost on the same 2 cores.
 *
 * usage: npx tsx bench/ledger.ts [--storage pglite|postgres|both] [--devices 5000] [--batch 4] [--seconds 20] [--runs 3]
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { openDatabase } from '../packages/center/src/db/database.js';
import { createDeviceRepository } from '../packages/center/src/devices/device.repository.js';
import { createDeviceService } from '../packages/center/src/devices/device.service.js';
import { createLedgerRepository } from '../packages/center/src/ledger/ledger.repository.js';
import { createLedger } from '../packages/center/src/ledger/ledger.service.js';
import { createMetrics } from '../packages/center/src/metrics.js';
import { createLocalKeyProvider } from '../packages/center/src/secrets/key-provider.js';

const { values } = parseArgs({
  options: {
    storage: { type: 'string', default: 'both' },
    devices: { type: 'string', default: '5000' },
    batch: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '20' },
    runs: { type: 'string', default: '3' },
  },
});
const DEVICES = Number(values.devices);
const BATCH = Number(values.batch);
const SECONDS = Number(values.seconds);
const PG_ADMIN = process.env.SDE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function run(storage: string): Promise<{ eventsPerSec: number; p50: number; p99: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'sde-ledger-bench-'));
  let url: string | undefined;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  const name = `sde_ledger_bench_${Date.now()}`;
  if (storage === 'postgres') {
    await admin.connect();
    await admin.query(`create database ${name}`);
    url = PG_ADMIN.replace(/\/[^/]*$/, `/${name}`);
  }
  const db = await openDatabase({ url, dataDir: dir });
  try {
    const devices = createDeviceService(
      createDeviceRepository(db.db, createLocalKeyProvider([randomBytes(32)])),
    );
    const created = await devices.provision({ kind: 'home_unit', count: DEVICES, prefix: 'LB-' });
    const records = await Promise.all(created.map((c) => devices.lookup(c.id)));
    const ledger = createLedger({
      repo: createLedgerRepository(db.db),
      metrics: createMetrics(),
      maxQueuedEvents: 1_000_000,
      lanes: storage === 'postgres' ? 2 : 1,
    });
    await ledger.preload(records.map((r) => r!.no));
    const latencies: number[] = [];
    let stored = 0;
    let stop = false;
    const frame = 'x'.repeat(400);
    const loop = async (i: number) => {
      const rec = records[i]!;
      let seq = 0;
      while (!stop) {
        const t = Date.now();
        const events = Array.from({ length: BATCH }, () => ({
          seq: ++seq,
          t,
          kind: 'heartbeat' as const,
          battery: 90,
          signal: 70,
          power: 'mains' as const,
        }));
        const started = performance.now();
        const r = await ledger.submit({
          deviceNo: rec.no,
          message: { v: 1, type: 'events', dev: rec.id, ts: t, events },
          frame,
          receivedAt: new Date(),
          source: 'mqtt',
        });
        latencies.push(performance.now() - started);
        stored += r.stored;
      }
    };
    const warm = Promise.all(records.map((_, i) => loop(i)));
    await new Promise((r) => setTimeout(r, 3000));
    latencies.length = 0;
    const s0 = stored;
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const seconds = (performance.now() - t0) / 1000;
    const count = stored - s0;
    const sorted = [...latencies].sort((a, b) => a - b);
    stop = true;
    await warm;
    await ledger.drain();
    return {
      eventsPerSec: Math.round(count / seconds),
      p50: Math.round(sorted[Math.floor(sorted.length * 0.5)] ?? 0),
      p99: Math.round(sorted[Math.floor(sorted.length * 0.99)] ?? 0),
    };
  } finally {
    await db.close();
    if (storage === 'postgres') {
      await admin.query(`drop database if exists ${name} with (force)`);
      await admin.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const storages = values.storage === 'both' ? ['pglite', 'postgres'] : [values.storage!];
console.log(
  `# ledger benchmark ${new Date().toISOString()}: ${DEVICES} devices × 1 batch of ${BATCH} in flight, ${SECONDS} s, ${values.runs} runs`,
);
for (const storage of storages) {
  const results: { eventsPerSec: number; p50: number; p99: number }[] = [];
  for (let i = 0; i < Number(values.runs); i++) {
    const r = await run(storage);
    results.push(r);
    console.log(JSON.stringify({ storage, run: i + 1, ...r }));
  }
  const median = (k: 'eventsPerSec' | 'p50' | 'p99') =>
    [...results.map((r) => r[k])].sort((a, b) => a - b)[Math.floor(results.length / 2)];
  console.log(`| ${storage} | ${median('eventsPerSec')} | ${median('p50')} | ${median('p99')} |`);
}
