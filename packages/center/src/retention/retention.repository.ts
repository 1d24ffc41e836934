/**
 * The retention job's SQL (ADR 0702): the ledger's monthly partitions and their rows, the rows of held cases
 * copied out before a partition is dropped, the cases whose personal data is past the policy, and the
 * pseudonymisation of one case. Legal holds themselves are in `hold.repository.ts`.
 */
import { ENDED_STATUSES, monthOf, type Month, type SupervisionStatus } from '@sde/domain';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { DB } from '../db/schema.js';

type Db = Kysely<DB> | Transaction<DB>;

/** The ledger's partitioned tables and the table each copies its held rows to. */
export const LEDGER_TABLES = [
  { table: 'events', held: 'events_held' },
  { table: 'raw_messages', held: 'raw_messages_held' },
] as const;
export type LedgerTable = (typeof LEDGER_TABLES)[number]['table'];

/** One monthly partition of a ledger table. */
export interface MonthPartition {
  table: LedgerTable;
  name: string;
  month: Month;
}

/** What one supervision of a case candidate for erasure says about its end. */
export interface EndedSupervision {
  caseId: string;
  status: SupervisionStatus;
  endedAtUtcMs: number;
}

/** The columns of `table`, quoted, in order (the held copies repeat them by name). */
async function columnsOf(db: Db, table: string): Promise<string[]> {
  const { rows } = await sql<{ column: string }>`
    select quote_ident(attname) as column from pg_attribute
    where attrelid = ${table}::regclass and attnum > 0 and not attisdropped order by attnum`.execute(db);
  return rows.map((r) => r.column);
}

/** A partition's name is `<table>_YYYYMM`; names are built only from these, never from input. */
function partitionName(table: LedgerTable, month: Month): string {
  return `${table}_${month.suffix}`;
}

/** The retention job's queries. */
export function createRetentionRepository(db: Kysely<DB>) {
  return {
    /** Every monthly partition of the ledger's tables, oldest first. */
    async monthPartitions(): Promise<MonthPartition[]> {
      const out: MonthPartition[] = [];
      for (const { table } of LEDGER_TABLES) {
        const { rows } = await sql<{ name: string }>`
          select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
          where i.inhparent = ${table}::regclass and c.relname ~ '_[0-9]{6}$'`.execute(db);
        for (const { name } of rows) {
          const suffix = name.slice(-6);
          const month = monthOf(Date.UTC(Number(suffix.slice(0, 4)), Number(suffix.slice(4)) - 1, 1));
          // A name that is not a real month (a table someone added by hand) is not ours to drop.
          if (month.suffix === suffix && name === partitionName(table, month))
            out.push({ table, name, month });
        }
      }
      return out.sort((a, b) => a.month.fromUtcMs - b.month.fromUtcMs || a.table.localeCompare(b.table));
    },

    /** Rows in a partition (exact: read once per month dropped, or by `sde retention plan`). */
    async rowCount(p: MonthPartition, trx: Db = db): Promise<number> {
      const { rows } = await sql<{ n: number }>`select count(*)::int8 as n from ${sql.table(p.name)}`.execute(
        trx,
      );
      return Number(rows[0]?.n ?? 0);
    },

    /**
     * Rows of a partition belonging to the given cases: an event by the supervision its device was assigned
     * to at the event's time, a raw frame by the events decoded from it.
     */
    async heldRowCount(p: MonthPartition, caseIds: readonly string[], trx: Db = db): Promise<number> {
      if (caseIds.length === 0) return 0;
      const { rows } =
        p.table === 'events'
          ? await sql<{ n: number }>`
              select count(*)::int8 as n from ${sql.table(p.name)} e
              ${heldJoin()} where s.case_id = any(${caseIds}::uuid[])`.execute(trx)
          : await sql<{ n: number }>`
              select count(*)::int8 as n from ${sql.table(p.name)} r
              where exists (select 1 from events e ${heldJoin()}
                where e.raw_id = r.id and e.received_at = r.received_at and s.case_id = any(${caseIds}::uuid[]))`.execute(
              trx,
            );
      return Number(rows[0]?.n ?? 0);
    },

    /** Copies the held cases' rows of a partition to its hold table; returns how many. */
    async copyHeldRows(
      trx: Transaction<DB>,
      p: MonthPartition,
      caseIds: readonly string[],
      at: Date,
    ): Promise<number> {
      if (caseIds.length === 0) return 0;
      const held = LEDGER_TABLES.find((t) => t.table === p.table)!.held;
      const cols = await columnsOf(trx, p.table);
      const list = sql.raw(cols.join(', '));
      const from = sql.raw(cols.map((c) => `x.${c}`).join(', '));
      const result =
        p.table === 'events'
          ? await sql`
              insert into ${sql.table(held)} (${list}, case_id, held_at)
              select ${from}, s.case_id, ${at} from ${sql.table(p.name)} x
              join device_assignments da on da.device_no = x.device_no and x.time >= da.from_at
                and (da.to_at is null or x.time < da.to_at)
              join supervisions s on s.id = da.supervision_id
              where s.case_id = any(${caseIds}::uuid[])
              on conflict do nothing`.execute(trx)
          : await sql`
              insert into ${sql.table(held)} (${list}, case_id, held_at)
              select distinct on (x.id) ${from}, h.case_id, ${at} from ${sql.table(p.name)} x
              join events_held h on h.raw_id = x.id and h.received_at = x.received_at
              where h.case_id = any(${caseIds}::uuid[])
              on conflict do nothing`.execute(trx);
      return Number(result.numAffectedRows ?? 0);
    },

    /**
     * Drops a whole month partition (never its rows one by one). PostgreSQL locks the parent table for the
     * instant of the drop: a ledger write waits for it, none fails.
     */
    async dropPartition(trx: Transaction<DB>, p: MonthPartition): Promise<void> {
      await sql`drop table ${sql.table(p.name)}`.execute(trx);
    },

    /**
     * Records where each device's hash chain starts once `p` is gone: its last link in the partition (ADR
     * 0701). Called in the dropping transaction, so the verifier never sees a chain cut without its anchor.
     */
    async anchorChains(trx: Transaction<DB>, p: MonthPartition): Promise<number> {
      const r = await sql`
        insert into chain_anchors (chain, chain_no, pos, hash, reason)
        select distinct on (device_no) 'device', device_no, chain_pos, hash, ${`retention: ${p.name}`}
        from ${sql.table(p.name)}
        where chain_pos is not null and hash is not null
        order by device_no, chain_pos desc
        on conflict do nothing`.execute(trx);
      return Number(r.numAffectedRows ?? 0);
    },

    /** Held copies of cases whose hold was lifted, once they are past the cutoff; returns how many rows. */
    async releaseHeldRows(trx: Transaction<DB>, inForce: readonly string[], cutoff: Date): Promise<number> {
      let n = 0;
      // Raw frames first: their copies are found by the events' (as in copyHeldRows).
      for (const held of ['raw_messages_held', 'events_held'] as const) {
        const r = await sql`
          delete from ${sql.table(held)}
          where received_at < ${cutoff} and case_id <> all(${inForce}::uuid[])`.execute(trx);
        n += Number(r.numAffectedRows ?? 0);
      }
      return n;
    },

    /** Rows in the hold tables of cases no longer held and past the cutoff: what `releaseHeldRows` would delete. */
    async releasableHeldRows(inForce: readonly string[], cutoff: Date): Promise<number> {
      const { rows } = await sql<{ n: number }>`
        select (select count(*) from events_held where received_at < ${cutoff} and case_id <> all(${inForce}::uuid[]))
          + (select count(*) from raw_messages_held where received_at < ${cutoff} and case_id <> all(${inForce}::uuid[]))
          as n`.execute(db);
      return Number(rows[0]?.n ?? 0);
    },

    /**
     * The supervisions of every case not yet pseudonymised whose supervisions are all over (the domain's
     * ENDED_STATUSES), each with the instant it ended: its last lifecycle event, else its last update.
     */
    async endedCases(): Promise<EndedSupervision[]> {
      const ended = [...ENDED_STATUSES];
      const { rows } = await sql<{ case_id: string; status: SupervisionStatus; ended_at: Date }>`
        select s.case_id, s.status,
          coalesce(to_timestamp((s.lifecycle->'history'->-1->>'atUtcMs')::float8 / 1000), s.updated_at) as ended_at
        from supervisions s
        where not exists (select 1 from retention_erasures r where r.case_id = s.case_id)
          and not exists (select 1 from supervisions o where o.case_id = s.case_id and o.status <> all(${ended}))`.execute(
        db,
      );
      return rows.map((r) => ({
        caseId: r.case_id,
        status: r.status,
        endedAtUtcMs: new Date(r.ended_at).getTime(),
      }));
    },

    /**
     * Pseudonymises one case (docs/security.md, "Retention"): what names, reaches or describes a person is
     * erased; what the statistics need (statuses, dates, rules, durations, counts) stays. The monitored and
     * protected persons are erased once none of their cases is kept any longer.
     */
    async pseudonymise(trx: Transaction<DB>, caseId: string, endedAt: Date, at: Date): Promise<void> {
      await trx
        .insertInto('retention_erasures')
        .values({ case_id: caseId, erased_at: at, ended_at: endedAt })
        .execute();
      await sql`update cases set monitoring_address = null where id = ${caseId}::uuid`.execute(trx);
      await sql`
        update applications set filer_name = '', justification = '', co_residents = '[]', technician_phone = ''
        where case_id = ${caseId}::uuid`.execute(trx);
      const ofCase = sql`(select id from supervisions where case_id = ${caseId}::uuid)`;
      await sql`update technical_surveys set notes = '' where application_id in
        (select id from applications where case_id = ${caseId}::uuid)`.execute(trx);
      await sql`update decisions set reason = '' where supervision_id in ${ofCase}`.execute(trx);
      await sql`update schedule_exceptions set reason = '' where supervision_id in ${ofCase}`.execute(trx);
      await sql`update protocols set notes = '' where supervision_id in ${ofCase}`.execute(trx);
      await sql`update alarm_actions set text = null where text is not null and alarm_id in
        (select id from alarm_episodes where supervision_id in ${ofCase})`.execute(trx);
      await sql`update notification_outbox set address = '', subject = '', body = '' where alarm_id in
        (select id from alarm_episodes where supervision_id in ${ofCase})`.execute(trx);
      // A person is erased when every case of theirs has been: another case still kept needs their name.
      await sql`
        update monitored_persons p set given_name = '', family_name = '', permanent_address = null, phone = null,
          birth_date = substr(birth_date, 1, 4) || '-01-01'
        where p.id = (select person_id from cases where id = ${caseId}::uuid)
          and not exists (select 1 from cases c where c.person_id = p.id
            and not exists (select 1 from retention_erasures r where r.case_id = c.id))`.execute(trx);
      await sql`
        update protected_persons p set given_name = '', family_name = '', phone = null
        where p.id = (select protected_person_id from cases where id = ${caseId}::uuid)
          and not exists (select 1 from cases c where c.protected_person_id = p.id
            and not exists (select 1 from retention_erasures r where r.case_id = c.id))`.execute(trx);
    },
  };
}

/** Joins an event `e` to the supervision `s` its device served at the event's time. */
function heldJoin() {
  return sql`join device_assignments da on da.device_no = e.device_no and e.time >= da.from_at
    and (da.to_at is null or e.time < da.to_at)
    join supervisions s on s.id = da.supervision_id`;
}

export type RetentionRepository = ReturnType<typeof createRetentionRepository>;
