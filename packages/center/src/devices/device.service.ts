/** The device registry: provisioning, and the credentials the gateway checks every message against. */
import { randomBytes } from 'node:crypto';
import { DeviceId } from '@sde/protocol';
import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
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

/** How long an id found unregistered is answered from memory, so a flood of unknown ids cannot flood storage. */
const UNKNOWN_TTL_MS = 10_000;

/**
 * Creates the registry. The gateway asks for every message, so all devices are held in memory (a center
 * serves thousands, not millions): loaded at start, added at provisioning, and an id not in memory is
 * looked up in storage (another node may have registered it) at most once per 10 s.
 */
export function createDeviceService(repo: DeviceRepository) {
  const cache = new Map<string, DeviceRecord>();
  const unknownUntil = new Map<string, number>();
  const pendingLookups = new Map<string, Promise<DeviceRecord | undefined>>();
  const hellos = new Map<
    number,
    { no: number; model: string; firmware: string; at: Date; offsetMs: number }
  >();

  return {
    /**
     * Registers new devices, `count` of them named `${prefix}${n}` or the given ids. `record` runs in the
     * same transaction (the audit record), so devices are never registered without it.
     */
    async provision(
      req: { kind: DeviceKind; ids?: string[]; count?: number; prefix?: string },
      record?: (trx: Transaction<DB>, devices: readonly { id: string; kind: DeviceKind }[]) => Promise<void>,
    ) {
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
      const inserted = await repo.transaction(async (trx) => {
        const out: DeviceRecord[] = [];
        for (let i = 0; i < rows.length; i += 1000)
          out.push(...(await repo.insertMany(rows.slice(i, i + 1000), trx)));
        await record?.(trx, rows);
        return out;
      });
      // Cached once committed: a failed provisioning leaves no device the gateway would accept.
      for (const device of inserted) {
        cache.set(device.id, device);
        unknownUntil.delete(device.id);
      }
      return rows;
    },

    /** The device with its credentials, from cache or storage; undefined when not registered. */
    async lookup(id: string): Promise<DeviceRecord | undefined> {
      const hit = cache.get(id);
      if (hit) return hit;
      if ((unknownUntil.get(id) ?? 0) > Date.now()) return undefined;
      let pending = pendingLookups.get(id);
      if (!pending) {
        pending = repo.findById(id).finally(() => pendingLookups.delete(id));
        pendingLookups.set(id, pending);
      }
      const found = await pending;
      if (found && !cache.has(id)) cache.set(id, found);
      if (!found) {
        if (unknownUntil.size > 100_000) unknownUntil.clear();
        unknownUntil.set(id, Date.now() + UNKNOWN_TTL_MS);
      }
      return cache.get(id) ?? found;
    },

    /** Loads every registered device into memory (at start). */
    async preload(): Promise<number> {
      for (const record of await repo.all()) cache.set(record.id, record);
      return cache.size;
    },

    /** Every device in memory. */
    all(): DeviceRecord[] {
      return [...cache.values()];
    },

    /**
     * Notes a device's hello (model, firmware, contact, clock offset). Written in batches by `flushHellos`:
     * thousands of units reconnecting at once after an outage must not become thousands of writes.
     */
    noteHello(no: number, model: string, firmware: string, at: Date, offsetMs: number): void {
      hellos.set(no, { no, model, firmware, at, offsetMs });
    },

    /** Writes the hellos noted since the last flush. */
    async flushHellos(): Promise<void> {
      if (hellos.size === 0) return;
      const rows = [...hellos.values()];
      hellos.clear();
      await repo.recordHellos(rows);
    },

    status: repo.status,
    visibleTo: repo.visibleTo,
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
