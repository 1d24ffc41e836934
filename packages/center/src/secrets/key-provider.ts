/**
 * The key that device secrets are encrypted with at rest (ADR 0409), kept outside the database: a key file in
 * the data directory by default, SDE_SECRETS_KEY or SDE_SECRETS_KEY_FILE on servers. `KeyProvider` is the seam
 * a key-management service plugs into: the center only seals and opens values through it, by key id.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';

/** A value sealed under one key: the key's id is stored next to it so the right key opens it. */
export interface Sealed {
  keyId: string;
  sealed: Buffer;
}

/**
 * Seals and opens small values. A key-management service implements this with its own key ids (a key
 * version), asynchronously; the center calls it when a device is provisioned or loaded, never per frame.
 */
export interface KeyProvider {
  /** Id of the key new values are sealed with. */
  readonly currentKeyId: string;
  /** Where the current key came from, for messages (never the key). */
  readonly source: string;
  /** Whether values sealed under `keyId` can be opened. */
  canOpen(keyId: string): boolean;
  /** Seals `plaintext` with the current key; `aad` (bound, not stored) must be given again to open it. */
  seal(plaintext: Buffer, aad: Buffer): Promise<Sealed>;
  /** Opens a sealed value; throws when the key is unknown or the value or its `aad` differ from sealing. */
  open(value: Sealed, aad: Buffer): Promise<Buffer>;
}

/** Length of an AES-256 key in bytes. */
export const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** A key's id: a fingerprint that names the key without revealing it (so a wrong key is recognised). */
export function keyIdOf(key: Buffer): string {
  return `k-${createHash('sha256').update('sde secrets key id\0').update(key).digest('hex').slice(0, 16)}`;
}

/** A new random key, base64 as key files and SDE_SECRETS_KEY hold it. */
export function newKeyText(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** Parses a base64 key of 32 bytes; `what` names its origin in the error. */
export function parseKey(text: string, what: string): Buffer {
  const trimmed = text.trim();
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== trimmed) {
    throw new Error(
      `${what} must hold a key of ${KEY_BYTES} bytes in base64 (e.g. \`openssl rand -base64 32\`)`,
    );
  }
  return key;
}

/**
 * A provider over keys held in memory: AES-256-GCM, a random 96-bit nonce per value, stored as
 * nonce ‖ ciphertext ‖ tag. The first key seals; every key given opens (a rotation holds the old and the new).
 */
export function createLocalKeyProvider(keys: Buffer[], source = 'memory'): KeyProvider {
  if (keys.length === 0) throw new Error('a key provider needs a key');
  const byId = new Map(keys.map((k) => [keyIdOf(k), k] as const));
  const currentKeyId = keyIdOf(keys[0]!);
  return {
    currentKeyId,
    source,
    canOpen: (keyId) => byId.has(keyId),
    async seal(plaintext, aad) {
      const nonce = randomBytes(NONCE_BYTES);
      const cipher = createCipheriv('aes-256-gcm', byId.get(currentKeyId)!, nonce);
      cipher.setAAD(aad);
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
      return { keyId: currentKeyId, sealed: Buffer.concat([nonce, body, cipher.getAuthTag()]) };
    },
    async open({ keyId, sealed }, aad) {
      const key = byId.get(keyId);
      if (!key) throw new Error(`no key ${keyId}`);
      if (sealed.length < NONCE_BYTES + TAG_BYTES) throw new Error('sealed value too short');
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
    },
  };
}

/** Name of the default key file in the data directory. */
export const KEY_FILE_NAME = 'secrets.key';

/** Where the center's key comes from, and the key. */
export interface KeySource {
  key: Buffer;
  /** For messages: `SDE_SECRETS_KEY`, or the file's path. */
  source: string;
  /** The default key file in the data directory (the one `sde secrets rotate` may replace by itself). */
  defaultFile?: string;
  /** Set when the default key file was created by this call (first start). */
  created?: boolean;
  /** A warning for the person starting the center (a key file others can read). */
  warning?: string;
}

/**
 * Reads the key: SDE_SECRETS_KEY, else SDE_SECRETS_KEY_FILE (which must exist), else
 * SDE_DATA_DIR/secrets.key, created with mode 0600 on first start unless `create` is false.
 */
export function readKeySource(
  config: Pick<Config, 'SDE_DATA_DIR' | 'SDE_SECRETS_KEY' | 'SDE_SECRETS_KEY_FILE'>,
  opts: { create?: boolean } = {},
): KeySource {
  if (config.SDE_SECRETS_KEY && config.SDE_SECRETS_KEY_FILE) {
    throw new Error('set SDE_SECRETS_KEY or SDE_SECRETS_KEY_FILE, not both');
  }
  if (config.SDE_SECRETS_KEY) {
    return { key: parseKey(config.SDE_SECRETS_KEY, 'SDE_SECRETS_KEY'), source: 'SDE_SECRETS_KEY' };
  }
  if (config.SDE_SECRETS_KEY_FILE) {
    return { ...readKeyFile(config.SDE_SECRETS_KEY_FILE), source: config.SDE_SECRETS_KEY_FILE };
  }
  const file = join(config.SDE_DATA_DIR, KEY_FILE_NAME);
  if (!existsSync(file)) {
    if (opts.create === false) throw new Error(`no secrets key: ${file} does not exist`);
    mkdirSync(config.SDE_DATA_DIR, { recursive: true });
    writeFileSync(file, `${newKeyText()}\n`, { mode: 0o600, flag: 'wx' });
    return { ...readKeyFile(file), source: file, defaultFile: file, created: true };
  }
  return { ...readKeyFile(file), source: file, defaultFile: file };
}

/** Reads a key file (base64, one line), noting when others than its owner may read it. */
export function readKeyFile(file: string): { key: Buffer; warning?: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the secrets key file ${file}: ${(err as Error).message}`);
  }
  const key = parseKey(text, `the secrets key file ${file}`);
  const mode = statSync(file).mode & 0o777;
  return mode & 0o077
    ? {
        key,
        warning: `the secrets key file ${file} can be read by other users (mode ${mode.toString(8)}); chmod 600 it`,
      }
    : { key };
}
