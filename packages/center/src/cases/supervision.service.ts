/**
 * The life of a supervision after the application: lifecycle steps (readiness, installation, activation,
 * execution, end, revocation), court order versions, the probation officer's schedule exceptions, device
 * assignments with their protocols, and the task lists the lifecycle produces. Every rule is the domain's;
 * every write is one transaction with its audit record.
 */
import { randomUUID } from 'node:crypto';
import type { CommandBody } from '@sde/protocol';
import type { Transaction } from 'kysely';
import {
  STATUS_NAMES,
  amendCourtOrder,
  amendmentProblemsWithExceptions,
  checkDeviceAssignment,
  describeReadinessManner,
  exceptionProblemsWithOrder,
  openTasks,
  releaseDevice,
  transition,
  validateCourtOrderVersion,
  versionInForce,
  type ApprovedException,
  type AwayWindow,
  type CourtOrderVersion,
  type DeviceKind,
  type EngineSettingsOverride,
  type LifecycleEvent,
  type Obligation,
  type ReadinessMannerKind,
  type RevocationReason,
  type SupervisionKind,
  type SupervisionLifecycle,
} from '@sde/domain';
import { recordAudit } from '../audit/audit.repository.js';
import { inScope, requirePermission, scopeOf, type Actor } from '../auth/actor.js';
import { createProtectedAccess } from '../auth/policy.js';
import type { Database } from '../db/database.js';
import type { DB, TasksTable } from '../db/schema.js';
import type { StoredCommand } from '../commands/command.repository.js';
import { NotFoundError } from '../errors.js';
import type { CaseRepository, Executor, SupervisionRow } from './case.repository.js';
import { presentInForceFor, presentSupervisionFor } from './case.presenters.js';
import { DomainRuleError, refuse } from './domain-error.js';

/** The center's device kinds as a court order names them. */
export const ORDER_DEVICE_KIND: Record<string, DeviceKind> = {
  transmitter: 'transmitter',
  home_unit: 'stationary_unit',
  portable_unit: 'portable_unit',
  protected_unit: 'protected_person_unit',
};

/** Statuses in which a court order is in force (granted until the end of the sentence). */
export const ORDER_IN_FORCE = [
  'granted',
  'readiness_reported',
  'installed',
  'activated',
  'in_execution',
] as const;

/** What a court order says, as the API takes it (without its version metadata). */
export interface OrderContent {
  supervisionKinds: SupervisionKind[];
  obligations: Obligation[];
  devices: DeviceKind[];
  readinessDeadlineHours: number;
  /** The compliance engine's settings for this order where they depart from the defaults. */
  monitoringSettings?: EngineSettingsOverride | undefined;
}

/** The id of the acting person as the lifecycle records it. */
export const actorRef = (a: Actor) => a.userId ?? a.login;

/** True when `err` is a unique violation (of `constraint`, when given) on PostgreSQL or PGlite. */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = err as { code?: string; constraint?: string; message?: string };
  if (e?.code !== '23505') return false;
  return constraint === undefined || e.constraint === constraint || (e.message ?? '').includes(constraint);
}

const ms = (at: string | undefined, now: Date) => (at ? Date.parse(at) : now.getTime());

/** A task due within this window is shown `dueSoon` (docs/deadlines.md, "How deadline tasks are raised"). */
export const DUE_SOON_MS = 2 * 3_600_000;

/** What one `syncTasks` changed on the task list (codes). */
export interface TaskChanges {
  opened: string[];
  closed: string[];
}

/** `overdue` and `dueSoon` of a task at `now`: derived when read, never stored. */
const urgency = (dueAt: Date | null, now: number) => ({
  overdue: dueAt !== null && dueAt.getTime() <= now,
  dueSoon: dueAt !== null && dueAt.getTime() > now && dueAt.getTime() - now <= DUE_SOON_MS,
});

/** Sends a command to a unit (the gateway): queued, and sent at once to a connected unit. */
export type UnitCommands = (
  deviceId: string,
  body: CommandBody,
  createdBy: string,
  record: (trx: Transaction<DB>, command: StoredCommand) => Promise<void>,
) => Promise<StoredCommand>;

/** Creates the supervision service; `unitCommands` lets it configure the units the order concerns (ADR 0604). */
export function createSupervisionService(deps: {
  db: Database;
  repo: CaseRepository;
  unitCommands?: UnitCommands;
}) {
  const { db, repo, unitCommands } = deps;
  const access = createProtectedAccess(db);
  /** Told the due instants of every synced task list (the deadline job arms its timer with them). */
  const deadlineListeners = new Set<(dueUtcMs: number) => void>();

  async function loadScoped(actor: Actor, id: string, ex: Executor, lock = false): Promise<SupervisionRow> {
    const s = await repo.supervision(id, ex, lock);
    if (!s || !inScope(actor, s)) throw new NotFoundError(`supervision ${id}`, `dozór ${id}`);
    return s;
  }

  /** Brings the task list in line with the lifecycle: new tasks opened, finished ones closed. */
  async function syncTasks(
    s: SupervisionRow,
    lifecycle: SupervisionLifecycle,
    ex: Executor,
  ): Promise<TaskChanges> {
    const now = Date.now();
    const wanted = openTasks(lifecycle, now);
    const existing = await repo.openTasksOf(s.id, ex);
    const finished = existing.filter((e) => !wanted.some((w) => w.code === e.code));
    await repo.closeTasks(
      finished.map((e) => e.id),
      new Date(now),
      ex,
    );
    const opened: string[] = [];
    for (const w of wanted) {
      if (w.dueUtcMs !== undefined && w.dueUtcMs > now) for (const l of deadlineListeners) l(w.dueUtcMs);
      const row = {
        dueAt: w.dueUtcMs !== undefined ? new Date(w.dueUtcMs) : null,
        pl: w.pl,
        en: w.en,
        assigneeUserId:
          w.responsible === 'penitentiary_judge'
            ? s.judgeId
            : w.responsible === 'probation_officer'
              ? s.probationOfficerId
              : null,
      };
      const e = existing.find((x) => x.code === w.code);
      if (e) {
        const same =
          (e.due_at?.getTime() ?? null) === (row.dueAt?.getTime() ?? null) &&
          e.pl === row.pl &&
          e.en === row.en &&
          e.assignee_user_id === row.assigneeUserId;
        if (!same) await repo.updateTask(e.id, row, ex);
      } else {
        await repo.insertTask(
          { id: randomUUID(), supervisionId: s.id, code: w.code, responsible: w.responsible, ...row },
          ex,
        );
        opened.push(w.code);
      }
    }
    return { opened, closed: finished.map((e) => e.code) };
  }

  /** Applies a lifecycle event inside `trx`; refuses (409) with the domain's reason. */
  async function advance(
    trx: Executor,
    s: SupervisionRow,
    event: LifecycleEvent,
    kinds?: string[],
  ): Promise<SupervisionLifecycle> {
    const r = transition(s.lifecycle, event);
    if (!r.ok) throw new DomainRuleError(r.errors, 409);
    await repo.updateSupervision(s.id, { lifecycle: r.value, ...(kinds ? { kinds } : {}) }, trx);
    await syncTasks(s, r.value, trx);
    return r.value;
  }

  /** Checks a version's content beyond the domain's rules: protected persons must exist and have consented. */
  async function checkReferences(v: CourtOrderVersion, ex: Executor): Promise<void> {
    for (const [i, o] of v.obligations.entries()) {
      if (o.kind !== 'keep_distance') continue;
      if (!(await repo.protectedPerson(o.protectedPersonId, ex))) {
        throw new DomainRuleError([
          {
            code: 'protected_person_unknown',
            pl: 'Nie ma osoby chronionej o podanym identyfikatorze (z zapisaną zgodą).',
            en: 'There is no protected person (with recorded consent) with the given id.',
            path: `obligations[${i}].protectedPersonId`,
          },
        ]);
      }
    }
  }

  /** Validates a new version of an order (first or amendment) with the domain; 400 with every refusal. */
  async function validateVersion(
    previous: readonly CourtOrderVersion[],
    next: CourtOrderVersion,
    ex: Executor,
  ): Promise<void> {
    const r =
      previous.length === 0
        ? validateCourtOrderVersion(next)
        : amendCourtOrder({ id: '', caseId: '', caseNumber: '', versions: previous }, next);
    if (!r.ok) throw new DomainRuleError(r.errors, 400);
    await checkReferences(next, ex);
  }

  /** Assigns a device to the supervision from `at`, refusing a device that serves another one then. */
  async function assignDevice(
    trx: Executor,
    actor: Actor,
    s: SupervisionRow,
    deviceId: string,
    at: number,
  ): Promise<{ deviceId: string; kind: DeviceKind }> {
    const device = await repo.device(deviceId, trx);
    if (!device) {
      throw refuse(
        'device_unknown',
        `Urządzenie ${deviceId} nie jest zarejestrowane w centrali.`,
        `Device ${deviceId} is not registered at the center.`,
        400,
      );
    }
    if (device.status !== 'active') {
      throw refuse(
        'device_disabled',
        `Urządzenie ${deviceId} jest wyłączone z użytku.`,
        `Device ${deviceId} is disabled.`,
      );
    }
    const existing = await repo.assignmentsOfDevice(device.no, trx);
    const check = checkDeviceAssignment(
      existing.map((e) => ({
        deviceId: e.deviceId,
        supervisionId: e.supervisionId,
        fromUtcMs: e.from.getTime(),
        toUtcMs: e.to?.getTime() ?? null,
      })),
      { deviceId, supervisionId: s.id, fromUtcMs: at, toUtcMs: null },
    );
    if (!check.ok) throw new DomainRuleError(check.errors, 409);
    try {
      await repo.insertAssignment(
        {
          id: randomUUID(),
          deviceNo: device.no,
          supervisionId: s.id,
          from: new Date(at),
          installedBy: actor.login,
        },
        trx,
      );
    } catch (err) {
      // Another installation took the device between our check and the insert: the index keeps it single.
      if (isUniqueViolation(err, 'device_assignments_one_open')) {
        throw refuse(
          'device_already_assigned',
          `Urządzenie ${deviceId} obsługuje w tym czasie inny dozór; najpierw je zwolnij.`,
          `Device ${deviceId} serves another supervision at that time; release it first.`,
        );
      }
      throw err;
    }
    return { deviceId, kind: ORDER_DEVICE_KIND[device.kind] ?? 'transmitter' };
  }

  /** The full view of a supervision a terminal shows, as the actor's role may see it (ADR 0403). */
  async function detail(actor: Actor, id: string, ex: Executor = db) {
    const s = await loadScoped(actor, id, ex);
    const view = await access.forSupervision(actor, s.id);
    const raw = await rawDetail(s, ex);
    const protects = raw.order?.versions.some((v) => v.obligations.some((o) => o.kind === 'keep_distance'));
    if (protects) {
      await access.recordLook(actor, view, {
        entity: 'supervision',
        entityId: s.id,
        what: ['protected_person.zones'],
      });
    }
    return presentSupervisionFor(actor, raw, view);
  }

  async function rawDetail(s: SupervisionRow, ex: Executor) {
    const order = await repo.orderOfSupervision(s.id, ex);
    const versions = order ? await repo.orderVersions(order.id, ex) : [];
    const now = Date.now();
    const domainVersions = versions.map((v) => v.body);
    const inForce =
      versionInForce({ id: '', caseId: '', caseNumber: '', versions: domainVersions }, now) ??
      domainVersions[0];
    const [exceptions, devices, protocols, tasks, decisions] = await Promise.all([
      repo.exceptionsOf(s.id, ex),
      repo.assignmentsOfSupervision(s.id, ex),
      repo.protocolsOf(s.id, ex),
      repo.openTasksOf(s.id, ex),
      repo.decisionsOf(s.id, ex),
    ]);
    const l = s.lifecycle;
    return {
      id: s.id,
      caseId: s.caseId,
      caseNumber: s.caseNumber,
      applicationId: s.applicationId,
      personId: s.personId,
      regionId: s.regionId,
      courtId: s.courtId,
      judgeId: s.judgeId,
      probationOfficerId: s.probationOfficerId,
      status: s.status,
      statusName: STATUS_NAMES[s.status],
      kinds: s.kinds,
      term: l.term,
      creditedDays: l.creditedDays,
      deadlines: {
        decision: l.decisionDeadline,
        readiness: l.readinessDeadline ?? null,
        installation: l.installationDeadline ?? null,
      },
      readinessReportedAt:
        l.readinessReportedAtUtcMs !== undefined ? new Date(l.readinessReportedAtUtcMs) : null,
      readinessManner: l.readinessManner
        ? { ...l.readinessManner, description: describeReadinessManner(l.readinessManner) }
        : null,
      installedAt: l.installedAtUtcMs !== undefined ? new Date(l.installedAtUtcMs) : null,
      activatedAt: s.activatedAt,
      activationProtocolId: l.activationProtocolId ?? null,
      sentenceEnd: l.sentenceEnd
        ? {
            firstDay: l.sentenceEnd.firstDay,
            lastDay: l.sentenceEnd.lastDay,
            endsAt: new Date(l.sentenceEnd.endsAtUtcMs),
            daysToServe: l.sentenceEnd.daysToServe,
            explanation: l.sentenceEnd.explanation,
          }
        : null,
      revocation: l.revocation ?? null,
      history: l.history,
      decisions: decisions.map((d) => ({
        id: d.id,
        outcome: d.outcome,
        decidedAt: d.decided_at,
        announcedAt: d.announced_at,
        judge: d.judge,
        reason: d.reason,
        overriddenBars: d.overridden_bars,
        barOverrideReason: d.bar_override_reason,
      })),
      order: order
        ? {
            id: order.id,
            caseNumber: order.case_number,
            versionInForce: inForce?.version ?? null,
            versions: versions.map((v) => ({
              version: v.version,
              validFrom: v.validFrom,
              decidedOn: v.decidedOn,
              decidedBy: v.decidedBy,
              reason: v.reason,
              recordedBy: v.recordedBy,
              recordedAt: v.recordedAt,
              supervisionKinds: v.body.supervisionKinds,
              obligations: v.body.obligations,
              devices: v.body.devices,
              readinessDeadlineHours: v.body.readinessDeadlineHours,
              ...(v.body.monitoringSettings ? { monitoringSettings: v.body.monitoringSettings } : {}),
            })),
          }
        : null,
      scheduleExceptions: exceptions,
      devices: devices.map((d) => ({
        deviceId: d.deviceId,
        kind: d.deviceKind,
        from: d.from,
        to: d.to,
        installedBy: d.installedBy,
        removedBy: d.removedBy,
      })),
      protocols,
      tasks: tasks.map((t) => ({
        id: t.id,
        code: t.code,
        responsible: t.responsible,
        assigneeUserId: t.assignee_user_id,
        dueAt: t.due_at,
        ...urgency(t.due_at, now),
        pl: t.pl,
        en: t.en,
      })),
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
    };
  }

  /** Runs one lifecycle step in a transaction with its audit record, then answers with the new view. */
  async function step(
    actor: Actor,
    id: string,
    requestId: string | undefined,
    action: string,
    build: (s: SupervisionRow) => LifecycleEvent,
    after?: (
      trx: Executor,
      s: SupervisionRow,
      next: SupervisionLifecycle,
    ) => Promise<Record<string, unknown>>,
  ) {
    await db.transaction().execute(async (trx) => {
      const s = await loadScoped(actor, id, trx, true);
      const event = build(s);
      const next = await advance(trx, s, event);
      const extra = after ? await after(trx, s, next) : {};
      await recordAudit(trx, actor, {
        action,
        entity: 'supervision',
        entityId: s.id,
        changes: { from: s.status, to: next.status, at: new Date(event.atUtcMs).toISOString(), ...extra },
        ...(requestId ? { requestId } : {}),
      });
    });
    return detail(actor, id);
  }

  /** The probation officer's exceptions approved so far in a supervision, as the domain judges them. */
  async function approvedExceptions(supervisionId: string, ex: Executor): Promise<ApprovedException[]> {
    return (await repo.exceptionsOf(supervisionId, ex)).map((e) => ({
      id: e.id,
      date: e.date,
      window: e.window as unknown as AwayWindow,
      approvedBy: e.approvedBy,
      approvedAtUtcMs: e.approvedAt.getTime(),
      reason: e.reason,
    }));
  }

  /**
   * Sends the range of the version in force at `at` to every home unit assigned now (T2.2), when the version
   * sets one. After the write's commit: the command has its own transaction and state (queued, sent,
   * confirmed), which the device panel shows. A failure is logged by the caller's answer, never undoes the write.
   */
  async function pushRange(actor: Actor, supervisionId: string, at: number, requestId?: string) {
    if (!unitCommands) return;
    const order = await repo.orderOfSupervision(supervisionId);
    if (!order) return;
    const versions = (await repo.orderVersions(order.id)).map((v) => v.body);
    const version = versionInForce({ id: '', caseId: '', caseNumber: '', versions }, at);
    const stay = version?.obligations.find((o) => o.kind === 'stay_at_place');
    const meters = stay?.kind === 'stay_at_place' ? stay.place.rangeMeters : undefined;
    if (meters === undefined) return;
    const units = (await repo.assignmentsOfSupervision(supervisionId)).filter(
      (a) => a.to === null && a.deviceKind === 'home_unit',
    );
    for (const u of units) {
      await unitCommands(u.deviceId, { cmd: 'set_range', meters }, actor.login, (trx, stored) =>
        recordAudit(trx, actor, {
          action: 'device.command',
          entity: 'device',
          entityId: u.deviceId,
          changes: { commandId: stored.id, command: 'set_range', meters, orderVersion: version?.version },
          ...(requestId ? { requestId } : {}),
        }),
      );
    }
  }

  async function currentVersions(s: SupervisionRow, ex: Executor) {
    const order = await repo.orderOfSupervision(s.id, ex);
    if (!order) {
      throw refuse(
        'order_missing',
        'Dozór nie ma jeszcze postanowienia sądu.',
        'The supervision has no court order yet.',
      );
    }
    return { order, versions: await repo.orderVersions(order.id, ex) };
  }

  return {
    loadScoped,
    syncTasks,
    pushRange,
    /** Calls `listener` with each future due instant a task list is synced with; returns the unsubscribe. */
    onDeadline(listener: (dueUtcMs: number) => void): () => void {
      deadlineListeners.add(listener);
      return () => deadlineListeners.delete(listener);
    },
    advance,
    validateVersion,
    detail,

    /** Lists supervisions in the actor's scope. */
    async list(actor: Actor, f: Parameters<CaseRepository['listSupervisions']>[1]) {
      const p = await repo.listSupervisions(scopeOf(actor), f);
      return {
        items: p.items.map((s) => ({
          id: s.id,
          caseId: s.caseId,
          caseNumber: s.caseNumber,
          personId: s.personId,
          status: s.status,
          statusName: STATUS_NAMES[s.status],
          kinds: s.kinds,
          activatedAt: s.activatedAt,
          sentenceLastDay: s.sentenceLastDay,
          createdAt: s.createdAt,
        })),
        nextCursor: p.nextCursor,
      };
    },

    /** R4: the person reported readiness for installation (the operator takes the report). */
    reportReadiness(
      actor: Actor,
      id: string,
      body: { at?: string | undefined; manner?: ReadinessMannerKind | undefined },
      requestId?: string,
    ) {
      return step(actor, id, requestId, 'supervision.readiness', () => ({
        type: 'report_readiness',
        atUtcMs: ms(body.at, new Date()),
        by: actorRef(actor),
        ...(body.manner ? { manner: body.manner } : {}),
      }));
    },

    /** R5: devices installed and the transmitter fitted; each device is assigned from that instant. */
    async install(
      actor: Actor,
      id: string,
      body: { at?: string | undefined; deviceIds: string[]; protocolNumber: string; notes: string },
      requestId?: string,
    ) {
      const at = ms(body.at, new Date());
      const done = await step(
        actor,
        id,
        requestId,
        'supervision.install',
        () => ({ type: 'install', atUtcMs: at, by: actorRef(actor), deviceIds: body.deviceIds }),
        async (trx, s) => {
          if (new Set(body.deviceIds).size !== body.deviceIds.length) {
            throw refuse(
              'device_listed_twice',
              'Urządzenie podano dwa razy.',
              'A device is listed twice.',
              400,
            );
          }
          const { versions } = await currentVersions(s, trx);
          const version =
            versionInForce(
              { id: '', caseId: '', caseNumber: '', versions: versions.map((v) => v.body) },
              at,
            ) ?? versions[0]?.body;
          const installed: DeviceKind[] = [];
          for (const deviceId of body.deviceIds) {
            const d = await assignDevice(trx, actor, s, deviceId, at);
            if (version && !version.devices.includes(d.kind)) {
              throw refuse(
                'device_kind_not_ordered',
                `Postanowienie nie przewiduje urządzenia tego rodzaju (${deviceId}).`,
                `The order does not call for a device of this kind (${deviceId}).`,
                400,
              );
            }
            installed.push(d.kind);
          }
          const missing = (version?.devices ?? []).filter((k) => !installed.includes(k));
          if (missing.length > 0) {
            throw refuse(
              'required_device_not_installed',
              `Nie zainstalowano wszystkich urządzeń wymaganych postanowieniem: brak ${missing.join(', ')}.`,
              `Not every device the order requires was installed: missing ${missing.join(', ')}.`,
              400,
            );
          }
          await repo.insertProtocol(
            {
              id: randomUUID(),
              supervisionId: s.id,
              kind: 'installation',
              number: body.protocolNumber,
              at: new Date(at),
              byLogin: actor.login,
              byUserId: actor.userId,
              deviceIds: body.deviceIds,
              notes: body.notes,
            },
            trx,
          );
          return { deviceIds: body.deviceIds, protocolNumber: body.protocolNumber };
        },
      );
      // The home unit learns the order's range at installation (T2.2); its confirmation shows on the device.
      await pushRange(actor, id, Math.max(at, Date.now()), requestId);
      return done;
    },

    /** R6: activation protocol; the sentence starts that day and its end is computed. */
    activate(
      actor: Actor,
      id: string,
      body: { at?: string | undefined; protocolNumber: string; notes: string },
      requestId?: string,
    ) {
      const at = ms(body.at, new Date());
      return step(
        actor,
        id,
        requestId,
        'supervision.activate',
        () => ({ type: 'activate', atUtcMs: at, by: actorRef(actor), protocolId: body.protocolNumber }),
        async (trx, s, next) => {
          const open = (await repo.assignmentsOfSupervision(s.id, trx)).filter((a) => a.to === null);
          await repo.insertProtocol(
            {
              id: randomUUID(),
              supervisionId: s.id,
              kind: 'activation',
              number: body.protocolNumber,
              at: new Date(at),
              byLogin: actor.login,
              byUserId: actor.userId,
              deviceIds: open.map((a) => a.deviceId),
              notes: body.notes,
            },
            trx,
          );
          return { protocolNumber: body.protocolNumber, sentenceLastDay: next.sentenceEnd?.lastDay };
        },
      );
    },

    /** R7: the probation officer contacted the person; the sentence is in execution. */
    startExecution(actor: Actor, id: string, at: string | undefined, requestId?: string) {
      return step(actor, id, requestId, 'supervision.start', () => ({
        type: 'start_supervision',
        atUtcMs: ms(at, new Date()),
        by: actorRef(actor),
      }));
    },

    /** R8: the sentence is served. */
    endServed(actor: Actor, id: string, at: string | undefined, requestId?: string) {
      return step(actor, id, requestId, 'supervision.end', () => ({
        type: 'end_served',
        atUtcMs: ms(at, new Date()),
        by: actorRef(actor),
      }));
    },

    /** R5: the court revoked the permission. */
    revoke(
      actor: Actor,
      id: string,
      body: { at?: string | undefined; reason: RevocationReason; note: string },
      requestId?: string,
    ) {
      return step(
        actor,
        id,
        requestId,
        'supervision.revoke',
        () => ({
          type: 'revoke',
          atUtcMs: ms(body.at, new Date()),
          by: actorRef(actor),
          reason: body.reason,
          note: body.note,
        }),
        async () => ({ reason: body.reason, note: body.note }),
      );
    },

    /** Assigns one more device (e.g. a replacement) while the order is in force. */
    async assign(
      actor: Actor,
      id: string,
      body: { at?: string | undefined; deviceId: string },
      requestId?: string,
    ) {
      const at = ms(body.at, new Date());
      await db.transaction().execute(async (trx) => {
        const s = await loadScoped(actor, id, trx, true);
        if (!['installed', 'activated', 'in_execution'].includes(s.status)) {
          throw refuse(
            'assignment_not_allowed',
            'Urządzenia przydziela się protokołem instalacji; dodatkowe — dopiero po instalacji, w czasie dozoru.',
            'Devices are assigned by the installation protocol; extra ones only after installation, during supervision.',
          );
        }
        await assignDevice(trx, actor, s, body.deviceId, at);
        await recordAudit(trx, actor, {
          action: 'device.assign',
          entity: 'supervision',
          entityId: s.id,
          changes: { deviceId: body.deviceId, from: new Date(at).toISOString() },
          ...(requestId ? { requestId } : {}),
        });
      });
      return detail(actor, id);
    },

    /** Removal protocol: the devices are taken back and their assignments end. */
    async remove(
      actor: Actor,
      id: string,
      body: {
        at?: string | undefined;
        deviceIds?: string[] | undefined;
        protocolNumber: string;
        notes: string;
      },
      requestId?: string,
    ) {
      const at = ms(body.at, new Date());
      await db.transaction().execute(async (trx) => {
        const s = await loadScoped(actor, id, trx, true);
        const open = (await repo.assignmentsOfSupervision(s.id, trx)).filter((a) => a.to === null);
        const chosen = body.deviceIds ? open.filter((a) => body.deviceIds!.includes(a.deviceId)) : open;
        const unknown = (body.deviceIds ?? []).filter((d) => !open.some((a) => a.deviceId === d));
        if (chosen.length === 0 || unknown.length > 0) {
          throw refuse(
            'device_not_assigned',
            `Urządzenie nie jest przydzielone do tego dozoru${unknown.length ? `: ${unknown.join(', ')}` : ''}.`,
            `The device is not assigned to this supervision${unknown.length ? `: ${unknown.join(', ')}` : ''}.`,
          );
        }
        for (const a of chosen) {
          const r = releaseDevice(
            { deviceId: a.deviceId, supervisionId: s.id, fromUtcMs: a.from.getTime(), toUtcMs: null },
            at,
          );
          if (!r.ok) throw new DomainRuleError(r.errors, 409);
          await repo.closeAssignment(a.id, new Date(at), actor.login, trx);
        }
        const deviceIds = chosen.map((a) => a.deviceId);
        // The last device taken back after the end or a revocation closes the removal task (ADR 0604); during
        // the sentence a removal is a swap and the lifecycle does not move.
        const last = chosen.length === open.length;
        const l = s.lifecycle;
        const over =
          l.status === 'ended_served' ||
          l.status === 'revoked' ||
          (l.sentenceEnd !== undefined && at >= l.sentenceEnd.endsAtUtcMs);
        if (last && over && l.installedAtUtcMs !== undefined && l.devicesRemovedAtUtcMs === undefined) {
          await advance(trx, s, { type: 'remove_devices', atUtcMs: at, by: actorRef(actor) });
        }
        await repo.insertProtocol(
          {
            id: randomUUID(),
            supervisionId: s.id,
            kind: 'removal',
            number: body.protocolNumber,
            at: new Date(at),
            byLogin: actor.login,
            byUserId: actor.userId,
            deviceIds,
            notes: body.notes,
          },
          trx,
        );
        await recordAudit(trx, actor, {
          action: 'device.remove',
          entity: 'supervision',
          entityId: s.id,
          changes: { deviceIds, at: new Date(at).toISOString(), protocolNumber: body.protocolNumber },
          ...(requestId ? { requestId } : {}),
        });
      });
      return detail(actor, id);
    },

    /** The order with every version. */
    async order(actor: Actor, orderId: string) {
      const order = await repo.order(orderId);
      if (!order) throw new NotFoundError(`court order ${orderId}`, `postanowienie ${orderId}`);
      const s = await repo.supervision(order.supervision_id);
      if (!s || !inScope(actor, s))
        throw new NotFoundError(`court order ${orderId}`, `postanowienie ${orderId}`);
      const d = await detail(actor, s.id);
      return { ...d.order!, ...(d.restricted ? { restricted: d.restricted } : {}) };
    },

    /** A change of the order: a new version with who, when and why; earlier versions stay. */
    async amendOrder(
      actor: Actor,
      orderId: string,
      body: OrderContent & {
        validFrom: string;
        decidedOn: string;
        decidedBy?: string | undefined;
        reason: string;
      },
      requestId?: string,
    ) {
      const order = await repo.order(orderId);
      if (!order) throw new NotFoundError(`court order ${orderId}`, `postanowienie ${orderId}`);
      let version = 0;
      await db.transaction().execute(async (trx) => {
        const s = await loadScoped(actor, order.supervision_id, trx, true);
        if (!(ORDER_IN_FORCE as readonly string[]).includes(s.status)) {
          throw refuse(
            'order_not_in_force',
            `Postanowienia nie można zmienić, gdy stan sprawy to „${STATUS_NAMES[s.status].pl}”.`,
            `The order cannot be changed when the case is "${STATUS_NAMES[s.status].en}".`,
          );
        }
        const previous = (await repo.orderVersions(order.id, trx)).map((v) => v.body);
        const next: CourtOrderVersion = {
          version: (previous.at(-1)?.version ?? 0) + 1,
          validFromUtcMs: Date.parse(body.validFrom),
          decidedBy: body.decidedBy ?? actor.displayName,
          decidedOn: body.decidedOn,
          reason: body.reason,
          supervisionKinds: body.supervisionKinds,
          obligations: body.obligations,
          devices: body.devices,
          readinessDeadlineHours: body.readinessDeadlineHours,
          ...(body.monitoringSettings ? { monitoringSettings: body.monitoringSettings } : {}),
        };
        await validateVersion(previous, next, trx);
        // The officer's exceptions were approved under the earlier versions; the new one must leave room for them.
        const clash = amendmentProblemsWithExceptions(
          [...previous, next],
          await approvedExceptions(s.id, trx),
        );
        if (clash.length > 0) throw new DomainRuleError(clash, 409);
        await repo.insertOrderVersion(order.id, next, actor.login, trx);
        await repo.updateSupervision(
          s.id,
          { lifecycle: s.lifecycle, kinds: [...next.supervisionKinds] },
          trx,
        );
        version = next.version;
        await recordAudit(trx, actor, {
          action: 'order.amend',
          entity: 'court_order',
          entityId: order.id,
          changes: { version: next.version, validFrom: body.validFrom, reason: body.reason, body: next },
          ...(requestId ? { requestId } : {}),
        });
      });
      // A version in force now changes the units at once; one valid later when it starts (the deadline job,
      // ADR 0604).
      const validFrom = Date.parse(body.validFrom);
      if (validFrom <= Date.now()) await pushRange(actor, order.supervision_id, Date.now(), requestId);
      else for (const l of deadlineListeners) l(validFrom);
      const o = await this.order(actor, orderId);
      return { ...o, created: version };
    },

    /** A one-time permission to be away approved by the probation officer (R10, R11). */
    async approveException(
      actor: Actor,
      id: string,
      body: { date: string; window: AwayWindow; reason: string },
      requestId?: string,
    ) {
      await db.transaction().execute(async (trx) => {
        const s = await loadScoped(actor, id, trx, true);
        if (!(ORDER_IN_FORCE as readonly string[]).includes(s.status)) {
          throw refuse(
            'order_not_in_force',
            `Wyjątku nie można zatwierdzić, gdy stan sprawy to „${STATUS_NAMES[s.status].pl}”.`,
            `An exception cannot be approved when the case is "${STATUS_NAMES[s.status].en}".`,
          );
        }
        const { versions } = await currentVersions(s, trx);
        const last = versions.at(-1)!.body;
        if (!last.obligations.some((o) => o.kind === 'stay_at_place')) {
          throw refuse(
            'no_schedule',
            'Postanowienie nie nakłada obowiązku przebywania w miejscu — nie ma harmonogramu, do którego można dodać wyjątek.',
            'The order sets no stay-at-place obligation — there is no schedule to add an exception to.',
          );
        }
        const existing = await approvedExceptions(s.id, trx);
        const exception: ApprovedException = {
          id: randomUUID(),
          date: body.date,
          window: body.window,
          approvedBy: actorRef(actor),
          approvedAtUtcMs: Date.now(),
          reason: body.reason,
        };
        // Judged under every version in force on the days it counts in, not only the latest one.
        const problems = exceptionProblemsWithOrder(
          versions.map((v) => v.body),
          existing,
          exception,
        );
        if (problems.length > 0) throw new DomainRuleError(problems, 400);
        await repo.insertException(
          {
            id: exception.id,
            supervisionId: s.id,
            date: exception.date,
            window: exception.window,
            reason: exception.reason,
            approvedBy: exception.approvedBy,
            approvedAt: new Date(exception.approvedAtUtcMs),
          },
          trx,
        );
        await recordAudit(trx, actor, {
          action: 'schedule.exception',
          entity: 'supervision',
          entityId: s.id,
          changes: { date: body.date, window: body.window, reason: body.reason },
          ...(requestId ? { requestId } : {}),
        });
      });
      return detail(actor, id);
    },

    /** Open tasks for the signed-in person (their role's, in their scope, unassigned or theirs). */
    async tasksFor(
      actor: Actor,
      f: { limit: number; cursor?: string | undefined; overdue?: boolean | undefined },
    ) {
      // Tasks name cases and persons: a role that may read no case (the auditor) has none.
      requirePermission(actor, 'case.read');
      const byRole: Record<Actor['role'], TasksTable['responsible'][] | 'all'> = {
        judge: ['penitentiary_judge'],
        probation_officer: ['probation_officer'],
        installer: ['installer'],
        operator: ['operator', 'monitored_person'],
        bureau_admin: 'all',
        auditor: 'all',
        system: 'all',
      };
      const now = new Date();
      const p = await repo.listTasks(scopeOf(actor), {
        responsibilities: byRole[actor.role],
        userId: actor.role === 'judge' || actor.role === 'probation_officer' ? actor.userId : null,
        overdueAt: f.overdue ? now : undefined,
        limit: f.limit,
        cursor: f.cursor,
      });
      return {
        items: p.items.map((t) => ({
          ...t,
          ...urgency(t.dueAt, now.getTime()),
        })),
        nextCursor: p.nextCursor,
      };
    },

    /** For the compliance engine and terminals: the supervision and order version a device served at `at`. */
    async inForceForDevice(actor: Actor, deviceId: string, at: Date) {
      const r = await repo.inForceForDevice(deviceId, at);
      if (!r || !inScope(actor, r.supervision)) {
        throw new NotFoundError(
          `a supervision served by device ${deviceId} at ${at.toISOString()}`,
          `dozór obsługiwany przez urządzenie ${deviceId} w chwili ${at.toISOString()}`,
        );
      }
      const view = await access.forSupervision(actor, r.supervision.id);
      return presentInForceFor(
        actor,
        {
          deviceId,
          at,
          supervisionId: r.supervision.id,
          caseId: r.supervision.caseId,
          status: r.supervision.status,
          kinds: r.supervision.kinds,
          assignment: { from: r.assignment.from, to: r.assignment.to, kind: r.assignment.deviceKind },
          orderVersion: r.orderVersion
            ? {
                orderId: r.orderVersion.orderId,
                version: r.orderVersion.version,
                validFrom: r.orderVersion.validFrom,
                decidedBy: r.orderVersion.decidedBy,
                reason: r.orderVersion.reason,
                order: r.orderVersion.body,
              }
            : null,
        },
        view,
      );
    },
  };
}

export type SupervisionService = ReturnType<typeof createSupervisionService>;
