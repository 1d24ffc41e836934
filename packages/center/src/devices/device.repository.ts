/** SQL for devices. */
import { sql } from 'kysely';
import type { Scope } from '../auth/actor.js';
import type { Database } from '../db/database.js';
import { deviceScopeSql } from '../db/scope-sql.js';
import type { DevicesTable } from '../db/schema.js';
import { plausiblyTimed } from '../ledger/plausibility.js';

export type DeviceKind = DevicesTable['kind'];

/** A registered device as the center keeps it in memory. */
export interface DeviceRecord {
  no: number;
  id: string;
  kind: DeviceKind;
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
  /** Battery % and power source from the latest heartbeat, and when it was sent (null: none yet). */
  battery: number | null;
  power: 'mains' | 'battery' | null;
  heartbeatAt: Date | null;
}

/** Creates the device repository. */
export function createDeviceRepository(db: Database) {
  return {
    async insertMany(rows: { id: string; kind: DeviceKind; secret: string }[]): Promise<DeviceRecord[]> {
      const inserted = await db
        .insertInto('devices')
        .values(rows)
        .returning(['no', 'id', 'kind', 'secret', 'status', 'acked_seq', 'max_seq'])
        .execute();
      return inserted.map(toRecord);
    },

    async existingIds(ids: string[]): Promise<string[]> {
      if (ids.length === 0) return [];
      const rows = await db.selectFrom('devices').select('id').where('id', 'in', ids).execute();
      return rows.map((r) => r.id);
    },

    async findById(id: string): Promise<DeviceRecord | undefined> {
      const row = await db
        .selectFrom('devices')
        .select(['no', 'id', 'kind', 'secret', 'status', 'acked_seq', 'max_seq'])
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toRecord(row);
    },

    async all(): Promise<DeviceRecord[]> {
      const rows = await db
        .selectFrom('devices')
        .select(['no', 'id', 'kind', 'secret', 'status', 'acked_seq', 'max_seq'])
        .execute();
      return rows.map(toRecord);
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
          last_contact_at = greatest(d.last_contact_at, u.at), clock_offset_ms = u.offset_ms
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

function toRecord(r: {
  no: number;
  id: string;
  kind: DeviceKind;
  secret: string;
  status: 'active' | 'disabled';
  acked_seq: number;
  max_seq: number;
}): DeviceRecord {
  return {
    no: r.no,
    id: r.id,
    kind: r.kind,
    secret: r.secret,
    status: r.status,
    ackedSeq: r.acked_seq,
    maxSeq: r.max_seq,
  };
}
