/** SQL of the hash chains (ADR 0701): the heads, the links as stored, the checkpoints and the anchors. */
import { sql } from 'kysely';
import type { Database } from '../db/database.js';
import { GENESIS } from './chain.js';

/** A chain's length and head as the database holds them now. */
export interface StoredHead {
  no: number;
  len: number;
  /** Hex. */
  head: string;
}

/** One stored link of a device's chain: a frame or an event, with what its hash covers. */
export type DeviceLinkRow = LinkBase &
  (
    | { type: 'raw'; frame: string }
    | {
        type: 'event';
        seq: number;
        kind: string;
        deviceTime: number;
        time: number;
        rawId: number;
        flags: string[];
        body: Record<string, unknown>;
      }
  );

/** What a frame's and an event's link have in common. */
interface LinkBase {
  deviceNo: number;
  pos: number;
  hash: string | null;
  id: number;
  receivedAt: number;
  source: string;
}

/** One stored link of an audit lane: the record's id and its canonical text as the trigger hashed it. */
export interface AuditLinkRow {
  lane: number;
  pos: number;
  hash: string | null;
  id: number;
  text: string;
}

/** A stored checkpoint. */
export interface CheckpointRow {
  id: number;
  at: Date;
  keyId: string;
  /** Every chain's head, as JSON (only the latest checkpoint's is read). */
  heads?: string;
  /** The signed text. */
  signed: string;
  signature: Buffer;
}

/** Where a chain starts after retention removed its oldest links. */
export interface AnchorRow {
  chain: 'device' | 'audit';
  no: number;
  pos: number;
  hash: string;
}

const buf = (x: unknown): Buffer | null => (x == null ? null : Buffer.from(x as Uint8Array));
/** A stored hash as hex. */
const hexOf = (x: unknown): string | null => buf(x)?.toString('hex') ?? null;
/** Epoch ms of a stored time, exactly as `storedMs` predicts it. */
const ms = (column: string) => sql.raw(`round(extract(epoch from ${column}) * 1000)::int8`);

/** Creates the chains' repository. */
export function createChainRepository(db: Database) {
  return {
    /** Every device's chain (those with links), by device number. */
    async deviceHeads(): Promise<(StoredHead & { id: string })[]> {
      const { rows } = await sql<{ no: number; id: string; chain_len: number; chain_head: unknown }>`
        select no, id, chain_len, chain_head from devices where chain_len > 0 order by no`.execute(db);
      return rows.map((r) => ({
        no: r.no,
        id: r.id,
        len: Number(r.chain_len),
        head: hexOf(r.chain_head) ?? GENESIS,
      }));
    },

    /** Every audit lane's head. */
    async auditHeads(): Promise<StoredHead[]> {
      const { rows } = await sql<{ lane: number; len: number; head: unknown }>`
        select lane, len, head from audit_chain_lanes order by lane`.execute(db);
      return rows.map((r) => ({ no: r.lane, len: Number(r.len), head: hexOf(r.head)! }));
    },

    /** Device numbers that have stored frames or events, with or without a chain. */
    async devicesWithLinks(): Promise<number[]> {
      const { rows } = await sql<{ no: number }>`
        select distinct device_no as no from raw_messages
        union select distinct device_no from events order by 1`.execute(db);
      return rows.map((r) => r.no);
    },

    /** Frames and events stored before the chains existed (no position). */
    async unchained(): Promise<number> {
      const { rows } = await sql<{ n: number }>`
        select (select count(*) from raw_messages where chain_pos is null)
          + (select count(*) from events where chain_pos is null) as n`.execute(db);
      return Number(rows[0]?.n ?? 0);
    },

    /** The chained links of devices `from`…`to`, by device and position (frames before events, then by id, at a tie). */
    async deviceLinks(from: number, to: number): Promise<DeviceLinkRow[]> {
      const { rows } = await sql<Record<string, unknown>>`
        select 'raw' as type, device_no, chain_pos, hash, id, ${ms('received_at')} as received_at, source, frame,
          null::int8 as seq, null::text as kind, null::int8 as device_time, null::int8 as time,
          null::int8 as raw_id, null::text[] as flags, null::jsonb as body
        from raw_messages where device_no between ${from} and ${to} and chain_pos is not null
        union all
        select 'event', device_no, chain_pos, hash, id, ${ms('received_at')}, source, null,
          seq, kind, ${ms('device_time')}, ${ms('time')}, raw_id, flags, body
        from events where device_no between ${from} and ${to} and chain_pos is not null
        order by device_no, chain_pos, type desc, id`.execute(db);
      return rows.map((r): DeviceLinkRow => {
        const base = {
          deviceNo: Number(r.device_no),
          pos: Number(r.chain_pos),
          hash: hexOf(r.hash),
          id: Number(r.id),
          receivedAt: Number(r.received_at),
          source: String(r.source),
        };
        return r.type === 'raw'
          ? { type: 'raw', ...base, frame: String(r.frame) }
          : {
              type: 'event',
              ...base,
              seq: Number(r.seq),
              kind: String(r.kind),
              deviceTime: Number(r.device_time),
              time: Number(r.time),
              rawId: Number(r.raw_id),
              flags: r.flags as string[],
              body: (typeof r.body === 'string' ? JSON.parse(r.body) : r.body) as Record<string, unknown>,
            };
      });
    },

    /** Audit records stored before the chains existed. */
    async auditUnchained(): Promise<number> {
      const { rows } = await sql<{ n: number }>`
        select count(*) as n from audit_log where chain_lane is null`.execute(db);
      return Number(rows[0]?.n ?? 0);
    },

    /**
     * Up to `limit` audit links after (`lane`, `pos`, `id`), in chain order (two records at one position by id), each with the text the trigger hashed,
     * computed here from the stored columns (migration 0018 spells the same expression).
     */
    async auditLinks(
      after: { lane: number; pos: number; id: number },
      limit: number,
    ): Promise<AuditLinkRow[]> {
      const { rows } = await sql<{
        chain_lane: number;
        chain_pos: number;
        hash: unknown;
        id: number;
        text: string;
      }>`
        select chain_lane, chain_pos, hash, id, jsonb_build_array(id,
          (extract(epoch from at) * 1000000)::int8, actor_user_id, actor_login, actor_role, terminal, address,
          request_id, action, entity, entity_id, person_id, changes)::text as text
        from audit_log
        where chain_lane is not null and (chain_lane, chain_pos, id) > (${after.lane}, ${after.pos}, ${after.id})
        order by chain_lane, chain_pos, id limit ${limit}`.execute(db);
      return rows.map((r) => ({
        lane: Number(r.chain_lane),
        pos: Number(r.chain_pos),
        hash: hexOf(r.hash),
        id: Number(r.id),
        text: r.text,
      }));
    },

    /** Stores a signed checkpoint. */
    async addCheckpoint(c: Omit<CheckpointRow, 'id'> & { heads: string }): Promise<void> {
      await sql`insert into chain_checkpoints (at, key_id, heads, signed, signature)
        values (${c.at.toISOString()}::timestamptz, ${c.keyId}, ${c.heads}, ${c.signed}, ${c.signature})`.execute(
        db,
      );
    },

    /** The latest checkpoint, if any. */
    async latestCheckpoint(): Promise<CheckpointRow | undefined> {
      const { rows } = await sql<Record<string, unknown>>`
        select id, at, key_id, heads, signed, signature from chain_checkpoints order by id desc limit 1`.execute(
        db,
      );
      return rows[0] ? checkpointOf(rows[0]) : undefined;
    },

    /** Every checkpoint, oldest first, without the heads. */
    async checkpoints(): Promise<CheckpointRow[]> {
      const { rows } = await sql<Record<string, unknown>>`
        select id, at, key_id, signed, signature from chain_checkpoints order by id`.execute(db);
      return rows.map(checkpointOf);
    },

    /** The latest anchor of every chain that has one. */
    async anchors(): Promise<AnchorRow[]> {
      const { rows } = await sql<{ chain: 'device' | 'audit'; chain_no: number; pos: number; hash: unknown }>`
        select distinct on (chain, chain_no) chain, chain_no, pos, hash from chain_anchors
        order by chain, chain_no, pos desc`.execute(db);
      return rows.map((r) => ({ chain: r.chain, no: r.chain_no, pos: Number(r.pos), hash: hexOf(r.hash)! }));
    },
  };
}

function checkpointOf(r: Record<string, unknown>): CheckpointRow {
  return {
    id: Number(r.id),
    at: new Date(r.at as string | Date),
    keyId: String(r.key_id),
    ...(r.heads != null ? { heads: String(r.heads) } : {}),
    signed: String(r.signed),
    signature: buf(r.signature)!,
  };
}

export type ChainRepository = ReturnType<typeof createChainRepository>;
