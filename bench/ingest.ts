/**
 * Sustained ingest: N simulated devices each sending R events/s over MQTT to a center; measures events/s
 * acknowledged after durable storage and publish→ack latency (p50/p99) at the devices, in a steady window
 * after a warm-up. Each run is paired with a baseline run of the same fleet against bench/ack-only-center.ts
 * (same broker, same frame checks, no storage), so the ratio shows what durability costs on this machine.
 *
 * usage: npx tsx bench/ingest.ts [--setup embedded|servers|both] [--devices 5000] [--rate 4] [--duration 60]
 *                                [--warmup 15] [--drain-max 90] [--runs 3] [--profile DIR] [--generator lean|fleet]
 *                                [--phases 200]
 * "embedded": PGlite + the embedded broker (npm start defaults). "servers": PostgreSQL + Mosquitto on this machine.
 * The devices are bench/lib/load-generator.ts (raw MQTT sockets, light enough to leave the center its CPU);
 * `--generator fleet` drives the simulator's devices instead (mqtt.js, journal, clock sync: 0.6–0.75 of a core
 * at 5,000 × 4 events/s). Each device reports once a second at its own phase (`--phases`, default 200: 5 ms apart).
 * Each window also reports the CPU it took, in cores: the process under test, the load generator (this
 * process) and the whole machine; on 2 cores, a machine near 2.0 is saturated and its tail is queueing.
 * BENCH_CENTER_LOG=FILE appends the centers' logs at debug level to FILE (checkpoints, vacuums: what paused).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Fleet, type DeviceCredentials, type LatencyHistogram } from '@sde/simulator';
import { LoadGenerator } from './lib/load-generator.js';

const { values } = parseArgs({
  options: {
    setup: { type: 'string', default: 'both' },
    devices: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '4' },
    rates: { type: 'string' },
    duration: { type: 'string', default: '60' },
    warmup: { type: 'string', default: '15' },
    runs: { type: 'string', default: '3' },
    'drain-max': { type: 'string', default: '90' },
    profile: { type: 'string' },
    generator: { type: 'string', default: 'lean' },
    phases: { type: 'string', default: '200' },
  },
});
const DEVICES = Number(values.devices);
const RATES = (values.rates ?? values.rate!).split(',').map(Number);
let RATE = RATES[0]!;
const DURATION = Number(values.duration);
const WARMUP = Number(values.warmup);
const RUNS = Number(values.runs);
const DRAIN_MAX = Number(values['drain-max']);
// --profile DIR: the center writes V8 CPU profiles of its threads there (inspect the busiest functions).
const PROFILE = values.profile ? ['--cpu-prof', `--cpu-prof-dir=${values.profile}`] : [];
// lean: bench/lib/load-generator.ts (raw sockets); fleet: the simulator's devices (mqtt.js, journal, clock sync).
const GENERATOR = values.generator!;
if (GENERATOR !== 'lean' && GENERATOR !== 'fleet') throw new Error('--generator is lean or fleet');
// Phases of the second the devices report at (until the fourth session's measurements: 20, 250 units each).
const PHASES = Number(values.phases);
const SETUPS = values.setup === 'both' ? ['embedded', 'servers'] : [values.setup!];
const ROOT = new URL('..', import.meta.url).pathname;
const PG_ADMIN = process.env.SDE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MOSQUITTO = process.env.SDE_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

interface Measurement {
  /** Seconds from the fleet's start to the measured window (all online, warm-up, backlog drained). */
  settledAfter: number;
  /** False when the start-up backlog was still there after DRAIN_MAX s: the center cannot keep up. */
  drained: boolean;
  eventsPerSec: number;
  p50: number;
  p99: number;
  online: number;
  storedPerSec?: number;
  centerP50Within?: number;
  centerP99Within?: number;
  /**
   * CPU over the window, in cores (Linux): the process under test (center or baseline, all its threads),
   * this process (the load generator), and the whole machine (user + system of every process).
   */
  cores?: { measured: number; generator: number; machine: number };
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function start(cmd: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, cmd, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (process.env.BENCH_CENTER_LOG)
    child.stdout!.pipe(createWriteStream(process.env.BENCH_CENTER_LOG, { flags: 'a' }));
  else child.stdout!.resume();
  return child;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** CPU seconds so far: of a process (utime + stime of all its threads), and of the machine. */
function cpuSeconds(pid: number): { process: number; machine: number } | undefined {
  try {
    const ticks = 100; // USER_HZ, 100 on every Linux this runs on
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const all = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait
    const busy = all.slice(0, 8).reduce((a, b) => a + b, 0) - all[3]! - all[4]!;
    return { process: (Number(fields[11]) + Number(fields[12])) / ticks, machine: busy / ticks };
  } catch {
    return undefined;
  }
}

async function until(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

interface CenterCounts {
  stored: number;
  /** Cumulative counts of the frame-arrival → commit histogram, by upper bound in seconds. */
  buckets: [number, number][];
}

/** One scrape of the center's /metrics: events stored so far and the ingest-latency histogram. */
async function scrape(url: string): Promise<CenterCounts> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const stored = /^sde_events_stored_total (\d+)/m.exec(text);
  return {
    stored: stored ? Number(stored[1]) : 0,
    buckets: [...text.matchAll(/^sde_ingest_latency_seconds_bucket\{le="([^"]+)"\} (\d+)/gm)].map((m) => [
      m[1] === '+Inf' ? Infinity : Number(m[1]),
      Number(m[2]),
    ]),
  };
}

/** The bucket bound (ms) below which fraction `q` of the window's frames were committed (Infinity: over 5 s). */
function bucketQuantile(before: [number, number][], after: [number, number][], q: number): number {
  const counts = after.map(([le, n], i) => [le, n - (before[i]?.[1] ?? 0)] as const);
  const total = counts.at(-1)?.[1] ?? 0;
  const hit = counts.find(([, n]) => n >= q * total);
  return hit ? hit[0] * 1000 : NaN;
}

/** Drives the fleet against `mqttUrl`; measures the steady window. */
async function drive(
  credentials: DeviceCredentials[],
  mqttUrl: string,
  measuredPid: number | undefined,
  centerUrl?: string,
): Promise<Measurement> {
  // Units are not synchronised: each reports once a second at its own phase of the second.
  const shape = {
    credentials,
    mqttUrl,
    rate: RATE,
    tickMs: 1000,
    tickSlots: PHASES,
    connectRatePerSec: 1000,
  };
  const fleet: {
    counts(): { online: number; acked: number; pending: number };
    latency: LatencyHistogram;
    stop(): unknown;
  } =
    GENERATOR === 'lean'
      ? LoadGenerator.start(shape)
      : await Fleet.start({ ...shape, clockSkewMs: 0, journal: { fsync: false, retainMs: 60_000 } });
  try {
    const startedAt = Date.now();
    await until(() => fleet.counts().online === credentials.length, 120_000, 'all devices online');
    await new Promise((r) => setTimeout(r, WARMUP * 1000));
    // The connection storm leaves a backlog (events recorded while units connected): the steady window
    // starts once at most one second of load is unacknowledged, or after DRAIN_MAX s at the latest.
    const oneSecond = RATE * credentials.length;
    const drainDeadline = Date.now() + DRAIN_MAX * 1000;
    while (fleet.counts().pending > oneSecond && Date.now() < drainDeadline)
      await new Promise((r) => setTimeout(r, 250));
    const settledAfter = Math.round((Date.now() - startedAt) / 1000);
    const drained = fleet.counts().pending <= oneSecond;
    fleet.latency.reset();
    const a0 = fleet.counts().acked;
    const c0 = centerUrl ? await scrape(centerUrl) : undefined;
    const [p0, g0] = [measuredPid ? cpuSeconds(measuredPid) : undefined, process.cpuUsage()];
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, DURATION * 1000));
    const seconds = (Date.now() - t0) / 1000;
    const [p1, g1] = [measuredPid ? cpuSeconds(measuredPid) : undefined, process.cpuUsage(g0)];
    const counts = fleet.counts();
    const latency = fleet.latency.summary();
    const c1 = centerUrl ? await scrape(centerUrl) : undefined;
    return {
      settledAfter,
      drained,
      eventsPerSec: Math.round((counts.acked - a0) / seconds),
      p50: latency.p50,
      p99: latency.p99,
      online: counts.online,
      ...(p0 && p1
        ? {
            cores: {
              measured: round2((p1.process - p0.process) / seconds),
              generator: round2((g1.user + g1.system) / 1e6 / seconds),
              machine: round2((p1.machine - p0.machine) / seconds),
            },
          }
        : {}),
      // Inside the center, arrival of a frame → its commit: the histogram bucket holding p50 / p99.
      ...(c0 && c1
        ? {
            storedPerSec: Math.round((c1.stored - c0.stored) / seconds),
            centerP50Within: bucketQuantile(c0.buckets, c1.buckets, 0.5),
            centerP99Within: bucketQuantile(c0.buckets, c1.buckets, 0.99),
          }
        : {}),
    };
  } finally {
    await fleet.stop();
  }
}

async function runOnce(setup: string): Promise<{ center: Measurement; baseline: Measurement }> {
  const dir = mkdtempSync(join(tmpdir(), 'sde-bench-'));
  let database: string | undefined;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  try {
    if (setup === 'servers') {
      database = `sde_bench_${Date.now()}`;
      await admin.connect();
      await admin.query(`create database ${database}`);
    }
    const [http, mqttPort] = [await freePort(), await freePort()];
    const env: Record<string, string> = {
      SDE_DATA_DIR: join(dir, 'data'),
      SDE_HTTP_PORT: String(http),
      SDE_MQTT_PORT: String(mqttPort),
      SDE_LOG_LEVEL: process.env.BENCH_CENTER_LOG ? 'debug' : 'warn',
      ...(database
        ? { SDE_DATABASE_URL: PG_ADMIN.replace(/\/[^/]*$/, `/${database}`), SDE_MQTT_URL: MOSQUITTO }
        : {}),
    };
    const centerUrl = `http://127.0.0.1:${http}`;
    const mqttUrl = database ? MOSQUITTO : `mqtt://127.0.0.1:${mqttPort}`;

    const center = start([...PROFILE, 'packages/cli/bin/sde.js', 'center'], env);
    let credentials: DeviceCredentials[];
    let centerResult: Measurement;
    try {
      await until(
        async () => (await fetch(`${centerUrl}/healthz`).catch(() => undefined))?.ok === true,
        60_000,
        'center',
      );
      const token = readFileSync(join(dir, 'data', 'admin-token'), 'utf8').trim();
      const res = await fetch(`${centerUrl}/api/v1/devices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'home_unit', count: DEVICES, prefix: `B${Date.now().toString(36)}-` }),
      });
      credentials = ((await res.json()) as { devices: DeviceCredentials[] }).devices;
      centerResult = await drive(credentials, mqttUrl, center.pid, centerUrl);
    } finally {
      await stopChild(center);
    }

    const credsFile = join(dir, 'credentials.json');
    writeFileSync(credsFile, JSON.stringify({ devices: credentials }));
    const baselinePort = await freePort();
    const baseline = start(
      ['--import', 'tsx', 'bench/ack-only-center.ts', credsFile, database ? MOSQUITTO : String(baselinePort)],
      {},
    );
    try {
      await new Promise((r) => setTimeout(r, 3000));
      const baselineResult = await drive(
        credentials,
        database ? MOSQUITTO : `mqtt://127.0.0.1:${baselinePort}`,
        baseline.pid,
      );
      return { center: centerResult, baseline: baselineResult };
    } finally {
      await stopChild(baseline);
    }
  } finally {
    if (database) {
      await admin.query(`drop database if exists ${database} with (force)`);
      await admin.end();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

console.log(
  `# ingest benchmark ${new Date().toISOString()} — ${cpus().length} cores (${cpus()[0]?.model}), ` +
    `${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}; ${DEVICES} devices × ${RATES.join(' / ')} events/s, ` +
    `${WARMUP} s warm-up, ${DURATION} s measured, ${RUNS} runs, ${GENERATOR} generator, ${PHASES} phases`,
);
for (const setup of SETUPS)
  for (const rate of RATES) {
    RATE = rate;
    const results: { center: Measurement; baseline: Measurement }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await runOnce(setup);
      results.push(r);
      console.log(JSON.stringify({ setup, rate, run: i + 1, ...r }));
    }
    const m = (pick: (r: { center: Measurement; baseline: Measurement }) => number) =>
      median(results.map(pick));
    console.log(
      `| ${setup} | ${DEVICES * rate} | ${m((r) => r.center.eventsPerSec)} | ${m((r) => r.center.p50)} | ${m((r) => r.center.p99)} | ` +
        `${m((r) => r.baseline.eventsPerSec)} | ${m((r) => r.baseline.p50)} | ${m((r) => r.baseline.p99)} | ` +
        `${(m((r) => r.center.eventsPerSec) / m((r) => r.baseline.eventsPerSec)).toFixed(2)} | ` +
        `${m((r) => r.center.settledAfter)} s, drained in ${results.filter((r) => r.center.drained).length} of ${RUNS} | ` +
        `${m((r) => r.center.cores?.measured ?? NaN)} / ${m((r) => r.center.cores?.generator ?? NaN)} / ` +
        `${m((r) => r.center.cores?.machine ?? NaN)} |`,
    );
  }
