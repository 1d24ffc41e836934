/**
 * The center's own Ed25519 key, which signs the checkpoints of the hash chains (ADR 0701). Kept like the
 * secrets key (ADR 0409): a file in the data directory, created with mode 0600 on first start; a server
 * points SDE_CHECKPOINT_KEY_FILE at its own (a PKCS#8 PEM, e.g. `openssl genpkey -algorithm ed25519`).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';

/** Name of the default key file in the data directory. */
export const CHECKPOINT_KEY_FILE_NAME = 'checkpoint.key';

/** The signing key, its public half and its id. */
export interface CheckpointKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** `ed25519:` and the first 16 hex digits of the SHA-256 of the public key (SPKI DER). */
  keyId: string;
  /** Where it came from, for messages (never the key). */
  source: string;
  warning?: string;
}

/** The id of a public key, as checkpoints name the key that signed them. */
export function checkpointKeyId(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return `ed25519:${createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

/** Reads SDE_CHECKPOINT_KEY_FILE, else SDE_DATA_DIR/checkpoint.key (created on first start). */
export function readCheckpointKey(
  config: Pick<Config, 'SDE_DATA_DIR' | 'SDE_CHECKPOINT_KEY_FILE'>,
): CheckpointKey {
  let file = config.SDE_CHECKPOINT_KEY_FILE;
  if (!file) {
    file = join(config.SDE_DATA_DIR, CHECKPOINT_KEY_FILE_NAME);
    if (!existsSync(file)) {
      mkdirSync(config.SDE_DATA_DIR, { recursive: true });
      const { privateKey } = generateKeyPairSync('ed25519');
      writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    }
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(readFileSync(file));
  } catch (err) {
    throw new Error(`cannot read the checkpoint key file ${file}: ${(err as Error).message}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`the checkpoint key file ${file} must hold an Ed25519 private key (PKCS#8 PEM)`);
  }
  const publicKey = createPublicKey(privateKey);
  const mode = statSync(file).mode & 0o777;
  return {
    privateKey,
    publicKey,
    keyId: checkpointKeyId(publicKey),
    source: file,
    ...(mode & 0o077
      ? {
          warning: `the checkpoint key file ${file} can be read by other users (mode ${mode.toString(8)}); chmod 600 it`,
        }
      : {}),
  };
}
