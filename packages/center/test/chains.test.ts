/**
 * Tamper-evident records (ADR 0701), on both stores: a frame, an event or an audit record changed, added,
 * removed or moved directly in the database — by someone who can even switch the triggers off — is named
 * by the verifiers; a checkpoint signed by another key fails; a restarted center continues the chains.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeviceEvent } from '@sde/protocol';
import { recordAudit } from '../src/audit/audit.repository.js';
import type { ChainVerification } from '../src/chains/chain.service.js';
import { startCenter } from '../src/center.js';
import { loadConfig } from '../src/config.js';
import type { DB } from '../src/db/schema.js';
import { createLogger } from '../src/logger.js';
import { startTestCenter, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';

const stores: Storage[] = hasPostgres ? ['pglite', 'postgres'] : ['pglite'];

describe.each(stores)('hash chains on %s', (storage) => {
  let tc: TestCenter;
  let unit: { id: string; no: number };
  const t0 = Date.UTC(2026, 11, 3, 12, 0, 0);
  const db = (): Kysely<DB> => tc.center.database.db;

  /** Frames of four events each, numbered from `from`, as the gateway hands them over. */
  async function send(frames: number, from: number): Promise<void> {
    for (let f = 0; f < frames; f++) {
      const events: DeviceEvent[] = Array.from({ length: 4 }, (_, i) => {
        const seq = from + f * 4 + i;
        return { seq, t: t0 + seq * 1000, kind: 'fault', code: `E${seq}` } as DeviceEvent;
      });
      await tc.center.ledger.submit({
        deviceNo: unit.no,
        message: { v: 1, type: 'events', dev: unit.id, ts: t0 + (from + f * 4) * 1000, events },
        frame: JSON.stringify({ frame: from + f, note: 'zażółć "quoted" \\ back' }),
        receivedAt: new Date(t0 + (from + f * 4 + 4) * 1000),
        source: 'mqtt',
      });
    }
  }

  /** Runs `statements` as someone who switched the triggers off (superuser: session_replication_role). */
  async function tamper(statements: ReturnType<typeof sql>[]): Promise<void> {
    await db()
      .transaction()
      .execute(async (trx) => {
        await sql`set local session_replication_role = replica`.execute(trx);
        for (const s of statements) await s.execute(trx);
      });
  }

  /** A row as JSON, to put it back exactly after a test removed or changed it. */
  async function saved(table: 'events' | 'raw_messages' | 'audit_log', id: number): Promise<unknown> {
    const { rows } = await sql<{ row: unknown }>`
      select to_jsonb(x) as row from ${sql.table(table)} x where id = ${id}`.execute(db());
    return rows[0]!.row;
  }
  const putBack = (table: 'events' | 'raw_messages' | 'audit_log', row: unknown) =>
    sql`insert into ${sql.table(table)} ${table === 'audit_log' ? sql`overriding system value` : sql``}
      select * from jsonb_populate_record(null::${sql.table(table)}, ${JSON.stringify(row)}::jsonb)`;

  async function eventId(seq: number): Promise<{ id: number; pos: number; raw: number }> {
    const { rows } = await sql<{ id: number; chain_pos: number; raw_id: number }>`
      select id, chain_pos, raw_id from events where device_no = ${unit.no} and seq = ${seq}`.execute(db());
    return { id: Number(rows[0]!.id), pos: Number(rows[0]!.chain_pos), raw: Number(rows[0]!.raw_id) };
  }

  const ledgerProblems = async () => (await tc.center.chains.verifyLedger()).problems;
  const auditProblems = async () => (await tc.center.chains.verifyAudit()).problems;

  async function audited(n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      await recordAudit(
        db(),
        { userId: null, login: 'chains-test', role: 'bureau_admin', terminal: 'test', address: '192.0.2.1' },
        { action: 'device.note', entity: 'device', entityId: unit.id, changes: { n: i, text: 'ą "x"' } },
      );
    }
  }

  async function auditRow(n: number): Promise<{ id: number; lane: number; pos: number }> {
    const { rows } = await sql<{ id: number; chain_lane: number; chain_pos: number }>`
      select id, chain_lane, chain_pos from audit_log where actor_login = 'chains-test'
      order by id offset ${n} limit 1`.execute(db());
    return { id: Number(rows[0]!.id), lane: rows[0]!.chain_lane, pos: Number(rows[0]!.chain_pos) };
  }

  beforeAll(async () => {
    tc = await startTestCenter(storage, 'embedded');
    const [d] = await tc.provision(1, `CH${storage === 'postgres' ? 'P' : 'L'}-`);
    unit = { id: d!.id, no: (await tc.center.devices.lookup(d!.id))!.no };
    await send(5, 1);
    await audited(6);
    await tc.center.chains.checkpoint();
  }, 60_000);
  afterAll(async () => {
    await tc?.close();
  });

  it('finds every chain intact as written, and says so through `ledger verify` and `audit verify`', async () => {
    const ledger = await tc.api<{ duplicates: number; chains: ChainVerification }>(
      'GET',
      '/api/v1/ledger/verify',
    );
    expect(ledger.status).toBe(200);
    expect(ledger.body.chains).toMatchObject({ intact: true, problems: [], unchained: 0 });
    // 5 frames and 20 events of the unit.
    expect(ledger.body.chains.links).toBe(25);
    expect(ledger.body.chains.checkpoint).not.toBeNull();
    const audit = await tc.api<ChainVerification>('GET', '/api/v1/audit/verify');
    expect(audit.status).toBe(200);
    expect(audit.body).toMatchObject({ intact: true, problems: [] });
    expect(audit.body.links).toBeGreaterThanOrEqual(6);
  });

  it('names an event whose content was changed', async () => {
    const e = await eventId(6);
    const before = await saved('events', e.id);
    await tamper([sql`update events set body = jsonb_set(body, '{code}', '"E0"') where id = ${e.id}`]);
    expect(await ledgerProblems()).toEqual([
      expect.objectContaining({
        kind: 'altered',
        chain: 'device',
        device: unit.id,
        record: 'event',
        seq: 6,
        pos: e.pos,
      }),
    ]);
    await tamper([sql`delete from events where id = ${e.id}`, putBack('events', before)]);
    expect(await ledgerProblems()).toEqual([]);
  });

  it('names an event that was added, removed, or moved', async () => {
    const e7 = await eventId(7);
    const e8 = await eventId(8);
    const row7 = await saved('events', e7.id);
    const row8 = await saved('events', e8.id);
    // Added: a copy of event 7 under a new id, at its place in the chain.
    await tamper([
      sql`insert into events select * from jsonb_populate_record(null::events,
        ${JSON.stringify({ ...(row7 as object), id: e7.id + 1_000_000 })}::jsonb)`,
    ]);
    expect(await ledgerProblems()).toEqual([
      expect.objectContaining({ kind: 'inserted', record: 'event', id: e7.id + 1_000_000, pos: e7.pos }),
    ]);
    await tamper([sql`delete from events where id = ${e7.id + 1_000_000}`]);
    // Removed.
    await tamper([sql`delete from events where id = ${e7.id}`]);
    expect(await ledgerProblems()).toEqual([expect.objectContaining({ kind: 'missing', pos: e7.pos })]);
    await tamper([putBack('events', row7)]);
    // Moved: events 7 and 8 swap their places (and hashes) in the chain.
    await tamper([
      sql`update events set chain_pos = ${e8.pos}, hash = (select hash from events where id = ${e8.id}) where id = ${e7.id}`,
      sql`update events set chain_pos = ${e7.pos}, hash = ${Buffer.from((row7 as { hash: string }).hash.slice(2), 'hex')}::bytea where id = ${e8.id}`,
    ]);
    expect(await ledgerProblems()).toEqual([
      expect.objectContaining({ kind: 'altered', record: 'event', seq: 8, pos: e7.pos }),
    ]);
    await tamper([
      sql`delete from events where id in (${e7.id}, ${e8.id})`,
      putBack('events', row7),
      putBack('events', row8),
    ]);
    expect(await ledgerProblems()).toEqual([]);
  });

  it('names a raw frame that was changed, added, removed or moved', async () => {
    const { raw } = await eventId(10);
    const row = (await saved('raw_messages', raw)) as { chain_pos: number; hash: string };
    const restore = [sql`delete from raw_messages where id = ${raw}`, putBack('raw_messages', row)];
    await tamper([sql`update raw_messages set frame = frame || ' ' where id = ${raw}`]);
    expect(await ledgerProblems()).toEqual([
      expect.objectContaining({ kind: 'altered', record: 'raw', id: raw, pos: row.chain_pos }),
    ]);
    await tamper(restore);
    await tamper([sql`delete from raw_messages where id = ${raw}`]);
    expect(await ledgerProblems()).toEqual([
      expect.objectContaining({ kind: 'missing', pos: row.chain_pos }),
    ]);
    await tamper([putBack('raw_messages', row)]);
    await tamper([
      sql`insert into raw_messages select * from jsonb_populate_record(null::raw_messages,
        ${JSON.stringify({ ...row, id: raw + 1_000_000 })}::jsonb)`,
    ]);
    expect(await ledgerProblems()).toEqual([
      expect.objectContaining({ kind: 'inserted', record: 'raw', id: raw + 1_000_000, pos: row.chain_pos }),
    ]);
    await tamper([sql`delete from raw_messages where id = ${raw + 1_000_000}`]);
    // Moved after the first event decoded from it.
    await tamper([sql`update raw_messages set chain_pos = chain_pos + 1 where id = ${raw}`]);
    const moved = await ledgerProblems();
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ chain: 'device', device: unit.id, pos: row.chain_pos });
    await tamper(restore);
    expect(await ledgerProblems()).toEqual([]);
  });

  it('keeps the audit log append-only, and names an audit record changed, added, removed or moved', async () => {
    const a = await auditRow(2);
    const b = await auditRow(3);
    await expect(sql`update audit_log set action = 'x' where id = ${a.id}`.execute(db())).rejects.toThrow(
      /append-only/,
    );
    await expect(sql`delete from audit_log where id = ${a.id}`.execute(db())).rejects.toThrow(/append-only/);
    const rowA = await saved('audit_log', a.id);
    const rowB = await saved('audit_log', b.id);
    const restore = [
      sql`delete from audit_log where id in (${a.id}, ${b.id})`,
      putBack('audit_log', rowA),
      putBack('audit_log', rowB),
    ];
    await tamper([sql`update audit_log set changes = '{"n": 99}' where id = ${a.id}`]);
    expect(await auditProblems()).toEqual([
      expect.objectContaining({
        kind: 'altered',
        chain: 'audit',
        lane: a.lane,
        record: 'audit',
        id: a.id,
        pos: a.pos,
      }),
    ]);
    await tamper(restore);
    await tamper([sql`delete from audit_log where id = ${a.id}`]);
    expect(await auditProblems()).toEqual([
      expect.objectContaining({ kind: 'missing', lane: a.lane, pos: a.pos }),
    ]);
    await tamper(restore);
    await tamper([
      sql`insert into audit_log overriding system value select * from jsonb_populate_record(null::audit_log,
        ${JSON.stringify({ ...(rowA as object), id: a.id + 1_000_000 })}::jsonb)`,
    ]);
    expect(await auditProblems()).toEqual([
      expect.objectContaining({ kind: 'inserted', record: 'audit', id: a.id + 1_000_000, pos: a.pos }),
    ]);
    await tamper([sql`delete from audit_log where id = ${a.id + 1_000_000}`]);
    await tamper([
      sql`update audit_log set chain_pos = case id when ${a.id} then ${b.pos}::int8 else ${a.pos}::int8 end,
        hash = case id when ${a.id} then ${Buffer.from((rowB as { hash: string }).hash.slice(2), 'hex')}::bytea
          else ${Buffer.from((rowA as { hash: string }).hash.slice(2), 'hex')}::bytea end
        where id in (${a.id}, ${b.id})`,
    ]);
    expect(await auditProblems()).toEqual([
      expect.objectContaining({ kind: 'altered', record: 'audit', id: b.id, pos: a.pos }),
    ]);
    await tamper(restore);
    expect(await auditProblems()).toEqual([]);
  });

  it('names a chain cut back behind its signed head, and a checkpoint another key signed', async () => {
    // The last frame's events removed, and the device row set back to match: only the checkpoint knows.
    const last = await eventId(20);
    const { rows } = await sql<{ row: unknown }>`
      select to_jsonb(d) as row from devices d where no = ${unit.no}`.execute(db());
    const deviceRow = rows[0]!.row as { chain_len: number; chain_head: string };
    const prev = await sql<{ hash: Buffer }>`
      select hash from events where device_no = ${unit.no} and chain_pos = ${last.pos - 1}`.execute(db());
    const row20 = await saved('events', last.id);
    await tamper([
      sql`delete from events where id = ${last.id}`,
      sql`update devices set chain_len = ${last.pos - 1}, chain_head = ${prev.rows[0]!.hash}::bytea where no = ${unit.no}`,
    ]);
    expect(await ledgerProblems()).toEqual([
      expect.objectContaining({ kind: 'missing', device: unit.id, pos: last.pos }),
    ]);
    await tamper([
      putBack('events', row20),
      sql`update devices set chain_len = ${deviceRow.chain_len},
        chain_head = ${Buffer.from(deviceRow.chain_head.slice(2), 'hex')}::bytea where no = ${unit.no}`,
    ]);
    expect(await ledgerProblems()).toEqual([]);

    // A checkpoint forged with another key, naming this center's key id.
    const latest = await sql<{ key_id: string; heads: string; signed: string }>`
      select key_id, heads, signed from chain_checkpoints order by id desc limit 1`.execute(db());
    const { key_id: keyId, heads, signed } = latest.rows[0]!;
    const forger = generateKeyPairSync('ed25519');
    await sql`insert into chain_checkpoints (at, key_id, heads, signed, signature)
      values (now(), ${keyId}, ${heads}, ${signed}, ${sign(null, Buffer.from(signed), forger.privateKey)}::bytea)`.execute(
      db(),
    );
    const found = await tc.center.chains.verifyLedger();
    expect(found.intact).toBe(false);
    expect(found.problems).toEqual([
      expect.objectContaining({ kind: 'checkpoint_signature', chain: 'checkpoint', record: 'checkpoint' }),
    ]);
    expect((await tc.center.chains.verifyAudit()).problems).toEqual([
      expect.objectContaining({ kind: 'checkpoint_signature' }),
    ]);
    await expect(sql`delete from chain_checkpoints where key_id = ${keyId}`.execute(db())).rejects.toThrow(
      /append-only/,
    );
    await tamper([sql`delete from chain_checkpoints where id = (select max(id) from chain_checkpoints)`]);
    expect(await ledgerProblems()).toEqual([]);
  });

  it('continues every chain after a restart', async () => {
    await tc.center.stop();
    tc.center = await startCenter(loadConfig(tc.env), createLogger('silent'));
    await send(2, 21);
    await audited(2);
    await tc.center.chains.checkpoint();
    const ledger = await tc.center.chains.verifyLedger();
    expect(ledger).toMatchObject({ intact: true, links: 35, problems: [] });
    // Signed at the first start, by the test, at the stop, at the second start and by the test again.
    expect(ledger.checkpoints).toBeGreaterThanOrEqual(5);
    expect(await tc.center.chains.verifyAudit()).toMatchObject({ intact: true, problems: [] });
  }, 60_000);
});
