/** SQL of the engine runner: device → supervision map, event windows with carry-in, sequence progress, checkpoints. */
import type { DeviceSeqProgress, EngineEvent, EngineEventKind } from '@sde/domain';
import { CARRY_IN_FIXES } from '@sde/domain';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';

/** How far before the window the carried-in state (latest event of each kind) is looked for. */
export const CARRY_IN_SCAN_MS = 35 * 86_400_000;

/** One device assignment, for the device → supervision map. */
export interface DeviceLink {
  deviceNo: number;
  deviceId: string;
  supervisionId: string;
}

interface EventRow {
  device_no: number;
  seq: string | number;
  kind: string;
  time: Date;
  received_at: Date;
  body: Record<string, unknown> | string;
}

function toEvent(r: EventRow, idOf: (no: number) => string): EngineEvent {
  return {
    deviceId: idOf(r.device_no),
    seq: Number(r.seq),
    kind: r.kind as EngineEventKind,
    time: new Date(r.time).getTime(),
    receivedAt: new Date(r.received_at).getTime(),
    body: (typeof r.body === 'string' ? JSON.parse(r.body) : r.body) as EngineEvent['body'],
  };
}

/** Creates the repository. */
export function createEngineRepository(db: Database) {
  const repo = {
    /** Every device assignment (past and present): late data of a past assignment still counts. */
    async deviceLinks(): Promise<DeviceLink[]> {
      const rows = await db
        .selectFrom('device_assignments as a')
        .innerJoin('devices as d', 'd.no', 'a.device_no')
        .select(['a.device_no', 'd.id', 'a.supervision_id'])
        .execute();
      return rows.map((r) => ({ deviceNo: r.device_no, deviceId: r.id, supervisionId: r.supervision_id }));
    },

    /**
     * The events an evaluation with window start `cut` needs (docs/engine.md): every event from `cut` on,
     * plus, per device, the latest event of each kind (and transmitter) before it — five for fixes — and the
     * latest arrival before it (communication loss needs the last contact).
     */
    async eventWindow(
      devices: { no: number; id: string }[],
      cut: number,
      ex: Kysely<DB> = db,
    ): Promise<EngineEvent[]> {
      if (devices.length === 0) return [];
      const nos = devices.map((d) => d.no);
      const ids = new Map(devices.map((d) => [d.no, d.id]));
      const idOf = (no: number) => ids.get(no) ?? String(no);
      const cutAt = new Date(cut);
      const recent = await ex
        .selectFrom('events')
        .select(['device_no', 'seq', 'kind', 'time', 'received_at', 'body'])
        .where('device_no', 'in', nos)
        .where('time', '>=', cutAt)
        .execute();
      const carried = await sql<EventRow>`
        select device_no, seq, kind, time, received_at, body from (
          select device_no, seq, kind, time, received_at, body,
            row_number() over (partition by device_no, kind, coalesce(body->>'tx', '') order by time desc, seq desc) as rn,
            row_number() over (partition by device_no order by received_at desc, seq desc) as arrival
          from events
          where device_no in (${sql.join(nos)}) and time < ${cutAt} and time >= ${new Date(cut - CARRY_IN_SCAN_MS)}
        ) x
        where x.rn <= (case when x.kind = 'location' then ${CARRY_IN_FIXES} else 1 end) or x.arrival = 1`.execute(
        ex,
      );
      return [
        ...recent.map((r) => toEvent(r as EventRow, idOf)),
        ...carried.rows.map((r) => toEvent(r, idOf)),
      ];
    },

    /** The ledger's sequence knowledge per device: acknowledged mark and highest stored. */
    async progress(deviceNos: number[], ex: Kysely<DB> = db): Promise<DeviceSeqProgress[]> {
      if (deviceNos.length === 0) return [];
      const rows = await ex
        .selectFrom('devices')
        .select(['id', 'acked_seq', 'max_seq'])
        .where('no', 'in', deviceNos)
        .execute();
      return rows.map((r) => ({
        deviceId: r.id,
        contiguousSeq: Number(r.acked_seq),
        highestSeq: Math.max(Number(r.max_seq), Number(r.acked_seq)),
      }));
    },

    /**
     * What one evaluation reads — the event window and the sequence progress — on one connection held
     * for the three queries: on the single PGlite connection each separate query would queue behind a
     * ledger commit again.
     */
    async evaluationInput(
      devices: { no: number; id: string }[],
      cut: number,
    ): Promise<{ events: EngineEvent[]; progress: DeviceSeqProgress[] }> {
      return db.connection().execute(async (c) => ({
        events: await repo.eventWindow(devices, cut, c),
        progress: await repo.progress(
          devices.map((d) => d.no),
          c,
        ),
      }));
    },

    /** Reporting intervals the units confirmed (`set_interval` commands done), oldest first. */
    async intervalChanges(
      deviceNos: number[],
    ): Promise<{ deviceId: string; fromMs: number; intervalMs: number }[]> {
      if (deviceNos.length === 0) return [];
      const rows = await db
        .selectFrom('device_commands as c')
        .innerJoin('devices as d', 'd.no', 'c.device_no')
        .select(['d.id', 'c.confirmed_at', sql<string>`c.body->>'seconds'`.as('seconds')])
        .where('c.device_no', 'in', deviceNos)
        .where('c.status', '=', 'done')
        .where(sql<string>`c.body->>'cmd'`, '=', 'set_interval')
        .where('c.confirmed_at', 'is not', null)
        .orderBy('c.confirmed_at')
        .execute();
      return rows.map((r) => ({
        deviceId: r.id,
        fromMs: new Date(r.confirmed_at!).getTime(),
        intervalMs: Number(r.seconds) * 1000,
      }));
    },

    /** When each supervision was last evaluated. */
    async checkpoints(): Promise<Map<string, { evaluatedAt: number; nextDueAt: number | null }>> {
      const rows = await db.selectFrom('engine_checkpoints').selectAll().execute();
      return new Map(
        rows.map((r) => [
          r.supervision_id,
          {
            evaluatedAt: new Date(r.evaluated_at).getTime(),
            nextDueAt: r.next_due_at ? new Date(r.next_due_at).getTime() : null,
          },
        ]),
      );
    },

    /**
     * A cheap fingerprint of the configuration the engine reads (assignments, order versions, statuses,
     * reporting intervals set by command).
     */
    async configurationFingerprint(): Promise<string> {
      const r = await sql<{ f: string }>`
        select concat_ws('|',
          (select count(*) from device_assignments),
          (select max(coalesce(to_at, from_at)) from device_assignments),
          (select count(*) from court_order_versions),
          (select count(*) from schedule_exceptions),
          (select max(updated_at) from supervisions),
          (select max(confirmed_at) from device_commands
            where status = 'done' and body->>'cmd' = 'set_interval')) as f`.execute(db);
      return r.rows[0]?.f ?? '';
    },
  };
  return repo;
}

export type EngineRepository = ReturnType<typeof createEngineRepository>;
