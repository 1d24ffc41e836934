/**
 * Device secrets at rest (ADR 0409): each sealed with the device id as associated data, so a ciphertext
 * copied to another device's row does not open; the start check; the one-time sealing of plaintext rows;
 * and the re-sealing under a new key that `sde secrets rotate` runs.
 */
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import type { KeyProvider, Sealed } from './key-provider.js';

/** Rows sealed or re-sealed per statement. */
const BATCH = 500;

/** The associated data of a device's secret: binds the ciphertext to that device. */
function aadOf(deviceId: string): Buffer {
  return Buffer.from(`sde device secret v1\0${deviceId}`, 'utf8');
}

/** A device secret as stored: ciphertext and key id (the plaintext column stays empty). */
export interface StoredSecret {
  secret_sealed: Buffer;
  secret_key_id: string;
}

/** Seals device `deviceId`'s secret for storage. */
export async function sealDeviceSecret(
  keys: KeyProvider,
  deviceId: string,
  secret: string,
): Promise<StoredSecret> {
  const { keyId, sealed } = await keys.seal(Buffer.from(secret, 'utf8'), aadOf(deviceId));
  return { secret_sealed: sealed, secret_key_id: keyId };
}

/** Opens a stored secret of device `deviceId`; throws when it was sealed for another device or altered. */
export async function openDeviceSecret(
  keys: KeyProvider,
  deviceId: string,
  stored: { secret_sealed: Uint8Array | null; secret_key_id: string | null; secret?: string | null },
): Promise<string> {
  if (stored.secret_sealed === null || stored.secret_key_id === null) {
    // A plaintext row is sealed at start before anything reads it; none should be left to read here.
    if (typeof stored.secret === 'string') return stored.secret;
    throw new Error(`device ${deviceId} has no stored secret`);
  }
  // PGlite answers bytea as a Uint8Array, node-postgres as a Buffer.
  const sealed: Sealed = { keyId: stored.secret_key_id, sealed: Buffer.from(stored.secret_sealed) };
  return (await keys.open(sealed, aadOf(deviceId))).toString('utf8');
}

/** The center was given a key that does not open the stored secrets. */
export class SecretsKeyError extends Error {
  override name = 'SecretsKeyError';
}

/**
 * Refuses to go on when the stored secrets were sealed with a key `keys` does not have (a wrong or lost key
 * file, a half-done rotation): one clear message at start instead of every device refused afterwards.
 */
export async function checkSecretsKey(db: Database, keys: KeyProvider): Promise<void> {
  const { rows } = await sql<{ key_id: string; n: number }>`
    select secret_key_id as key_id, count(*)::int4 as n from devices
    where secret_key_id is not null group by secret_key_id order by 2 desc`.execute(db);
  const fix =
    'Start it with the key the secrets were encrypted with (SDE_SECRETS_KEY, SDE_SECRETS_KEY_FILE or secrets.key ' +
    'in SDE_DATA_DIR); if `sde secrets rotate` was interrupted, run it again to finish first.';
  const unknown = rows.filter((r) => !keys.canOpen(r.key_id));
  if (unknown.length > 0) {
    const held = unknown.map((r) => `${r.n} with key ${r.key_id}`).join(', ');
    throw new SecretsKeyError(
      `the device secrets in the database are encrypted with a key this center was not given (${held}; ` +
        `this center has key ${keys.currentKeyId} from ${keys.source}). ${fix}`,
    );
  }
  for (const { key_id } of rows) {
    // The id matching is not enough for a key-management plug-in's ids: one of a few values must open.
    const sample = await db
      .selectFrom('devices')
      .select(['id', 'secret_sealed', 'secret_key_id'])
      .where('secret_key_id', '=', key_id)
      .limit(3)
      .execute();
    const opened = await Promise.all(
      sample.map((r) =>
        openDeviceSecret(keys, r.id, r).then(
          () => true,
          () => false,
        ),
      ),
    );
    if (!opened.includes(true)) {
      throw new SecretsKeyError(
        `the key ${key_id} from ${keys.source} does not open the device secrets stored under that id. ${fix}`,
      );
    }
  }
}

/**
 * Seals every secret still stored in plaintext (a database from before migration 0012): idempotent, in
 * batches; afterwards the plaintext column is empty. Returns how many rows it sealed. Dead row versions
 * holding the plaintext are then removed by rewriting the table (VACUUM FULL, a small table).
 */
export async function sealPlaintextSecrets(db: Database, keys: KeyProvider): Promise<number> {
  let total = 0;
  for (;;) {
    const rows = await db
      .selectFrom('devices')
      .select(['no', 'id', 'secret'])
      .where('secret', 'is not', null)
      .orderBy('no')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) break;
    const sealed = await Promise.all(rows.map((r) => sealDeviceSecret(keys, r.id, r.secret!)));
    await writeSealed(
      db,
      rows.map((r, i) => ({ no: r.no, ...sealed[i]! })),
    );
    total += rows.length;
  }
  if (total > 0) await sql`vacuum full devices`.execute(db);
  return total;
}

/** Progress of a rotation, after each batch. */
export interface RotationProgress {
  /** Rows re-sealed under the new key so far in this run. */
  rotated: number;
  /** Rows still under another key (or in plaintext) when the batch was read. */
  remaining: number;
}

/** What a rotation did. */
export interface RotationResult {
  /** Rows re-sealed in this run (a resumed run counts only what was left). */
  rotated: number;
  /** Devices whose stored secret no key opens (altered, or copied from another device): left as they are. */
  unreadable: string[];
}

/**
 * Re-seals every device secret not yet under `keys.currentKeyId` (opening it with any key `keys` holds: the
 * old and the new). Each batch is one statement, so an interruption leaves every row under one key or the
 * other and a second run goes on where the first stopped. Ends when no row is left under another key.
 */
export async function rotateDeviceSecrets(
  db: Database,
  keys: KeyProvider,
  onProgress?: (p: RotationProgress) => void | Promise<void>,
): Promise<RotationResult> {
  let rotated = 0;
  const unreadable = new Set<string>();
  let after = 0;
  for (;;) {
    const rows = await db
      .selectFrom('devices')
      .select(['no', 'id', 'secret', 'secret_sealed', 'secret_key_id'])
      .where('no', '>', after)
      .where((eb) =>
        eb.or([eb('secret_key_id', 'is distinct from', keys.currentKeyId), eb('secret', 'is not', null)]),
      )
      .orderBy('no')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) {
      if (after === 0) break;
      // Rows provisioned meanwhile by a center still running with the old key: one more pass from the start.
      after = 0;
      const left = await countNotUnder(db, keys.currentKeyId);
      if (left <= unreadable.size) break;
      continue;
    }
    after = rows.at(-1)!.no;
    const updates: ({ no: number } & StoredSecret)[] = [];
    for (const r of rows) {
      let plain: string;
      try {
        plain = await openDeviceSecret(keys, r.id, r);
      } catch {
        unreadable.add(r.id);
        continue;
      }
      updates.push({ no: r.no, ...(await sealDeviceSecret(keys, r.id, plain)) });
    }
    if (updates.length > 0) await writeSealed(db, updates);
    rotated += updates.length;
    await onProgress?.({
      rotated,
      remaining: (await countNotUnder(db, keys.currentKeyId)) - unreadable.size,
    });
  }
  // The old ciphertexts stay in dead row versions until the table is rewritten.
  if (rotated > 0) await sql`vacuum full devices`.execute(db);
  return { rotated, unreadable: [...unreadable].sort() };
}

async function countNotUnder(db: Database, keyId: string): Promise<number> {
  const r = await sql<{ n: number }>`
    select count(*)::int4 as n from devices
    where secret_key_id is distinct from ${keyId} or secret is not null`.execute(db);
  return r.rows[0]!.n;
}

async function writeSealed(db: Database, rows: ({ no: number } & StoredSecret)[]): Promise<void> {
  await sql`
    update devices d set secret = null, secret_sealed = decode(u.sealed, 'hex'), secret_key_id = u.key_id
    from unnest(${rows.map((r) => r.no)}::int4[], ${rows.map((r) => r.secret_sealed.toString('hex'))}::text[],
      ${rows.map((r) => r.secret_key_id)}::text[]) as u(no, sealed, key_id)
    where d.no = u.no`.execute(db);
}
