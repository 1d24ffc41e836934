import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DeviceEvent } from '@sde/protocol';
import {
  Journal,
  WARSAW_CENTER,
  distanceM,
  simulate,
  type DeviceCredentials,
  type SimulateOptions,
  type SimulateResult,
} from '../src/index.js';
import { startBroker, type TestBroker } from './support/broker.js';
import { Responder } from './support/responder.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('./fixtures/fleet-child.ts', import.meta.url));

function fleetOf(n: number, kinds: DeviceCredentials['kind'][] = ['home_unit']): DeviceCredentials[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `SIM-${String(i + 1).padStart(4, '0')}`;
    return { id, secret: `secret-of-${id}`, kind: kinds[i % kinds.length] ?? 'home_unit' };
  });
}

let credentials: DeviceCredentials[];
let secrets: Map<string, string>;
const secretOf = (id: string): string | undefined => secrets.get(id);
let broker: TestBroker;
let responder: Responder;
let dir: string;

async function setUp(creds: DeviceCredentials[]): Promise<void> {
  credentials = creds;
  secrets = new Map(creds.map((c) => [c.id, c.secret]));
  broker = await startBroker(secretOf);
  responder = await Responder.start(broker.url, secretOf);
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sde-sim-fleet-'));
});

afterEach(async () => {
  await responder?.close();
  await broker?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Every device's stored seqs are exactly 1..N, N being the last seq in its journal; returns ΣN. */
async function expectContiguousAndComplete(): Promise<number> {
  const memory = await Journal.read(dir);
  let total = 0;
  for (const { id } of credentials) {
    const last = memory.get(id)?.lastSeq ?? 0;
    expect(last).toBeGreaterThan(0);
    const seqs = responder.seqs(id);
    expect(seqs.length, `${id} stored ${seqs.length} of ${last}`).toBe(last);
    expect(seqs[0]).toBe(1);
    expect(seqs.at(-1)).toBe(last);
    total += last;
  }
  return total;
}

describe('fleet runner and simulate()', () => {
  it('survives being killed mid-stream: a restart from stateDir resumes seqs and delivers every event', async () => {
    await setUp(fleetOf(12, ['home_unit', 'portable_unit', 'protected_unit']));
    const options: SimulateOptions = {
      credentials,
      mqttUrl: broker.url,
      durationSec: 60,
      stateDir: dir,
      rate: 25,
      device: { retransmitMs: 500 },
    };
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(options)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let last: SimulateResult | undefined;
    let buffered = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line) last = JSON.parse(line) as SimulateResult;
    });
    // Let it stream, then make the center stop acknowledging so events are in flight and unacked.
    await expect.poll(() => last?.acked ?? 0, { timeout: 20_000, interval: 50 }).toBeGreaterThan(1000);
    responder.dropAcks = true;
    await new Promise((resolve) => setTimeout(resolve, 700));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    const before = new Map(credentials.map((c) => [c.id, new Map(responder.events.get(c.id))]));
    const beforeStored = [...before.values()].reduce((n, m) => n + m.size, 0);
    const journalBefore = await Journal.read(dir);
    const unackedAtKill = [...journalBefore.values()].reduce((n, m) => n + m.lastSeq - m.acked, 0);
    expect(unackedAtKill).toBeGreaterThan(0);
    responder.dropAcks = false;

    // The same fleet starts again from its memory, makes a few more events, and waits until all are acked.
    const result = await simulate({ ...options, durationSec: 1, untilAcked: true });
    const total = await expectContiguousAndComplete();
    expect(result).toMatchObject({ devices: 12, sent: total, acked: total, pending: 0, recorded: total });
    expect(total).toBeGreaterThan(beforeStored);
    // Nothing was renumbered: what the center stored before the kill is the same event after the restart.
    const after = await Journal.read(dir);
    for (const [id, stored] of before) {
      const events = after.get(id)?.events ?? [];
      for (const [seq, event] of stored) {
        // `adj` is added at sending (the clock steps since the event was stamped) and may differ between
        // sends of the same event (protocol §3.1): the event itself is the rest.
        const { adj: _adj, ...sent } = event as DeviceEvent & { adj?: number };
        expect(events[seq - 1] as DeviceEvent).toEqual(sent);
      }
    }
  });

  it('runs a realistic mixed fleet in Warsaw and measures publish→ack latency', async () => {
    await setUp(fleetOf(9, ['home_unit', 'portable_unit', 'protected_unit']));
    const result = await simulate({
      credentials,
      mqttUrl: broker.url,
      durationSec: 6,
      stateDir: dir,
      seed: 42,
      behaviour: {
        heartbeatSec: 1,
        fixIntervalSec: 1,
        dayCycleSec: 2,
        awayShare: 0.5,
        tamperPerHour: 3600,
        powerCutsPerHour: 1800,
        leaveUnitPerHour: 1800,
        encountersPerHour: 3600,
        encounterSec: [0.5, 1.5],
        awayFromUnitSec: [0.5, 1.5],
        powerCutSec: [0.5, 1.5],
        speedFactor: 100,
      },
    });
    expect(result.pending).toBe(0);
    expect(result.acked).toBe(result.sent);
    await expectContiguousAndComplete();
    const all = credentials.flatMap((c) =>
      [...(responder.events.get(c.id)?.values() ?? [])].map((e) => ({ kind: c.kind, e })),
    );
    const kindsOf = (unit: DeviceCredentials['kind']): Set<string> =>
      new Set(all.filter((x) => x.kind === unit).map((x) => x.e.kind));
    expect([...kindsOf('home_unit')]).toEqual(
      expect.arrayContaining(['heartbeat', 'tx_in_range', 'tx_out_of_range', 'unit_power_lost']),
    );
    expect([...kindsOf('portable_unit')]).toEqual(
      expect.arrayContaining(['heartbeat', 'location', 'tx_in_range']),
    );
    expect([...kindsOf('protected_unit')]).toEqual(
      expect.arrayContaining(['location', 'proximity_tx_heard', 'proximity_tx_lost']),
    );
    const fixes = all.flatMap((x) => (x.e.kind === 'location' ? [x.e] : []));
    expect(new Set(fixes.map((f) => f.src)).has('gps')).toBe(true);
    for (const fix of fixes) expect(distanceM(WARSAW_CENTER, fix).valueOf()).toBeLessThan(20_000);
    expect(result.latency.count).toBeGreaterThan(10);
    expect(result.latency.p50).toBeGreaterThan(0);
    expect(result.latency.p99).toBeGreaterThanOrEqual(result.latency.p50);
  });

  it('keeps retrying while the center is down and finishes once it is back (untilAcked)', async () => {
    await setUp(fleetOf(5));
    const port = broker.port;
    const run = simulate({
      credentials,
      mqttUrl: broker.url,
      durationSec: 2,
      untilAcked: true,
      stateDir: dir,
      rate: 10,
      device: { reconnectMinMs: 100, reconnectMaxMs: 500 },
    });
    await new Promise((resolve) => setTimeout(resolve, 800));
    await responder.close();
    await broker.close();
    // Down for 2.5 s, across the end of the generating period.
    await new Promise((resolve) => setTimeout(resolve, 2500));
    broker = await startBroker(secretOf, port);
    const stored = responder.events;
    responder = await Responder.start(broker.url, secretOf);
    for (const [id, events] of stored) responder.events.set(id, events);
    const result = await run;
    const total = await expectContiguousAndComplete();
    expect(result).toMatchObject({ devices: 5, sent: total, acked: total, pending: 0 });
  });

  it('records scripted events once, at their time after the start, and delivers them like any other', async () => {
    await setUp(fleetOf(2));
    const started = Date.now();
    const result = await simulate({
      credentials,
      mqttUrl: broker.url,
      durationSec: 3,
      stateDir: dir,
      clockSkewMs: 0,
      behaviour: { tamperPerHour: 0, powerCutsPerHour: 0 },
      script: [{ afterSec: 1, deviceId: 'SIM-0002', body: { kind: 'unit_moved' } }],
    });
    expect(result.pending).toBe(0);
    const moved = (id: string) =>
      [...(responder.events.get(id)?.values() ?? [])].filter((e) => e.kind === 'unit_moved');
    expect(moved('SIM-0001')).toEqual([]);
    expect(moved('SIM-0002')).toHaveLength(1);
    const at = moved('SIM-0002')[0]!.t - started;
    expect(at).toBeGreaterThanOrEqual(1000);
    expect(at).toBeLessThan(2000);
    await expect(
      simulate({
        credentials,
        mqttUrl: broker.url,
        durationSec: 0,
        stateDir: dir,
        script: [{ afterSec: 1, deviceId: 'NOT-IN-FLEET', body: { kind: 'unit_moved' } }],
      }),
    ).rejects.toThrow(/NOT-IN-FLEET/);
  });
});
