/**
 * `npm start`: the center on its embedded defaults with a small simulated fleet, so a new user sees
 * devices report within seconds of starting it and an alarm arrive within the first minute. The demo
 * supervisions' devices are installed as the fleet starts (ADR 0302), so no unit is "silent since weeks".
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedDemo } from '@sde/center';
import { simulate, type DeviceCredentials } from '@sde/simulator';
import { runCenterUntilSignal } from './cli.js';

const FLEET: { kind: DeviceCredentials['kind']; prefix: string; count: number }[] = [
  { kind: 'home_unit', prefix: 'HU-DEMO-', count: 24 },
  { kind: 'portable_unit', prefix: 'PU-DEMO-', count: 8 },
  { kind: 'protected_unit', prefix: 'PP-DEMO-', count: 2 },
];

/** Runs the demo until SIGINT/SIGTERM. */
export async function runDemo(env: NodeJS.ProcessEnv): Promise<number> {
  const dataDir = env.SDE_DATA_DIR ?? './data';
  const abort = new AbortController();
  let fleetRun: Promise<unknown> | undefined;
  const code = await runCenterUntilSignal({ ...env, SDE_DATA_DIR: dataDir }, async (center) => {
    const file = join(dataDir, 'demo-fleet.json');
    let credentials: DeviceCredentials[];
    if (existsSync(file)) {
      credentials = (JSON.parse(readFileSync(file, 'utf8')) as { devices: DeviceCredentials[] }).devices;
    } else {
      credentials = [];
      for (const f of FLEET) {
        const created = await center.devices.provision({ kind: f.kind, count: f.count, prefix: f.prefix });
        credentials.push(...created.map((d) => ({ id: d.id, secret: d.secret, kind: f.kind })));
      }
      writeFileSync(file, JSON.stringify({ devices: credentials }, null, 2), { mode: 0o600 });
    }
    const seed = await seedDemo(center, { deviceIds: credentials.map((c) => c.id) });
    // The seed writes through services, not the API: the engine loads the new supervisions now rather than
    // at its next configuration check, so the first events are judged at once.
    center.engine.configurationChanged();
    // Each unit hears the transmitter installed with it in the demo supervision.
    const paired = credentials.map((c) => {
      const tx = seed.transmitterOf[c.id];
      return tx ? { ...c, tx } : c;
    });
    console.error(
      [
        `sde: demo data: ${Object.keys(seed.supervisions).length} cases in every state of the procedure`,
        `  console                    ${center.httpUrl}/`,
        `  demo users (login / password / role):`,
        ...seed.users.map((u) => `    ${u.login.padEnd(22)} ${u.password.padEnd(22)} ${u.role}`),
      ].join('\n'),
    );
    console.error(`sde: simulated fleet of ${credentials.length} devices connecting to ${center.mqttUrl}`);
    for (const e of seed.fleetScript)
      console.error(
        `sde: demo: ${e.deviceId} reports its transmitter's strap cut in ${e.afterSec} s — watch the alarms`,
      );
    fleetRun = simulate({
      credentials: paired,
      mqttUrl: center.mqttUrl,
      durationSec: Number.POSITIVE_INFINITY,
      untilAcked: false,
      stateDir: join(dataDir, 'demo-fleet-state'),
      signal: abort.signal,
      script: seed.fleetScript,
    }).catch((err: unknown) => console.error(`sde: simulated fleet stopped: ${String(err)}`));
    process.once('SIGINT', () => abort.abort());
    process.once('SIGTERM', () => abort.abort());
  });
  abort.abort();
  await fleetRun;
  return code;
}
