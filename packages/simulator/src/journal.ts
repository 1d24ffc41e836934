/**
 * The devices' memory: an append-only journal, one file per fleet process (`<stateDir>/journal.log`).
 *
 * A unit must keep its events for 72 h (home, T2.4) or 24 h (portable, T3) and must not lose an event it has
 * not delivered when it restarts or its battery dies. Every event is written (and, by default, fdatasync'ed)
 * to the journal before it counts as recorded and before it is published; acknowledgements, first
 * publications and received commands are journaled too. Appends from all devices are grouped into one
 * write per turn of the event loop (group commit), so thousands of devices cost one write, not thousands.
 *
 * The file is UTF-8 JSON lines. Replay is idempotent, so a line written twice does no harm:
 * - `{"k":"journal","v":1,"at":…}`               first line of every file (and of every compacted file)
 * - `{"k":"dev","d":id,"kind":…,"secret":…,"tx":…}` the device's identity and key, as its own memory holds them
 * - `{"k":"base","d":id,"seq":n,"acked":n,"pub":n}` after compaction: counters of events no longer listed
 * - `{"k":"ev","d":id,"e":{seq,t,kind,…}}`          one recorded event (a protocol v1 DeviceEvent)
 * - `{"k":"ack","d":id,"through":n}`               the center acknowledged events up to n
 * - `{"k":"pub","d":id,"seq":n}`                   events up to n were published at least once
 * - `{"k":"set","d":id,"s":{…}}`                   the device's settings and stored messages after a command
 *
 * A torn last line (a crash in the middle of a write) is cut off on open. When the file outgrows its limit it
 * is compacted: a snapshot of the live state, minus acknowledged events older than the retention period, is
 * written to a temporary file, synced, and renamed over the journal.
 */
import { closeSync, fsyncSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, open, readFile, rename, truncate, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeviceEvent, EventBody } from '@sde/protocol';

/** The kinds of unit that connect to the center themselves (a transmitter is heard through a unit). */
export type UnitKind = 'home_unit' | 'portable_unit' | 'protected_unit';

/** Hours a unit keeps its events, acknowledged or not: 72 h for a home unit (T2.4), 24 h for a portable one (T3). */
export const RETENTION_MS: Record<UnitKind, number> = {
  home_unit: 72 * 3600_000,
  portable_unit: 24 * 3600_000,
  protected_unit: 24 * 3600_000,
};

/** A message the center sent to the unit (T2.5); `readAt` is set when the person has read it. */
export interface StoredMessage {
  id: string;
  text: string;
  receivedAt: number;
  readAt?: number;
}

/** What the unit keeps besides events: settings from commands, messages, and which commands it has done. */
export interface DeviceSettings {
  rangeM?: number;
  intervalSec?: number;
  messages: StoredMessage[];
  /** Ids of the commands already applied, so a command delivered twice is applied once. */
  commandIds: string[];
}

/** One device's memory as the journal holds it. */
export interface DeviceMemory {
  id: string;
  kind: UnitKind;
  secret: string;
  /** The transmitter paired with the unit (for a protected-person unit: the monitored person's). */
  tx?: string;
  /** Highest sequence number recorded. */
  lastSeq: number;
  /** Highest sequence number written to disk; only these may be published. */
  durable: number;
  /** Highest sequence number the center acknowledged (`through`). */
  acked: number;
  /** Highest sequence number published at least once. */
  published: number;
  /** Retained events, contiguous and ascending by seq: every unacknowledged one plus the recent acknowledged ones. */
  events: DeviceEvent[];
  settings: DeviceSettings;
}

/** Options of a journal file. */
export interface JournalOptions {
  /** fdatasync after every group of appends, so a power cut loses nothing recorded (default true). */
  fsync?: boolean;
  /** Compact when the file exceeds this many bytes, or twice its last compacted size (default 64 MiB). */
  compactBytes?: number;
  /** Overrides the regulation's retention (72 h / 24 h); benchmarks lower it to bound memory. */
  retainMs?: number;
}

/** Identity of a device to register in the journal. */
export interface DeviceIdentity {
  id: string;
  kind: UnitKind;
  secret: string;
  tx?: string;
}

type Line =
  | { k: 'journal'; v: number; at: number }
  | { k: 'dev'; d: string; kind: UnitKind; secret: string; tx?: string }
  | { k: 'base'; d: string; seq: number; acked: number; pub: number }
  | { k: 'ev'; d: string; e: DeviceEvent }
  | { k: 'ack'; d: string; through: number }
  | { k: 'pub'; d: string; seq: number }
  | { k: 'set'; d: string; s: DeviceSettings };

/** File name of the journal inside a state directory. */
export const JOURNAL_FILE = 'journal.log';
const LOCK_FILE = 'journal.lock';
const DEFAULT_COMPACT_BYTES = 64 * 1024 * 1024;

/** A journal is already open in another live process. */
export class JournalLockedError extends Error {
  readonly code = 'journal_locked';
}

interface FlushGeneration {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
  durable: Map<DeviceMemory, number>;
}

/** The append-only journal of a fleet of devices; without a directory it only keeps memory (for tests). */
export class Journal {
  private readonly devices = new Map<string, DeviceMemory>();
  private buffer: string[] = [];
  private generation: FlushGeneration | undefined;
  private writing = false;
  private scheduled = false;
  private failure: unknown;
  private size = 0;
  private compactLimit: number;
  private closed = false;

  private constructor(
    private readonly dir: string | undefined,
    private fh: FileHandle | undefined,
    private readonly options: JournalOptions,
  ) {
    this.compactLimit = options.compactBytes ?? DEFAULT_COMPACT_BYTES;
  }

  /** A journal that keeps memory only: devices forget everything when the process ends. */
  static memory(options: JournalOptions = {}): Journal {
    return new Journal(undefined, undefined, options);
  }

  /**
   * Opens (or creates) the journal of `dir`, replays it and takes the directory's lock; a lock left by a
   * process that is no longer running is taken over.
   */
  static async open(dir: string, options: JournalOptions = {}): Promise<Journal> {
    await mkdir(dir, { recursive: true });
    acquireLock(dir);
    try {
      const path = join(dir, JOURNAL_FILE);
      const { devices, goodBytes, totalBytes } = await replayFile(path);
      if (goodBytes < totalBytes) await truncate(path, goodBytes);
      const fh = await open(path, 'a', 0o600);
      const journal = new Journal(dir, fh, options);
      for (const [id, memory] of devices) journal.devices.set(id, memory);
      journal.size = goodBytes;
      if (goodBytes === 0) void journal.append({ k: 'journal', v: 1, at: Date.now() });
      journal.compactLimit = Math.max(journal.compactLimit, goodBytes * 2);
      return journal;
    } catch (err) {
      releaseLock(dir);
      throw err;
    }
  }

  /** Reads the journal of `dir` without opening it for writing (e.g. for a read-out while the fleet runs). */
  static async read(dir: string): Promise<Map<string, DeviceMemory>> {
    return (await replayFile(join(dir, JOURNAL_FILE))).devices;
  }

  /** The memory of device `id`, if the journal knows it. */
  device(id: string): DeviceMemory | undefined {
    return this.devices.get(id);
  }

  /** Every device the journal knows. */
  all(): IterableIterator<DeviceMemory> {
    return this.devices.values();
  }

  /** Returns the device's memory, creating it (or updating its key, kind or transmitter) as needed. */
  register(identity: DeviceIdentity): DeviceMemory {
    let memory = this.devices.get(identity.id);
    if (!memory) {
      memory = {
        ...identity,
        lastSeq: 0,
        durable: 0,
        acked: 0,
        published: 0,
        events: [],
        settings: { messages: [], commandIds: [] },
      };
      this.devices.set(identity.id, memory);
    } else if (
      memory.secret === identity.secret &&
      memory.kind === identity.kind &&
      (identity.tx === undefined || memory.tx === identity.tx)
    ) {
      return memory;
    } else {
      memory.secret = identity.secret;
      memory.kind = identity.kind;
      if (identity.tx !== undefined) memory.tx = identity.tx;
    }
    void this.append(devLine(memory));
    return memory;
  }

  /**
   * Records an event with the next sequence number. The event is in memory at once; `durable` resolves when it
   * is on disk, and only then may it be published.
   */
  record(memory: DeviceMemory, body: EventBody, t: number): { event: DeviceEvent; durable: Promise<void> } {
    if (this.failure !== undefined) throw this.failure;
    if (this.closed) throw new Error('the journal is closed');
    const event = { ...body, seq: memory.lastSeq + 1, t: Math.max(0, Math.round(t)) } as DeviceEvent;
    memory.lastSeq = event.seq;
    memory.events.push(event);
    const durable = this.append({ k: 'ev', d: memory.id, e: event }, memory, event.seq);
    return { event, durable };
  }

  /** Notes the center's acknowledgement; returns false when it acknowledges nothing new. */
  acknowledge(memory: DeviceMemory, through: number): boolean {
    const capped = Math.min(through, memory.lastSeq);
    if (capped <= memory.acked) return false;
    memory.acked = capped;
    if (memory.published < capped) memory.published = capped;
    void this.append({ k: 'ack', d: memory.id, through: capped }).catch(() => undefined);
    return true;
  }

  /** Notes that events up to `seq` have been published at least once. */
  published(memory: DeviceMemory, seq: number): void {
    if (seq <= memory.published) return;
    memory.published = seq;
    void this.append({ k: 'pub', d: memory.id, seq }).catch(() => undefined);
  }

  /** Writes the device's settings and messages; resolves when they are on disk. */
  saveSettings(memory: DeviceMemory): Promise<void> {
    return this.append({ k: 'set', d: memory.id, s: structuredClone(memory.settings) });
  }

  /** The retained event with sequence number `seq`, if still retained. */
  event(memory: DeviceMemory, seq: number): DeviceEvent | undefined {
    const first = memory.events[0];
    if (!first) return undefined;
    return memory.events[seq - first.seq];
  }

  /** Forgets acknowledged events older than the retention period (from memory now, from disk at compaction). */
  prune(now = Date.now()): void {
    for (const memory of this.devices.values()) pruneMemory(memory, now - this.retention(memory.kind));
  }

  /** Resolves when everything appended so far is on disk. */
  async flush(): Promise<void> {
    while (this.generation || this.writing) {
      if (this.generation) await this.generation.promise;
      else await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Flushes, closes the file and releases the directory's lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush().catch(() => undefined);
    this.closed = true;
    await this.fh?.close();
    this.fh = undefined;
    if (this.dir) releaseLock(this.dir);
  }

  /** Rewrites the journal as a snapshot of the live state now (normally done when the file grows too big). */
  async compact(): Promise<void> {
    await this.flush();
    this.writing = true;
    try {
      await this.compactNow();
    } finally {
      this.writing = false;
      this.scheduleFlush();
    }
  }

  private retention(kind: UnitKind): number {
    return this.options.retainMs ?? RETENTION_MS[kind];
  }

  private append(line: Line, memory?: DeviceMemory, seq?: number): Promise<void> {
    // A journal in memory only (a load generator's) has no file to write the line to.
    if (this.dir !== undefined) this.buffer.push(JSON.stringify(line) + '\n');
    if (!this.generation) {
      let resolve!: () => void;
      let reject!: (err: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      // Callers that only fire and forget must not cause unhandled rejections.
      promise.catch(() => undefined);
      this.generation = { promise, resolve, reject, durable: new Map() };
    }
    if (memory && seq !== undefined) this.generation.durable.set(memory, seq);
    this.scheduleFlush();
    return this.generation.promise;
  }

  private scheduleFlush(): void {
    if (this.scheduled || this.writing || !this.generation) return;
    this.scheduled = true;
    setImmediate(() => void this.runFlush());
  }

  private async runFlush(): Promise<void> {
    this.scheduled = false;
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.generation) {
        const generation = this.generation;
        const data = this.buffer.join('');
        this.buffer = [];
        this.generation = undefined;
        try {
          if (this.fh) {
            await this.fh.write(data);
            if (this.options.fsync ?? true) await this.fh.datasync();
            this.size += Buffer.byteLength(data);
          }
        } catch (err) {
          this.failure = err;
          generation.reject(err);
          continue;
        }
        for (const [memory, seq] of generation.durable) if (seq > memory.durable) memory.durable = seq;
        generation.resolve();
        if (this.fh && this.size > this.compactLimit) await this.compactNow();
      }
    } finally {
      this.writing = false;
    }
  }

  private async compactNow(): Promise<void> {
    if (!this.dir || !this.fh) return;
    const now = Date.now();
    const path = join(this.dir, JOURNAL_FILE);
    const tmp = `${path}.tmp`;
    const out = await open(tmp, 'w', 0o600);
    let size = 0;
    try {
      let chunk: string[] = [JSON.stringify({ k: 'journal', v: 1, at: now } satisfies Line) + '\n'];
      const write = async (): Promise<void> => {
        const data = chunk.join('');
        chunk = [];
        await out.write(data);
        size += Buffer.byteLength(data);
      };
      for (const memory of this.devices.values()) {
        pruneMemory(memory, now - this.retention(memory.kind));
        // Only what is on disk already may go into the snapshot; later events follow in the buffer.
        const events = memory.events.filter((e) => e.seq <= memory.durable);
        const before = (events[0]?.seq ?? memory.durable + 1) - 1;
        chunk.push(JSON.stringify(devLine(memory)) + '\n');
        chunk.push(
          JSON.stringify({
            k: 'base',
            d: memory.id,
            seq: before,
            acked: memory.acked,
            pub: memory.published,
          } satisfies Line) + '\n',
        );
        if (memory.settings.messages.length > 0 || memory.settings.commandIds.length > 0) {
          chunk.push(JSON.stringify({ k: 'set', d: memory.id, s: memory.settings } satisfies Line) + '\n');
        }
        for (const e of events)
          chunk.push(JSON.stringify({ k: 'ev', d: memory.id, e } satisfies Line) + '\n');
        if (chunk.length > 10_000) await write();
      }
      await write();
      await out.datasync();
    } finally {
      await out.close();
    }
    await rename(tmp, path);
    syncDir(this.dir);
    const old = this.fh;
    this.fh = await open(path, 'a', 0o600);
    await old.close();
    this.size = size;
    this.compactLimit = Math.max(this.options.compactBytes ?? DEFAULT_COMPACT_BYTES, size * 2);
  }
}

function devLine(memory: DeviceMemory): Line {
  return {
    k: 'dev',
    d: memory.id,
    kind: memory.kind,
    secret: memory.secret,
    ...(memory.tx !== undefined ? { tx: memory.tx } : {}),
  };
}

function pruneMemory(memory: DeviceMemory, before: number): void {
  let drop = 0;
  for (const e of memory.events) {
    if (e.seq > memory.acked || e.t >= before) break;
    drop++;
  }
  if (drop > 0) memory.events.splice(0, drop);
}

/** Replays a journal file; a missing file is an empty journal. `goodBytes` ends at the last complete line. */
async function replayFile(
  path: string,
): Promise<{ devices: Map<string, DeviceMemory>; goodBytes: number; totalBytes: number }> {
  const devices = new Map<string, DeviceMemory>();
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { devices, goodBytes: 0, totalBytes: 0 };
    throw err;
  }
  let start = 0;
  while (start < data.length) {
    const end = data.indexOf(10, start);
    if (end < 0) break;
    const text = data.toString('utf8', start, end);
    start = end + 1;
    let line: Line;
    try {
      line = JSON.parse(text) as Line;
    } catch {
      continue; // a damaged line in the middle: skip it, the rest is still good
    }
    applyLine(devices, line);
  }
  return { devices, goodBytes: start, totalBytes: data.length };
}

function applyLine(devices: Map<string, DeviceMemory>, line: Line): void {
  if (line.k === 'journal') return;
  let memory = devices.get(line.d);
  if (line.k === 'dev') {
    if (!memory) {
      memory = {
        id: line.d,
        kind: line.kind,
        secret: line.secret,
        lastSeq: 0,
        durable: 0,
        acked: 0,
        published: 0,
        events: [],
        settings: { messages: [], commandIds: [] },
      };
      devices.set(line.d, memory);
    }
    memory.kind = line.kind;
    memory.secret = line.secret;
    if (line.tx !== undefined) memory.tx = line.tx;
    return;
  }
  if (!memory) return; // a line of a device whose identity line was lost: nothing to attach it to
  switch (line.k) {
    case 'base':
      if (line.seq > memory.lastSeq) {
        memory.lastSeq = line.seq;
        memory.durable = line.seq;
        memory.events = [];
      }
      memory.acked = Math.max(memory.acked, line.acked);
      memory.published = Math.max(memory.published, line.pub);
      break;
    case 'ev':
      if (line.e.seq === memory.lastSeq + 1) {
        memory.events.push(line.e);
        memory.lastSeq = line.e.seq;
        memory.durable = line.e.seq;
      } else if (line.e.seq > memory.lastSeq) {
        // A gap can only come from a damaged line; keep what follows rather than lose it.
        memory.events = [line.e];
        memory.lastSeq = line.e.seq;
        memory.durable = line.e.seq;
      }
      break;
    case 'ack':
      memory.acked = Math.max(memory.acked, line.through);
      memory.published = Math.max(memory.published, line.through);
      break;
    case 'pub':
      memory.published = Math.max(memory.published, line.seq);
      break;
    case 'set':
      memory.settings = line.s;
      break;
  }
}

function acquireLock(dir: string): void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(readFileSafe(path), 10);
    if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
      throw new JournalLockedError(`the journal in ${dir} is in use by process ${holder}`);
    }
    if (holder === process.pid) {
      throw new JournalLockedError(`the journal in ${dir} is already open in this process`);
    }
    try {
      unlinkSync(path); // left behind by a process that died
    } catch {
      // another process took it over first; the next attempt tells
    }
  }
  throw new JournalLockedError(`could not lock the journal in ${dir}`);
}

function releaseLock(dir: string): void {
  try {
    const path = join(dir, LOCK_FILE);
    if (readFileSafe(path) === String(process.pid)) unlinkSync(path);
  } catch {
    // nothing to release
  }
}

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function syncDir(dir: string): void {
  // fsync of the directory makes the rename durable; some platforms refuse it, which is harmless here.
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // best effort
  }
}
