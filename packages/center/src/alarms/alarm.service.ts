/**
 * Alarms: the engine's episodes stored and kept up to date, the operator workflow (acknowledge, notes,
 * calls, patrols, the person's excuse, the probation officer's qualification, closing), scoping, audit, the
 * outbox rows of each new alarm (same transaction), and live messages after every commit.
 */
import { createHash } from 'node:crypto';
import type { AlarmEpisode, EpisodeChange, InfrastructureIncident } from '@sde/domain';
import { diffEpisodes } from '@sde/domain';
import type { Actor, Scope } from '../auth/actor.js';
import { requireInScope, requirePermission, scopeOf } from '../auth/actor.js';
import { recordAudit } from '../audit/audit.repository.js';
import { createProtectedAccess } from '../auth/policy.js';
import type { SupervisionRow } from '../cases/case.repository.js';
import type { Database } from '../db/database.js';
import { ConflictError, NotFoundError } from '../errors.js';
import { alarmMessage } from '../notify/messages.js';
import type { OutboxEntry, OutboxRepository } from '../notify/outbox.repository.js';
import type { AlarmRepository, AlarmRow, ActionRow, Executor } from './alarm.repository.js';
import { presentAlarmFor } from './alarm.presenters.js';
import type { AlarmView } from '@sde/api';
import type { LiveBus } from './live-bus.js';

/** The engine as an actor in the audit log. */
export const ENGINE_ACTOR: Actor = {
  userId: null,
  login: 'engine',
  displayName: 'Compliance engine',
  role: 'system',
  regionId: null,
  courtId: null,
  terminal: 'center',
};

/** The alarm's API id: derived from the engine's deterministic episode id, so it is stable and URL-safe. */
export function alarmIdOf(episodeId: string): string {
  return createHash('sha256').update(episodeId).digest('base64url').slice(0, 24);
}

/** Which channels can deliver, so outbox rows are only written for those. */
export interface EnabledChannels {
  email: boolean;
  sms: boolean;
}

/** The evaluation of one supervision, to store. */
export interface EvaluationToApply {
  supervision: Pick<SupervisionRow, 'id' | 'regionId' | 'caseNumber' | 'judgeId' | 'probationOfficerId'>;
  /** Episodes the engine returned (incidents annotated). */
  episodes: readonly AlarmEpisode[];
  /** The checkpoint the evaluation used (undefined: full). */
  from: number | undefined;
  now: number;
  nextDueAt: number | undefined;
  /** Ids of undecided episodes the engine dropped because their time limit passed (ADR 0501). */
  expired?: readonly string[];
}

/** Why an episode is withdrawn, as the alarm's history shows it (ADR 0501). */
export const WITHDRAWN_REASONS = {
  data: {
    pl: 'wycofany: dane otrzymane później pokazały, że do tego nie doszło',
    en: 'withdrawn: data received later showed it did not happen',
  },
  limit: {
    pl: 'wycofany: pozostał nierozstrzygnięty do upływu limitu czasu — żadne dane go nie potwierdziły',
    en: 'withdrawn: still undecided when its time limit passed — no data confirmed it',
  },
} as const;

function covered(ep: AlarmEpisode, from: number | undefined): boolean {
  if (from === undefined) return true;
  return (
    (ep.resolvedAt === undefined || ep.resolvedAt >= from) &&
    (ep.endsBy === 'condition' || ep.updatedAt >= from)
  );
}

const SEVERITY_PL: Record<AlarmEpisode['severity'], string> = {
  informational: 'informacyjny',
  serious: 'poważny',
  critical: 'krytyczny',
};
const SEVERITY_RANK: Record<AlarmEpisode['severity'], number> = { informational: 0, serious: 1, critical: 2 };

/** Severity as the API names it. */
function severityOf(s: AlarmRow['severity']): AlarmView['severity'] {
  return s === 'informational' ? 'info' : s;
}

/** Builds the view of stored alarms. */
export function toView(row: AlarmRow, actions: ActionRow[]): AlarmView {
  const ep = row.episode;
  const excuse = row.excuse as AlarmView['excuse'];
  return {
    id: row.id,
    supervisionId: row.supervisionId,
    caseId: row.caseId,
    caseNumber: row.caseNumber,
    personName: `${row.personFamily} ${row.personGiven.slice(0, 1)}.`,
    regionId: row.regionId,
    rule: row.rule,
    severity: severityOf(row.severity),
    status: row.status,
    condition: row.condition,
    startedAt: row.startedAt.toISOString(),
    endedAt: row.resolvedAt ? row.resolvedAt.toISOString() : null,
    detectedAt: row.detectedAt.toISOString(),
    late: row.late,
    undecided: row.undecided,
    withdrawal:
      row.withdrawnAt && row.withdrawnReason
        ? { at: row.withdrawnAt.toISOString(), reason: row.withdrawnReason }
        : null,
    explanation: ep.explanation,
    clause: ep.clause ?? null,
    evidence: ep.evidence.map((e) => ({
      deviceId: e.deviceId,
      seq: e.seq,
      kind: e.kind,
      time: new Date(e.time).toISOString(),
    })),
    incidentId: row.incidentId,
    actions: actions
      .filter((a) => a.alarmId === row.id)
      .map((a) => ({ at: a.at.toISOString(), by: a.byLogin, kind: a.kind, text: a.text })),
    excuse: excuse ?? null,
  };
}

/** Creates the service. */
export function createAlarmService(deps: {
  db: Database;
  repo: AlarmRepository;
  outbox: Pick<OutboxRepository, 'enqueue'>;
  bus: LiveBus;
  channels: () => EnabledChannels;
  /** Called after a commit that queued notifications. */
  onQueued?: () => void;
}) {
  const { db, repo, bus } = deps;
  const access = createProtectedAccess(db);

  async function views(rows: AlarmRow[]): Promise<AlarmView[]> {
    const actions = await repo.actionsOf(rows.map((r) => r.id));
    return rows.map((r) => toView(r, actions));
  }

  /** Labels of the zones protecting a person in each supervision's order (any version). */
  async function protectedZoneNames(supervisionIds: string[]): Promise<Map<string, string[]>> {
    const out = new Map<string, string[]>();
    if (supervisionIds.length === 0) return out;
    const rows = await db
      .selectFrom('court_order_versions as v')
      .innerJoin('court_orders as o', 'o.id', 'v.order_id')
      .select(['o.supervision_id', 'v.body'])
      .where('o.supervision_id', 'in', supervisionIds)
      .execute();
    for (const r of rows) {
      const body = (typeof r.body === 'string' ? JSON.parse(r.body) : r.body) as {
        obligations?: { kind: string; name?: string }[];
      };
      const obligations = body.obligations ?? [];
      if (!obligations.some((o) => o.kind === 'keep_distance')) continue;
      const names = obligations.filter((o) => o.kind === 'exclusion_zone' && o.name).map((o) => o.name!);
      out.set(r.supervision_id, [...new Set([...(out.get(r.supervision_id) ?? []), ...names])]);
    }
    return out;
  }

  /**
   * The alarms as `actor` may see them (ADR 0403): dropped for a role that reads no alarm, a protected
   * person's zone label replaced unless the actor may see her on that supervision. The live stream applies
   * the same presenter to each message it sends.
   */
  async function presentFor(actor: Actor, list: AlarmView[]): Promise<AlarmView[]> {
    const ids = [...new Set(list.map((a) => a.supervisionId))];
    const [zones, viewsBySupervision] = await Promise.all([
      protectedZoneNames(ids),
      access.forSupervisions(actor, ids),
    ]);
    const out: AlarmView[] = [];
    for (const a of list) {
      const p = presentAlarmFor(actor, a, {
        view: viewsBySupervision.get(a.supervisionId) ?? { visible: false, alarmId: null },
        protectedZoneNames: zones.get(a.supervisionId) ?? [],
      });
      if (p) out.push(p);
    }
    return out;
  }

  /** Pushes the current state of `ids` to the live stream. */
  async function publish(ids: string[]): Promise<void> {
    if (ids.length === 0 || bus.subscribers() === 0) return;
    const rows = await repo.byIds(ids);
    for (const v of await views(rows)) {
      const row = rows.find((r) => r.id === v.id)!;
      bus.publish({
        type: 'alarm',
        owners: { regionId: row.regionId, courtId: row.courtId, probationOfficerId: row.probationOfficerId },
        alarm: v,
      });
    }
  }

  /** The outbox rows announcing `ep` to `recipients` on every enabled channel they can be reached on. */
  async function notifications(
    ex: Executor,
    alarmId: string,
    ep: AlarmEpisode,
    caseNumber: string,
    recipients: { id: string; email: string | null; phone: string | null }[],
    reason: 'opened' | 'escalation',
    raisedFrom?: AlarmEpisode['severity'],
  ): Promise<OutboxEntry[]> {
    const enabled = deps.channels();
    const msg = alarmMessage(ep, { caseNumber, alarmId }, reason, raisedFrom);
    const out: OutboxEntry[] = [];
    for (const r of recipients) {
      if (enabled.email && r.email)
        out.push({
          alarmId,
          recipientUserId: r.id,
          channel: 'email',
          address: r.email,
          reason,
          subject: msg.subject,
          body: msg.body,
        });
      if (enabled.sms && r.phone)
        out.push({
          alarmId,
          recipientUserId: r.id,
          channel: 'sms',
          address: r.phone,
          reason,
          subject: msg.subject,
          body: msg.sms,
        });
    }
    void ex;
    return out;
  }

  /**
   * An open episode whose severity rose (a battery from low to critical, ADR 0502): the same alarm, updated;
   * it goes back to the operators' queue and is announced when the new severity warrants it.
   */
  function raised(
    c: EpisodeChange,
  ): { from: AlarmEpisode['severity']; ep: AlarmEpisode; previous: AlarmEpisode } | undefined {
    if (c.type !== 'updated' && c.type !== 'resolved') return undefined;
    return SEVERITY_RANK[c.episode.severity] > SEVERITY_RANK[c.previous.severity]
      ? { from: c.previous.severity, ep: c.episode, previous: c.previous }
      : undefined;
  }

  /** Whether a new episode is announced to the judge and the probation officer (T4.3). */
  function announced(ep: AlarmEpisode): boolean {
    // Infrastructure incidents are handled by the center's operators as one incident, not per person; an
    // undecided episode is shown apart and announced only once data decides it (ADR 0501).
    return ep.severity !== 'informational' && ep.incidentId === undefined && !ep.undecided;
  }

  /** The episodes this change makes known as decided: a new decided one, or an undecided one decided now. */
  function decidedNow(c: EpisodeChange): AlarmEpisode | undefined {
    if (c.type === 'withdrawn') return undefined;
    if (c.type === 'opened') return c.episode.undecided ? undefined : c.episode;
    return c.previous.undecided && !c.episode.undecided ? c.episode : undefined;
  }

  async function load(actor: Actor, id: string): Promise<AlarmRow> {
    const row = await repo.byId(id);
    if (!row) throw new NotFoundError('alarm', 'alarm');
    requireInScope(actor, row, 'alarm');
    return row;
  }

  /** One workflow step: checks, the action log entry, audit, in one transaction; then the live push. */
  async function step(
    actor: Actor,
    id: string,
    kind: ActionRow['kind'],
    text: string | null,
    requestId: string | undefined,
    change?: (trx: Executor, current: { status: AlarmRow['status']; excuse: unknown }) => Promise<void>,
  ): Promise<AlarmView> {
    await load(actor, id);
    await db.transaction().execute(async (trx) => {
      const current = await repo.lockStatus(trx, id);
      if (!current) throw new NotFoundError('alarm', 'alarm');
      if (change) await change(trx, current);
      await repo.insertAction(trx, { alarmId: id, byLogin: actor.login, byUserId: actor.userId, kind, text });
      await recordAudit(trx, actor, {
        action: `alarm.${kind}`,
        entity: 'alarm',
        entityId: id,
        changes: text === null ? {} : { text },
        ...(requestId ? { requestId } : {}),
      });
    });
    await publish([id]);
    const row = await repo.byId(id);
    return (await presentFor(actor, await views([row!])))[0]!;
  }

  const notClosed = (status: AlarmRow['status']) => {
    if (status === 'closed')
      throw new ConflictError('the alarm is closed', 'alarm_closed', 'Alarm jest już zamknięty.');
  };

  return {
    publish,
    presentFor,

    /**
     * Stores one supervision's evaluation: diff against what is stored (the same episodes the checkpoint
     * covers), upsert, withdraw, outbox rows for new alarms, checkpoint — one transaction. Returns the
     * changed alarm ids (to push live after the commit).
     */
    async applyEvaluation(
      e: EvaluationToApply,
    ): Promise<{ changed: string[]; changes: EpisodeChange[]; queued: number }> {
      const stored = await repo.episodesOf(e.supervision.id, e.from);
      const previous = stored.map((s) => s.episode).filter((ep) => covered(ep, e.from));
      // Episodes before the window (the runner keeps some for correlation) are final as stored.
      const changes = diffEpisodes(
        previous,
        e.episodes.filter((ep) => covered(ep, e.from)),
      );
      const newlyDecided = changes.flatMap((c) => decidedNow(c) ?? []);
      const expired = new Set(e.expired ?? []);
      // A raise is announced only on a decided episode (an undecided one stays quiet, ADR 0501).
      const raises = changes.flatMap((c) => raised(c) ?? []).filter((r) => !r.ep.undecided);
      const contacts = [...newlyDecided, ...raises.map((r) => r.ep)].some(announced)
        ? await repo.contacts(
            [e.supervision.judgeId, e.supervision.probationOfficerId].filter((x): x is string => x !== null),
          )
        : [];
      let queued = 0;
      await db.transaction().execute(async (trx) => {
        for (const c of changes) {
          if (c.type === 'withdrawn') {
            const id = alarmIdOf(c.previous.id);
            const why = expired.has(c.previous.id) ? 'limit' : 'data';
            const reason = WITHDRAWN_REASONS[why];
            await repo.markWithdrawn(trx, id, reason);
            await repo.insertAction(trx, {
              alarmId: id,
              byLogin: ENGINE_ACTOR.login,
              byUserId: null,
              kind: 'close',
              text: `${reason.pl} / ${reason.en}`,
            });
            await recordAudit(trx, ENGINE_ACTOR, {
              action: 'alarm.withdrawn',
              entity: 'alarm',
              entityId: id,
              changes: { reason: why },
            });
            continue;
          }
          const ep = c.episode;
          const id = alarmIdOf(ep.id);
          await repo.upsertEpisode(trx, id, ep, ep.resolvedAt === undefined ? 'active' : 'ended');
          if (c.type === 'opened') {
            await recordAudit(trx, ENGINE_ACTOR, {
              action: 'alarm.opened',
              entity: 'alarm',
              entityId: id,
              changes: {
                episodeId: ep.id,
                rule: ep.rule,
                severity: ep.severity,
                late: ep.late,
                undecided: ep.undecided,
              },
            });
          } else if (c.type === 'resolved') {
            await recordAudit(trx, ENGINE_ACTOR, { action: 'alarm.resolved', entity: 'alarm', entityId: id });
          }
          const decided = decidedNow(c) !== undefined;
          if (c.type !== 'opened' && decided)
            await recordAudit(trx, ENGINE_ACTOR, { action: 'alarm.decided', entity: 'alarm', entityId: id });
          // Announced when decided: at once, or when data decides an undecided one (ADR 0501).
          if (decided && announced(ep)) {
            const entries = await notifications(trx, id, ep, e.supervision.caseNumber, contacts, 'opened');
            queued += await deps.outbox.enqueue(trx, entries);
          }
          const raise = raised(c);
          if (raise !== undefined) {
            await repo.reopenOnRaise(trx, id);
            await repo.insertAction(trx, {
              alarmId: id,
              byLogin: ENGINE_ACTOR.login,
              byUserId: null,
              kind: 'note',
              text: `ważność podniesiona: ${SEVERITY_PL[raise.from]} → ${SEVERITY_PL[ep.severity]} / severity raised: ${raise.from} → ${ep.severity}`,
            });
            await recordAudit(trx, ENGINE_ACTOR, {
              action: 'alarm.severity_raised',
              entity: 'alarm',
              entityId: id,
              changes: { from: raise.from, to: ep.severity },
            });
            // A raise of a decided alarm into a severity that warrants a notification is announced, saying
            // it was raised (not twice when the same change also decided it).
            if (!decided && !ep.undecided && announced(ep)) {
              const entries = await notifications(
                trx,
                id,
                ep,
                e.supervision.caseNumber,
                contacts,
                'opened',
                raise.from,
              );
              queued += await deps.outbox.enqueue(trx, entries);
            }
          }
          // An episode that only an operator ends (tamper, unit moved, fault) and that gains evidence after
          // its alarm was closed — a second cut strap — reopens it: nobody may miss it. A windowed
          // evaluation may report such an episode as opened again, so any change but a resolution counts.
          if (
            c.type !== 'resolved' &&
            ep.endsBy === 'operator' &&
            (await repo.reopenIfClosedBefore(trx, id, new Date(ep.updatedAt)))
          ) {
            await repo.insertAction(trx, {
              alarmId: id,
              byLogin: ENGINE_ACTOR.login,
              byUserId: null,
              kind: 'note',
              text: 'ponownie otwarty: nowe zdarzenia po zamknięciu / reopened: new evidence after it was closed',
            });
            await recordAudit(trx, ENGINE_ACTOR, {
              action: 'alarm.reopened',
              entity: 'alarm',
              entityId: id,
              changes: { evidenceAt: new Date(ep.updatedAt).toISOString() },
            });
          }
        }
        await repo.saveCheckpoint(trx, e.supervision.id, e.now, e.nextDueAt);
      });
      if (queued > 0) deps.onQueued?.();
      const changed = changes.map((c) => alarmIdOf(c.type === 'withdrawn' ? c.previous.id : c.episode.id));
      return { changed, changes, queued };
    },

    /** Stores the region's incidents as correlation last described them. */
    async applyIncidents(incidents: readonly InfrastructureIncident[]): Promise<void> {
      if (incidents.length === 0) return;
      await db.transaction().execute(async (trx) => {
        for (const i of incidents) await repo.upsertIncident(trx, i);
      });
    },

    /** Escalates one unacknowledged critical alarm to the region's operators and the Bureau. */
    async escalate(id: string): Promise<number> {
      const row = await repo.byId(id);
      if (!row) return 0;
      const recipients = await repo.escalationContacts(row.regionId);
      let queued = 0;
      await db.transaction().execute(async (trx) => {
        if (!(await repo.markEscalated(trx, id))) return;
        const entries = await notifications(trx, id, row.episode, row.caseNumber, recipients, 'escalation');
        queued = await deps.outbox.enqueue(trx, entries);
        await repo.insertAction(trx, {
          alarmId: id,
          byLogin: ENGINE_ACTOR.login,
          byUserId: null,
          kind: 'notify',
          text: `eskalacja: brak potwierdzenia / escalation: not acknowledged — ${recipients.map((r) => r.login).join(', ') || 'no recipient with a contact'}`,
        });
        await recordAudit(trx, ENGINE_ACTOR, {
          action: 'alarm.escalated',
          entity: 'alarm',
          entityId: id,
          changes: { queued },
        });
      });
      await publish([id]);
      return queued;
    },

    async list(actor: Actor, f: Parameters<AlarmRepository['list']>[1]) {
      requirePermission(actor, 'alarm.read');
      const rows = await repo.list(scopeOf(actor), f);
      const page = rows.slice(0, f.limit);
      return { alarms: await presentFor(actor, await views(page)), more: rows.length > f.limit };
    },

    async get(actor: Actor, id: string): Promise<AlarmView> {
      requirePermission(actor, 'alarm.read');
      const [view] = await presentFor(actor, await views([await load(actor, id)]));
      if (!view) throw new NotFoundError('alarm', 'alarm');
      return view;
    },

    acknowledge(actor: Actor, id: string, requestId?: string) {
      requirePermission(actor, 'alarm.handle');
      return step(actor, id, 'acknowledge', null, requestId, async (trx, cur) => {
        notClosed(cur.status);
        if (cur.status === 'open') await repo.setStatus(trx, id, 'acknowledged');
      });
    },

    note(actor: Actor, id: string, text: string, requestId?: string) {
      requirePermission(actor, 'alarm.read');
      return step(actor, id, 'note', text, requestId);
    },

    call(actor: Actor, id: string, body: { outcome: string; note?: string | undefined }, requestId?: string) {
      requirePermission(actor, 'alarm.handle');
      return step(actor, id, 'call', body.note ? `${body.outcome}: ${body.note}` : body.outcome, requestId);
    },

    patrol(actor: Actor, id: string, body: { unit: string; note?: string | undefined }, requestId?: string) {
      requirePermission(actor, 'alarm.handle');
      return step(
        actor,
        id,
        'patrol',
        body.note ? `${body.unit}: ${body.note}` : body.unit,
        requestId,
        async (_t, cur) => notClosed(cur.status),
      );
    },

    excuse(actor: Actor, id: string, text: string, requestId?: string) {
      requirePermission(actor, 'alarm.handle');
      return step(actor, id, 'excuse', text, requestId, async (trx) => {
        await repo.setExcuse(trx, id, {
          text,
          recordedBy: actor.login,
          at: new Date().toISOString(),
          qualification: null,
          qualifiedBy: null,
          note: null,
        });
      });
    },

    qualify(
      actor: Actor,
      id: string,
      body: { qualification: 'justified' | 'unjustified'; note: string },
      requestId?: string,
    ) {
      requirePermission(actor, 'supervision.officer');
      return step(
        actor,
        id,
        'qualify',
        `${body.qualification}: ${body.note}`,
        requestId,
        async (trx, cur) => {
          const excuse = (typeof cur.excuse === 'string' ? JSON.parse(cur.excuse) : cur.excuse) as Record<
            string,
            unknown
          > | null;
          if (!excuse)
            throw new ConflictError(
              'no excuse was recorded for this alarm',
              'no_excuse',
              'Dla tego alarmu nie zapisano usprawiedliwienia.',
            );
          await repo.setExcuse(trx, id, {
            ...excuse,
            qualification: body.qualification,
            qualifiedBy: actor.login,
            note: body.note,
          });
        },
      );
    },

    close(actor: Actor, id: string, note: string, requestId?: string) {
      requirePermission(actor, 'alarm.handle');
      return step(actor, id, 'close', note, requestId, async (trx, cur) => {
        notClosed(cur.status);
        await repo.setStatus(trx, id, 'closed');
      });
    },

    async incidents(actor: Actor, active: boolean) {
      requirePermission(actor, 'alarm.read');
      const scope: Scope = scopeOf(actor);
      const rows = await repo.incidents({
        active,
        ...(scope.kind === 'region' ? { regionId: scope.regionId } : {}),
      });
      const all = rows.map((r) => ({
        id: r.id,
        regionId: r.region_id,
        kind: r.kind,
        startedAt: new Date(r.started_at).toISOString(),
        endedAt: r.ended_at ? new Date(r.ended_at).toISOString() : null,
        supervisionIds: r.supervision_ids,
        deviceIds: r.device_ids,
        alarmIds: r.episode_ids.map(alarmIdOf),
        explanation: r.explanation,
      }));
      if (scope.kind === 'all' || scope.kind === 'region') return { incidents: all };
      const visible = await repo.supervisionsInScope(
        [...new Set(all.flatMap((i) => i.supervisionIds))],
        scope,
      );
      return {
        incidents: all
          .filter((i) => i.supervisionIds.some((s) => visible.has(s)))
          .map((i) => ({ ...i, supervisionIds: i.supervisionIds.filter((s) => visible.has(s)) })),
      };
    },
  };
}

export type AlarmService = ReturnType<typeof createAlarmService>;
