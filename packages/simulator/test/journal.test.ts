import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JOURNAL_FILE, Journal, JournalLockedError } from '../src/index.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sde-sim-journal-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const unit = { id: 'HU-1', kind: 'home_unit', secret: 's3cret' } as const;

describe('journal', () => {
  it('replays events, acks, publications and settings after a reopen', async () => {
    const journal = await Journal.open(dir);
    const memory = journal.register(unit);
    for (let i = 0; i < 5; i++) await journal.record(memory, { kind: 'unit_moved' }, 1000 + i).durable;
    journal.published(memory, 4);
    journal.acknowledge(memory, 3);
    memory.settings.messages.push({ id: 'm1', text: 'hello', receivedAt: 5 });
    await journal.saveSettings(memory);
    await journal.close();

    const again = await Journal.open(dir);
    const replayed = again.device('HU-1');
    expect(replayed).toMatchObject({ lastSeq: 5, durable: 5, acked: 3, published: 4, secret: 's3cret' });
    expect(replayed?.events.map((e) => [e.seq, e.t])).toEqual([
      [1, 1000],
      [2, 1001],
      [3, 1002],
      [4, 1003],
      [5, 1004],
    ]);
    expect(replayed?.settings.messages).toEqual([{ id: 'm1', text: 'hello', receivedAt: 5 }]);
    if (replayed) expect(again.record(replayed, { kind: 'unit_moved' }, 9).event.seq).toBe(6);
    await again.close();
  });

  it('cuts off a torn last line left by a crash and keeps appending cleanly', async () => {
    const journal = await Journal.open(dir);
    const memory = journal.register(unit);
    await journal.record(memory, { kind: 'unit_moved' }, 1).durable;
    await journal.close();
    await appendFile(join(dir, JOURNAL_FILE), '{"k":"ev","d":"HU-1","e":{"seq":2,"t":2,"ki');
    const again = await Journal.open(dir);
    const m = again.device('HU-1');
    expect(m?.lastSeq).toBe(1);
    if (m) await again.record(m, { kind: 'unit_case_tamper' }, 3).durable;
    await again.close();
    const lines = (await readFile(join(dir, JOURNAL_FILE), 'utf8')).trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line) as unknown).not.toThrow();
    expect((await Journal.read(dir)).get('HU-1')?.events.map((e) => e.kind)).toEqual([
      'unit_moved',
      'unit_case_tamper',
    ]);
  });

  it('compacts: drops acknowledged events past retention, keeps counters, unacked and recent events', async () => {
    const journal = await Journal.open(dir, { retainMs: 60_000, fsync: false });
    const memory = journal.register(unit);
    const now = Date.now();
    for (let i = 0; i < 100; i++) journal.record(memory, { kind: 'unit_moved' }, now - 120_000 + i);
    for (let i = 0; i < 10; i++) journal.record(memory, { kind: 'unit_moved' }, now);
    await journal.flush();
    journal.acknowledge(memory, 105);
    const before = (await stat(join(dir, JOURNAL_FILE))).size;
    await journal.compact();
    const after = (await stat(join(dir, JOURNAL_FILE))).size;
    expect(after).toBeLessThan(before);
    await journal.record(memory, { kind: 'unit_power_lost' }, now).durable;
    await journal.close();
    const replayed = (await Journal.read(dir)).get('HU-1');
    expect(replayed).toMatchObject({ lastSeq: 111, acked: 105, published: 105 });
    expect(replayed?.events.map((e) => e.seq)).toEqual([
      101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111,
    ]);
  });

  it('refuses a second open of the same directory, and takes over a lock left by a dead process', async () => {
    const journal = await Journal.open(dir);
    await expect(Journal.open(dir)).rejects.toBeInstanceOf(JournalLockedError);
    await journal.close();
    await writeFile(join(dir, 'journal.lock'), '999999999');
    const again = await Journal.open(dir);
    await again.close();
  });
});
