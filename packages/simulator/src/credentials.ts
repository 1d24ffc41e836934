/** The credentials file the center's provisioning writes: `{ "devices": [{ "id", "secret", "kind" }] }`. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DeviceId } from '@sde/protocol';
import type { UnitKind } from './journal.js';

/** One unit's credentials: MQTT username/client id = `id`, password and frame key = `secret`. */
export interface DeviceCredentials {
  id: string;
  secret: string;
  kind: UnitKind;
  /** The paired transmitter, when provisioning names it; default `<id>-tx`. */
  tx?: string;
}

/** Schema of the credentials file; unknown fields are ignored so provisioning may add more. */
export const CredentialsFile = z.object({
  devices: z.array(
    z.object({
      id: DeviceId,
      secret: z.string().min(1),
      kind: z.enum(['home_unit', 'portable_unit', 'protected_unit']),
      tx: DeviceId.optional(),
    }),
  ),
});

/** Reads and validates a credentials file (synchronously: it is small and read once at start). */
export function readCredentialsFile(path: string): DeviceCredentials[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read credentials file ${path}: ${(err as Error).message}`, { cause: err });
  }
  const parsed = CredentialsFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'file';
    throw new Error(`invalid credentials file ${path}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const seen = new Set<string>();
  for (const device of parsed.data.devices) {
    if (seen.has(device.id))
      throw new Error(`invalid credentials file ${path}: device ${device.id} is listed twice`);
    seen.add(device.id);
  }
  return parsed.data.devices.map((d) => ({
    id: d.id,
    secret: d.secret,
    kind: d.kind,
    ...(d.tx ? { tx: d.tx } : {}),
  }));
}
