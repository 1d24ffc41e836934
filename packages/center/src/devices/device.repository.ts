/** SQL for devices. */
import { sql, type Transaction } from 'kysely';
import type { Scope } from '../auth/actor.js';
import type { Database } from '../db/database.js';
import { deviceScopeSql } from '../db/scope-sql.js';
import type { DB, DevicesTable } from '../db/schema.js';
import { openDeviceSecret, sealDeviceSecret } from '../secrets/device-secrets.js';
import type { KeyProvider } from '../secrets/key-provider.js';
import { plausiblyTimed } from '../ledger/plausibility.js';

export type DeviceKind = DevicesTable['kind'];

/** A registered device as the center keeps it in memory. */
export interface DeviceRecord {
  no: number;
  id: string;
  kind: DeviceKind;
  /** The secret in plaintext: opened once when the record is loaded, stored only sealed (ADR 0409). */
  secret: string;
  status: 'active' | 'disabled';
  ackedSeq: number;
  maxSeq: number;
}

/** A device's state for terminals and installers. */
export interface DeviceStatus {
  id: string;
  kind: DeviceKind;
  status: 'active' | 'disabled';
  ackedSeq: number;
  maxSeq: number;
  lastContactAt: Date | null;
  clockOffsetMs: number | null;
  model: string | null;
  firmware: string | null;
  createdAt: Date;
  /** When `clockOffsetMs` was measured (the arrival of the frame it was measured on; null: never). */
  clockOffsetAt: Date | null;
  /**
   * Events the unit sent under a sequence number already stored with other content, refused (ADR 0504):
   * how many, the last such number and when; null while there was none.
   */
  seqConflicts: { count: number; lastSeq: number; lastAt: Date } | null;
  /** Battery % and power source from the latest heartbeat, and when it was sent (null: none yet). */
  battery: number | null;
  power: 'mains' | 'battery' | null;
  heartbeatAt: Date | null;
}

/** Columns a device record is read from. */
const RECORD_COLUMNS = [
  'no',
  'id',
  'kind',
  'secret',
  'secret_sealed',
  'secret_key_id',
  'status',
  'acked_seq',
  'max_seq',
] as const;

/**
 * Creates the device repository. Secrets are sealed with `keys` before they are written and opened when a
 * record is read; a row whose secret does not open (altered, or copied from another device's row) is
 * reported to `onUnreadable` and read as not registered, so that device is refused and no other.
 */
export function createDeviceRepository(
  db: Database,
  keys: KeyProvider,
  onUnreadable: (deviceId: string) => void = () => undefined,
) {
  type Row = Parameters<typeof toRecord>[0] & {
    secret: string | null;
    secret_sealed: Uint8Array | null;
    secret_key_id: string | null;
  };
  async function open(row: Row): Promise<DeviceRecord | undefined> {
    try {
      return toRecord(row, await openDeviceSecret(keys, row.id, row));
    } catch {
      onUnreadable(row.id);
      return undefined;
    }
  }

  return {
    /** Inserts devices, with `exec` (a transaction) when given. */
    async insertMany(
      rows: { id: string; kind: DeviceKind; secret: string }[],
      exec: Database = db,
    ): Promise<DeviceRecord[]> {
      const values = await Promise.all(
        rows.map(async (r) => {
          const { secret_sealed, secret_key_id } = await sealDeviceSecret(keys, r.id, r.secret);
          return {
            id: r.id,
            kind: r.kind,
            // Hex through the driver: PGlite's worker and node-postgres pass text parameters alike.
            secret_sealed: sql<Uint8Array>`decode(${Buffer.from(secret_sealed).toString('hex')}, 'hex')`,
            secret_key_id,
          };
        }),
      );
      const inserted = await exec
        .insertInto('devices')
        .values(values)
        .returning(['no', 'id', 'kind', 'status', 'acked_seq', 'max_seq'])
        .execute();
      const secretOf = new Map(rows.map((r) => [r.id, r.secret]));
      return inserted.map((r) => toRecord(r, secretOf.get(r.id)!));
    },

    /** Runs `fn` in one transaction (provisioning and its audit record commit together). */
    transaction<T>(fn: (trx: Transaction<DB>) => Promise<T>): Promise<T> {
      return db.transaction().execute(fn);
    },

    async existingIds(ids: string[]): Promise<string[]> {
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('devices').select('id').where('id', 'in', ids).execute();
      return rows.map((r) => r.id);
    },

    async findById(id: string): Promise<DeviceRecord | undefined> {
      const row = await db
        .selectFrom('devices')
        .select(RECORD_COLUMNS)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && (await open(row));
    },

    async all(): Promise<DeviceRecord[]> {
      const rows = await db.selectFrom('devices').select(RECORD_COLUMNS).execute();
      const records: DeviceRecord[] = [];
      for (const row of rows) {
        const record = await open(row);
        if (record) records.push(record);
      }
      return records;
    },

    async status(id: string): Promise<DeviceStatus | undefined> {
      const r = await db.selectFrom('devices').selectAll().where('id', '=', id).executeTakeFirst();
      if (!r) return undefined;
      const hb = await db
        .selectFrom('events')
        .select([
          sql<number | null>`(body->>'battery')::float8`.as('battery'),
          sql<'mains' | 'battery' | null>`body->>'power'`.as('power'),
          'time',
        ])
        .where('device_no', '=', r.no)
        .where('kind', '=', 'heartbeat')
        // Never a heartbeat a broken clock dated ahead (ADR 0408), also of data stored before the bound.
        .where(plausiblyTimed(sql.ref('events.flags'), sql.ref('events.time'), sql.ref('events.received_at')))
        .orderBy('time', 'desc')
        .limit(1)
        .executeTakeFirst();
      return {
        id: r.id,
        kind: r.kind,
        status: r.status,
        ackedSeq: r.acked_seq,
        maxSeq: r.max_seq,
        lastContactAt: r.last_contact_at,
        clockOffsetMs: r.clock_offset_ms,
        clockOffsetAt: r.clock_offset_at,
        seqConflicts:
          Number(r.seq_conflicts) > 0 && r.seq_conflict_at
            ? {
                count: Number(r.seq_conflicts),
                lastSeq: Number(r.seq_conflict_last_seq),
                lastAt: new Date(r.seq_conflict_at),
              }
            : null,
        model: r.model,
        firmware: r.firmware,
        createdAt: r.created_at,
        battery: hb?.battery === null || hb?.battery === undefined ? null : Number(hb.battery),
        power: hb?.power ?? null,
        heartbeatAt: hb ? new Date(hb.time) : null,
      };
    },

    /** Whether device `id` is registered and inside `scope` (`deviceScopeSql`); outside answers 404. */
    async visibleTo(scope: Scope, id: string): Promise<boolean> {
      const { rows } = await sql`
        select 1 from devices d
        left join device_assignments a on a.device_no = d.no and a.to_at is null
        left join supervisions s on s.id = a.supervision_id
        left join cases c on c.id = s.case_id
        where d.id = ${id} and ${deviceScopeSql(scope)}
        limit 1`.execute(db);
      return rows.length > 0;
    },

    /** Records many devices' hellos in one statement. */
    async recordHellos(rows: { no: number; model: string; firmware: string; at: Date; offsetMs: number }[]) {
      if (rows.length === 0) return;
      await sql`
        update devices d set model = u.model, firmware = u.firmware,
          last_contact_at = greatest(d.last_contact_at, u.at),
          -- Only a measurement at least as new as the stored one: hellos are written in batches, after the
          -- events of a newer frame may have stored a newer offset (ADR 0504).
          clock_offset_ms = case when d.clock_offset_at is null or d.clock_offset_at <= u.at
            then u.offset_ms else d.clock_offset_ms end,
          clock_offset_at = case when d.clock_offset_at is null or d.clock_offset_at <= u.at
            then u.at else d.clock_offset_at end
        from unnest(${rows.map((r) => r.no)}::int4[], ${rows.map((r) => r.model)}::text[],
          ${rows.map((r) => r.firmware)}::text[], ${rows.map((r) => r.at.toISOString())}::timestamptz[],
          ${rows.map((r) => r.offsetMs)}::int8[]) as u(no, model, firmware, at, offset_ms)
        where d.no = u.no`.execute(db);
    },

    async countRecentlySeen(since: Date): Promise<number> {
      const r = await db
        .selectFrom('devices')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('last_contact_at', '>=', since)
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

export type DeviceRepository = ReturnType<typeof createDeviceRepository>;

function toRecord(
  r: {
    no: number;
    id: string;
    kind: DeviceKind;
    status: 'active' | 'disabled';
    acked_seq: number;
    max_seq: number;
  },
  secret: string,
): DeviceRecord {
  return {
    no: r.no,
    id: r.id,
    kind: r.kind,
    secret,
    status: r.status,
    ackedSeq: r.acked_seq,
    maxSeq: r.max_seq,
  };
}
