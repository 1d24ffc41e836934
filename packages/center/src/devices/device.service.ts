/** The device registry: provisioning, and the credentials the gateway checks every message against. */
import { randomBytes } from 'node:crypto';
import { DeviceId } from '@sde/protocol';
import { ConflictError, ValidationError } from '../errors.js';
import type { DeviceKind, DeviceRecord, DeviceRepository } from './device.repository.js';

/** Credentials handed out once at provisioning; the secret is never shown again. */
export interface DeviceCredentials {
  id: string;
  secret: string;
  kind: DeviceKind;
}

/** Largest number of devices one provisioning request may create. */
export const MAX_PROVISION = 10_000;

/** Creates the registry. Lookups are cached: the gateway asks once per message. */
export function createDeviceService(repo: DeviceRepository) {
  const cache = new Map<string, DeviceRecord>();
  const pendingLookups = new Map<string, Promise<DeviceRecord | undefined>>();

  return {
    /** Registers new devices, `count` of them named `${prefix}${n}` or the given ids. */
    async provision(req: { kind: DeviceKind; ids?: string[]; count?: number; prefix?: string }) {
      const ids = req.ids ?? generateIds(req.prefix ?? 'DEV-', req.count ?? 1);
      if (ids.length === 0 || ids.length > MAX_PROVISION) {
        throw new ValidationError(`provision between 1 and ${MAX_PROVISION} devices at once`);
      }
      for (const id of ids) {
        if (!DeviceId.safeParse(id).success) throw new ValidationError(`"${id}" is not a valid device id`);
      }
      if (new Set(ids).size !== ids.length) throw new ValidationError('the device ids repeat');
      const taken = await repo.existingIds(ids);
      if (taken.length > 0) {
        throw new ConflictError(`already registered: ${taken.slice(0, 5).join(', ')}`, 'device_exists');
      }
      const rows: DeviceCredentials[] = ids.map((id) => ({
        id,
        kind: req.kind,
        secret: randomBytes(24).toString('base64url'),
      }));
      for (let i = 0; i < rows.length; i += 1000) await repo.insertMany(rows.slice(i, i + 1000));
      return rows;
    },

    /** The device with its credentials, from cache or storage; undefined when not registered. */
    async lookup(id: string): Promise<DeviceRecord | undefined> {
      const hit = cache.get(id);
      if (hit) return hit;
      let pending = pendingLookups.get(id);
      if (!pending) {
        pending = repo.findById(id).finally(() => pendingLookups.delete(id));
        pendingLookups.set(id, pending);
      }
      const found = await pending;
      if (found && !cache.has(id)) cache.set(id, found);
      return cache.get(id) ?? found;
    },

    /** The cached record, only when already loaded. */
    cached(id: string): DeviceRecord | undefined {
      return cache.get(id);
    },

    status: repo.status,
    recordHello: repo.recordHello,
    countRecentlySeen: repo.countRecentlySeen,
  };
}

export type DeviceService = ReturnType<typeof createDeviceService>;

function generateIds(prefix: string, count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_PROVISION) {
    throw new ValidationError(`count must be a whole number from 1 to ${MAX_PROVISION}`);
  }
  const width = Math.max(6, String(count).length);
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(width, '0')}`);
}
