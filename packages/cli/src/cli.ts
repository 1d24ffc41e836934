/** Command dispatch for `sde`. Each command returns its exit code; output goes to stdout, diagnostics to stderr. */
import { existsSync, renameSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  checkSecretsKey,
  createLocalKeyProvider,
  createLogger,
  loadConfig,
  newKeyText,
  openDatabase,
  PortInUseError,
  readKeyFile,
  readKeySource,
  rotateDeviceSecrets,
  startCenter,
  type Center,
  type RetentionReport,
} from '@sde/center';
import { readCredentialsFile, simulate } from '@sde/simulator';
import { callApi, endpointFrom } from './http-client.js';
import { runDemo } from './demo.js';

const USAGE = `usage: sde <command>

  center                         start the monitoring center (settings from SDE_* variables, see README)
  start                          the center on embedded defaults with a simulated fleet (npm start)
  devices provision --count N --prefix P --out FILE [--kind home_unit|portable_unit|protected_unit]
                                 register N devices with the running center; write their credentials to FILE
  simulate --credentials FILE --mqtt URL --duration SECONDS [--until-acked] [--state DIR] [--rate EVENTS/S]
                                 drive those devices; print {"devices","sent","acked","pending"}
  ledger verify --json           check the running center's stored events and their hash chains against the signed
                                 checkpoints; print {"events","devices","duplicates","gaps",...,"chains"}
  audit verify --json            check the audit log's hash chains against the signed checkpoints
                                 (both name the first record of each chain that does not match; exit 1 then)
  retention plan [--json]        what the running center's next retention run would remove (ADR 0702): the monthly
                                 partitions past the period, the rows kept under a legal hold, the cases to pseudonymise
  secrets rotate [--new-key-file FILE]
                                 with the center stopped: re-encrypt every device secret with a new key (ADR 0409);
                                 run again to resume. Without FILE the key file in SDE_DATA_DIR is replaced at the end

  API commands take --url (default http://127.0.0.1:$SDE_HTTP_PORT or 8080; https://… for a center with
  SDE_HTTP_TLS_*, its certificate trusted with NODE_EXTRA_CA_CERTS=FILE) and --token (default
  SDE_ADMIN_TOKEN or the token file in SDE_DATA_DIR).`;

/** Runs one command line; resolves with the process exit code. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [command, sub, ...rest] = argv;
  try {
    switch (command) {
      case 'center':
        return await centerCommand(env);
      case 'start':
        return await runDemo(env);
      case 'devices':
        if (sub === 'provision') return await provisionCommand(rest, env);
        break;
      case 'simulate':
        return await simulateCommand(argv.slice(1));
      case 'ledger':
        if (sub === 'verify') return await verifyCommand(rest, env);
        break;
      case 'retention':
        if (sub === 'plan') return await retentionPlanCommand(rest, env);
        break;
      case 'audit':
        if (sub === 'verify') return await auditVerifyCommand(rest, env);
        break;
      case 'secrets':
        if (sub === 'rotate') return await rotateCommand(rest, env);
        break;
      case undefined:
      case 'help':
      case '--help':
        console.log(USAGE);
        return command === undefined ? 2 : 0;
    }
    console.error(`sde: unknown command "${argv.join(' ')}"\n\n${USAGE}`);
    return 2;
  } catch (err) {
    console.error(`sde: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

/** Starts a center and keeps it running until SIGINT/SIGTERM, then stops it gracefully. */
export async function runCenterUntilSignal(env: NodeJS.ProcessEnv, onStarted?: (c: Center) => Promise<void>) {
  const config = loadConfig(env);
  const logger = createLogger(config.SDE_LOG_LEVEL);
  let center: Center;
  try {
    center = await startCenter(config, logger);
  } catch (err) {
    if (err instanceof PortInUseError) {
      console.error(`sde: ${err.message}`);
      return 1;
    }
    throw err;
  }
  for (const notice of center.notices) console.error(`sde: note: ${notice}`);
  console.error(
    [
      `sde: monitoring center ready`,
      `  HTTP API, health, metrics  ${center.httpUrl}  (/healthz, /metrics, /api/v1)`,
      `  device MQTT                ${center.mqttUrl}`,
      `  storage                    ${center.storage === 'pglite' ? `PGlite in ${config.SDE_DATA_DIR}` : 'PostgreSQL server (SDE_DATABASE_URL)'}`,
      `  admin token                ${config.SDE_ADMIN_TOKEN ? 'from SDE_ADMIN_TOKEN' : `in ${config.SDE_DATA_DIR}/admin-token`}`,
      `  device secrets key         ${config.SDE_SECRETS_KEY ? 'from SDE_SECRETS_KEY' : `in ${config.SDE_SECRETS_KEY_FILE ?? `${config.SDE_DATA_DIR}/secrets.key`} (back it up apart from the database)`}`,
    ].join('\n'),
  );
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      console.error(`sde: ${signal}: finishing in-flight batches and stopping`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  if (onStarted) await onStarted(center);
  await stopped;
  await center.stop();
  return 0;
}

async function centerCommand(env: NodeJS.ProcessEnv): Promise<number> {
  return runCenterUntilSignal(env);
}

async function provisionCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      count: { type: 'string' },
      prefix: { type: 'string', default: 'DEV-' },
      out: { type: 'string' },
      kind: { type: 'string', default: 'home_unit' },
      url: { type: 'string' },
      token: { type: 'string' },
    },
  });
  const count = Number(values.count);
  if (!Number.isInteger(count) || count < 1) throw new Error('--count must be a positive whole number');
  if (!values.out) throw new Error('--out FILE is required');
  const endpoint = endpointFrom(values, env);
  const result = await callApi<{ devices: { id: string; secret: string; kind: string }[] }>(
    endpoint,
    'POST',
    '/api/v1/devices',
    { kind: values.kind, count, prefix: values.prefix },
  );
  writeFileSync(values.out, JSON.stringify({ devices: result.devices }, null, 2) + '\n', { mode: 0o600 });
  console.log(JSON.stringify({ provisioned: result.devices.length, out: values.out }));
  return 0;
}

async function simulateCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      credentials: { type: 'string' },
      mqtt: { type: 'string', default: 'mqtt://127.0.0.1:1883' },
      duration: { type: 'string', default: '60' },
      'until-acked': { type: 'boolean', default: false },
      state: { type: 'string' },
      rate: { type: 'string' },
    },
  });
  if (!values.credentials) throw new Error('--credentials FILE is required');
  const duration = Number(values.duration);
  if (!(duration >= 0)) throw new Error('--duration must be a number of seconds');
  const credentials = readCredentialsFile(values.credentials);
  const result = await simulate({
    credentials,
    mqttUrl: values.mqtt,
    durationSec: duration,
    untilAcked: values['until-acked'],
    stateDir: values.state ?? `${values.credentials}.state`,
    ...(values.rate !== undefined ? { rate: Number(values.rate) } : {}),
  });
  console.log(
    JSON.stringify({
      devices: result.devices,
      sent: result.sent,
      acked: result.acked,
      pending: result.pending,
    }),
  );
  return 0;
}

/** The options of a command that reads a report from the running center: --json, --url, --token. */
function reportArgs(args: string[]) {
  return parseArgs({
    args,
    options: {
      json: { type: 'boolean', default: false },
      url: { type: 'string' },
      token: { type: 'string' },
    },
  }).values;
}

async function verifyCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const values = reportArgs(args);
  const result = await callApi<{
    events: number;
    devices: number;
    duplicates: number;
    gaps: number;
    window?: number;
    jumps?: number;
    futureTime?: number;
    quarantined?: { frames: number; devices: number; events: number };
    chains?: ChainVerification;
  }>(endpointFrom(values, env), 'GET', '/api/v1/ledger/verify');
  if (values.json) console.log(JSON.stringify(result));
  else {
    console.log(
      `${result.events} events from ${result.devices} devices; ${result.duplicates} duplicates; ` +
        `${result.gaps} missing sequence numbers` +
        (result.window === undefined ? '' : ` (between stored numbers at most ${result.window} apart)`),
    );
    // What ADR 0408 keeps apart from the gaps: leaps stored before the bound, events dated ahead, quarantine.
    if (result.jumps) console.log(`${result.jumps} implausible leaps in numbering (not counted as missing)`);
    if (result.futureTime) console.log(`${result.futureTime} events dated ahead of their arrival (flagged)`);
    if (result.quarantined?.frames)
      console.log(
        `${result.quarantined.frames} frames (${result.quarantined.events} events) from ${result.quarantined.devices} devices ` +
          'refused for implausible sequence numbers and kept in quarantine',
      );
    if (result.chains) printChains(result.chains, 'frames and events');
  }
  return result.duplicates === 0 && result.chains?.intact !== false ? 0 : 1;
}

/** The outcome of a chain verification, in words (ADR 0701). */
interface ChainVerification {
  intact: boolean;
  chains: number;
  links: number;
  unchained: number;
  checkpoints: number;
  checkpoint: { id: number; at: string; keyId: string } | null;
  problems: { message: string }[];
}

function printChains(v: ChainVerification, what: string): void {
  console.log(
    `${v.links} ${what} in ${v.chains} hash chains: ${v.intact ? 'intact' : `NOT INTACT (${v.problems.length} problems)`}` +
      (v.checkpoint
        ? `; held against checkpoint ${v.checkpoint.id} of ${new Date(v.checkpoint.at).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC, signed by ${v.checkpoint.keyId}`
        : '; no signed checkpoint yet') +
      ` (${v.checkpoints} checkpoints checked)`,
  );
  if (v.unchained > 0) console.log(`${v.unchained} records stored before the chains existed are not covered`);
  for (const p of v.problems) console.log(`  ${p.message}`);
}

/** `sde audit verify`: the audit log's hash chains against the signed checkpoints. */
async function auditVerifyCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const values = reportArgs(args);
  const result = await callApi<ChainVerification>(endpointFrom(values, env), 'GET', '/api/v1/audit/verify');
  if (values.json) console.log(JSON.stringify(result));
  else printChains(result, 'audit records');
  return result.intact ? 0 : 1;
}

/** `sde retention plan`: reads the plan from the running center (permission `retention.read`). */
async function retentionPlanCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const values = reportArgs(args);
  const plan = await callApi<RetentionReport>(endpointFrom(values, env), 'GET', '/api/v1/retention/plan');
  if (values.json) {
    console.log(JSON.stringify(plan));
    return 0;
  }
  const day = (iso: string) => iso.slice(0, 10);
  console.log(
    `retention period ${plan.months} months: rows registered and cases ended before ${plan.cutoff} are past it`,
  );
  if (plan.partitions.length === 0) console.log('no monthly partition is past the period');
  for (const p of plan.partitions) {
    console.log(
      `drop ${p.name} (${day(p.from)} to ${day(p.to)}): ${p.rows} rows` +
        (p.heldRows > 0 ? `, of which ${p.heldRows} kept under a legal hold` : ''),
    );
  }
  console.log(
    `${plan.casesToErase} cases to pseudonymise; ${plan.casesHeld} cases past the period kept by a legal hold`,
  );
  if (plan.heldRowsReleased > 0)
    console.log(`${plan.heldRowsReleased} held rows released (their hold was lifted)`);
  return 0;
}

/**
 * `sde secrets rotate`: re-encrypts every device secret with a new key, against the database with both keys
 * (ADR 0409), while no center runs on it. The new key is written to its file before any row changes, so an
 * interrupted run is resumed by running the same command again: rows already under the new key are skipped.
 */
async function rotateCommand(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseArgs({ args, options: { 'new-key-file': { type: 'string' } } });
  const config = loadConfig(env);
  const current = readKeySource(config, { create: false });
  // The embedded store has one user, and a running center would keep encrypting with the old key.
  const running = env.SDE_URL ?? `http://127.0.0.1:${env.SDE_HTTP_PORT ?? '8080'}`;
  const answered = await fetch(`${running}/healthz`, { signal: AbortSignal.timeout(2000) }).then(
    () => true,
    () => false,
  );
  if (answered) throw new Error(`a center answers at ${running}: stop it before rotating the secrets key`);
  let nextFile = values['new-key-file'];
  if (!nextFile) {
    if (!current.defaultFile) {
      throw new Error(
        `the key comes from ${current.source}: pass --new-key-file FILE (a new key is written there when it does ` +
          'not exist), then start the center with that key',
      );
    }
    nextFile = `${current.defaultFile}.next`;
  }
  if (!existsSync(nextFile)) writeFileSync(nextFile, `${newKeyText()}\n`, { mode: 0o600, flag: 'wx' });
  const keys = createLocalKeyProvider([readKeyFile(nextFile).key, current.key], nextFile);
  const database = await openDatabase({ url: config.SDE_DATABASE_URL, dataDir: config.SDE_DATA_DIR });
  let result;
  try {
    // Neither key opens some rows: stop before changing anything, as the center would at start.
    await checkSecretsKey(database.db, keys);
    result = await rotateDeviceSecrets(database.db, keys, (p) =>
      console.error(`sde: ${p.rotated} device secrets re-encrypted, ${p.remaining} left`),
    );
  } finally {
    await database.close();
  }
  if (result.unreadable.length > 0) {
    console.error(
      `sde: the stored secrets of ${result.unreadable.length} devices do not decrypt (altered, or copied from ` +
        `another device): ${result.unreadable.slice(0, 10).join(', ')}. The rest is re-encrypted; provision ` +
        'those devices again, then run this command again to finish.',
    );
    return 1;
  }
  if (!values['new-key-file'] && current.defaultFile) {
    // The old key is kept beside it for backups taken before the rotation; the new one takes its place in one step.
    writeFileSync(`${current.defaultFile}.old`, `${current.key.toString('base64')}\n`, { mode: 0o600 });
    renameSync(nextFile, current.defaultFile);
  }
  console.log(
    JSON.stringify({
      rotated: result.rotated,
      keyId: keys.currentKeyId,
      keyFile: values['new-key-file'] ?? current.defaultFile,
    }),
  );
  if (values['new-key-file']) {
    console.error(
      `sde: every device secret is encrypted with the key in ${nextFile}; start the center with it ` +
        '(SDE_SECRETS_KEY_FILE, or its content in SDE_SECRETS_KEY). The old key is no longer needed except for older backups.',
    );
  }
  return 0;
}
