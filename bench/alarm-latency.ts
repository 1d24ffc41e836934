/**
 * Tamper → terminal: the time from a home unit publishing a strap-tamper event to the alarm arriving on an
 * operator's live stream (SSE), while 5,000 other devices report in the background (issue 4).
 *
 * The center (embedded defaults) runs in this process with one stay-at-home supervision per three samples
 * (packages/center/test/supervision.fixtures.ts), the tampering units and an operator's SSE client; the background fleet runs in a child process (`sde simulate`). Each sample: the unit
 * publishes a tamper event (strap or case of its transmitter, or its own case), and the clock stops when the
 * stream delivers the new critical alarm. Each (unit, tamper kind) is used once: a tamper alarm lasts until
 * an operator has dealt with it, so a second tamper of the same kind would update it, not open another.
 *
 * usage: npx tsx bench/alarm-latency.ts [--background 5000] [--rate 1] [--samples 60] [--runs 3]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { downlinkTopic, encodeFrame, uplinkTopic } from '@sde/protocol';
import { adminTokenFor, createLogger, loadConfig, startCenter, type Center } from '@sde/center';
import { openStream } from '../packages/center/test/alarms.fixtures.js';
import { installSupervisions } from '../packages/center/test/supervision.fixtures.js';

const { values } = parseArgs({
  options: {
    background: { type: 'string', default: '5000' },
    rate: { type: 'string', default: '1' },
    samples: { type: 'string', default: '60' },
    runs: { type: 'string', default: '3' },
  },
});
const BACKGROUND = Number(values.background);
const SAMPLES = Number(values.samples);
const ROOT = new URL('..', import.meta.url).pathname;

interface AlarmEvent {
  id: string;
  rule: string;
  status: string;
  supervisionId: string;
}

async function runOnce(): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sde-alarm-bench-'));
  const config = loadConfig({
    SDE_DATA_DIR: join(dir, 'data'),
    SDE_HTTP_PORT: '0',
    SDE_MQTT_PORT: '0',
    SDE_LOG_LEVEL: 'warn',
  });
  const center: Center = await startCenter(config, createLogger('warn'));
  let fleet: ChildProcess | undefined;
  try {
    // One supervision per three samples (strap, transmitter case, unit case), each with its own unit.
    const sups = await installSupervisions(center, {
      count: Math.ceil(SAMPLES / 3),
      prefix: 'AL-',
      since: Date.now() - 3_600_000,
    });
    const pairs = sups.map((s) => [s.unit, s.transmitterId] as const);
    const operator = await fetch(`${center.httpUrl}/api/v1/users`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${adminTokenFor(config)}` },
      body: JSON.stringify({
        login: 'bench.operator',
        displayName: 'Operator',
        role: 'operator',
        regionId: 'PL-MZ',
        password: 'bench-operator-password-2026',
      }),
    });
    if (!operator.ok) throw new Error(`creating the operator: ${operator.status} ${await operator.text()}`);

    // Background load in another process.
    const background = await center.devices.provision({
      kind: 'home_unit',
      count: BACKGROUND,
      prefix: 'BG-',
    });
    const credentials = join(dir, 'background.json');
    writeFileSync(credentials, JSON.stringify({ devices: background }));
    fleet = spawn(
      process.execPath,
      [
        join(ROOT, 'packages/cli/bin/sde.js'),
        'simulate',
        '--credentials',
        credentials,
        '--mqtt',
        center.mqttUrl,
        '--duration',
        '3600',
        '--rate',
        String(values.rate),
        '--state',
        join(dir, 'fleet'),
      ],
      { stdio: 'ignore' },
    );
    // Every background unit connected (the simulator connects 200 a second), then 15 s of steady reporting.
    for (let i = 0; i < 120; i++) {
      const text = await (await fetch(`${center.httpUrl}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('sde_devices_connected '));
      if (Number(line?.split(' ')[1] ?? 0) >= BACKGROUND) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    await new Promise((r) => setTimeout(r, 15_000));

    const login = await fetch(`${center.httpUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ login: 'bench.operator', password: 'bench-operator-password-2026' }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const waiting = new Map<string, (a: AlarmEvent) => void>();
    const seen = new Set<string>();
    const stream = await openStream(center.httpUrl, cookie, ({ event, data }) => {
      if (event !== 'alarm') return;
      const a = data as AlarmEvent;
      if (!a.rule.endsWith('tamper') || a.status !== 'open' || seen.has(a.id)) return;
      seen.add(a.id);
      for (const resolve of waiting.values()) resolve(a);
    });

    const latencies: number[] = [];
    const kinds = ['tx_strap_tamper', 'tx_case_tamper', 'unit_case_tamper'] as const;
    for (const [unit, txId] of pairs) {
      const client = await mqtt.connectAsync(center.mqttUrl, {
        clientId: unit.id,
        username: unit.id,
        password: unit.secret,
      });
      (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      await client.subscribeAsync(downlinkTopic(unit.id), { qos: 1 });
      for (const [i, kind] of kinds.entries()) {
        if (latencies.length >= SAMPLES) break;
        const arrived = new Promise<AlarmEvent>((resolve) => waiting.set('next', resolve));
        const t0 = performance.now();
        const ts = Date.now();
        const event =
          kind === 'unit_case_tamper' ? { seq: i + 1, t: ts, kind } : { seq: i + 1, t: ts, kind, tx: txId };
        await client.publishAsync(
          uplinkTopic(unit.id),
          encodeFrame({ v: 1, type: 'events', dev: unit.id, ts, events: [event] }, unit.secret),
          { qos: 1 },
        );
        const alarm = await Promise.race([
          arrived,
          new Promise<undefined>((r) => setTimeout(() => r(undefined), 10_000)),
        ]);
        waiting.delete('next');
        if (!alarm) console.error(`${unit.id} ${kind}: no alarm within 10 s`);
        else latencies.push(performance.now() - t0);
        await new Promise((r) => setTimeout(r, 300));
      }
      await client.endAsync();
    }
    stream.close();
    return latencies;
  } finally {
    fleet?.kill('SIGKILL');
    await center.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
console.log(
  `# alarm latency ${new Date().toISOString()}: tamper → SSE, ${BACKGROUND} background devices × ${values.rate} events/s, ${SAMPLES} samples × ${values.runs} runs`,
);
const p50s: number[] = [];
const p99s: number[] = [];
for (let run = 1; run <= Number(values.runs); run++) {
  const l = await runOnce();
  const r = {
    run,
    samples: l.length,
    p50: Math.round(pct(l, 50)),
    p99: Math.round(pct(l, 99)),
    max: Math.round(Math.max(...l)),
  };
  p50s.push(r.p50);
  p99s.push(r.p99);
  console.log(JSON.stringify(r));
}
console.log(`| tamper → SSE | ${BACKGROUND} | ${pct(p50s, 50)} | ${pct(p99s, 50)} |`);
process.exit(0);
