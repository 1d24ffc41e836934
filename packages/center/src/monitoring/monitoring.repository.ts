/**
 * SQL of the monitoring views: the positions of a supervision's devices (the map track), the device list
 * for installers with the latest heartbeat, and the Bureau's statistics (B2). Read-only.
 */
import { sql } from 'kysely';
import type { Scope } from '../auth/actor.js';
import type { Database } from '../db/database.js';
import type { DeviceKind, DeviceStatus } from '../devices/device.repository.js';
import { caseScopeSql, deviceScopeSql } from '../db/scope-sql.js';
import { plausiblyTimed } from '../ledger/plausibility.js';

/** One location fix. */
export interface Fix {
  time: Date;
  lat: number;
  lon: number;
  acc: number | null;
  src: string | null;
}

/** The fixes of one device over one request, downsampled. */
export interface DeviceFixes {
  deviceId: string;
  kind: DeviceKind;
  /** Fixes in the period before downsampling. */
  total: number;
  points: Fix[];
}

/** One row of the device list: the device's state and where it is installed now. */
export interface DeviceListRow extends DeviceStatus {
  assignment: {
    supervisionId: string;
    caseId: string;
    caseNumber: string;
    regionId: string;
    from: Date;
  } | null;
}

export interface DeviceListFilter {
  kind?: DeviceKind | undefined;
  status?: 'active' | 'disabled' | undefined;
  assigned?: boolean | undefined;
  /** Only devices with an id after this one (the cursor). */
  after?: string | undefined;
  limit: number;
}

const num = (v: unknown): number => Number(v);
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const date = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
const dateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : date(v));

/** Creates the repository. */
export function createMonitoringRepository(db: Database) {
  return {
    /**
     * Location events of the devices assigned to `supervisionId`, each within its assignment period and
     * [from, to], oldest first; a device with more than `budget` fixes keeps every k-th one (and its last),
     * the budget shared evenly between the devices that have fixes.
     */
    async positions(supervisionId: string, from: Date, to: Date, budget: number): Promise<DeviceFixes[]> {
      const { rows } = await sql<{
        device_id: string;
        kind: DeviceKind;
        n: unknown;
        time: unknown;
        lat: unknown;
        lon: unknown;
        acc: unknown;
        src: string | null;
      }>`
        with fixes as (
          select a.device_no, e.time, e.seq, e.body
          from device_assignments a
          join events e on e.device_no = a.device_no
            and e.kind = 'location'
            and e.time >= greatest(a.from_at, ${from})
            and e.time <= least(coalesce(a.to_at, 'infinity'::timestamptz), ${to})
            and ${plausiblyTimed(sql.ref('e.flags'), sql.ref('e.time'), sql.ref('e.received_at'))}
          where a.supervision_id = ${supervisionId}
        ),
        numbered as (
          select f.*,
            row_number() over (partition by device_no order by time, seq) as rn,
            count(*) over (partition by device_no) as n
          from fixes f
        ),
        shares as (
          select greatest(1, ${budget}::int / greatest(1, count(distinct device_no)::int)) as per_device
          from fixes
        )
        select d.id as device_id, d.kind, x.n, x.time,
          (x.body->>'lat')::float8 as lat, (x.body->>'lon')::float8 as lon,
          (x.body->>'acc')::float8 as acc, x.body->>'src' as src
        from numbered x
        cross join shares
        join devices d on d.no = x.device_no
        where x.n <= shares.per_device
          or (x.rn - 1) % ceil(x.n::numeric / shares.per_device)::int = 0
          or x.rn = x.n
        order by d.id, x.time, x.seq`.execute(db);
      const out = new Map<string, DeviceFixes>();
      for (const r of rows) {
        let d = out.get(r.device_id);
        if (!d) {
          d = { deviceId: r.device_id, kind: r.kind, total: num(r.n), points: [] };
          out.set(r.device_id, d);
        }
        d.points.push({
          time: date(r.time),
          lat: num(r.lat),
          lon: num(r.lon),
          acc: numOrNull(r.acc),
          src: r.src,
        });
      }
      return [...out.values()];
    },

    /** The latest fix at or before `at` of each device assigned to the supervision (within its assignment). */
    async latestFixes(supervisionId: string, at: Date): Promise<(Fix & { deviceId: string })[]> {
      const { rows } = await sql<{
        device_id: string;
        time: unknown;
        lat: unknown;
        lon: unknown;
        acc: unknown;
        src: string | null;
      }>`
        select distinct on (d.id) d.id as device_id, e.time,
          (e.body->>'lat')::float8 as lat, (e.body->>'lon')::float8 as lon,
          (e.body->>'acc')::float8 as acc, e.body->>'src' as src
        from device_assignments a
        join devices d on d.no = a.device_no
        join lateral (
          select ev.time, ev.body from events ev
          where ev.device_no = a.device_no and ev.kind = 'location'
            and ev.time >= a.from_at
            and ev.time <= least(coalesce(a.to_at, 'infinity'::timestamptz), ${at})
            and ${plausiblyTimed(sql.ref('ev.flags'), sql.ref('ev.time'), sql.ref('ev.received_at'))}
          order by ev.time desc limit 1
        ) e on true
        where a.supervision_id = ${supervisionId} and a.from_at <= ${at}
        order by d.id, e.time desc`.execute(db);
      return rows.map((r) => ({
        deviceId: r.device_id,
        time: date(r.time),
        lat: num(r.lat),
        lon: num(r.lon),
        acc: numOrNull(r.acc),
        src: r.src,
      }));
    },

    /**
     * Devices with their state, the latest heartbeat (battery, power source) and the supervision they serve
     * now, within `scope` (`deviceScopeSql`: a region sees its devices plus the unassigned stock).
     */
    async listDevices(scope: Scope, f: DeviceListFilter): Promise<DeviceListRow[]> {
      const { rows } = await sql<Record<string, unknown>>`
        select d.id, d.kind, d.status, d.acked_seq, d.max_seq, d.last_contact_at, d.clock_offset_ms,
          d.clock_offset_at, d.seq_conflicts, d.seq_conflict_last_seq, d.seq_conflict_at,
          d.model, d.firmware, d.created_at,
          a.supervision_id, a.from_at, c.id as case_id, c.case_number, c.region_id,
          hb.battery, hb.power, hb.time as heartbeat_at
        from devices d
        left join device_assignments a on a.device_no = d.no and a.to_at is null
        left join supervisions s on s.id = a.supervision_id
        left join cases c on c.id = s.case_id
        left join lateral (
          select (e.body->>'battery')::float8 as battery, e.body->>'power' as power, e.time
          from events e where e.device_no = d.no and e.kind = 'heartbeat'
            and ${plausiblyTimed(sql.ref('e.flags'), sql.ref('e.time'), sql.ref('e.received_at'))}
          order by e.time desc limit 1
        ) hb on true
        where ${deviceScopeSql(scope)}
          and ${f.kind ? sql<boolean>`d.kind = ${f.kind}` : sql<boolean>`true`}
          and ${f.status ? sql<boolean>`d.status = ${f.status}` : sql<boolean>`true`}
          and ${
            f.assigned === undefined
              ? sql<boolean>`true`
              : f.assigned
                ? sql<boolean>`a.id is not null`
                : sql<boolean>`a.id is null`
          }
          and ${f.after ? sql<boolean>`d.id > ${f.after}` : sql<boolean>`true`}
        order by d.id
        limit ${f.limit}`.execute(db);
      return rows.map((r) => ({
        id: String(r.id),
        kind: r.kind as DeviceKind,
        status: r.status as 'active' | 'disabled',
        ackedSeq: num(r.acked_seq),
        maxSeq: num(r.max_seq),
        lastContactAt: dateOrNull(r.last_contact_at),
        clockOffsetMs: numOrNull(r.clock_offset_ms),
        clockOffsetAt: dateOrNull(r.clock_offset_at),
        seqConflicts:
          num(r.seq_conflicts) > 0 && r.seq_conflict_at
            ? {
                count: num(r.seq_conflicts),
                lastSeq: num(r.seq_conflict_last_seq),
                lastAt: date(r.seq_conflict_at),
              }
            : null,
        model: (r.model as string | null) ?? null,
        firmware: (r.firmware as string | null) ?? null,
        createdAt: date(r.created_at),
        battery: numOrNull(r.battery),
        power: (r.power as 'mains' | 'battery' | null) ?? null,
        heartbeatAt: dateOrNull(r.heartbeat_at),
        assignment: r.supervision_id
          ? {
              supervisionId: String(r.supervision_id),
              caseId: String(r.case_id),
              caseNumber: String(r.case_number),
              regionId: String(r.region_id),
              from: date(r.from_at),
            }
          : null,
      }));
    },

    /** Supervisions in scope: by status; and those under supervision now by kind and by region. */
    async supervisionStats(scope: Scope, nowStatuses: readonly string[]) {
      const { rows } = await sql<{ dim: string; key: string; n: unknown }>`
        with sv as (
          select s.status, s.kinds, c.region_id from supervisions s join cases c on c.id = s.case_id
          where ${caseScopeSql(scope)}
        )
        select 'status' as dim, status as key, count(*) as n from sv group by status
        union all
        select 'region', region_id, count(*) from sv
          where status = any(${sql.val([...nowStatuses])}::text[]) group by region_id
        union all
        select 'kind', k.kind, count(*) from sv
          cross join lateral jsonb_array_elements_text(sv.kinds::jsonb) as k(kind)
          where status = any(${sql.val([...nowStatuses])}::text[]) group by k.kind`.execute(db);
      return rows.map((r) => ({ dim: r.dim, key: r.key, n: num(r.n) }));
    },

    /**
     * Alarms that started in [from, to] in scope: counts by rule and severity (with how many are not
     * closed) and the median and 90th percentile of detection → acknowledgement and detection → closing.
     */
    async alarmStats(scope: Scope, from: Date, to: Date) {
      const base = sql`
        from alarm_episodes a join supervisions s on s.id = a.supervision_id join cases c on c.id = s.case_id
        where ${caseScopeSql(scope)} and a.started_at >= ${from} and a.started_at <= ${to}`;
      const groups = await sql<{ rule: string; severity: string; n: unknown; open: unknown }>`
        select a.rule, a.severity, count(*) as n, count(*) filter (where a.status <> 'closed') as open
        ${base} group by a.rule, a.severity order by a.rule, a.severity`.execute(db);
      const times = await sql<Record<string, unknown>>`
        with t as (
          select extract(epoch from (a.acknowledged_at - a.detected_at)) * 1000 as ack_ms,
                 extract(epoch from (a.closed_at - a.detected_at)) * 1000 as close_ms
          ${base}
        )
        select
          count(ack_ms) as ack_n,
          percentile_cont(0.5) within group (order by ack_ms) as ack_median,
          percentile_cont(0.9) within group (order by ack_ms) as ack_p90,
          count(close_ms) as close_n,
          percentile_cont(0.5) within group (order by close_ms) as close_median,
          percentile_cont(0.9) within group (order by close_ms) as close_p90
        from t`.execute(db);
      const t = times.rows[0] ?? {};
      const round = (v: unknown) => (v === null || v === undefined ? null : Math.round(Number(v)));
      return {
        groups: groups.rows.map((g) => ({
          rule: g.rule,
          severity: g.severity,
          n: num(g.n),
          open: num(g.open),
        })),
        acknowledge: { n: num(t.ack_n ?? 0), medianMs: round(t.ack_median), p90Ms: round(t.ack_p90) },
        close: { n: num(t.close_n ?? 0), medianMs: round(t.close_median), p90Ms: round(t.close_p90) },
      };
    },

    /**
     * Units serving a supervision in scope now (transmitters excluded: they speak through their unit), by
     * kind, online when their last contact is after `onlineSince`.
     */
    async deviceStats(scope: Scope, onlineSince: Date) {
      const { rows } = await sql<{ kind: DeviceKind; online: unknown; offline: unknown }>`
        select d.kind,
          count(*) filter (where d.last_contact_at >= ${onlineSince}) as online,
          count(*) filter (where d.last_contact_at is null or d.last_contact_at < ${onlineSince}) as offline
        from devices d
        join device_assignments a on a.device_no = d.no and a.to_at is null
        join supervisions s on s.id = a.supervision_id
        join cases c on c.id = s.case_id
        where d.kind <> 'transmitter' and ${caseScopeSql(scope)}
        group by d.kind order by d.kind`.execute(db);
      return rows.map((r) => ({ kind: r.kind, online: num(r.online), offline: num(r.offline) }));
    },
  };
}

export type MonitoringRepository = ReturnType<typeof createMonitoringRepository>;
