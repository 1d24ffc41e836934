/** SQL of alarms: episodes with their workflow state, the workflow log, incidents, engine checkpoints, contacts. */
import type { AlarmEpisode, InfrastructureIncident } from '@sde/domain';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Scope } from '../auth/actor.js';
import type { Database } from '../db/database.js';
import type { AlarmActionsTable, DB } from '../db/schema.js';
import { caseScopeSql } from '../db/scope-sql.js';

/** The database or the transaction a write belongs to. */
export type Executor = Kysely<DB> | Transaction<DB>;

/** A stored alarm with what the view needs from its case. */
export interface AlarmRow {
  id: string;
  episodeId: string;
  supervisionId: string;
  caseId: string;
  caseNumber: string;
  personGiven: string;
  personFamily: string;
  regionId: string;
  courtId: string | null;
  probationOfficerId: string | null;
  judgeId: string | null;
  rule: string;
  severity: 'critical' | 'serious' | 'informational';
  status: 'open' | 'acknowledged' | 'closed';
  condition: 'active' | 'ended' | 'withdrawn';
  startedAt: Date;
  resolvedAt: Date | null;
  detectedAt: Date;
  late: boolean;
  undecided: boolean;
  incidentId: string | null;
  episode: AlarmEpisode;
  excuse: Record<string, unknown> | null;
  createdAt: Date;
  /** Withdrawn by late data or the undecided time limit: when and why (ADR 0501). */
  withdrawnAt: Date | null;
  withdrawnReason: { pl: string; en: string } | null;
}

/** One workflow log entry. */
export interface ActionRow {
  alarmId: string;
  at: Date;
  byLogin: string;
  kind: AlarmActionsTable['kind'];
  text: string | null;
}

/** Filters of the alarm list. */
export interface AlarmFilter {
  status?: 'open' | 'acknowledged' | 'closed' | undefined;
  severity?: 'critical' | 'serious' | 'informational' | undefined;
  rule?: string | undefined;
  supervisionId?: string | undefined;
  /** Started at or after / at or before (the period of the statistics). */
  from?: Date | undefined;
  to?: Date | undefined;
  limit: number;
  offset: number;
}

function alarmQuery(ex: Executor) {
  return ex
    .selectFrom('alarm_episodes as a')
    .innerJoin('supervisions as s', 's.id', 'a.supervision_id')
    .innerJoin('cases as c', 'c.id', 's.case_id')
    .innerJoin('monitored_persons as p', 'p.id', 'c.person_id')
    .select([
      'a.id',
      'a.episode_id',
      'a.supervision_id',
      'c.id as case_id',
      'c.case_number',
      'p.given_name',
      'p.family_name',
      'c.region_id',
      'c.court_id',
      'c.probation_officer_id',
      'c.judge_id',
      'a.rule',
      'a.severity',
      'a.status',
      'a.condition',
      'a.started_at',
      'a.resolved_at',
      'a.detected_at',
      'a.late',
      'a.undecided',
      'a.incident_id',
      'a.episode',
      'a.excuse',
      'a.created_at',
      'a.withdrawn_at',
      'a.withdrawn_reason',
    ]);
}

type RawAlarm = Awaited<ReturnType<ReturnType<typeof alarmQuery>['executeTakeFirstOrThrow']>>;

function toRow(r: RawAlarm): AlarmRow {
  return {
    id: r.id,
    episodeId: r.episode_id,
    supervisionId: r.supervision_id,
    caseId: r.case_id,
    caseNumber: r.case_number,
    personGiven: r.given_name,
    personFamily: r.family_name,
    regionId: r.region_id,
    courtId: r.court_id,
    probationOfficerId: r.probation_officer_id,
    judgeId: r.judge_id,
    rule: r.rule,
    severity: r.severity,
    status: r.status,
    condition: r.condition,
    startedAt: new Date(r.started_at),
    resolvedAt: r.resolved_at ? new Date(r.resolved_at) : null,
    detectedAt: new Date(r.detected_at),
    late: r.late,
    undecided: r.undecided,
    incidentId: r.incident_id,
    episode: JSON.parse(r.episode) as AlarmEpisode,
    excuse: (typeof r.excuse === 'string' ? JSON.parse(r.excuse) : r.excuse) as Record<
      string,
      unknown
    > | null,
    createdAt: new Date(r.created_at),
    withdrawnAt: r.withdrawn_at ? new Date(r.withdrawn_at) : null,
    withdrawnReason: (typeof r.withdrawn_reason === 'string'
      ? JSON.parse(r.withdrawn_reason)
      : r.withdrawn_reason) as AlarmRow['withdrawnReason'],
  };
}

/** Creates the repository; writes take the transaction they belong to. */
/** An alarm put back in the operators' queue: to be acknowledged, and escalated, again. */
function backToOpen() {
  return {
    status: 'open' as const,
    acknowledged_at: null,
    closed_at: null,
    escalated_at: null,
    updated_at: new Date(),
  };
}

export function createAlarmRepository(db: Database) {
  return {
    /**
     * Stored, not withdrawn episodes of a supervision that an evaluation from `since` may return again
     * (still unresolved, or resolved at or after `since`); all when `since` is undefined.
     */
    async episodesOf(supervisionId: string, since?: number) {
      let q = db
        .selectFrom('alarm_episodes')
        .select(['id', 'episode', 'condition'])
        .where('supervision_id', '=', supervisionId)
        .where('condition', '<>', 'withdrawn');
      if (since !== undefined)
        q = q.where((eb) => eb.or([eb('resolved_at', 'is', null), eb('resolved_at', '>=', new Date(since))]));
      const rows = await q.execute();
      return rows.map((r) => ({
        id: r.id,
        condition: r.condition,
        episode: JSON.parse(r.episode) as AlarmEpisode,
      }));
    },

    /** Inserts or updates the engine's side of an alarm (never its workflow state). */
    async upsertEpisode(ex: Executor, id: string, ep: AlarmEpisode, condition: 'active' | 'ended') {
      const values = {
        rule: ep.rule,
        severity: ep.severity,
        condition,
        started_at: new Date(ep.startedAt),
        opened_at: new Date(ep.openedAt),
        resolved_at: ep.resolvedAt === undefined ? null : new Date(ep.resolvedAt),
        detected_at: new Date(ep.detectedAt),
        late: ep.late,
        undecided: ep.undecided,
        incident_id: ep.incidentId ?? null,
        episode: JSON.stringify(ep),
      };
      const decidedAt = ep.undecided ? null : new Date();
      await ex
        .insertInto('alarm_episodes')
        .values({ id, episode_id: ep.id, supervision_id: ep.supervisionId, ...values, decided_at: decidedAt })
        .onConflict((oc) =>
          oc.column('id').doUpdateSet({
            ...values,
            updated_at: new Date(),
            // Decided once, announced once: the first instant stays.
            decided_at: sql<Date | null>`coalesce(alarm_episodes.decided_at, excluded.decided_at)`,
            // An episode the engine returns again after withdrawing it is back in the queue (ADR 0501).
            status: sql<
              'open' | 'acknowledged' | 'closed'
            >`case when alarm_episodes.condition = 'withdrawn' then 'open' else alarm_episodes.status end`,
            closed_at: sql<Date | null>`case when alarm_episodes.condition = 'withdrawn' then null else alarm_episodes.closed_at end`,
            withdrawn_at: null,
            withdrawn_reason: null,
          }),
        )
        .execute();
    },

    /**
     * Late data disproved the episode, or it stayed undecided past its time limit: kept and shown as
     * withdrawn with the reason, out of the operators' queue (closed) — ADR 0501.
     */
    async markWithdrawn(ex: Executor, id: string, reason: { pl: string; en: string }) {
      const now = new Date();
      await ex
        .updateTable('alarm_episodes')
        .set({
          condition: 'withdrawn',
          status: 'closed',
          closed_at: sql<Date>`coalesce(closed_at, ${now})`,
          withdrawn_at: now,
          withdrawn_reason: JSON.stringify(reason),
          updated_at: now,
        })
        .where('id', '=', id)
        .execute();
    },

    async byId(id: string, ex: Executor = db): Promise<AlarmRow | undefined> {
      const r = await alarmQuery(ex).where('a.id', '=', id).executeTakeFirst();
      return r && toRow(r);
    },

    async byIds(ids: string[], ex: Executor = db): Promise<AlarmRow[]> {
      if (ids.length === 0) return [];
      const rows = await alarmQuery(ex).where('a.id', 'in', ids).execute();
      return rows.map(toRow);
    },

    /** Alarms in `scope`: not closed first, then by severity, then oldest first. */
    async list(scope: Scope, f: AlarmFilter): Promise<AlarmRow[]> {
      let q = alarmQuery(db).where(caseScopeSql(scope));
      if (f.status) q = q.where('a.status', '=', f.status);
      if (f.severity) q = q.where('a.severity', '=', f.severity);
      if (f.rule) q = q.where('a.rule', '=', f.rule);
      if (f.supervisionId) q = q.where('a.supervision_id', '=', f.supervisionId);
      if (f.from) q = q.where('a.started_at', '>=', f.from);
      if (f.to) q = q.where('a.started_at', '<=', f.to);
      const rows = await q
        .orderBy(sql`case a.status when 'closed' then 1 else 0 end`)
        .orderBy(sql`case a.severity when 'critical' then 0 when 'serious' then 1 else 2 end`)
        .orderBy('a.started_at')
        .orderBy('a.id')
        .limit(f.limit + 1)
        .offset(f.offset)
        .execute();
      return rows.map(toRow);
    },

    async actionsOf(ids: string[], ex: Executor = db): Promise<ActionRow[]> {
      if (ids.length === 0) return [];
      const rows = await ex
        .selectFrom('alarm_actions')
        .select(['alarm_id', 'at', 'by_login', 'kind', 'text'])
        .where('alarm_id', 'in', ids)
        .orderBy('id')
        .execute();
      return rows.map((r) => ({
        alarmId: r.alarm_id,
        at: new Date(r.at),
        byLogin: r.by_login,
        kind: r.kind,
        text: r.text,
      }));
    },

    async insertAction(
      ex: Executor,
      a: {
        alarmId: string;
        byLogin: string;
        byUserId: string | null;
        kind: ActionRow['kind'];
        text: string | null;
      },
    ) {
      await ex
        .insertInto('alarm_actions')
        .values({
          alarm_id: a.alarmId,
          by_login: a.byLogin,
          by_user_id: a.byUserId,
          kind: a.kind,
          text: a.text,
        })
        .execute();
    },

    /**
     * An alarm an operator closed that the engine has since given new evidence (a second cut strap on a
     * tamper alarm that lasts until handled): back to open, to be acknowledged and escalated again.
     * True when it was reopened.
     */
    async reopenIfClosedBefore(ex: Executor, id: string, evidenceAt: Date): Promise<boolean> {
      const r = await ex
        .updateTable('alarm_episodes')
        .set(backToOpen())
        .where('id', '=', id)
        .where('status', '=', 'closed')
        .where('closed_at', '<', evidenceAt)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /**
     * The severity of an alarm's episode rose (ADR 0502): an acknowledged or closed alarm goes back to open,
     * to be acknowledged (and escalated if critical) again. True when its status changed.
     */
    async reopenOnRaise(ex: Executor, id: string): Promise<boolean> {
      const r = await ex
        .updateTable('alarm_episodes')
        .set(backToOpen())
        .where('id', '=', id)
        .where('status', '<>', 'open')
        .where('condition', '<>', 'withdrawn')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    /** Locks the alarm's row for a workflow change. */
    async lockStatus(ex: Executor, id: string) {
      return ex
        .selectFrom('alarm_episodes')
        .select(['status', 'excuse'])
        .where('id', '=', id)
        .forUpdate()
        .executeTakeFirst();
    },

    async setStatus(ex: Executor, id: string, status: 'acknowledged' | 'closed') {
      await ex
        .updateTable('alarm_episodes')
        .set(
          status === 'acknowledged'
            ? { status, acknowledged_at: new Date(), updated_at: new Date() }
            : { status, closed_at: new Date(), updated_at: new Date() },
        )
        .where('id', '=', id)
        .execute();
    },

    async setExcuse(ex: Executor, id: string, excuse: Record<string, unknown>) {
      await ex
        .updateTable('alarm_episodes')
        .set({ excuse: JSON.stringify(excuse), updated_at: new Date() })
        .where('id', '=', id)
        .execute();
    },

    /** Alarms not closed (open or acknowledged) and not withdrawn, counted by severity (metrics). */
    async openCounts(): Promise<{ severity: string; count: number }[]> {
      const rows = await db
        .selectFrom('alarm_episodes')
        .select(['severity', (eb) => eb.fn.countAll<string>().as('n')])
        .where('status', '<>', 'closed')
        .where('condition', '<>', 'withdrawn')
        .groupBy('severity')
        .execute();
      return rows.map((r) => ({ severity: r.severity, count: Number(r.n) }));
    },

    /** Decided critical alarms nobody acknowledged since before `before` and not yet escalated. */
    async escalationsDue(before: Date, limit = 50) {
      return db
        .selectFrom('alarm_episodes')
        .select(['id'])
        .where('status', '=', 'open')
        .where('severity', '=', 'critical')
        .where('condition', '<>', 'withdrawn')
        .where('escalated_at', 'is', null)
        .where('decided_at', '<=', before)
        .orderBy('decided_at')
        .limit(limit)
        .execute();
    },

    /**
     * When the next unacknowledged critical alarm becomes due for escalation: the instant it was decided (an
     * undecided one is not escalated — ADR 0501).
     */
    async nextEscalationBase(): Promise<Date | undefined> {
      const r = await db
        .selectFrom('alarm_episodes')
        .select((eb) => eb.fn.min('decided_at').as('at'))
        .where('status', '=', 'open')
        .where('severity', '=', 'critical')
        .where('condition', '<>', 'withdrawn')
        .where('escalated_at', 'is', null)
        .executeTakeFirst();
      return r?.at ? new Date(r.at) : undefined;
    },

    /** Marks the alarm escalated; false when someone else already did (or it was acknowledged meanwhile). */
    async markEscalated(ex: Executor, id: string): Promise<boolean> {
      const r = await ex
        .updateTable('alarm_episodes')
        .set({ escalated_at: new Date() })
        .where('id', '=', id)
        .where('escalated_at', 'is', null)
        .where('status', '=', 'open')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Contact data of users (active ones only). */
    async contacts(ids: string[], ex: Executor = db) {
      if (ids.length === 0) return [];
      return ex
        .selectFrom('users')
        .select(['id', 'login', 'role', 'email', 'phone'])
        .where('id', 'in', ids)
        .where('active', '=', true)
        .execute();
    },

    /** Who an unacknowledged critical alarm escalates to: the region's operators and the Bureau. */
    async escalationContacts(regionId: string, ex: Executor = db) {
      return ex
        .selectFrom('users')
        .select(['id', 'login', 'role', 'email', 'phone'])
        .where('active', '=', true)
        .where((eb) =>
          eb.or([
            eb.and([eb('role', '=', 'operator'), eb('region_id', '=', regionId)]),
            eb('role', '=', 'bureau_admin'),
          ]),
        )
        .execute();
    },

    async upsertIncident(ex: Executor, i: InfrastructureIncident) {
      const values = {
        region_id: i.regionId,
        kind: i.kind,
        started_at: new Date(i.startedAt),
        ended_at: i.endedAt === undefined ? null : new Date(i.endedAt),
        supervision_ids: JSON.stringify(i.supervisionIds),
        device_ids: JSON.stringify(i.deviceIds),
        episode_ids: JSON.stringify(i.episodeIds),
        explanation: JSON.stringify(i.explanation),
      };
      await ex
        .insertInto('infrastructure_incidents')
        .values({ id: i.id, ...values })
        .onConflict((oc) => oc.column('id').doUpdateSet({ ...values, updated_at: new Date() }))
        .execute();
    },

    async incidents(filter: { active: boolean; regionId?: string | undefined }) {
      let q = db.selectFrom('infrastructure_incidents').selectAll().orderBy('started_at', 'desc').limit(500);
      if (filter.active) q = q.where('ended_at', 'is', null);
      if (filter.regionId) q = q.where('region_id', '=', filter.regionId);
      return q.execute();
    },

    /** The supervisions among `ids` that `scope` may see. */
    async supervisionsInScope(ids: string[], scope: Scope): Promise<Set<string>> {
      if (ids.length === 0) return new Set();
      const rows = await db
        .selectFrom('supervisions as s')
        .innerJoin('cases as c', 'c.id', 's.case_id')
        .select('s.id')
        .where('s.id', 'in', ids)
        .where(caseScopeSql(scope))
        .execute();
      return new Set(rows.map((r) => r.id));
    },

    async saveCheckpoint(
      ex: Executor,
      supervisionId: string,
      evaluatedAt: number,
      nextDueAt: number | undefined,
    ) {
      const values = {
        evaluated_at: new Date(evaluatedAt),
        next_due_at: nextDueAt === undefined ? null : new Date(nextDueAt),
      };
      await ex
        .insertInto('engine_checkpoints')
        .values({ supervision_id: supervisionId, ...values })
        .onConflict((oc) => oc.column('supervision_id').doUpdateSet(values))
        .execute();
    },
  };
}

export type AlarmRepository = ReturnType<typeof createAlarmRepository>;
