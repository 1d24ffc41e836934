/**
 * SQL of the ledger. One call writes a whole group of batches from many devices in one statement
 * (group commit), with array parameters so that a group costs one round trip, not one per event.
 */
import { sql } from 'kysely';
import { eventText, GENESIS, link, rawText, storedMs } from '../chains/chain.js';
import type { Database } from '../db/database.js';
import { FUTURE_TIME_FLAG, MAX_FUTURE_MS } from './plausibility.js';

/** One event ready for storage. */
export interface LedgerEventRow {
  deviceNo: number;
  seq: number;
  kind: string;
  /** Device-clock time, epoch ms. */
  deviceTime: number;
  /** Center-clock time, epoch ms. */
  time: number;
  rawIndex: number;
  /** The event's fields other than seq, t and kind. */
  body: Record<string, unknown>;
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
  /** The device's hash chain before this group (ADR 0701): its length and head. */
  chain: ChainHead;
}

/** A hash chain's length and the hash of its last link (`GENESIS` while empty). */
export interface ChainHead {
  len: number;
  /** Hex. */
  head: string;
}

/** A frame refused for implausible sequence numbers, kept for the Bureau to inspect (ADR 0408). */
export interface QuarantineRow {
  deviceNo: number;
  reason: 'seq_out_of_range';
  source: 'mqtt' | 'readout';
  firstSeq: number;
  lastSeq: number;
  events: number;
  receivedAt: Date;
  frame: string;
}

/** A quarantined frame as the Bureau lists it (without the frame's content). */
export interface QuarantinedFrame {
  device: string;
  reason: string;
  source: 'mqtt' | 'readout';
  firstSeq: number;
  lastSeq: number;
  events: number;
  firstReceivedAt: Date;
  lastReceivedAt: Date;
  refusals: number;
}

/** What `ledger verify` reports; `gaps` counts only within the plausible window (ADR 0408). */
export interface LedgerVerification {
  /** Events stored. */
  events: number;
  /** Devices with events stored. */
  devices: number;
  /** Events stored twice for one (device, seq): must be 0. */
  duplicates: number;
  /**
   * Sequence numbers missing between two stored numbers of a device at most `window` apart (and below its
   * first): events a unit still has to send, or lost.
   */
  gaps: number;
  /** The plausible window (`SDE_INGEST_MAX_SEQ_AHEAD`). */
  window: number;
  /**
   * Places where a device's stored numbers leap by more than `window` (stored before the bound existed):
   * the numbers skipped there are not counted in `gaps`.
   */
  jumps: number;
  /** Events stamped more than 5 minutes after their arrival: flagged, or stored before the bound existed. */
  futureTime: number;
  /** Frames refused for implausible sequence numbers, kept in quarantine: not among `events`. */
  quarantined: { frames: number; devices: number; events: number; refusals: number };
}

/** Frames kept in quarantine per device at most: a unit sending ever new ones costs a metric beyond that. */
const QUARANTINE_PER_DEVICE = 1000;

/** A device's stored progress, to rebuild its watermark after a restart. */
export interface DeviceProgress {
  deviceNo: number;
  /** Every sequence number up to this one is stored. */
  through: number;
  clockOffsetMs: number | null;
  storedAbove: number[];
  chain: ChainHead;
}

/** Ids per `nextval('ledger_id_seq')`: the sequence's increment (migration 0001). */
export const LEDGER_ID_BLOCK = 1024;

/** Blocks taken ahead, so that a group rarely waits for a round trip to the sequence (about 2.6 s at 25,000 rows/s). */
const RESERVE_BLOCKS = 64;

/**
 * Fresh ids for the ledger's rows, taken from the sequence a reserve at a time. A sequence is not
 * transactional, so ids are taken before the group's statement: a group that fails, or ids still in reserve
 * when the center stops, leave a gap in the ids, never a reuse.
 */
function createIdPool(db: Database) {
  const blocks: number[] = [];
  let used = 0; // ids of blocks[0] already handed out
  let refilling: Promise<void> | undefined;
  const available = () => blocks.length * LEDGER_ID_BLOCK - used;

  function refill(count: number): Promise<void> {
    refilling ??= sql<{ id: number }>`
      select nextval('ledger_id_seq') as id from generate_series(1, ${count})`
      .execute(db)
      .then((r) => {
        for (const { id } of r.rows) blocks.push(Number(id));
      })
      .finally(() => (refilling = undefined));
    return refilling;
  }

  return {
    /** `n` fresh ids; tops the reserve up in the background when it runs low. */
    async take(n: number): Promise<number[]> {
      while (available() < n) {
        await (refilling ?? refill(Math.ceil((n - available()) / LEDGER_ID_BLOCK) + RESERVE_BLOCKS));
      }
      const ids = new Array<number>(n);
      for (let i = 0; i < n; i++) {
        ids[i] = blocks[0]! + used;
        if (++used === LEDGER_ID_BLOCK) {
          blocks.shift();
          used = 0;
        }
      }
      // A failed top-up is retried by the next group that needs it.
      if (available() < (RESERVE_BLOCKS / 2) * LEDGER_ID_BLOCK && !refilling)
        refill(RESERVE_BLOCKS).catch(() => undefined);
      return ids;
    },
  };
}

/*
 * A group's columns travel as PostgreSQL array literals built here, one text parameter per column, and
 * times as epoch milliseconds: the drivers' generic array serialisation and the server's timestamp parsing
 * of ISO strings were half of a group's cost on PGlite (ADR 0002, docs/benchmarks.md §2). The frames and
 * the event bodies, full of quotes, travel as one JSON array each instead: JSON.stringify escapes in native
 * code what quoting them for an array literal did with a regular expression per element (a sixth of the
 * event loop's time at 20,000 events/s on the embedded center).
 */

/** `{1,2,NULL}`: an array literal of integers or floats. */
function numberArray(xs: readonly (number | null)[]): string {
  return `{${xs.map((x) => (x === null ? 'NULL' : String(x))).join(',')}}`;
}

const QUOTED = /["\\]/g;
/** `{"a","b\"c"}`: an array literal of texts, every element quoted. */
function textArray(xs: readonly string[]): string {
  let out = '{';
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    out += `${i === 0 ? '' : ','}"${x.includes('"') || x.includes('\\') ? x.replace(QUOTED, '\\$&') : x}"`;
  }
  return `${out}}`;
}

/**
 * `{[1,4),[7,8)}`: the int8multirange of a device's sequence numbers in a group (already ascending in the
 * usual case; sorted otherwise).
 */
export function seqRanges(seqs: readonly number[]): string {
  let sorted = seqs;
  for (let i = 1; i < seqs.length; i++) {
    if (seqs[i]! <= seqs[i - 1]!) {
      sorted = [...seqs].sort((a, b) => a - b);
      break;
    }
  }
  let out = '{';
  for (let i = 0; i < sorted.length;) {
    const from = sorted[i]!;
    let to = from;
    while (++i < sorted.length && sorted[i]! <= to + 1) to = sorted[i]!;
    out += `${out === '{' ? '' : ','}[${from},${to + 1})`;
  }
  return `${out}}`;
}

/** `{"\\x00ab…"}`: an array literal of bytea values, in hex. */
function byteaArray(hexes: readonly string[]): string {
  return textArray(hexes.map((x) => `\\x${x}`));
}

/**
 * Links a group's frames and events into their devices' chains, in the order written: each frame, then the
 * events decoded from it (ADR 0701). Returns each row's position and hash, and the chains' new heads.
 */
function chainGroup(
  raws: readonly LedgerRawRow[],
  rawIds: readonly number[],
  events: readonly LedgerEventRow[],
  eventIds: readonly number[],
  devices: readonly LedgerDeviceUpdate[],
) {
  const heads = new Map<number, ChainHead>(devices.map((d) => [d.deviceNo, { ...d.chain }]));
  const rawPos = new Array<number>(raws.length);
  const rawHash = new Array<string>(raws.length);
  const eventPos = new Array<number>(events.length);
  const eventHash = new Array<string>(events.length);
  const receivedMs = raws.map((r) => storedMs(r.receivedAt.getTime()));
  let linked = 0; // frames linked so far
  /** Appends a record to its device's chain: its position and hash. */
  const append = (deviceNo: number, text: string): [number, string] => {
    const h = heads.get(deviceNo)!;
    h.head = link(h.head, text);
    return [++h.len, h.head];
  };
  const linkRaw = (r: number) => {
    const raw = raws[r]!;
    [rawPos[r], rawHash[r]] = append(
      raw.deviceNo,
      rawText({
        id: rawIds[r]!,
        deviceNo: raw.deviceNo,
        receivedAt: receivedMs[r]!,
        source: raw.source,
        frame: raw.frame,
      }),
    );
  };
  for (let i = 0; i < events.length; i++) {
    const e = events[i]!;
    while (linked <= e.rawIndex) linkRaw(linked++);
    [eventPos[i], eventHash[i]] = append(
      e.deviceNo,
      eventText({
        id: eventIds[i]!,
        deviceNo: e.deviceNo,
        seq: e.seq,
        kind: e.kind,
        deviceTime: storedMs(e.deviceTime),
        time: storedMs(e.time),
        rawId: rawIds[e.rawIndex]!,
        receivedAt: receivedMs[e.rawIndex]!,
        source: raws[e.rawIndex]!.source,
        flags: e.flags,
        body: e.body,
      }),
    );
  }
  while (linked < raws.length) linkRaw(linked++);
  return { heads, rawPos, rawHash, eventPos, eventHash };
}

/** Creates the ledger repository. */
export function createLedgerRepository(db: Database) {
  const idPool = createIdPool(db);
  return {
    /**
     * Stores a group in one statement (atomic by itself, so no transaction round trips): the devices' marks
     * and stored sequence numbers, the frames, the events and read messages. A device whose group meets a
     * sequence number already stored (another process stored it: the ledger leaves out every one it knows)
     * has nothing written, and is returned: the caller reads what is stored and writes that device again.
     * So is a device whose chain another process extended meanwhile. Returns those devices, and the new
     * heads of the chains of the others.
     */
    async writeGroup(
      raws: LedgerRawRow[],
      events: LedgerEventRow[],
      devices: LedgerDeviceUpdate[],
      readMessages: { id: string; at: Date }[],
    ): Promise<{ conflicted: Set<number>; heads: Map<number, ChainHead> }> {
      const ids = await idPool.take(raws.length + events.length);
      const rawIds = ids.slice(0, raws.length);
      const eventIds = ids.slice(raws.length);
      // Hashed here, before the statement: the chains cost the event loop, not the store's one connection.
      const chained = chainGroup(raws, rawIds, events, eventIds, devices);
      const offered = new Map<number, number[]>(devices.map((d) => [d.deviceNo, []]));
      for (const e of events) offered.get(e.deviceNo)?.push(e.seq);
      // The device rows first: each row's lock orders two processes writing the same device, and the
      // overlap test runs on the row as the other one committed it (PostgreSQL re-reads a row that changed
      // under an UPDATE), so of two groups offering the same event only one writes it.
      const marks = sql`marks as (
          update devices d set
            seqs = d.seqs + u.seqs,
            acked_seq = greatest(d.acked_seq, u.acked_seq),
            max_seq = greatest(d.max_seq, u.max_seq),
            last_contact_at = coalesce(to_timestamp(u.last_contact_at / 1000.0), d.last_contact_at),
            -- A measurement replaces the stored offset only if it is not older (a hello written later by its
            -- batched flush must not undo a newer one; ADR 0504).
            clock_offset_ms = case when u.clock_offset_ms is not null and (d.clock_offset_at is null
                or d.clock_offset_at <= to_timestamp(u.last_contact_at / 1000.0))
              then u.clock_offset_ms else d.clock_offset_ms end,
            clock_offset_at = case when u.clock_offset_ms is not null and (d.clock_offset_at is null
                or d.clock_offset_at <= to_timestamp(u.last_contact_at / 1000.0))
              then to_timestamp(u.last_contact_at / 1000.0) else d.clock_offset_at end,
            chain_len = u.chain_len,
            chain_head = u.chain_head
          from unnest(${numberArray(devices.map((d) => d.deviceNo))}::int4[],
            ${textArray(devices.map((d) => seqRanges(offered.get(d.deviceNo)!)))}::int8multirange[],
            ${numberArray(devices.map((d) => d.ackedSeq))}::int8[], ${numberArray(devices.map((d) => d.maxSeq))}::int8[],
            ${numberArray(devices.map((d) => d.lastContactAt?.getTime() ?? null))}::float8[],
            ${numberArray(devices.map((d) => d.clockOffsetMs))}::int8[],
            ${numberArray(devices.map((d) => d.chain.len))}::int8[],
            ${numberArray(devices.map((d) => chained.heads.get(d.deviceNo)!.len))}::int8[],
            ${byteaArray(devices.map((d) => chained.heads.get(d.deviceNo)!.head))}::bytea[])
            as u(no, seqs, acked_seq, max_seq, last_contact_at, clock_offset_ms, prev_len, chain_len, chain_head)
          where d.no = u.no and not d.seqs && u.seqs and d.chain_len = u.prev_len
          returning d.no)`;
      // Frames and events only of the devices written; an event joins its frame.
      const raw = sql`raw as (
          insert into raw_messages (id, received_at, device_no, source, frame, chain_pos, hash)
          select u.id, to_timestamp(u.at / 1000.0), u.device_no, u.source, u.frame, u.chain_pos, u.hash
          from rows from (unnest(${numberArray(rawIds)}::int8[]),
            unnest(${numberArray(raws.map((r) => r.receivedAt.getTime()))}::float8[]),
            unnest(${numberArray(raws.map((r) => r.deviceNo))}::int4[]), unnest(${textArray(raws.map((r) => r.source))}::text[]),
            json_array_elements_text(${JSON.stringify(raws.map((r) => r.frame))}::json),
            unnest(${numberArray(chained.rawPos)}::int8[]), unnest(${byteaArray(chained.rawHash)}::bytea[]))
            as u(id, at, device_no, source, frame, chain_pos, hash)
          where u.device_no in (select no from marks)
          returning id, received_at, source)`;
      const ev = sql`ev as (
          insert into events (id, received_at, device_no, seq, kind, device_time, time, raw_id, source, body, flags,
            chain_pos, hash)
          select u.id, r.received_at, u.device_no, u.seq, u.kind, to_timestamp(u.device_time / 1000.0),
            to_timestamp(u.time / 1000.0), u.raw_id, r.source, u.body,
            coalesce(string_to_array(nullif(u.flags, ''), ','), '{}'), u.chain_pos, u.hash
          from rows from (unnest(${numberArray(eventIds)}::int8[]),
            unnest(${numberArray(events.map((e) => e.deviceNo))}::int4[]),
            unnest(${numberArray(events.map((e) => e.seq))}::int8[]),
            unnest(${textArray(events.map((e) => e.kind))}::text[]),
            unnest(${numberArray(events.map((e) => e.deviceTime))}::float8[]),
            unnest(${numberArray(events.map((e) => e.time))}::float8[]),
            unnest(${numberArray(events.map((e) => rawIds[e.rawIndex]!))}::int8[]),
            jsonb_array_elements(${JSON.stringify(events.map((e) => e.body))}::jsonb),
            unnest(${textArray(events.map((e) => e.flags.join(',')))}::text[]),
            unnest(${numberArray(chained.eventPos)}::int8[]), unnest(${byteaArray(chained.eventHash)}::bytea[]))
            as u(id, device_no, seq, kind, device_time, time, raw_id, body, flags, chain_pos, hash)
          join raw r on r.id = u.raw_id)`;
      const read =
        readMessages.length > 0
          ? sql`, read as (
              update device_commands c set read_at = coalesce(c.read_at, to_timestamp(u.at / 1000.0))
              from unnest(${textArray(readMessages.map((m) => m.id))}::text[],
                ${numberArray(readMessages.map((m) => m.at.getTime()))}::float8[]) as u(id, at)
              where c.id = u.id)`
          : sql``;
      const result = await sql<{ no: number }>`
        with ${marks}, ${raw}, ${ev}${read}
        select u.no from unnest(${numberArray(devices.map((d) => d.deviceNo))}::int4[]) as u(no)
        where not exists (select from marks m where m.no = u.no)`.execute(db);
      const conflicted = new Set(result.rows.map((r) => r.no));
      for (const no of conflicted) chained.heads.delete(no);
      return { conflicted, heads: chained.heads };
    },

    /**
     * The sequence numbers among `events` (already stored for the device) whose stored event differs in
     * kind, device time or content: a number the unit reused (ADR 0504). Content compares as JSON values,
     * so key order and number spelling do not matter.
     *
     * No index on (device, seq) — its upkeep on every event would cost the ingest path more than these rare
     * reads save (ADR 0504): the stored copies are looked for by the index on (device, time), within
     * `windowMs` of the center times the copies would have now (`time`); a number not found there (a copy
     * dated otherwise: other content, or a v1 unit whose clock stepped in between) is looked for across the
     * device's events.
     */
    async differing(
      deviceNo: number,
      events: {
        seq: number;
        kind: string;
        deviceTime: number;
        time: number;
        body: Record<string, unknown>;
      }[],
      windowMs: number,
    ): Promise<number[]> {
      const compare = async (list: typeof events, near: boolean) => {
        let lo = Infinity;
        let hi = -Infinity;
        for (const e of list) {
          lo = Math.min(lo, e.time - windowMs);
          hi = Math.max(hi, e.time + windowMs);
        }
        const { rows } = await sql<{ seq: number; found: boolean; differs: boolean | null }>`
          select u.seq, e.seq is not null as found,
            (e.kind <> u.kind or e.device_time <> to_timestamp(u.device_time / 1000.0) or e.body <> u.body) as differs
          from rows from (unnest(${numberArray(list.map((e) => e.seq))}::int8[]),
              unnest(${textArray(list.map((e) => e.kind))}::text[]),
              unnest(${numberArray(list.map((e) => e.deviceTime))}::float8[]),
              jsonb_array_elements(${JSON.stringify(list.map((e) => e.body))}::jsonb))
            as u(seq, kind, device_time, body)
          left join (
            select seq, kind, device_time, body from events
            where device_no = ${deviceNo} and seq = any(${numberArray(list.map((e) => e.seq))}::int8[])
              and ${
                near
                  ? sql`time between to_timestamp(${lo} / 1000.0) and to_timestamp(${hi} / 1000.0)`
                  : sql`true`
              }
          ) e on e.seq = u.seq
          order by u.seq`.execute(db);
        return rows;
      };
      const first = await compare(events, true);
      const reused = first.filter((r) => r.differs === true).map((r) => Number(r.seq));
      const missing = new Set(first.filter((r) => !r.found).map((r) => Number(r.seq)));
      if (missing.size > 0) {
        const wide = await compare(
          events.filter((e) => missing.has(e.seq)),
          false,
        );
        reused.push(...wide.filter((r) => r.differs === true).map((r) => Number(r.seq)));
      }
      return reused.sort((a, b) => a - b);
    },

    /** Counts refused reused numbers on the device, for its status. */
    async noteReused(deviceNo: number, count: number, lastSeq: number, at: Date): Promise<void> {
      await sql`
        update devices set seq_conflicts = seq_conflicts + ${count},
          seq_conflict_last_seq = ${lastSeq},
          seq_conflict_at = greatest(seq_conflict_at, ${at.toISOString()}::timestamptz)
        where no = ${deviceNo}`.execute(db);
    },

    /**
     * Stored progress of the given devices, from their stored sequence numbers: the highest number below
     * which every one is stored, and the ones stored above it.
     */
    async progress(deviceNos: number[]): Promise<DeviceProgress[]> {
      // One row per stored range; a device with none stored has one row without.
      const ranges = await sql<{
        no: number;
        clock_offset_ms: number | null;
        chain_len: number;
        chain_head: Buffer | Uint8Array | null;
        lo: number | null;
        hi: number | null;
      }>`
        select d.no, d.clock_offset_ms, d.chain_len, d.chain_head, lower(r) as lo, upper(r) as hi
        from devices d left join lateral unnest(d.seqs) r on true
        where d.no = any(${deviceNos}::int4[])`.execute(db);
      const byDevice = new Map<number, DeviceProgress>();
      for (const row of ranges.rows) {
        let progress = byDevice.get(row.no);
        if (!progress) {
          progress = {
            deviceNo: row.no,
            through: 0,
            clockOffsetMs: row.clock_offset_ms,
            storedAbove: [],
            chain: {
              len: Number(row.chain_len),
              head: row.chain_head ? Buffer.from(row.chain_head).toString('hex') : GENESIS,
            },
          };
          byDevice.set(row.no, progress);
        }
        if (row.lo === null || row.hi === null) continue;
        const [lo, hi] = [Number(row.lo), Number(row.hi)];
        if (lo === 1) progress.through = hi - 1;
        else for (let seq = lo; seq < hi; seq++) progress.storedAbove.push(seq);
      }
      return [...byDevice.values()];
    },

    /**
     * Keeps refused frames for inspection: one row per device, reason and range of numbers, a repeat (the
     * unit retransmitting) counted on it; at most `QUARANTINE_PER_DEVICE` rows per device.
     */
    async quarantine(rows: QuarantineRow[]): Promise<void> {
      for (const r of rows) {
        await sql`
          insert into quarantined_frames
            (device_no, reason, source, first_seq, last_seq, events, first_received_at, last_received_at, frame)
          select ${r.deviceNo}, ${r.reason}, ${r.source}, ${r.firstSeq}, ${r.lastSeq}, ${r.events},
            ${r.receivedAt}, ${r.receivedAt}, ${r.frame}
          where (select count(*) from quarantined_frames where device_no = ${r.deviceNo}) < ${QUARANTINE_PER_DEVICE}
          on conflict (device_no, reason, first_seq, last_seq) do update set
            refusals = quarantined_frames.refusals + 1,
            last_received_at = greatest(quarantined_frames.last_received_at, excluded.last_received_at)`.execute(
          db,
        );
      }
    },

    /**
     * The frames kept in quarantine, latest refusal first: which unit, why, which numbers, when and how
     * often — not the frames themselves, which carry the monitored person's events (they stay in the table).
     */
    async quarantined(limit: number): Promise<QuarantinedFrame[]> {
      const { rows } = await sql<Record<string, unknown>>`
        select d.id as device, q.reason, q.source, q.first_seq, q.last_seq, q.events,
          q.first_received_at, q.last_received_at, q.refusals
        from quarantined_frames q join devices d on d.no = q.device_no
        order by q.last_received_at desc, q.id desc limit ${limit}`.execute(db);
      return rows.map((r) => ({
        device: String(r.device),
        reason: String(r.reason),
        source: r.source as 'mqtt' | 'readout',
        firstSeq: Number(r.first_seq),
        lastSeq: Number(r.last_seq),
        events: Number(r.events),
        firstReceivedAt: new Date(r.first_received_at as string | Date),
        lastReceivedAt: new Date(r.last_received_at as string | Date),
        refusals: Number(r.refusals),
      }));
    },

    /**
     * Checks the stored events: counts, duplicates of (device, seq), and missing sequence numbers — each
     * device's stored numbers in order, a step of more than `window` counted as a jump, not as gaps (one
     * unit numbering from 2^40 would otherwise report a trillion) — and what was kept out.
     */
    async verify(window: number): Promise<LedgerVerification> {
      const r = await sql<Record<string, unknown>>`
        with steps as (
          select device_no, seq - lag(seq, 1, 0::int8) over (partition by device_no order by seq) as step,
            ${FUTURE_TIME_FLAG} = any(flags) or time > received_at + ${MAX_FUTURE_MS}::int8 * interval '1 millisecond' as future
          from events
        )
        select count(*)::int8 as events, count(distinct device_no)::int8 as devices,
          count(*) filter (where step = 0)::int8 as duplicates,
          coalesce(sum(step - 1) filter (where step between 1 and ${window}::int8 + 1), 0)::int8 as gaps,
          count(*) filter (where step > ${window}::int8 + 1)::int8 as jumps,
          count(*) filter (where future)::int8 as future_time,
          (select count(*) from quarantined_frames)::int8 as q_frames,
          (select count(distinct device_no) from quarantined_frames)::int8 as q_devices,
          (select coalesce(sum(events), 0) from quarantined_frames)::int8 as q_events,
          (select coalesce(sum(refusals), 0) from quarantined_frames)::int8 as q_refusals
        from steps`.execute(db);
      const row = r.rows[0]!;
      const n = (k: string) => Number(row[k] ?? 0);
      return {
        events: n('events'),
        devices: n('devices'),
        duplicates: n('duplicates'),
        gaps: n('gaps'),
        window,
        jumps: n('jumps'),
        futureTime: n('future_time'),
        quarantined: {
          frames: n('q_frames'),
          devices: n('q_devices'),
          events: n('q_events'),
          refusals: n('q_refusals'),
        },
      };
    },
  };
}

export type LedgerRepository = ReturnType<typeof createLedgerRepository>;
