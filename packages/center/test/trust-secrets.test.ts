/**
 * Device secrets at rest (ADR 0409), on the embedded store and on a PostgreSQL server: no stored value holds
 * a secret; devices still connect and their frames are accepted, also after a restart; a center given
 * another key refuses to start with one message; a database from before migration 0012 is encrypted at
 * start; `sde secrets rotate` re-encrypts every row, also when a first run was interrupted halfway; a
 * ciphertext copied to another device's row does not decrypt.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type DatabaseHandle } from '../src/db/database.js';
import {
  createLocalKeyProvider,
  createLogger,
  keyIdOf,
  loadConfig,
  newKeyText,
  parseKey,
  readKeySource,
  rotateDeviceSecrets,
  startCenter,
  type Center,
} from '../src/index.js';
import { heartbeats, TestDevice, type Storage } from './harness.js';
import { createTestDatabase, hasPostgres } from './services.js';

const SDE = new URL('../../cli/bin/sde.js', import.meta.url).pathname;

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

/** More than one batch of the rotation (500 rows), so that it can be interrupted halfway. */
const FLEET = 1200;
/** Each test starts a center up to three times, slow on a shared machine. */
const TIMEOUT = 240_000;

describe.each(setups)('device secrets at rest on %s', (storage, available) => {
  let dataDir: string;
  let url: string | undefined;
  let drop: (() => Promise<void>) | undefined;
  let center: Center | undefined;
  let fleet: { id: string; secret: string }[] = [];
  const env = () => ({
    SDE_DATA_DIR: dataDir,
    SDE_HTTP_PORT: '0',
    SDE_MQTT_PORT: '0',
    SDE_LOG_LEVEL: 'silent',
    ...(url ? { SDE_DATABASE_URL: url } : {}),
  });

  async function start(extra: Record<string, string> = {}): Promise<Center> {
    center = await startCenter(loadConfig({ ...env(), ...extra }), createLogger('silent'));
    return center;
  }
  async function stop(): Promise<void> {
    await center?.stop();
    center = undefined;
  }
  /** Runs `f` on the database while no center is running (PGlite has one user). */
  async function withDatabase<T>(f: (db: DatabaseHandle['db']) => Promise<T>): Promise<T> {
    const handle = await openDatabase({ url, dataDir });
    try {
      return await f(handle.db);
    } finally {
      await handle.close();
    }
  }
  /** Every row of every table, each as its text form (what a dump would hold). */
  async function everyStoredValue(db: DatabaseHandle['db']): Promise<string> {
    const { rows: tables } = await sql<{ name: string }>`
      select quote_ident(tablename) as name from pg_tables where schemaname = 'public'`.execute(db);
    let all = '';
    for (const { name } of tables) {
      const { rows } = await sql<{ t: string | null }>`
        select string_agg(x::text, E'\n') as t from ${sql.raw(name)} x`.execute(db);
      all += `${rows[0]?.t ?? ''}\n`;
    }
    return all;
  }
  /** Connects as the device, sends heartbeats after `seq` and waits for their acknowledgement. */
  async function reports(c: Center, device: { id: string; secret: string }, seq: number): Promise<void> {
    const unit = await TestDevice.connect(c.mqttUrl, device.id, device.secret);
    try {
      await unit.sendEvents(heartbeats(seq + 1, seq + 2));
      await unit.waitForAck(seq + 2);
    } finally {
      await unit.close();
    }
  }
  async function keyIds(): Promise<Map<string | null, number>> {
    return withDatabase(async (db) => {
      const { rows } = await sql<{ key_id: string | null; n: number; plain: number }>`
        select secret_key_id as key_id, count(*)::int4 as n, count(secret)::int4 as plain
        from devices group by 1`.execute(db);
      expect(rows.reduce((s, r) => s + r.plain, 0)).toBe(0);
      return new Map(rows.map((r) => [r.key_id, r.n]));
    });
  }
  function sde(
    args: string[],
    extra: Record<string, string> = {},
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const child = spawn(process.execPath, [SDE, ...args], {
      env: { ...process.env, ...env(), ...extra },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) =>
      child.once('exit', (code) => resolve({ code: code ?? 1, stdout, stderr })),
    );
  }

  beforeAll(async () => {
    if (!available) return;
    dataDir = mkdtempSync(join(tmpdir(), 'sde-secrets-'));
    if (storage === 'postgres') ({ url, drop } = await createTestDatabase());
  });
  afterAll(async () => {
    await stop();
    await drop?.();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf(!available)(
    'stores no secret: every stored value is searched after provisioning',
    async () => {
      const c = await start();
      const keyFile = join(dataDir, 'secrets.key');
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      const res = await fetch(`${c.httpUrl}/api/v1/devices`, {
        method: 'POST',
        headers: { authorization: `Bearer ${c.adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'home_unit', count: FLEET, prefix: 'SEC-' }),
      });
      expect(res.status).toBe(201);
      fleet = ((await res.json()) as { devices: { id: string; secret: string }[] }).devices;
      expect(fleet).toHaveLength(FLEET);
      const dump = await everyStoredValue(c.database.db);
      expect(dump).toContain(fleet[0]!.id);
      for (const d of fleet) expect(dump.includes(d.secret), d.id).toBe(false);
      await stop();
      const key = parseKey(readFileSync(keyFile, 'utf8'), 'key file');
      expect(await keyIds()).toEqual(new Map([[keyIdOf(key), FLEET]]));
    },
    TIMEOUT,
  );

  it.skipIf(!available)(
    'lets devices connect and accepts their frames, also after a restart',
    async () => {
      let c = await start();
      await reports(c, fleet[0]!, 0);
      await expect(TestDevice.connect(c.mqttUrl, fleet[1]!.id, fleet[0]!.secret)).rejects.toThrow();
      await stop();
      c = await start();
      await reports(c, fleet[0]!, 2);
      await reports(c, fleet[FLEET - 1]!, 0);
      await stop();
    },
    TIMEOUT,
  );

  it.skipIf(!available)(
    'refuses to start with another key, saying which key the secrets need',
    async () => {
      const other = newKeyText();
      await expect(start({ SDE_SECRETS_KEY: other })).rejects.toThrow(
        /device secrets in the database are encrypted with a key this center was not given \(1200 with key k-[0-9a-f]{16}; this center has key k-[0-9a-f]{16} from SDE_SECRETS_KEY\)/,
      );
      // Nothing was changed by the refused start: the right key still works.
      const c = await start();
      await reports(c, fleet[1]!, 0);
      await stop();
    },
    TIMEOUT,
  );

  it.skipIf(!available)(
    'rotates the key with `sde secrets rotate`, also after a first run was interrupted halfway',
    async () => {
      const keyFile = join(dataDir, 'secrets.key');
      const oldKey = parseKey(readFileSync(keyFile, 'utf8'), 'key file');
      // Not while a center runs on the database: it would go on encrypting with the old key.
      const running = await start();
      const refused = await sde(['secrets', 'rotate'], { SDE_HTTP_PORT: new URL(running.httpUrl).port });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/a center answers at .*: stop it before rotating the secrets key/);
      await stop();
      // A first run, as the command starts it (the new key written first), stopped after one batch.
      const nextKey = newKeyText();
      writeFileSync(`${keyFile}.next`, `${nextKey}\n`, { mode: 0o600 });
      const both = createLocalKeyProvider([parseKey(nextKey, 'next'), oldKey]);
      await expect(
        withDatabase((db) =>
          rotateDeviceSecrets(db, both, () => {
            throw new Error('interrupted');
          }),
        ),
      ).rejects.toThrow('interrupted');
      const halfway = await keyIds();
      expect(halfway.get(keyIdOf(oldKey))).toBe(FLEET - 500);
      expect(halfway.get(both.currentKeyId)).toBe(500);
      // A center started meanwhile says what to do rather than refusing the devices one by one.
      await expect(start()).rejects.toThrow(/run it again to finish/);

      const run = await sde(['secrets', 'rotate']);
      expect(run.stderr).toMatch(/700 device secrets re-encrypted, 0 left/);
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toEqual({ rotated: FLEET - 500, keyId: both.currentKeyId, keyFile });
      expect(readFileSync(keyFile, 'utf8').trim()).toBe(nextKey);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(existsSync(`${keyFile}.next`)).toBe(false);
      expect(parseKey(readFileSync(`${keyFile}.old`, 'utf8'), 'old')).toEqual(oldKey);
      expect(await keyIds()).toEqual(new Map([[both.currentKeyId, FLEET]]));

      // A second rotation in one go, and the devices of both ends of the fleet still connect.
      const again = await sde(['secrets', 'rotate']);
      expect(again.code).toBe(0);
      expect(JSON.parse(again.stdout)).toMatchObject({ rotated: FLEET });
      const c = await start();
      await reports(c, fleet[0]!, 4);
      await reports(c, fleet[FLEET - 1]!, 2);
      await stop();
      await expect(start({ SDE_SECRETS_KEY: nextKey })).rejects.toThrow(/not given/);
    },
    TIMEOUT,
  );

  it.skipIf(!available)(
    'encrypts at start the plaintext secrets of a database from before 0012',
    async () => {
      // The devices table as it was before migration 0012: secrets in plaintext, the migration not applied.
      await withDatabase(async (db) => {
        await sql`alter table devices drop constraint devices_secret_stored,
        drop column secret_sealed, drop column secret_key_id`.execute(db);
        await sql`update devices d set secret = f.secret
        from unnest(${fleet.map((d) => d.id)}::text[], ${fleet.map((d) => d.secret)}::text[]) as f(id, secret)
        where d.id = f.id`.execute(db);
        await sql`alter table devices alter column secret set not null`.execute(db);
        await sql`delete from schema_migrations where id = '0012_secrets'`.execute(db);
        expect(await everyStoredValue(db)).toContain(fleet[2]!.secret);
      });
      const c = await start();
      const dump = await everyStoredValue(c.database.db);
      for (const d of fleet) expect(dump.includes(d.secret), d.id).toBe(false);
      await reports(c, fleet[2]!, 0);
      await stop();
      const key = parseKey(readFileSync(join(dataDir, 'secrets.key'), 'utf8'), 'key file');
      expect(await keyIds()).toEqual(new Map([[keyIdOf(key), FLEET]]));
      // The pass is idempotent: a second start has nothing to encrypt and the devices still connect.
      await reports(await start(), fleet[3]!, 0);
      await stop();
    },
    TIMEOUT,
  );

  it.skipIf(!available)(
    'rotates a key given in SDE_SECRETS_KEY into a new key file',
    async () => {
      const current = readFileSync(join(dataDir, 'secrets.key'), 'utf8').trim();
      const newFile = join(dataDir, 'server.key');
      const run = await sde(['secrets', 'rotate', '--new-key-file', newFile], { SDE_SECRETS_KEY: current });
      expect(run.code).toBe(0);
      expect(JSON.parse(run.stdout)).toMatchObject({ rotated: FLEET, keyFile: newFile });
      expect(statSync(newFile).mode & 0o777).toBe(0o600);
      // The key the center was started with is the operator's to change: the old one no longer opens them.
      await expect(start({ SDE_SECRETS_KEY: current })).rejects.toThrow(/not given/);
      await reports(await start({ SDE_SECRETS_KEY_FILE: newFile }), fleet[8]!, 0);
      await stop();
      writeFileSync(join(dataDir, 'secrets.key'), readFileSync(newFile));
    },
    TIMEOUT,
  );

  it.skipIf(!available)(
    "does not decrypt a ciphertext copied to another device's row",
    async () => {
      const [a, b] = [fleet[5]!, fleet[6]!];
      await withDatabase((db) =>
        sql`update devices set (secret_sealed, secret_key_id) =
        (select secret_sealed, secret_key_id from devices where id = ${a.id}) where id = ${b.id}`.execute(db),
      );
      const c = await start();
      await reports(c, a, 0);
      await expect(TestDevice.connect(c.mqttUrl, b.id, a.secret)).rejects.toThrow();
      await expect(TestDevice.connect(c.mqttUrl, b.id, b.secret)).rejects.toThrow();
      await reports(c, fleet[7]!, 0);
      await stop();
      // A rotation re-encrypts the others and names the device whose secret does not decrypt.
      const run = await sde(['secrets', 'rotate']);
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`do not decrypt (altered, or copied from another device): ${b.id}`);
    },
    TIMEOUT,
  );
});

describe('the secrets key', () => {
  it('opens a value only for the device and with the key it was sealed for', async () => {
    const [k1, k2] = [randomBytes(32), randomBytes(32)];
    const one = createLocalKeyProvider([k1]);
    const both = createLocalKeyProvider([k2, k1]);
    const aad = (id: string) => Buffer.from(`sde device secret v1\0${id}`);
    const sealed = await one.seal(Buffer.from('s3cret'), aad('HU-1'));
    expect(sealed.keyId).toBe(keyIdOf(k1));
    expect(sealed.sealed.includes(Buffer.from('s3cret'))).toBe(false);
    expect(String(await both.open(sealed, aad('HU-1')))).toBe('s3cret');
    await expect(both.open(sealed, aad('HU-2'))).rejects.toThrow();
    await expect(createLocalKeyProvider([k2]).open(sealed, aad('HU-1'))).rejects.toThrow(/no key/);
    const altered = Buffer.from(sealed.sealed);
    altered[14]! ^= 1;
    await expect(one.open({ ...sealed, sealed: altered }, aad('HU-1'))).rejects.toThrow();
    // A fresh nonce each time: the same secret sealed twice looks different.
    expect((await one.seal(Buffer.from('s3cret'), aad('HU-1'))).sealed).not.toEqual(sealed.sealed);
    expect(both.currentKeyId).toBe(keyIdOf(k2));
  });

  it('refuses a key that is not 32 bytes of base64, naming the setting', () => {
    expect(() => loadConfig({ SDE_SECRETS_KEY: randomBytes(16).toString('base64') })).toThrow(
      /SDE_SECRETS_KEY: must be 32 bytes in base64/,
    );
    expect(() => parseKey('not a key', 'the secrets key file /x')).toThrow(
      /the secrets key file \/x must hold a key of 32 bytes in base64/,
    );
    expect(() =>
      readKeySource({
        SDE_DATA_DIR: '/nonexistent',
        SDE_SECRETS_KEY: newKeyText(),
        SDE_SECRETS_KEY_FILE: '/x',
      }),
    ).toThrow(/not both/);
  });
});
