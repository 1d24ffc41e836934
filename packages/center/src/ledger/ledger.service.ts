/**
 * The ledger: dedupe on (device, seq), durable append, and only then the acknowledgement.
 *
 * Batches from all devices queue here and are written together, one statement per group (group commit):
 * under load a group grows, so throughput rises while each batch still waits for at most one commit.
 * One group at a time per lane, and a device always in the same lane, keeps every device's batches in
 * arrival order and makes this process the single writer of each device's acknowledged mark (ADR 0002).
 */
import type { EventsMessage } from '@sde/protocol';
import { AppError } from '../errors.js';
import { withoutPriority, withPriority } from '../db/priority.js';
import type { Metrics } from '../metrics.js';
import type {
  ChainHead,
  LedgerEventRow,
  LedgerRawRow,
  LedgerRepository,
  LedgerDeviceUpdate,
  QuarantineRow,
} from './ledger.repository.js';
import { DEFAULT_MAX_SEQ_AHEAD, FUTURE_TIME_FLAG, lowestSeq, MAX_FUTURE_MS } from './plausibility.js';

/** An authenticated, valid batch to store. */
export interface LedgerBatch {
  deviceNo: number;
  message: EventsMessage;
  frame: string;
  receivedAt: Date;
  source: 'mqtt' | 'readout';
}

/** What storing a batch achieved: the device may free every event up to `through`. */
export interface LedgerOutcome {
  through: number;
  stored: number;
  duplicates: number;
  /**
   * Sequence numbers of the batch already stored with other content (a unit that reused its numbers):
   * not stored, not counted among `duplicates`, and refused to the unit with `seq_reused` (ADR 0504).
   * Absent when there are none.
   */
  reused?: number[];
}

/** The ledger is full; the device keeps its events and retries. */
export class OverloadedError extends AppError {
  constructor(message = 'the center is storing a backlog; retry shortly') {
    super('overloaded', message, 503);
  }
}

/** The store refused this batch's data; the batch was written alone, so no other unit's events failed with it. */
export class UnstorableBatchError extends AppError {
  constructor(reason: string) {
    super('invalid_message', `the center cannot store this batch: ${reason}`, 422);
  }
}

/**
 * The frame's sequence numbers lie implausibly far above the unit's acknowledged mark (a broken counter or a
 * forged unit, ADR 0408): nothing of it is stored, the frame is kept in quarantine for the Bureau.
 */
export class SeqOutOfRangeError extends AppError {
  constructor(
    readonly through: number,
    readonly highest: number,
    readonly window: number,
  ) {
    super(
      'seq_out_of_range',
      `sequence number ${highest} is more than ${window} above the last acknowledged (${through}); ` +
        "the frame is refused and kept for inspection: the unit's counter needs a technician",
      422,
    );
  }
}

/**
 * Another process kept storing these units' events while this one tried (two centers taking the same units'
 * frames): the units keep their events and retransmit.
 */
export class ContendedError extends OverloadedError {
  constructor() {
    super('another writer is storing these events; retry shortly');
  }
}

/**
 * How far from the center time a retransmitted copy would have now its stored copy is looked for first:
 * the same event differs only by the drift and transit between the two measured offsets (ADR 0504).
 */
const REUSE_WINDOW_MS = 10 * 60_000;

/** The reuse check of a frame with no number the ledger already holds. */
const NONE_REUSED: Promise<number[]> = Promise.resolve([]);

/** Writes of a group's devices that met events another process had stored, before giving up. */
const MAX_CONFLICT_ATTEMPTS = 5;

/**
 * The one refusal of a full queue, made once: a storm of refusals would otherwise spend its CPU capturing
 * stack traces (4 % of the center's time in a measured storm).
 */
const OVERLOADED = new OverloadedError();
/** The refusal of a frame that starts above a hole while the queue is more than half full (see `submit`). */
const OUT_OF_TURN = new OverloadedError(
  "the center is storing a backlog and takes each unit's events in order; retransmit from the first unacknowledged event",
);

/** An event as committed to the ledger, handed to listeners (the compliance engine) after the commit. */
export interface CommittedEvent {
  deviceNo: number;
  deviceId: string;
  seq: number;
  kind: string;
  /** Center-clock time of the event (device time corrected by the measured offset), ms. */
  time: number;
  /** Device-clock time, ms. */
  deviceTime: number;
  receivedAt: number;
  source: 'mqtt' | 'readout';
  body: Record<string, unknown>;
  flags: string[];
}

/** Called after each commit with the events stored for the first time; must not throw. */
export type CommitListener = (events: CommittedEvent[]) => void;

/**
 * Event kinds that jump the queue: when a backlog builds (thousands of units reconnecting after an outage),
 * a cut strap or a protected person's alarm must not wait behind hours of heartbeats (T4.3: immediately).
 */
export const URGENT_KINDS: ReadonlySet<string> = new Set([
  'tx_strap_tamper',
  'tx_case_tamper',
  'unit_case_tamper',
  'unit_moved',
  'proximity_tx_heard',
]);

/** The flag of an event whose time the unit corrected for a clock step since it stamped it (`adj`, v1.1). */
export const CLOCK_ADJUSTED_FLAG = 'clock_adjusted';

/** A clock more than this far from the center's is flagged on the events it stamped. */
export const CLOCK_SUSPECT_MS = 60_000;
const MAX_GROUP_EVENTS = 8_000;
/**
 * Frames per group: each brings a raw row and a device-mark update besides its events, so 8,000 single-event
 * frames make a group several times longer than 2,000 four-event ones — and an urgent batch waits for the
 * group being written.
 */
const MAX_GROUP_FRAMES = 2_000;

interface Watermark {
  through: number;
  above: Set<number>;
  max: number;
  clockOffsetMs: number | null;
  /** The device's hash chain as stored (ADR 0701): kept here so a group never reads it. */
  chain: ChainHead;
}

interface Pending {
  batch: LedgerBatch;
  /** Events of the frame left out because they were already stored or queued. */
  known: number;
  /** Holds an urgent event (URGENT_KINDS): queued first and written in a group of its own. */
  urgent: boolean;
  resolve: (o: LedgerOutcome) => void;
  reject: (e: unknown) => void;
}

/** SQLSTATE classes of data the store refuses: 22 data exception, 23 integrity constraint violation. */
function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

/** Creates the ledger. */
export function createLedger(deps: {
  repo: LedgerRepository;
  metrics: Pick<
    Metrics,
    | 'eventsStored'
    | 'eventsDuplicate'
    | 'eventsImplausible'
    | 'ingestLatency'
    | 'ledgerGroupSize'
    | 'ledgerQueued'
  >;
  maxQueuedEvents: number;
  /**
   * How far above its acknowledged mark a unit's sequence numbers may go before its frame is refused and
   * quarantined (`SDE_INGEST_MAX_SEQ_AHEAD`, ADR 0408).
   */
  maxSeqAhead?: number;
  /**
   * Groups written at the same time, each for its own share of the devices (device number modulo lanes),
   * so one device's batches stay in order. 1 for PGlite (one connection); more lets a PostgreSQL server use
   * several cores.
   */
  lanes?: number;
}) {
  const { repo, metrics } = deps;
  const marks = new Map<number, Watermark>();
  const listeners: CommitListener[] = [];
  const lanes = Math.max(1, deps.lanes ?? 1);
  const maxSeqAhead = deps.maxSeqAhead ?? DEFAULT_MAX_SEQ_AHEAD;
  // A local of the closure: read once per event in the group builder's loop.
  const maxFutureMs = MAX_FUTURE_MS;
  const queues: Pending[][] = Array.from({ length: lanes }, () => []);
  const writing: (Promise<void> | undefined)[] = Array.from({ length: lanes }, () => undefined);
  let queuedEvents = 0;
  // Sequence numbers waiting in the queue per device, and each device's latest queued write: a device that
  // retransmits while its events wait (a slow disk, a backlog after an outage) is answered from these
  // instead of queueing the same events again.
  const queuedSeqs = new Map<number, Set<number>>();
  const lastQueued = new Map<number, Promise<unknown>>();

  function isKnown(deviceNo: number, seq: number): boolean {
    const mark = marks.get(deviceNo);
    if (mark && (seq <= mark.through || mark.above.has(seq))) return true;
    return queuedSeqs.get(deviceNo)?.has(seq) ?? false;
  }

  /** Whether the first of `events` lies above a number its device has neither stored nor queued. */
  function startsAboveHole(deviceNo: number, events: readonly { seq: number }[]): boolean {
    const mark = marks.get(deviceNo);
    // A device not read yet (its first frame since the start): nothing is known to be missing.
    if (!mark) return false;
    let missing = mark.through + 1;
    while (isKnown(deviceNo, missing)) missing++;
    return events.reduce((first, e) => Math.min(first, e.seq), Infinity) > missing;
  }

  function submit(frame: LedgerBatch): Promise<LedgerOutcome> {
    const no = frame.deviceNo;
    const all = frame.message.events;
    // Only events not already stored or queued are queued: a unit that retransmits its whole window while
    // the first copy waits (a backlog after a connection storm) would otherwise fill the queue with copies,
    // slow every group and be refused as overloaded — and retransmit again.
    const events: typeof all = [];
    let seen: typeof all | undefined;
    for (const e of all) {
      if (!isKnown(no, e.seq)) events.push(e);
      else (seen ??= []).push(e);
    }
    const known = all.length - events.length;
    const batch = known === 0 ? frame : { ...frame, message: { ...frame.message, events } };
    // Events already stored or queued are compared with what is stored — only these, once the device's
    // queued writes are done: a retransmission is rare, and a new number costs no read (ADR 0504).
    const before = lastQueued.get(no) ?? Promise.resolve();
    if (events.length === 0) {
      const reusedCheck = checkReused(frame, seen!, before);
      reusedCheck.catch(() => undefined); // its failure reaches the caller through `withReused`
      // Nothing new: acknowledge once this device's queued writes are done, writing nothing.
      const answer = (): LedgerOutcome => ({
        through: marks.get(no)?.through ?? 0,
        stored: 0,
        duplicates: all.length,
      });
      return before.then(answer, answer).then((o) => withReused(o, reusedCheck));
    }
    if (queuedEvents + events.length > deps.maxQueuedEvents) return Promise.reject(OVERLOADED);
    const urgent = events.some((e) => URGENT_KINDS.has(e.kind));
    // A full queue refuses frames, and a frame refused leaves a hole before the unit's next ones: stored
    // above the hole, those cannot be acknowledged, so the unit sees no progress and retransmits its whole
    // window, while the center spends its backlog's time on events it cannot answer for — on a host short
    // of CPU, a collapse (ADR 0012). Past half the queue, a unit's events are taken in order only; urgent
    // ones still go first, so an alarm is never held behind a hole.
    if (!urgent && queuedEvents + events.length > deps.maxQueuedEvents / 2 && startsAboveHole(no, events))
      return Promise.reject(OUT_OF_TURN);
    const reusedCheck = seen ? checkReused(frame, seen, before) : NONE_REUSED;
    // A failed read reaches the caller through `withReused` (the unit retransmits); if the write fails
    // first, nobody waits for it, and Node must not report it as unhandled.
    reusedCheck.catch(() => undefined);
    queuedEvents += events.length;
    metrics.ledgerQueued.set(queuedEvents);
    let seqs = queuedSeqs.get(no);
    if (!seqs) queuedSeqs.set(no, (seqs = new Set()));
    for (const e of events) seqs.add(e.seq);
    const lane = no % lanes;
    const done = new Promise<LedgerOutcome>((resolve, reject) => {
      if (urgent) queues[lane]!.unshift({ batch, known, urgent, resolve, reject });
      else queues[lane]!.push({ batch, known, urgent, resolve, reject });
    });
    lastQueued.set(no, done);
    const forget = () => {
      const set = queuedSeqs.get(no);
      for (const e of events) set?.delete(e.seq);
      if (set?.size === 0) queuedSeqs.delete(no);
      if (lastQueued.get(no) === done) lastQueued.delete(no);
    };
    done.then(forget, forget);
    writing[lane] ??= pump(lane);
    return seen ? done.then((o) => withReused(o, reusedCheck)) : done;
  }

  /**
   * The numbers among `seen` (events of a frame the ledger already holds) stored with other content, once
   * `before` (the device's queued writes) is done; each is counted and noted on the device (ADR 0504).
   */
  async function checkReused(
    frame: LedgerBatch,
    seen: EventsMessage['events'],
    before: Promise<unknown>,
  ): Promise<number[]> {
    await before.catch(() => undefined);
    const deviceNo = frame.deviceNo;
    const at = frame.receivedAt;
    // The center time each copy would have now, as `writeGroup` dates it: where the stored copy lies.
    const offset =
      frame.source === 'mqtt' ? at.getTime() - frame.message.ts : (marks.get(deviceNo)?.clockOffsetMs ?? 0);
    const reused = await repo.differing(
      deviceNo,
      seen.map((e) => {
        const { seq, t, kind, adj, ...body } = e;
        return { seq, kind, deviceTime: t, time: t + (adj ?? 0) + offset, body };
      }),
      REUSE_WINDOW_MS,
    );
    metrics.eventsDuplicate.inc(seen.length - reused.length);
    if (reused.length > 0) {
      metrics.eventsImplausible.inc({ reason: 'seq_reused' }, reused.length);
      await repo.noteReused(deviceNo, reused.length, Math.max(...reused), at);
    }
    return reused;
  }

  /** `outcome` with the reused numbers of its frame taken out of its duplicates. */
  async function withReused(outcome: LedgerOutcome, check: Promise<number[]>): Promise<LedgerOutcome> {
    const reused = await check;
    return reused.length === 0
      ? outcome
      : { ...outcome, duplicates: outcome.duplicates - reused.length, reused };
  }

  async function pump(lane: number): Promise<void> {
    try {
      for (;;) {
        const queue = queues[lane]!;
        if (queue.length === 0) break;
        // Urgent batches (at the front, see `submit`) form a group of their own: a few events commit in
        // milliseconds, where a full group behind a backlog takes a second.
        const urgentGroup = queue[0]!.urgent;
        let size = 0;
        let take = 0;
        while (
          take < queue.length &&
          (take === 0 ||
            (size + queue[take]!.batch.message.events.length <= MAX_GROUP_EVENTS &&
              take < MAX_GROUP_FRAMES &&
              (!urgentGroup || queue[take]!.urgent)))
        ) {
          size += queue[take]!.batch.message.events.length;
          take++;
        }
        const group = queue.splice(0, take);
        try {
          // …and go first for the connection too.
          await (urgentGroup ? withPriority(() => writeIsolating(group)) : writeIsolating(group));
        } finally {
          queuedEvents -= size;
          metrics.ledgerQueued.set(queuedEvents);
        }
      }
    } finally {
      writing[lane] = undefined;
    }
  }

  /**
   * Writes a group; when the store refuses its data (a value it cannot hold that validation let through),
   * writes each half on its own, down to the one batch at fault, so that one unit's bad batch is refused
   * alone instead of failing the other units' events written with it. Any other failure (the store is
   * down) fails the whole group: every unit keeps its events and retransmits.
   */
  async function writeIsolating(group: Pending[]): Promise<void> {
    try {
      await writeGroup(group);
    } catch (err) {
      if (!isDataError(err)) {
        for (const p of group) p.reject(err);
        return;
      }
      if (group.length === 1) {
        group[0]!.reject(new UnstorableBatchError(err instanceof Error ? err.message : String(err)));
        return;
      }
      const half = group.length >> 1;
      await writeIsolating(group.slice(0, half));
      await writeIsolating(group.slice(half));
    }
  }

  // Marks being read, by device, and the devices waiting for the next read. One read at a time takes every
  // device asked for meanwhile: 5,000 units greeting a center that has not seen them yet (registered after it
  // started) cost a few reads, not 5,000 one-row reads queued before the first group on PGlite's one connection.
  const loading = new Map<number, Promise<void>>();
  let nextRead: { devices: number[]; done: Promise<void> } | undefined;
  let lastRead: Promise<unknown> = Promise.resolve();

  function loadMarks(deviceNos: number[]): Promise<void> {
    const waits = new Set<Promise<void>>();
    for (const no of deviceNos) {
      if (marks.has(no)) continue;
      let pending = loading.get(no);
      if (!pending) {
        nextRead ??= scheduleRead();
        nextRead.devices.push(no);
        pending = nextRead.done;
        loading.set(no, pending);
      }
      waits.add(pending);
    }
    return waits.size === 0 ? Promise.resolve() : Promise.all(waits).then(() => undefined);
  }

  function scheduleRead(): { devices: number[]; done: Promise<void> } {
    const read = { devices: [] as number[], done: Promise.resolve() };
    read.done = lastRead
      .then(() => new Promise((resolve) => setImmediate(resolve)))
      .then(async () => {
        if (nextRead === read) nextRead = undefined;
        try {
          for (let i = 0; i < read.devices.length; i += 5000)
            await readMarks(read.devices.slice(i, i + 5000));
        } finally {
          for (const no of read.devices) loading.delete(no);
        }
      });
    lastRead = read.done.catch(() => undefined);
    return read;
  }

  async function readMarks(deviceNos: number[]): Promise<void> {
    for (const p of await repo.progress(deviceNos)) {
      if (marks.has(p.deviceNo)) continue;
      const above = new Set(p.storedAbove);
      marks.set(p.deviceNo, {
        through: p.through,
        above,
        max: p.storedAbove.reduce((a, b) => Math.max(a, b), p.through),
        clockOffsetMs: p.clockOffsetMs,
        chain: p.chain,
      });
    }
  }

  async function writeGroup(group: Pending[], attempt = 1): Promise<void> {
    await loadMarks(group.map((p) => p.batch.deviceNo));
    const raws: LedgerRawRow[] = [];
    const events: LedgerEventRow[] = [];
    const committed: CommittedEvent[] = [];
    const readMessages: { id: string; at: Date }[] = [];
    // Tentative marks: applied to memory only once the group is stored.
    const next = new Map<number, Watermark>();
    const contact = new Map<number, { at: Date; offset: number }>();
    // Per batch: events it brought, the rows of `events` it added (from, to), and how many of those were
    // stamped implausibly far ahead; null for a batch refused for its sequence numbers.
    const perBatch: ({ seen: number; from: number; to: number; future: number } | null)[] = [];
    // Batches whose numbers lie too far above their unit's mark: refused, their frames quarantined.
    const quarantined: { pending: Pending; row: QuarantineRow; error: SeqOutOfRangeError }[] = [];

    for (const pending of group) {
      const { batch } = pending;
      const base = marks.get(batch.deviceNo);
      if (!base) throw new Error(`device ${batch.deviceNo} vanished from the registry`);
      // One pass over the frame's numbers against the in-memory mark (ADR 0408): a frame reaching further
      // above what is acknowledged than a unit can hold is refused whole, before it touches the mark.
      const sent = batch.message.events;
      let highest = 0;
      for (let i = 0; i < sent.length; i++) if (sent[i]!.seq > highest) highest = sent[i]!.seq;
      const through = (next.get(batch.deviceNo) ?? base).through;
      if (highest - through > maxSeqAhead) {
        quarantined.push({
          pending,
          row: {
            deviceNo: batch.deviceNo,
            reason: 'seq_out_of_range',
            source: batch.source,
            firstSeq: lowestSeq(sent),
            lastSeq: highest,
            events: sent.length,
            receivedAt: batch.receivedAt,
            frame: batch.frame,
          },
          error: new SeqOutOfRangeError(through, highest, maxSeqAhead),
        });
        perBatch.push(null);
        continue;
      }
      const mark = next.get(batch.deviceNo) ?? { ...base, above: new Set(base.above) };
      next.set(batch.deviceNo, mark);
      const live = batch.source === 'mqtt';
      const offset = live ? batch.receivedAt.getTime() - batch.message.ts : (mark.clockOffsetMs ?? 0);
      const receivedAt = batch.receivedAt.getTime();
      let future = 0;
      if (live) {
        contact.set(batch.deviceNo, { at: batch.receivedAt, offset });
        mark.clockOffsetMs = offset;
      }
      // The frame is kept once, with the first events it brought; a pure retransmission adds nothing.
      const rawIndex = raws.length;
      let rawKept = false;
      const from = events.length;
      for (const event of batch.message.events) {
        if (event.seq <= mark.through || mark.above.has(event.seq)) continue;
        if (!rawKept) {
          raws.push({
            deviceNo: batch.deviceNo,
            receivedAt: batch.receivedAt,
            source: batch.source,
            frame: batch.frame,
          });
          rawKept = true;
        }
        mark.above.add(event.seq);
        mark.max = Math.max(mark.max, event.seq);
        const { seq, t, kind, adj, ...rest } = event;
        const flags: string[] = [];
        if (Math.abs(offset) > CLOCK_SUSPECT_MS) flags.push('clock_offset');
        if (!live) flags.push('readout');
        // v1.1: stamped before a clock sync, the event says how far the unit's clock has been stepped since;
        // `t` stays as recorded, its center time puts it on the frame's clock first (ADR 0504).
        if (adj !== undefined && adj !== 0) flags.push(CLOCK_ADJUSTED_FLAG);
        // An event cannot have happened after its frame arrived: one stamped further ahead than a clock
        // step explains is kept (its number is consumed, so the unit moves on) at its arrival time, flagged,
        // and never read as the unit's latest state (ADR 0408).
        let time = t + (adj ?? 0) + offset;
        if (time > receivedAt + maxFutureMs) {
          flags.push(FUTURE_TIME_FLAG);
          time = receivedAt;
          future++;
        }
        events.push({
          deviceNo: batch.deviceNo,
          seq,
          kind,
          deviceTime: t,
          time,
          rawIndex,
          body: rest,
          flags,
        });
        committed.push({
          deviceNo: batch.deviceNo,
          deviceId: batch.message.dev,
          seq,
          kind,
          time,
          deviceTime: t,
          receivedAt: batch.receivedAt.getTime(),
          source: batch.source,
          body: rest,
          flags,
        });
        if (event.kind === 'message_read') readMessages.push({ id: event.msg, at: new Date(time) });
      }
      while (mark.above.has(mark.through + 1)) {
        mark.through++;
        mark.above.delete(mark.through);
      }
      perBatch.push({ seen: batch.message.events.length, from, to: events.length, future });
    }

    const updates: LedgerDeviceUpdate[] = [...next.entries()].map(([deviceNo, m]) => ({
      deviceNo,
      ackedSeq: m.through,
      maxSeq: m.max,
      lastContactAt: contact.get(deviceNo)?.at ?? null,
      clockOffsetMs: contact.get(deviceNo)?.offset ?? null,
      chain: m.chain,
    }));
    const { conflicted, heads } =
      events.length > 0 || raws.length > 0
        ? await repo.writeGroup(raws, events, updates, readMessages)
        : { conflicted: new Set<number>(), heads: new Map<number, ChainHead>() };
    for (const [no, m] of next) {
      if (conflicted.has(no)) continue;
      m.chain = heads.get(no) ?? m.chain;
      marks.set(no, m);
    }
    const stored = committed.filter((e) => !conflicted.has(e.deviceNo));
    // Listeners start their own work (the engine): not as part of an urgent group's priority.
    if (stored.length > 0) withoutPriority(() => listeners.forEach((listener) => listener(stored)));
    metrics.ledgerGroupSize.observe(stored.length);
    const committedAt = Date.now();
    const again: Pending[] = [];
    group.forEach((pending, i) => {
      const { batch, known, resolve } = pending;
      const counts = perBatch[i];
      if (!counts) return; // refused below
      if (conflicted.has(batch.deviceNo)) {
        again.push(pending);
        return;
      }
      const { seen, from, to, future } = counts;
      const stored = to - from;
      const duplicates = seen + known - stored;
      metrics.eventsStored.inc(stored);
      // The `known` ones are counted once compared with what is stored (`checkReused`).
      metrics.eventsDuplicate.inc(seen - stored);
      if (future > 0) metrics.eventsImplausible.inc({ reason: 'future_time' }, future);
      metrics.ingestLatency.observe((committedAt - batch.receivedAt.getTime()) / 1000);
      resolve({ through: marks.get(batch.deviceNo)!.through, stored, duplicates });
    });
    if (quarantined.length > 0) {
      // Kept for the Bureau before the unit hears the refusal; a failure to keep it refuses all the same.
      await repo.quarantine(quarantined.map((q) => q.row)).catch(() => undefined);
      for (const q of quarantined) {
        metrics.eventsImplausible.inc({ reason: 'seq_out_of_range' }, q.row.events);
        q.pending.reject(q.error);
      }
    }
    if (again.length === 0) return;
    // Another process stored some of these devices' events: read what is stored, and write what is not.
    if (attempt >= MAX_CONFLICT_ATTEMPTS) throw new ContendedError();
    for (const no of conflicted) marks.delete(no);
    await writeGroup(again, attempt + 1);
  }

  return {
    submit,
    /** Registers a listener for events stored for the first time, called after each commit. */
    onCommitted(listener: CommitListener): void {
      listeners.push(listener);
    },
    /** Loads the marks of these devices in one go (at start, so a reconnect storm costs no reads). */
    async preload(deviceNos: number[]): Promise<void> {
      await loadMarks(deviceNos);
    },
    /** The acknowledged mark of a device, loading it from storage if needed. */
    async through(deviceNo: number): Promise<number> {
      await loadMarks([deviceNo]);
      return marks.get(deviceNo)!.through;
    },
    /** Resolves when every queued batch has been written (graceful shutdown). */
    async drain(): Promise<void> {
      while (writing.some((w) => w)) await Promise.all(writing);
    },
    /** Checks the stored events; gaps are counted within the plausible window (`maxSeqAhead`). */
    verify: () => repo.verify(maxSeqAhead),
    /** The latest frames refused for implausible numbers and kept in quarantine (ADR 0408). */
    quarantined: () => repo.quarantined(100),
  };
}

export type Ledger = ReturnType<typeof createLedger>;
