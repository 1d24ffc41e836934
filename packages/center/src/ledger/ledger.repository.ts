/**
 * SQL of the ledger. One call writes a whole group of batches from many devices in one transaction
 * (group commit), with array parameters so that a group costs a handful of statements, not one per event.
 */
import { sql } from 'kysely';
import type { Database } from '../db/database.js';

/** One event ready for storage. */
export interface LedgerEventRow {
  deviceNo: number;
  seq: number;
  kind: string;
  deviceTime: Date;
  time: Date;
  rawIndex: number;
  body: string;
  flags: string[];
}

/** One accepted frame. */
export interface LedgerRawRow {
  deviceNo: number;
  receivedAt: Date;
  source: 'mqtt' | 'readout';
  frame: string;
}

/** What the devices table learns from a group. */
export interface LedgerDeviceUpdate {
  deviceNo: number;
  ackedSeq: number;
  maxSeq: number;
  lastContactAt: Date | null;
  clockOffsetMs: number | null;
}

/** A device's stored progress, to rebuild its watermark after a restart. */
export interface DeviceProgress {
  deviceNo: number;
  ackedSeq: number;
  clockOffsetMs: number | null;
  storedAbove: number[];
}

/** Ids per `nextval('ledger_id_seq')`: the sequence's increment (migration 0001). */
export const LEDGER_ID_BLOCK = 1024;

/** `n` fresh ids, from as many blocks of the sequence as needed. */
async function allocateIds(db: Database, n: number): Promise<number[]> {
  if (n === 0) return [];
  const blocks = await sql<{ id: number }>`
    select nextval('ledger_id_seq') as id from generate_series(1, ${Math.ceil(n / LEDGER_ID_BLOCK)})`.execute(
    db,
  );
  const ids: number[] = [];
  for (const { id } of blocks.rows) {
    for (let i = 0; i < LEDGER_ID_BLOCK && ids.length < n; i++) ids.push(Number(id) + i);
  }
  return ids;
}

/** Creates the ledger repository. */
export function createLedgerRepository(db: Database) {
  return {
    /** Stores a group; returns, per event row, whether it was new (false: a duplicate of a stored event). */
    async writeGroup(
      raws: LedgerRawRow[],
      events: LedgerEventRow[],
      devices: LedgerDeviceUpdate[],
      readMessages: { id: string; at: Date }[],
    ): Promise<boolean[]> {
      return db.transaction().execute(async (trx) => {
        const ids = await allocateIds(trx, raws.length + events.length);
        const rawIds = ids.slice(0, raws.length);
        const eventIds = ids.slice(raws.length);
        await sql`
          insert into raw_messages (id, received_at, device_no, source, frame)
          select * from unnest(${rawIds}::int8[], ${raws.map((r) => r.receivedAt.toISOString())}::timestamptz[],
            ${raws.map((r) => r.deviceNo)}::int4[], ${raws.map((r) => r.source)}::text[],
            ${raws.map((r) => r.frame)}::text[])`.execute(trx);
        const inserted = await sql<{ event_id: number }>`
          insert into ledger_keys (device_no, seq, event_id)
          select * from unnest(${events.map((e) => e.deviceNo)}::int4[], ${events.map((e) => e.seq)}::int8[],
            ${eventIds}::int8[])
          on conflict do nothing
          returning event_id`.execute(trx);
        const fresh = new Set(inserted.rows.map((r) => Number(r.event_id)));
        const isNew = eventIds.map((id) => fresh.has(id));
        const rows = events.filter((_, i) => isNew[i]);
        const newIds = eventIds.filter((_, i) => isNew[i]);
        if (rows.length > 0) {
          await sql`
            insert into events (id, received_at, device_no, seq, kind, device_time, time, raw_id, source, body, flags)
            select u.id, u.received_at, u.device_no, u.seq, u.kind, u.device_time, u.time, u.raw_id, u.source,
              u.body::jsonb, coalesce(string_to_array(nullif(u.flags, ''), ','), '{}')
            from unnest(${newIds}::int8[],
              ${rows.map((e) => raws[e.rawIndex]!.receivedAt.toISOString())}::timestamptz[],
              ${rows.map((e) => e.deviceNo)}::int4[], ${rows.map((e) => e.seq)}::int8[],
              ${rows.map((e) => e.kind)}::text[], ${rows.map((e) => e.deviceTime.toISOString())}::timestamptz[],
              ${rows.map((e) => e.time.toISOString())}::timestamptz[], ${rows.map((e) => rawIds[e.rawIndex]!)}::int8[],
              ${rows.map((e) => raws[e.rawIndex]!.source)}::text[], ${rows.map((e) => e.body)}::text[],
              ${rows.map((e) => e.flags.join(','))}::text[])
              as u(id, received_at, device_no, seq, kind, device_time, time, raw_id, source, body, flags)`.execute(
            trx,
          );
        }
        await sql`
          update devices d set
            acked_seq = greatest(d.acked_seq, u.acked_seq),
            max_seq = greatest(d.max_seq, u.max_seq),
            last_contact_at = coalesce(u.last_contact_at, d.last_contact_at),
            clock_offset_ms = coalesce(u.clock_offset_ms, d.clock_offset_ms)
          from unnest(${devices.map((d) => d.deviceNo)}::int4[], ${devices.map((d) => d.ackedSeq)}::int8[],
            ${devices.map((d) => d.maxSeq)}::int8[],
            ${devices.map((d) => d.lastContactAt?.toISOString() ?? null)}::timestamptz[],
            ${devices.map((d) => d.clockOffsetMs)}::int4[])
            as u(no, acked_seq, max_seq, last_contact_at, clock_offset_ms)
          where d.no = u.no`.execute(trx);
        if (readMessages.length > 0) {
          await sql`
            update device_commands c set read_at = coalesce(c.read_at, u.at)
            from unnest(${readMessages.map((m) => m.id)}::text[],
              ${readMessages.map((m) => m.at.toISOString())}::timestamptz[]) as u(id, at)
            where c.id = u.id`.execute(trx);
        }
        return isNew;
      });
    },

    /** Stored progress of the given devices: acknowledged mark and the sequence numbers stored above it. */
    async progress(deviceNos: number[]): Promise<DeviceProgress[]> {
      const devices = await db
        .selectFrom('devices')
        .select(['no', 'acked_seq', 'clock_offset_ms'])
        .where('no', 'in', deviceNos)
        .execute();
      const above = await sql<{ device_no: number; seq: number }>`
        select k.device_no, k.seq from ledger_keys k join devices d on d.no = k.device_no
        where k.device_no = any(${deviceNos}::int4[]) and k.seq > d.acked_seq`.execute(db);
      const byDevice = new Map<number, number[]>();
      for (const r of above.rows) {
        const list = byDevice.get(r.device_no) ?? [];
        list.push(Number(r.seq));
        byDevice.set(r.device_no, list);
      }
      return devices.map((d) => ({
        deviceNo: d.no,
        ackedSeq: Number(d.acked_seq),
        clockOffsetMs: d.clock_offset_ms,
        storedAbove: byDevice.get(d.no) ?? [],
      }));
    },

    /** Checks the stored events: counts, duplicates of (device, seq) and missing sequence numbers. */
    async verify(): Promise<{ events: number; devices: number; duplicates: number; gaps: number }> {
      const r = await sql<{ events: number; devices: number; duplicates: number; gaps: number }>`
        select coalesce(sum(n), 0)::int8 as events, count(*)::int8 as devices,
          coalesce(sum(n - distinct_n), 0)::int8 as duplicates, coalesce(sum(max_seq - distinct_n), 0)::int8 as gaps
        from (select device_no, count(*) as n, count(distinct seq) as distinct_n, max(seq) as max_seq
              from events group by device_no) per_device`.execute(db);
      const row = r.rows[0]!;
      return {
        events: Number(row.events),
        devices: Number(row.devices),
        duplicates: Number(row.duplicates),
        gaps: Number(row.gaps),
      };
    },
  };
}

export type LedgerRepository = ReturnType<typeof createLedgerRepository>;
