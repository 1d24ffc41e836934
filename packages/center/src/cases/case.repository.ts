/** SQL for persons, cases, applications, supervisions, court orders, devices assignments, protocols and tasks. */
import type {
  ApprovedException,
  CourtOrderVersion,
  FlatOwner,
  GrantBar,
  SupervisionLifecycle,
} from '@sde/domain';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Scope } from '../auth/actor.js';
import type { Database } from '../db/database.js';
import type { DB, TasksTable } from '../db/schema.js';
import { caseScopeSql } from '../db/scope-sql.js';

/** The database or the transaction a write belongs to. */
export type Executor = Kysely<DB> | Transaction<DB>;

/** Who owns a case, for scope checks. */
export interface CaseOwners {
  regionId: string;
  courtId: string | null;
  probationOfficerId: string | null;
}

/** A stored case. */
export interface CaseRow extends CaseOwners {
  id: string;
  caseNumber: string;
  courtId: string;
  judgmentDate: string;
  personId: string;
  judgeId: string | null;
  monitoringAddress: { street: string; postalCode: string; city: string } | null;
  protectedPersonId: string | null;
  createdAt: Date;
}

/** A stored supervision with the owners of its case. */
export interface SupervisionRow extends CaseOwners {
  id: string;
  caseId: string;
  caseNumber: string;
  applicationId: string;
  personId: string;
  judgeId: string | null;
  status: SupervisionLifecycle['status'];
  kinds: string[];
  lifecycle: SupervisionLifecycle;
  activatedAt: Date | null;
  sentenceLastDay: string | null;
  sentenceEndsAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** One stored version of a court order. */
export interface OrderVersionRow {
  orderId: string;
  version: number;
  validFrom: Date;
  decidedOn: string;
  decidedBy: string;
  reason: string;
  body: CourtOrderVersion;
  recordedBy: string;
  recordedAt: Date;
}

/** A device assignment with the device's id and kind. */
export interface AssignmentRow {
  id: string;
  deviceNo: number;
  deviceId: string;
  deviceKind: string;
  supervisionId: string;
  from: Date;
  to: Date | null;
  installedBy: string;
  removedBy: string | null;
}

/** A page of a list and the cursor of the next one. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Keyset cursor over (created_at desc, id desc). */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.toISOString()}|${id}`).toString('base64url');
}

function decodeCursor(cursor: string | undefined): { at: Date; id: string } | undefined {
  if (!cursor) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split('|');
  const d = new Date(at ?? '');
  if (!id || Number.isNaN(d.getTime())) return undefined;
  return { at: d, id };
}

function afterCursor(alias: 'c' | 's' | 't', cursor: string | undefined) {
  const c = decodeCursor(cursor);
  if (!c) return sql<boolean>`true`;
  return sql<boolean>`(${sql.ref(`${alias}.created_at`)}, ${sql.ref(`${alias}.id`)}) < (${c.at}, ${c.id})`;
}

function page<T extends { createdAt: Date; id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

const json = (v: unknown) => JSON.stringify(v);

/** The court and region that registered a person (ADR 0402). */
export interface Registrar {
  courtId: string | null;
  regionId: string | null;
}

/** Creates the repository; every method takes the transaction of the write it belongs to, if any. */
export function createCaseRepository(db: Database) {
  const supervisionQuery = (ex: Executor) =>
    ex
      .selectFrom('supervisions as s')
      .innerJoin('cases as c', 'c.id', 's.case_id')
      .select([
        's.id',
        's.case_id',
        'c.case_number',
        's.application_id',
        's.person_id',
        's.status',
        's.kinds',
        's.lifecycle',
        's.activated_at',
        's.sentence_last_day',
        's.sentence_ends_at',
        's.created_at',
        's.updated_at',
        'c.region_id',
        'c.court_id',
        'c.probation_officer_id',
        'c.judge_id',
      ]);
  type SRow = Awaited<ReturnType<ReturnType<typeof supervisionQuery>['executeTakeFirstOrThrow']>>;
  const toSupervision = (r: SRow): SupervisionRow => ({
    id: r.id,
    caseId: r.case_id,
    caseNumber: r.case_number,
    applicationId: r.application_id,
    personId: r.person_id,
    judgeId: r.judge_id,
    status: r.status as SupervisionRow['status'],
    kinds: r.kinds,
    lifecycle: r.lifecycle as unknown as SupervisionLifecycle,
    activatedAt: r.activated_at,
    sentenceLastDay: r.sentence_last_day,
    sentenceEndsAt: r.sentence_ends_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    regionId: r.region_id,
    courtId: r.court_id,
    probationOfficerId: r.probation_officer_id,
  });

  const caseQuery = (ex: Executor) => ex.selectFrom('cases as c').selectAll('c');
  type CRow = Awaited<ReturnType<ReturnType<typeof caseQuery>['executeTakeFirstOrThrow']>>;
  const toCase = (r: CRow): CaseRow => ({
    id: r.id,
    caseNumber: r.case_number,
    courtId: r.court_id,
    regionId: r.region_id,
    judgmentDate: r.judgment_date,
    personId: r.person_id,
    judgeId: r.judge_id,
    probationOfficerId: r.probation_officer_id,
    monitoringAddress: r.monitoring_address,
    protectedPersonId: r.protected_person_id,
    createdAt: r.created_at,
  });

  const assignmentQuery = (ex: Executor) =>
    ex
      .selectFrom('device_assignments as a')
      .innerJoin('devices as d', 'd.no', 'a.device_no')
      .select([
        'a.id',
        'a.device_no',
        'd.id as device_id',
        'd.kind as device_kind',
        'a.supervision_id',
        'a.from_at',
        'a.to_at',
        'a.installed_by',
        'a.removed_by',
      ]);
  type ARow = Awaited<ReturnType<ReturnType<typeof assignmentQuery>['executeTakeFirstOrThrow']>>;
  const toAssignment = (r: ARow): AssignmentRow => ({
    id: r.id,
    deviceNo: r.device_no,
    deviceId: r.device_id,
    deviceKind: r.device_kind,
    supervisionId: r.supervision_id,
    from: r.from_at,
    to: r.to_at,
    installedBy: r.installed_by,
    removedBy: r.removed_by,
  });

  const toVersion = (r: {
    order_id: string;
    version: number;
    valid_from: Date;
    decided_on: string;
    decided_by: string;
    reason: string;
    body: Record<string, unknown>;
    recorded_by: string;
    recorded_at: Date;
  }): OrderVersionRow => ({
    orderId: r.order_id,
    version: r.version,
    validFrom: r.valid_from,
    decidedOn: r.decided_on,
    decidedBy: r.decided_by,
    reason: r.reason,
    body: r.body as unknown as CourtOrderVersion,
    recordedBy: r.recorded_by,
    recordedAt: r.recorded_at,
  });

  return {
    // ---- people -------------------------------------------------------------------------------------
    async insertPerson(
      p: {
        id: string;
        givenName: string;
        familyName: string;
        birthDate: string;
        permanentAddress?: { street: string; postalCode: string; city: string } | undefined;
        phone?: string | undefined;
      },
      ex: Executor = db,
      registeredBy?: Registrar,
    ) {
      await ex
        .insertInto('monitored_persons')
        .values({
          id: p.id,
          given_name: p.givenName,
          family_name: p.familyName,
          birth_date: p.birthDate,
          permanent_address: p.permanentAddress ? json(p.permanentAddress) : null,
          phone: p.phone ?? null,
          registered_court_id: registeredBy?.courtId ?? null,
          registered_region_id: registeredBy?.regionId ?? null,
        })
        .execute();
    },

    async person(id: string, ex: Executor = db) {
      const r = await ex.selectFrom('monitored_persons').selectAll().where('id', '=', id).executeTakeFirst();
      return (
        r && {
          id: r.id,
          givenName: r.given_name,
          familyName: r.family_name,
          birthDate: r.birth_date,
          permanentAddress: r.permanent_address,
          phone: r.phone,
          containsPersonalData: true as const,
          createdAt: r.created_at,
        }
      );
    },

    /**
     * Whether any case of the person is inside `scope` (a person is visible through their cases), or the
     * person was registered by the court or region of `scope` (before their first case; ADR 0402).
     */
    async personVisible(id: string, scope: Scope, ex: Executor = db): Promise<boolean> {
      const r = await ex
        .selectFrom('cases as c')
        .select('c.id')
        .where('c.person_id', '=', id)
        .where(caseScopeSql(scope))
        .executeTakeFirst();
      if (r !== undefined) return true;
      if (scope.kind !== 'court' && scope.kind !== 'region') return false;
      const p = await ex
        .selectFrom('monitored_persons')
        .select('id')
        .where('id', '=', id)
        .where(
          scope.kind === 'court' ? 'registered_court_id' : 'registered_region_id',
          '=',
          scope.kind === 'court' ? scope.courtId : scope.regionId,
        )
        .executeTakeFirst();
      return p !== undefined;
    },

    async insertProtectedPerson(
      p: {
        id: string;
        givenName: string;
        familyName: string;
        consentedOn: string;
        phone?: string | undefined;
      },
      ex: Executor = db,
      registeredBy?: Registrar,
    ) {
      await ex
        .insertInto('protected_persons')
        .values({
          id: p.id,
          given_name: p.givenName,
          family_name: p.familyName,
          consented_on: p.consentedOn,
          phone: p.phone ?? null,
          registered_court_id: registeredBy?.courtId ?? null,
          registered_region_id: registeredBy?.regionId ?? null,
        })
        .execute();
    },

    async protectedPerson(id: string, ex: Executor = db) {
      const r = await ex.selectFrom('protected_persons').selectAll().where('id', '=', id).executeTakeFirst();
      return (
        r && {
          id: r.id,
          givenName: r.given_name,
          familyName: r.family_name,
          consentedOn: r.consented_on,
          phone: r.phone,
          containsPersonalData: true as const,
        }
      );
    },

    // ---- courts and users (read only) ---------------------------------------------------------------
    async court(id: string, ex: Executor = db) {
      return ex.selectFrom('courts').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async user(id: string, ex: Executor = db) {
      return ex
        .selectFrom('users')
        .select(['id', 'login', 'display_name', 'role', 'region_id', 'court_id', 'active'])
        .where('id', '=', id)
        .executeTakeFirst();
    },

    // ---- cases --------------------------------------------------------------------------------------
    async insertCase(c: Omit<CaseRow, 'createdAt'>, ex: Executor = db) {
      await ex
        .insertInto('cases')
        .values({
          id: c.id,
          case_number: c.caseNumber,
          court_id: c.courtId,
          region_id: c.regionId,
          judgment_date: c.judgmentDate,
          person_id: c.personId,
          judge_id: c.judgeId,
          probation_officer_id: c.probationOfficerId,
          monitoring_address: c.monitoringAddress ? json(c.monitoringAddress) : null,
          protected_person_id: c.protectedPersonId,
          created_at: new Date(),
        })
        .execute();
    },

    async updateCase(
      id: string,
      patch: {
        judgeId?: string | null;
        probationOfficerId?: string | null;
        monitoringAddress?: CaseRow['monitoringAddress'];
        protectedPersonId?: string | null;
      },
      ex: Executor = db,
    ) {
      await ex
        .updateTable('cases')
        .set({
          ...(patch.judgeId !== undefined ? { judge_id: patch.judgeId } : {}),
          ...(patch.probationOfficerId !== undefined
            ? { probation_officer_id: patch.probationOfficerId }
            : {}),
          ...(patch.monitoringAddress !== undefined
            ? { monitoring_address: patch.monitoringAddress ? json(patch.monitoringAddress) : null }
            : {}),
          ...(patch.protectedPersonId !== undefined ? { protected_person_id: patch.protectedPersonId } : {}),
        })
        .where('id', '=', id)
        .execute();
    },

    async caseById(id: string, ex: Executor = db): Promise<CaseRow | undefined> {
      const r = await caseQuery(ex).where('c.id', '=', id).executeTakeFirst();
      return r && toCase(r);
    },

    async caseByNumber(courtId: string, caseNumber: string, ex: Executor = db) {
      const r = await caseQuery(ex)
        .where('c.court_id', '=', courtId)
        .where('c.case_number', '=', caseNumber)
        .executeTakeFirst();
      return r && toCase(r);
    },

    async listCases(
      scope: Scope,
      f: {
        limit: number;
        cursor?: string | undefined;
        courtId?: string | undefined;
        regionId?: string | undefined;
        probationOfficerId?: string | undefined;
        caseNumber?: string | undefined;
      },
    ): Promise<Page<CaseRow>> {
      let q = caseQuery(db).where(caseScopeSql(scope)).where(afterCursor('c', f.cursor));
      if (f.courtId) q = q.where('c.court_id', '=', f.courtId);
      if (f.regionId) q = q.where('c.region_id', '=', f.regionId);
      if (f.probationOfficerId) q = q.where('c.probation_officer_id', '=', f.probationOfficerId);
      if (f.caseNumber) q = q.where('c.case_number', 'like', `${f.caseNumber.replace(/[%_\\]/g, '\\$&')}%`);
      const rows = await q
        .orderBy('c.created_at', 'desc')
        .orderBy('c.id', 'desc')
        .limit(f.limit + 1)
        .execute();
      return page(rows.map(toCase), f.limit);
    },

    // ---- applications, surveys, eligibility, decisions ----------------------------------------------
    async insertApplication(
      a: {
        id: string;
        caseId: string;
        filerKind: DB['applications']['filer_kind'];
        filerName: string;
        receivedOn: string;
        justification: string;
        coResidents: unknown[];
        technicianContactPhone: string;
        sentences: unknown[];
        creditedDays: number;
        hasPermanentAddress: boolean | null;
        recidivistArt64Par2: boolean | null;
        judgmentFinalOn: string;
        flatOwner: FlatOwner;
        decisionLastDay: string;
        decisionDueAt: Date;
        createdBy: string;
      },
      ex: Executor = db,
    ) {
      await ex
        .insertInto('applications')
        .values({
          id: a.id,
          case_id: a.caseId,
          filer_kind: a.filerKind,
          filer_name: a.filerName,
          received_on: a.receivedOn,
          justification: a.justification,
          co_residents: json(a.coResidents),
          technician_phone: a.technicianContactPhone,
          sentences: json(a.sentences),
          credited_days: a.creditedDays,
          has_permanent_address: a.hasPermanentAddress,
          recidivist_art64_2: a.recidivistArt64Par2,
          judgment_final_on: a.judgmentFinalOn,
          flat_owner: json(a.flatOwner),
          decision_last_day: a.decisionLastDay,
          decision_due_at: a.decisionDueAt,
          created_by: a.createdBy,
        })
        .execute();
    },

    async application(id: string, ex: Executor = db) {
      const r = await ex.selectFrom('applications').selectAll().where('id', '=', id).executeTakeFirst();
      return (
        r && {
          id: r.id,
          caseId: r.case_id,
          filerKind: r.filer_kind,
          filerName: r.filer_name,
          receivedOn: r.received_on,
          justification: r.justification,
          coResidents: r.co_residents,
          technicianContactPhone: r.technician_phone,
          sentences: r.sentences,
          creditedDays: r.credited_days,
          hasPermanentAddress: r.has_permanent_address,
          recidivistArt64Par2: r.recidivist_art64_2,
          judgmentFinalOn: r.judgment_final_on,
          flatOwner: r.flat_owner as FlatOwner | null,
          decisionLastDay: r.decision_last_day,
          decisionDueAt: r.decision_due_at,
          createdBy: r.created_by,
          createdAt: r.created_at,
        }
      );
    },

    async applicationsOfCase(caseId: string, ex: Executor = db) {
      return ex
        .selectFrom('applications')
        .select([
          'id',
          'filer_kind',
          'filer_name',
          'received_on',
          'decision_last_day',
          'technician_phone',
          'created_at',
        ])
        .where('case_id', '=', caseId)
        .orderBy('created_at')
        .execute();
    },

    async insertSurvey(
      s: {
        id: string;
        applicationId: string;
        outcome: 'feasible' | 'not_feasible' | 'pending';
        notes: string;
        surveyedAt: Date;
        surveyedBy: string;
      },
      ex: Executor = db,
    ) {
      await ex
        .insertInto('technical_surveys')
        .values({
          id: s.id,
          application_id: s.applicationId,
          outcome: s.outcome,
          notes: s.notes,
          surveyed_at: s.surveyedAt,
          surveyed_by: s.surveyedBy,
          created_at: new Date(),
        })
        .execute();
    },

    async latestSurvey(applicationId: string, ex: Executor = db) {
      return ex
        .selectFrom('technical_surveys')
        .selectAll()
        .where('application_id', '=', applicationId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
    },

    async insertEligibility(
      e: {
        id: string;
        applicationId: string;
        assessedOn: string;
        verdict: string;
        report: object;
        checkedBy: string;
      },
      ex: Executor = db,
    ) {
      await ex
        .insertInto('eligibility_checks')
        .values({
          id: e.id,
          application_id: e.applicationId,
          assessed_on: e.assessedOn,
          verdict: e.verdict,
          report: json(e.report),
          checked_by: e.checkedBy,
          created_at: new Date(),
        })
        .execute();
    },

    async latestEligibility(applicationId: string, ex: Executor = db) {
      return ex
        .selectFrom('eligibility_checks')
        .selectAll()
        .where('application_id', '=', applicationId)
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
    },

    async insertDecision(
      d: {
        id: string;
        applicationId: string;
        supervisionId: string;
        outcome: DB['decisions']['outcome'];
        decidedAt: Date;
        announcedAt: Date | null;
        judge: string;
        reason: string;
        recordedBy: string;
        overriddenBars: readonly GrantBar[];
        barOverrideReason: string | null;
      },
      ex: Executor = db,
    ) {
      await ex
        .insertInto('decisions')
        .values({
          id: d.id,
          application_id: d.applicationId,
          supervision_id: d.supervisionId,
          outcome: d.outcome,
          decided_at: d.decidedAt,
          announced_at: d.announcedAt,
          judge: d.judge,
          reason: d.reason,
          recorded_by: d.recordedBy,
          overridden_bars: json(d.overriddenBars),
          bar_override_reason: d.barOverrideReason,
        })
        .execute();
    },

    async decisionsOf(supervisionId: string, ex: Executor = db) {
      return ex.selectFrom('decisions').selectAll().where('supervision_id', '=', supervisionId).execute();
    },

    // ---- supervisions -------------------------------------------------------------------------------
    async insertSupervision(
      s: {
        id: string;
        caseId: string;
        applicationId: string;
        personId: string;
        lifecycle: SupervisionLifecycle;
      },
      ex: Executor = db,
    ) {
      await ex
        .insertInto('supervisions')
        .values({
          id: s.id,
          case_id: s.caseId,
          application_id: s.applicationId,
          person_id: s.personId,
          status: s.lifecycle.status,
          lifecycle: json(s.lifecycle),
          kinds: json([]),
          created_at: new Date(),
        })
        .execute();
    },

    /** The supervision, locked for the rest of `ex`'s transaction when `lock` is set. */
    async supervision(id: string, ex: Executor = db, lock = false): Promise<SupervisionRow | undefined> {
      let q = supervisionQuery(ex).where('s.id', '=', id);
      if (lock) q = q.forUpdate('s');
      const r = await q.executeTakeFirst();
      return r && toSupervision(r);
    },

    async supervisionsOfCase(caseId: string, ex: Executor = db) {
      const rows = await supervisionQuery(ex)
        .where('s.case_id', '=', caseId)
        .orderBy('s.created_at')
        .execute();
      return rows.map(toSupervision);
    },

    async supervisionOfApplication(applicationId: string, ex: Executor = db) {
      const r = await supervisionQuery(ex).where('s.application_id', '=', applicationId).executeTakeFirst();
      return r && toSupervision(r);
    },

    /** Supervisions of the person with a court order in force (granted … in execution). */
    async activeSupervisionsOfPerson(personId: string, ex: Executor = db) {
      const rows = await supervisionQuery(ex)
        .where('s.person_id', '=', personId)
        .where('s.status', 'in', ['granted', 'readiness_reported', 'installed', 'activated', 'in_execution'])
        .execute();
      return rows.map(toSupervision);
    },

    async updateSupervision(
      id: string,
      s: { lifecycle: SupervisionLifecycle; kinds?: string[] },
      ex: Executor = db,
    ) {
      const l = s.lifecycle;
      await ex
        .updateTable('supervisions')
        .set({
          status: l.status,
          lifecycle: json(l),
          ...(s.kinds ? { kinds: json(s.kinds) } : {}),
          activated_at: l.activatedAtUtcMs !== undefined ? new Date(l.activatedAtUtcMs) : null,
          sentence_last_day: l.sentenceEnd?.lastDay ?? null,
          sentence_ends_at: l.sentenceEnd ? new Date(l.sentenceEnd.endsAtUtcMs) : null,
          updated_at: new Date(),
        })
        .where('id', '=', id)
        .execute();
    },

    async listSupervisions(
      scope: Scope,
      f: {
        limit: number;
        cursor?: string | undefined;
        status?: string | undefined;
        kind?: string | undefined;
        caseId?: string | undefined;
        personId?: string | undefined;
      },
    ): Promise<Page<SupervisionRow>> {
      let q = supervisionQuery(db).where(caseScopeSql(scope)).where(afterCursor('s', f.cursor));
      if (f.status) q = q.where('s.status', '=', f.status);
      if (f.kind) q = q.where(sql<boolean>`s.kinds ? ${f.kind}`);
      if (f.caseId) q = q.where('s.case_id', '=', f.caseId);
      if (f.personId) q = q.where('s.person_id', '=', f.personId);
      const rows = await q
        .orderBy('s.created_at', 'desc')
        .orderBy('s.id', 'desc')
        .limit(f.limit + 1)
        .execute();
      return page(rows.map(toSupervision), f.limit);
    },

    // ---- court orders -------------------------------------------------------------------------------
    async insertOrder(o: { id: string; supervisionId: string; caseNumber: string }, ex: Executor = db) {
      await ex
        .insertInto('court_orders')
        .values({ id: o.id, supervision_id: o.supervisionId, case_number: o.caseNumber })
        .execute();
    },

    async orderOfSupervision(supervisionId: string, ex: Executor = db) {
      return ex
        .selectFrom('court_orders')
        .selectAll()
        .where('supervision_id', '=', supervisionId)
        .executeTakeFirst();
    },

    async order(id: string, ex: Executor = db) {
      return ex.selectFrom('court_orders').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async insertOrderVersion(orderId: string, v: CourtOrderVersion, recordedBy: string, ex: Executor = db) {
      await ex
        .insertInto('court_order_versions')
        .values({
          order_id: orderId,
          version: v.version,
          valid_from: new Date(v.validFromUtcMs),
          decided_on: v.decidedOn,
          decided_by: v.decidedBy,
          reason: v.reason,
          body: json(v),
          recorded_by: recordedBy,
        })
        .execute();
    },

    async orderVersions(orderId: string, ex: Executor = db): Promise<OrderVersionRow[]> {
      const rows = await ex
        .selectFrom('court_order_versions')
        .selectAll()
        .where('order_id', '=', orderId)
        .orderBy('version')
        .execute();
      return rows.map(toVersion);
    },

    // ---- schedule exceptions ------------------------------------------------------------------------
    async insertException(
      e: {
        id: string;
        supervisionId: string;
        date: string;
        window: object;
        reason: string;
        approvedBy: string;
        approvedAt: Date;
      },
      ex: Executor = db,
    ) {
      await ex
        .insertInto('schedule_exceptions')
        .values({
          id: e.id,
          supervision_id: e.supervisionId,
          date: e.date,
          away_window: json(e.window),
          reason: e.reason,
          approved_by: e.approvedBy,
          approved_at: e.approvedAt,
        })
        .execute();
    },

    async exceptionsOf(supervisionId: string, ex: Executor = db) {
      const rows = await ex
        .selectFrom('schedule_exceptions')
        .selectAll()
        .where('supervision_id', '=', supervisionId)
        .orderBy('date')
        .orderBy('created_at')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        date: r.date,
        window: r.away_window,
        reason: r.reason,
        approvedBy: r.approved_by,
        approvedAt: r.approved_at,
      }));
    },

    // ---- devices ------------------------------------------------------------------------------------
    async device(id: string, ex: Executor = db) {
      return ex
        .selectFrom('devices')
        .select(['no', 'id', 'kind', 'status'])
        .where('id', '=', id)
        .executeTakeFirst();
    },

    /** Every assignment of the device, locking them so two installations cannot both take it. */
    async assignmentsOfDevice(deviceNo: number, ex: Executor = db): Promise<AssignmentRow[]> {
      const rows = await assignmentQuery(ex)
        .where('a.device_no', '=', deviceNo)
        .orderBy('a.from_at')
        .execute();
      return rows.map(toAssignment);
    },

    async assignmentsOfSupervision(supervisionId: string, ex: Executor = db): Promise<AssignmentRow[]> {
      const rows = await assignmentQuery(ex)
        .where('a.supervision_id', '=', supervisionId)
        .orderBy('a.from_at')
        .orderBy('d.id')
        .execute();
      return rows.map(toAssignment);
    },

    async insertAssignment(
      a: { id: string; deviceNo: number; supervisionId: string; from: Date; installedBy: string },
      ex: Executor = db,
    ) {
      await ex
        .insertInto('device_assignments')
        .values({
          id: a.id,
          device_no: a.deviceNo,
          supervision_id: a.supervisionId,
          from_at: a.from,
          to_at: null,
          installed_by: a.installedBy,
        })
        .execute();
    },

    async closeAssignment(id: string, to: Date, removedBy: string, ex: Executor = db) {
      await ex
        .updateTable('device_assignments')
        .set({ to_at: to, removed_by: removedBy })
        .where('id', '=', id)
        .execute();
    },

    // ---- protocols ----------------------------------------------------------------------------------
    async insertProtocol(
      p: {
        id: string;
        supervisionId: string;
        kind: 'installation' | 'activation' | 'removal';
        number: string;
        at: Date;
        byLogin: string;
        byUserId: string | null;
        deviceIds: string[];
        notes: string;
      },
      ex: Executor = db,
    ) {
      await ex
        .insertInto('protocols')
        .values({
          id: p.id,
          supervision_id: p.supervisionId,
          kind: p.kind,
          number: p.number,
          at: p.at,
          by_login: p.byLogin,
          by_user_id: p.byUserId,
          device_ids: json(p.deviceIds),
          notes: p.notes,
        })
        .execute();
    },

    async protocolsOf(supervisionId: string, ex: Executor = db) {
      const rows = await ex
        .selectFrom('protocols')
        .selectAll()
        .where('supervision_id', '=', supervisionId)
        .orderBy('at')
        .execute();
      return rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        number: r.number,
        at: r.at,
        by: r.by_login,
        deviceIds: r.device_ids,
        notes: r.notes,
      }));
    },

    // ---- tasks --------------------------------------------------------------------------------------
    async openTasksOf(supervisionId: string, ex: Executor = db) {
      return ex
        .selectFrom('tasks')
        .selectAll()
        .where('supervision_id', '=', supervisionId)
        .where('done_at', 'is', null)
        .orderBy('due_at')
        .execute();
    },

    async insertTask(
      t: {
        id: string;
        supervisionId: string;
        code: string;
        responsible: TasksTable['responsible'];
        assigneeUserId: string | null;
        dueAt: Date | null;
        pl: string;
        en: string;
      },
      ex: Executor = db,
    ) {
      await ex
        .insertInto('tasks')
        .values({
          id: t.id,
          supervision_id: t.supervisionId,
          code: t.code,
          responsible: t.responsible,
          assignee_user_id: t.assigneeUserId,
          due_at: t.dueAt,
          pl: t.pl,
          en: t.en,
          created_at: new Date(),
        })
        .execute();
    },

    async updateTask(
      id: string,
      t: { dueAt: Date | null; pl: string; en: string; assigneeUserId: string | null },
      ex: Executor = db,
    ) {
      await ex
        .updateTable('tasks')
        .set({ due_at: t.dueAt, pl: t.pl, en: t.en, assignee_user_id: t.assigneeUserId })
        .where('id', '=', id)
        .execute();
    },

    async closeTasks(ids: string[], at: Date, ex: Executor = db) {
      if (ids.length === 0) return;
      await ex.updateTable('tasks').set({ done_at: at }).where('id', 'in', ids).execute();
    },

    /**
     * Open tasks for a person: of the responsibilities given, within the scope, and either unassigned or
     * assigned to `userId`; soonest due first.
     */
    async listTasks(
      scope: Scope,
      f: {
        responsibilities: TasksTable['responsible'][] | 'all';
        userId: string | null;
        overdueAt?: Date | undefined;
        limit: number;
        cursor?: string | undefined;
      },
    ) {
      let q = db
        .selectFrom('tasks as t')
        .innerJoin('supervisions as s', 's.id', 't.supervision_id')
        .innerJoin('cases as c', 'c.id', 's.case_id')
        .select([
          't.id',
          't.supervision_id',
          't.code',
          't.responsible',
          't.assignee_user_id',
          't.due_at',
          't.pl',
          't.en',
          't.created_at',
          'c.id as case_id',
          'c.case_number',
          's.status',
        ])
        .where('t.done_at', 'is', null)
        .where(caseScopeSql(scope))
        .where(afterCursor('t', f.cursor));
      if (f.responsibilities !== 'all') {
        if (f.responsibilities.length === 0) return { items: [], nextCursor: null };
        q = q.where('t.responsible', 'in', f.responsibilities);
      }
      if (f.userId) {
        const me = f.userId;
        q = q.where((eb) => eb.or([eb('t.assignee_user_id', 'is', null), eb('t.assignee_user_id', '=', me)]));
      }
      if (f.overdueAt) q = q.where('t.due_at', '<=', f.overdueAt);
      const rows = await q
        .orderBy('t.created_at', 'desc')
        .orderBy('t.id', 'desc')
        .limit(f.limit + 1)
        .execute();
      return page(
        rows.map((r) => ({
          id: r.id,
          supervisionId: r.supervision_id,
          caseId: r.case_id,
          caseNumber: r.case_number,
          status: r.status,
          code: r.code,
          responsible: r.responsible,
          assigneeUserId: r.assignee_user_id,
          dueAt: r.due_at,
          pl: r.pl,
          en: r.en,
          createdAt: r.created_at,
        })),
        f.limit,
      );
    },

    // ---- for the compliance engine ------------------------------------------------------------------
    /**
     * What a device's events at `at` are judged against: the supervision the device served then and the
     * court order version in force then, with the probation officer's approved exceptions merged into its
     * schedule. Undefined when the device served no supervision at that instant.
     */
    async inForceForDevice(deviceId: string, at: Date, ex: Executor = db) {
      const a = await assignmentQuery(ex)
        .where('d.id', '=', deviceId)
        .where('a.from_at', '<=', at)
        .where((eb) => eb.or([eb('a.to_at', 'is', null), eb('a.to_at', '>', at)]))
        .executeTakeFirst();
      if (!a) return undefined;
      const s = await supervisionQuery(ex).where('s.id', '=', a.supervision_id).executeTakeFirstOrThrow();
      const v = await ex
        .selectFrom('court_order_versions as v')
        .innerJoin('court_orders as o', 'o.id', 'v.order_id')
        .selectAll('v')
        .where('o.supervision_id', '=', a.supervision_id)
        .where('v.valid_from', '<=', at)
        .orderBy('v.version', 'desc')
        .limit(1)
        .executeTakeFirst();
      const exceptions = await ex
        .selectFrom('schedule_exceptions')
        .selectAll()
        .where('supervision_id', '=', a.supervision_id)
        .orderBy('date')
        .execute();
      const version = v ? toVersion(v) : undefined;
      return {
        assignment: toAssignment(a),
        supervision: toSupervision(s),
        orderVersion: version && {
          ...version,
          body: withExceptions(
            version.body,
            exceptions.map((e) => ({
              id: e.id,
              date: e.date,
              window: e.away_window as never,
              approvedBy: e.approved_by,
              approvedAtUtcMs: e.approved_at.getTime(),
              reason: e.reason,
            })),
          ),
        },
      };
    },
  };
}

/** The version with approved exceptions added to its schedule (the court's text itself is unchanged). */
export function withExceptions(
  v: CourtOrderVersion,
  exceptions: readonly ApprovedException[],
): CourtOrderVersion {
  if (exceptions.length === 0) return v;
  return {
    ...v,
    obligations: v.obligations.map((o) =>
      o.kind === 'stay_at_place'
        ? { ...o, schedule: { ...o.schedule, exceptions: [...o.schedule.exceptions, ...exceptions] } }
        : o,
    ),
  };
}

export type CaseRepository = ReturnType<typeof createCaseRepository>;
