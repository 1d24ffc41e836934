/**
 * Crash safety, as an operator would see it: 200 simulated devices send, the center is killed with SIGKILL
 * mid-stream and started again; once the simulator has every event acknowledged, each event it sent is
 * stored exactly once. Run through the real `sde` command, on the embedded store and on the PostgreSQL server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, hasPostgres } from '../../center/test/services.js';

const SDE = new URL('../bin/sde.js', import.meta.url).pathname;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function run(
  args: string[],
  env: NodeJS.ProcessEnv,
): ChildProcess & { output: Promise<{ code: number; stdout: string; stderr: string }> } {
  const child = spawn(process.execPath, [SDE, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const output = new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr })),
  );
  return Object.assign(child, { output });
}

async function healthy(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`center at ${url} not healthy in time`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const children: ChildProcess[] = [];
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const f of cleanups.splice(0)) await f();
});

describe.each([
  ['the embedded store', false, true],
  ['the PostgreSQL server', true, hasPostgres],
] as const)('a center killed mid-stream on %s', (_name, server, available) => {
  it.skipIf(!available)(
    'loses and doubles nothing once the devices have everything acknowledged',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'sde-crash-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      const db = server ? await createTestDatabase() : undefined;
      if (db) cleanups.push(db.drop);
      const [httpPort, mqttPort] = [await freePort(), await freePort()];
      const env = {
        SDE_DATA_DIR: join(dir, 'data'),
        SDE_HTTP_PORT: String(httpPort),
        SDE_MQTT_PORT: String(mqttPort),
        SDE_LOG_LEVEL: 'warn',
        ...(db ? { SDE_DATABASE_URL: db.url } : {}),
      };
      const url = `http://127.0.0.1:${httpPort}`;

      const first = run(['center'], env);
      children.push(first);
      await healthy(url);
      const creds = join(dir, 'devices.json');
      const provision = await run(
        ['devices', 'provision', '--count', '200', '--prefix', 'CRASH-', '--out', creds],
        env,
      ).output;
      expect(provision.code, provision.stderr).toBe(0);

      const sim = run(
        [
          'simulate',
          '--credentials',
          creds,
          '--mqtt',
          `mqtt://127.0.0.1:${mqttPort}`,
          '--duration',
          '8',
          '--rate',
          '4',
          '--until-acked',
        ],
        env,
      );
      children.push(sim);
      await new Promise((r) => setTimeout(r, 3500));
      first.kill('SIGKILL');
      await first.output;
      await new Promise((r) => setTimeout(r, 1000));
      const second = run(['center'], env);
      children.push(second);
      await healthy(url);

      const simulated = await sim.output;
      expect(simulated.code, simulated.stderr).toBe(0);
      const counts = JSON.parse(simulated.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
      expect(counts.pending).toBe(0);
      expect(counts.sent).toBeGreaterThan(2000);

      const verified = await run(['ledger', 'verify', '--json'], env).output;
      expect(verified.code, verified.stderr).toBe(0);
      expect(JSON.parse(verified.stdout)).toMatchObject({
        events: counts.sent,
        devices: 200,
        duplicates: 0,
        gaps: 0,
        jumps: 0,
        futureTime: 0,
        quarantined: { frames: 0 },
      });
      second.kill('SIGTERM');
      expect((await second.output).code).toBe(0);
    },
  );
});
