/**
 * The engine runner: feeds the pure compliance engine (packages/domain/src/engine) from the ledger and
 * stores what it decides.
 *
 * - Subscribes to ledger commits (after the durable commit; the device's acknowledgement never waits for
 *   this): each event marks the supervisions its device serves (cached map, reloaded when assignments
 *   change) as pending, remembering the earliest event time.
 * - Pending supervisions are evaluated after a short debounce, one flush at a time (PGlite has one
 *   connection), each over its checkpointed window: from the earliest of the new events, the oldest open
 *   episode and the last evaluation.
 * - One timer for the earliest `nextDueAt` of all supervisions (a heap), not polling.
 * - Per region, `correlateIncidents` over the latest evaluations groups power and network losses.
 * - Storing diffs against what is stored, so replays and restarts change nothing.
 */
import type { AlarmEpisode, SupervisionEvaluation, SupervisionTimeline } from '@sde/domain';
import { correlateIncidents, evaluateSupervision, ENGINE_LOOKBACK_MS } from '@sde/domain';
import type { AlarmService } from '../alarms/alarm.service.js';
import type { CaseRepository, SupervisionRow } from '../cases/case.repository.js';
import { systemClock, type Clock } from '../clock.js';
import { withPriority } from '../db/priority.js';
import { URGENT_KINDS, type CommittedEvent, type Ledger } from '../ledger/ledger.service.js';
import type { Logger } from '../logger.js';
import { DueHeap } from './due-heap.js';
import { withSettledEpisodes } from './settled-episodes.js';
import type { EngineRepository } from './engine.repository.js';
import { buildTimeline, type ReportIntervals } from './timeline.js';

/** Settings of the runner. */
export interface EngineRunnerSettings {
  /** Events of one supervision arriving within this are evaluated together. */
  debounceMs: number;
  /** Reporting interval the engine expects per unit kind. */
  reportIntervals: ReportIntervals;
  /** A supervision never evaluated is evaluated from at most this far back. */
  firstEvaluationSpanMs: number;
}

interface Latest {
  evaluation: SupervisionEvaluation;
  from: number | undefined;
  supervision: SupervisionRow;
}

/** Least time between two reloads of the device map caused by events of devices not in it. */
const UNKNOWN_RELOAD_MS = 5000;
/**
 * Supervisions evaluated per flush when none is urgent: evaluation, correlation and storing run slice by
 * slice, so a supervision with an urgent event waits for at most one slice, not for a whole backlog.
 */
const FLUSH_SLICE = 32;

/** What a supervision's timeline is built from; cached until the configuration changes. */
type Configuration = Parameters<typeof buildTimeline>[0] & { supervision: SupervisionRow };

/** Creates the runner (not started). */

export function createEngineRunner(deps: {
  ledger: Pick<Ledger, 'onCommitted'>;
  repo: EngineRepository;
  cases: Pick<
    CaseRepository,
    'supervision' | 'orderOfSupervision' | 'orderVersions' | 'exceptionsOf' | 'assignmentsOfSupervision'
  >;
  alarms: Pick<AlarmService, 'applyEvaluation' | 'applyIncidents' | 'publish'>;
  logger: Logger;
  settings: EngineRunnerSettings;
  /** `now` of every evaluation and the due timer (default: the system clock). */
  clock?: Clock;
}) {
  const clock = deps.clock ?? systemClock;
  const now = () => clock.now();
  const { repo, settings, logger } = deps;
  /** device id → supervisions it ever served. */
  let links = new Map<string, Set<string>>();
  /** supervision → its devices (no, id). */
  let devicesOf = new Map<string, { no: number; id: string }[]>();
  /** supervision → earliest new event time (null: re-evaluate from the checkpoint). */
  const pending = new Map<string, number | null>();
  /** Pending supervisions with an urgent event (tamper, unit moved, protected person): evaluated first. */
  const urgent = new Set<string>();
  /** supervision → its configuration as last read; dropped when the configuration changes. */
  const configurations = new Map<string, Configuration>();
  const latest = new Map<string, Latest>();
  const evaluatedAt = new Map<string, number>();
  const heap = new DueHeap();
  /** Events of devices not (yet) in the map, replayed after the map is reloaded. */
  let unknown: CommittedEvent[] = [];
  let fingerprint = '';
  let debounce: NodeJS.Timeout | undefined;
  let dueTimer: unknown;
  let dueTimerAt: number | undefined;
  let running: Promise<void> | undefined;
  let reloadRequested = false;
  /** When events of unknown devices last reloaded the map; such reloads happen at most every 5 s. */
  let lastUnknownReload = 0;
  let unknownTimer: NodeJS.Timeout | undefined;
  let stopped = true;
  let evaluations = 0;

  function mark(supervisionId: string, time: number | null): void {
    if (!pending.has(supervisionId)) {
      pending.set(supervisionId, time);
      return;
    }
    const p = pending.get(supervisionId) ?? null;
    if (time !== null && (p === null || time < p)) pending.set(supervisionId, time);
  }

  function schedule(): void {
    if (stopped || debounce !== undefined) return;
    debounce = setTimeout(() => {
      debounce = undefined;
      kick();
    }, settings.debounceMs);
  }

  function unknownDue(): boolean {
    return unknown.length > 0 && Date.now() - lastUnknownReload >= UNKNOWN_RELOAD_MS;
  }

  function kick(): void {
    if (running || stopped) return;
    running = (async () => {
      // Yield first, so `running` is assigned before the `finally` below clears it.
      await Promise.resolve();
      try {
        // Events of devices not in the map may belong to an assignment just made (by another process, or
        // by a write that did not signal): they reload the map, but at most every 5 s — unassigned stock
        // reports too, and a reload per commit would hold the database under load.
        while ((pending.size > 0 || reloadRequested || unknownDue()) && !stopped) {
          if (reloadRequested || unknownDue()) {
            if (!reloadRequested) lastUnknownReload = Date.now();
            await reload();
          }
          if (pending.size > 0) {
            // Urgent evaluations also go first for the database connection (PGlite has one).
            const first = urgent.size > 0;
            const slice = nextSlice();
            await (first ? withPriority(() => flush(slice)) : flush(slice));
          }
        }
        if (unknown.length > 0 && !unknownTimer && !stopped) {
          unknownTimer = setTimeout(
            () => {
              unknownTimer = undefined;
              kick();
            },
            UNKNOWN_RELOAD_MS - (Date.now() - lastUnknownReload),
          );
          unknownTimer.unref();
        }
      } catch (err) {
        logger.error({ err: String(err) }, 'engine run failed; retrying shortly');
        setTimeout(schedule, 1000).unref();
      } finally {
        running = undefined;
        armTimer();
      }
    })();
  }

  async function reload(): Promise<void> {
    reloadRequested = false;
    const next = new Map<string, Set<string>>();
    const bySup = new Map<string, { no: number; id: string }[]>();
    for (const l of await repo.deviceLinks()) {
      let s = next.get(l.deviceId);
      if (!s) next.set(l.deviceId, (s = new Set()));
      s.add(l.supervisionId);
      const list = bySup.get(l.supervisionId) ?? [];
      if (!list.some((d) => d.no === l.deviceNo)) list.push({ no: l.deviceNo, id: l.deviceId });
      bySup.set(l.supervisionId, list);
    }
    // Supervisions whose devices changed are re-evaluated (an installation, a swap, a removal).
    for (const [sup, list] of bySup) {
      const before = devicesOf.get(sup);
      if (!before || before.length !== list.length) mark(sup, null);
    }
    links = next;
    devicesOf = bySup;
    const f = await repo.configurationFingerprint();
    // Written by someone this process did not hear from (another center, a seed): read everything again.
    if (f !== fingerprint) configurations.clear();
    fingerprint = f;
    const replay = unknown;
    unknown = [];
    for (const e of replay) for (const s of links.get(e.deviceId) ?? []) mark(s, e.time);
  }

  async function configurationOf(id: string): Promise<Configuration | undefined> {
    const cached = configurations.get(id);
    if (cached) return cached;
    const supervision = await deps.cases.supervision(id);
    if (!supervision) return undefined;
    const order = await deps.cases.orderOfSupervision(id);
    const [versions, exceptions, assignments] = await Promise.all([
      order ? deps.cases.orderVersions(order.id) : Promise.resolve([]),
      deps.cases.exceptionsOf(id),
      deps.cases.assignmentsOfSupervision(id),
    ]);
    const intervalChanges = await repo.intervalChanges([...new Set(assignments.map((a) => a.deviceNo))]);
    const c: Configuration = {
      supervision,
      orderId: order?.id ?? null,
      versions,
      exceptions: exceptions.map((e) => ({
        id: e.id,
        date: e.date,
        window: e.window as never,
        approvedBy: e.approvedBy,
        approvedAtUtcMs: new Date(e.approvedAt).getTime(),
        reason: e.reason,
      })),
      assignments,
      intervalChanges,
    };
    configurations.set(id, c);
    return c;
  }

  async function evaluateOne(id: string, newest: number | null): Promise<Latest | undefined> {
    const configuration = await configurationOf(id);
    if (!configuration) return undefined;
    const { supervision } = configuration;
    const timeline: SupervisionTimeline | undefined = buildTimeline(configuration, settings.reportIntervals);
    if (!timeline) return undefined;
    const t = now();
    const last = evaluatedAt.get(id);
    const known = latest.get(id);
    // Undecided episodes stay in the window until data or their time limit decides them (ADR 0501).
    const openSince = known?.evaluation.episodes
      .filter((e) => (e.resolvedAt === undefined && e.endsBy === 'condition') || e.undecided)
      .reduce((m, e) => Math.min(m, e.startedAt), Infinity);
    let from: number | undefined = Math.min(
      newest ?? Infinity,
      openSince ?? Infinity,
      last ?? t - settings.firstEvaluationSpanMs,
    );
    // Before this run knows the open episodes (first evaluation after a start), go back to the last
    // evaluation's full coverage: episodes stored as open are re-derived from their start.
    if (!known && last !== undefined) from = Math.min(from, last - ENGINE_LOOKBACK_MS);
    const first = Math.min(...timeline.versions.map((v) => v.validFromUtcMs));
    if (from <= first) from = undefined;
    const devices = devicesOf.get(id) ?? [];
    const cut = (from ?? first) - ENGINE_LOOKBACK_MS;
    const { events, progress } = await repo.evaluationInput(devices, cut);
    const evaluation = evaluateSupervision({
      timeline,
      events,
      progress,
      now: t,
      ...(from !== undefined ? { from } : {}),
    });
    evaluations++;
    return { evaluation, from, supervision };
  }

  /** The next supervisions to evaluate: every urgent one, else a slice in order of marking. */
  function nextSlice(): [string, number | null][] {
    const ids = urgent.size > 0 ? [...urgent] : [...pending.keys()].slice(0, FLUSH_SLICE);
    urgent.clear();
    const slice: [string, number | null][] = [];
    for (const id of ids) {
      if (!pending.has(id)) continue;
      slice.push([id, pending.get(id) ?? null]);
      pending.delete(id);
    }
    return slice;
  }

  async function flush(batch: [string, number | null][]): Promise<void> {
    const evaluated: string[] = [];
    const regions = new Set<string>();
    for (const [id, newest] of batch) {
      if (stopped) return;
      try {
        const r = await evaluateOne(id, newest);
        if (!r) continue;
        // Correlation below also needs the power and communication episodes already final before `from`.
        latest.set(id, {
          ...r,
          evaluation: withSettledEpisodes(latest.get(id)?.evaluation, r.evaluation, r.from),
        });
        evaluated.push(id);
        regions.add(r.supervision.regionId);
      } catch (err) {
        logger.error({ err: String(err), supervisionId: id }, 'evaluation failed');
      }
    }
    // Correlation per region over the latest evaluations that hold power or communication episodes.
    const toStore = new Map<string, readonly AlarmEpisode[]>();
    for (const id of evaluated) toStore.set(id, latest.get(id)!.evaluation.episodes);
    for (const region of regions) {
      const candidates = [...latest.values()].filter(
        (l) =>
          l.supervision.regionId === region &&
          l.evaluation.episodes.some((e) => e.rule === 'unit_power' || e.rule === 'communication_loss'),
      );
      if (candidates.length === 0) continue;
      const result = correlateIncidents(candidates.map((c) => c.evaluation));
      for (const ev of result.evaluations) {
        const before = latest.get(ev.supervisionId)!;
        const changed =
          toStore.has(ev.supervisionId) ||
          ev.episodes.some((e, i) => e.incidentId !== before.evaluation.episodes[i]?.incidentId);
        if (changed) toStore.set(ev.supervisionId, ev.episodes);
      }
      await deps.alarms.applyIncidents(result.incidents);
    }
    const changed: string[] = [];
    for (const [id, episodes] of toStore) {
      const l = latest.get(id)!;
      try {
        const r = await deps.alarms.applyEvaluation({
          supervision: l.supervision,
          episodes,
          from: l.from,
          now: l.evaluation.now,
          nextDueAt: l.evaluation.nextDueAt,
          expired: l.evaluation.expired ?? [],
        });
        latest.set(id, { ...l, evaluation: { ...l.evaluation, episodes } });
        evaluatedAt.set(id, l.evaluation.now);
        heap.set(id, l.evaluation.nextDueAt);
        changed.push(...r.changed);
      } catch (err) {
        // Retried at the next event or timer of this supervision, not in a tight loop.
        logger.error({ err: String(err), supervisionId: id }, 'storing an evaluation failed');
        heap.set(id, now() + 5000);
      }
    }
    if (changed.length > 0) await deps.alarms.publish(changed);
  }

  function armTimer(): void {
    if (stopped) return;
    const next = heap.peek();
    if (next === undefined || next === dueTimerAt) return;
    if (dueTimer !== undefined) clock.clearTimeout(dueTimer);
    dueTimerAt = next;
    const delay = Math.min(Math.max(0, next - now()), 2_000_000_000);
    dueTimer = clock.setTimeout(() => {
      dueTimer = undefined;
      dueTimerAt = undefined;
      for (const id of heap.popDue(now())) mark(id, null);
      schedule();
      armTimer();
    }, delay);
  }

  function onCommitted(events: CommittedEvent[]): void {
    if (stopped) return;
    let immediately = false;
    for (const e of events) {
      const sups = links.get(e.deviceId);
      if (sups === undefined) {
        if (unknown.length < 100_000) unknown.push(e);
        continue;
      }
      const isUrgent = URGENT_KINDS.has(e.kind);
      for (const s of sups) {
        mark(s, e.time);
        if (isUrgent) urgent.add(s);
      }
      immediately ||= isUrgent;
    }
    // An urgent event is evaluated at once (T4.3: immediately), not after the debounce.
    if (immediately) kick();
    else schedule();
  }

  let subscribed = false;
  let configTimer: NodeJS.Timeout | undefined;

  return {
    /** Loads the maps and checkpoints, subscribes to the ledger and evaluates every supervision once. */
    async start(): Promise<void> {
      stopped = false;
      for (const [id, c] of await repo.checkpoints()) {
        evaluatedAt.set(id, c.evaluatedAt);
        if (c.nextDueAt !== null) heap.set(id, c.nextDueAt);
      }
      await reload();
      for (const id of devicesOf.keys()) mark(id, null);
      if (!subscribed) {
        deps.ledger.onCommitted(onCommitted);
        subscribed = true;
      }
      // Writers outside this process's API (another center, a seed) are noticed by a cheap fingerprint.
      configTimer = setInterval(() => {
        repo.configurationFingerprint().then(
          (f) => {
            if (f !== fingerprint) this.configurationChanged();
          },
          () => undefined,
        );
      }, 30_000);
      configTimer.unref();
      kick();
    },

    /** Court orders, exceptions or device assignments changed: reload and re-evaluate the affected. */
    configurationChanged(supervisionId?: string): void {
      reloadRequested = true;
      if (supervisionId) configurations.delete(supervisionId);
      else configurations.clear();
      if (supervisionId) mark(supervisionId, null);
      else for (const id of devicesOf.keys()) mark(id, null);
      schedule();
    },

    /** A unit's own settings changed (it confirmed a reporting interval): re-read its supervisions. */
    deviceChanged(deviceId: string): void {
      reloadRequested = true;
      for (const s of links.get(deviceId) ?? []) {
        configurations.delete(s);
        mark(s, null);
      }
      schedule();
    },

    /** Waits until nothing is pending (tests, benchmarks, graceful stop). */
    async idle(): Promise<void> {
      for (;;) {
        if (debounce) {
          clearTimeout(debounce);
          debounce = undefined;
          kick();
        }
        if (running) await running;
        else if (pending.size === 0 && !reloadRequested && !unknownDue()) return;
        else kick();
      }
    },

    /** Stops timers and waits for the evaluation in progress. */
    async stop(): Promise<void> {
      stopped = true;
      if (debounce) clearTimeout(debounce);
      if (dueTimer !== undefined) clock.clearTimeout(dueTimer);
      if (configTimer) clearInterval(configTimer);
      if (unknownTimer) clearTimeout(unknownTimer);
      debounce = undefined;
      await running;
    },

    /** Counters for metrics and tests. */
    stats() {
      return { evaluations, pending: pending.size, timers: heap.size, nextDueAt: heap.peek() };
    },
  };
}

export type EngineRunner = ReturnType<typeof createEngineRunner>;
