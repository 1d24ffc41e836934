/**
 * The ledger's monthly partitions, on the embedded store and on a PostgreSQL server: each is sampled for the
 * planner's statistics at the targets migration 0008 set on its table, also the months created after it
 * (PostgreSQL does not copy a parent's targets to a new partition), so an ANALYZE of a month of events
 * reads 3,000 rows instead of 30,000 (ADR 0014).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensurePartitions, openDatabase, type DatabaseHandle } from '../src/db/database.js';
import type { Storage } from './harness.js';
import { createTestDatabase, hasPostgres } from './services.js';

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

describe.each(setups)('the ledger partitions on %s', (storage, available) => {
  let dir: string | undefined;
  let handle: DatabaseHandle | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (!available) return;
    dir = mkdtempSync(join(tmpdir(), 'sde-partitions-'));
    let url: string | undefined;
    if (storage === 'postgres') {
      const created = await createTestDatabase();
      url = created.url;
      drop = created.drop;
    }
    handle = await openDatabase({ url, dataDir: dir });
  });
  afterAll(async () => {
    await handle?.close();
    await drop?.();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** Each monthly partition of `table` with the statistics target of `columns` (null: the default). */
  async function targets(table: string, columns: string[]) {
    const { rows } = await sql<{ partition: string; column: string; target: number | null }>`
      select c.relname as partition, a.attname as column,
        case when a.attstattarget >= 0 then a.attstattarget::int end as target
      from pg_inherits i
      join pg_class c on c.oid = i.inhrelid
      join pg_attribute a on a.attrelid = c.oid
      where i.inhparent = ${table}::regclass and c.relname ~ '_[0-9]{6}$' and a.attname = any(${columns})
      order by 1, 2`.execute(handle!.db);
    return rows;
  }

  it.skipIf(!available)(
    'samples every month, also one created later, at the targets set on its table',
    async () => {
      // A center started a year and a half later creates the months around then.
      await ensurePartitions(handle!.db, new Date(Date.UTC(2028, 4, 15)));
      const events = await targets('events', ['device_no', 'time', 'body', 'flags']);
      const raws = await targets('raw_messages', ['device_no', 'frame']);
      const months = new Set(events.map((r) => r.partition.slice(-6)));
      expect(months.has('202806')).toBe(true);
      // At least the four months around now and the four around May 2028.
      expect(months.size).toBeGreaterThanOrEqual(8);
      expect(new Set(raws.map((r) => r.partition.slice(-6)))).toEqual(months);
      const expected = { device_no: 10, time: 10, body: 0, flags: 0, frame: 0 } as Record<string, number>;
      for (const r of [...events, ...raws]) expect({ ...r, target: expected[r.column] }).toEqual(r);
      // Starting again changes nothing and fails on nothing.
      await ensurePartitions(handle!.db, new Date(Date.UTC(2028, 4, 15)));
      expect(await targets('events', ['device_no', 'time', 'body', 'flags'])).toEqual(events);
    },
  );
});
