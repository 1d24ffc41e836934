/**
 * People, cases and applications (R1–R3): the monitored and protected persons, the case with its judge
 * and probation officer, the application with its technical survey and eligibility check, and the
 * court's decision (which opens the court order). Rules are the domain's; every write is one transaction
 * with its audit record. Personal data never goes into the audit log — only which fields were written.
 */
import { randomUUID } from 'node:crypto';
import {
  assignmentProblems,
  checkEligibility,
  checkTerm,
  clearGrant,
  grantBars,
  isCaseNumber,
  localDateOf,
  openSupervision,
  sumTerms,
  validateApplication,
  type CoResident,
  type CourtOrderVersion,
  type FilerKind,
  type FlatOwner,
  type GrantBar,
  type ReadinessManner,
  type Jurisdiction,
  type SentenceToServe,
  type Term,
} from '@sde/domain';
import { recordAudit } from '../audit/audit.repository.js';
import { inScope, scopeOf, type Actor } from '../auth/actor.js';
import { createProtectedAccess } from '../auth/policy.js';
import type { Database } from '../db/database.js';
import { AppError, NotFoundError } from '../errors.js';
import type { CaseRepository, CaseRow, Executor, Registrar } from './case.repository.js';
import {
  presentApplicationFor,
  presentCaseFor,
  presentCaseListItemFor,
  presentPersonFor,
} from './case.presenters.js';
import { DomainRuleError, refuse } from './domain-error.js';
import {
  actorRef,
  isUniqueViolation,
  type OrderContent,
  type SupervisionService,
} from './supervision.service.js';

type Address = { street: string; postalCode: string; city: string };

const notFound = (what: string, pl: string, id: string) => new NotFoundError(`${what} ${id}`, `${pl} ${id}`);

/** Creates the case service. */
export function createCaseService(deps: {
  db: Database;
  repo: CaseRepository;
  supervisions: SupervisionService;
}) {
  const { db, repo, supervisions } = deps;
  const access = createProtectedAccess(db);

  async function caseScoped(actor: Actor, id: string, ex: Executor = db): Promise<CaseRow> {
    const c = await repo.caseById(id, ex);
    if (!c || !inScope(actor, c)) throw notFound('case', 'sprawa', id);
    return c;
  }

  async function applicationScoped(actor: Actor, id: string, ex: Executor = db) {
    const a = await repo.application(id, ex);
    if (!a) throw notFound('application', 'wniosek', id);
    const c = await repo.caseById(a.caseId, ex);
    if (!c || !inScope(actor, c)) throw notFound('application', 'wniosek', id);
    return { application: a, case: c };
  }

  type ApplicationRow = NonNullable<Awaited<ReturnType<CaseRepository['application']>>>;

  /**
   * The eligibility report (R2) of an application on `assessedOn` with its latest survey: the one check the
   * eligibility route stores, the application's answer shows and a grant must clear.
   */
  async function eligibilityOf(a: ApplicationRow, assessedOn: string, ex: Executor = db) {
    const survey = await repo.latestSurvey(a.id, ex);
    return checkEligibility({
      assessedOn,
      sentences: a.sentences as SentenceToServe[],
      hasPermanentAddress: a.hasPermanentAddress ?? undefined,
      recidivistArt64Par2: a.recidivistArt64Par2 ?? undefined,
      filerKind: a.filerKind,
      coResidents: a.coResidents as CoResident[],
      flatOwner: a.flatOwner ?? undefined,
      technicalSurvey: survey?.outcome ?? 'pending',
    });
  }

  /** A judge's court (and its region) or a regional user's region registers a person; the Bureau none. */
  async function registrar(actor: Actor): Promise<Registrar | undefined> {
    if (scopeOf(actor).kind === 'all') return undefined;
    const court = actor.courtId ? await repo.court(actor.courtId) : undefined;
    return { courtId: actor.courtId, regionId: actor.regionId ?? court?.region_id ?? null };
  }

  /**
   * Refuses an assignment of someone who is not an active user of `role`, or (S5) who does not belong to
   * the court and region of the case `of`: the service holds this on every path, not only over HTTP.
   */
  async function checkUser(
    id: string | null | undefined,
    role: 'judge' | 'probation_officer',
    field: string,
    of: Jurisdiction,
    ex: Executor = db,
  ) {
    if (!id) return;
    const u = await repo.user(id, ex);
    if (u && u.role === role && u.active) {
      const regionId =
        u.region_id ?? (u.court_id ? ((await repo.court(u.court_id, ex))?.region_id ?? null) : null);
      const problems = assignmentProblems(role, { regionId, courtId: u.court_id }, of, field);
      if (problems.length > 0) throw new DomainRuleError(problems);
    } else {
      throw new DomainRuleError([
        role === 'judge'
          ? {
              code: 'judge_unknown',
              pl: 'Wskazana osoba nie jest aktywnym sędzią w systemie.',
              en: 'The person given is not an active judge in the system.',
              path: field,
            }
          : {
              code: 'probation_officer_unknown',
              pl: 'Wskazana osoba nie jest aktywnym kuratorem w systemie.',
              en: 'The person given is not an active probation officer in the system.',
              path: field,
            },
      ]);
    }
  }

  async function caseDetail(actor: Actor, id: string) {
    const c = await caseScoped(actor, id);
    const [person, protectedPerson, applications, sups] = await Promise.all([
      repo.person(c.personId),
      c.protectedPersonId ? repo.protectedPerson(c.protectedPersonId) : undefined,
      repo.applicationsOfCase(c.id),
      repo.supervisionsOfCase(c.id),
    ]);
    const view = await access.forCase(
      actor,
      sups.map((s) => s.id),
    );
    const answer = presentCaseFor(
      actor,
      {
        ...c,
        person,
        protectedPerson: protectedPerson ?? null,
        applications: applications.map((a) => ({
          id: a.id,
          filerKind: a.filer_kind,
          filerName: a.filer_name,
          receivedOn: a.received_on,
          decisionLastDay: a.decision_last_day,
          technicianContactPhone: a.technician_phone,
        })),
        supervisions: sups.map((s) => ({
          id: s.id,
          status: s.status,
          kinds: s.kinds,
          applicationId: s.applicationId,
        })),
      },
      view,
    );
    if (protectedPerson) {
      await access.recordLook(actor, view, {
        entity: 'case',
        entityId: c.id,
        what: ['protected_person.identity', 'protected_person.contacts'],
      });
    }
    return answer;
  }

  return {
    caseScoped,

    /** Registers a monitored person (personal data, kept minimal). */
    async createPerson(
      actor: Actor,
      p: {
        givenName: string;
        familyName: string;
        birthDate: string;
        permanentAddress?: Address | undefined;
        phone?: string | undefined;
      },
      requestId?: string,
    ) {
      const id = randomUUID();
      // Looked up before the transaction: the embedded store has one connection, held by the transaction.
      const registeredBy = await registrar(actor);
      await db.transaction().execute(async (trx) => {
        await repo.insertPerson({ id, ...p }, trx, registeredBy);
        await recordAudit(trx, actor, {
          action: 'person.create',
          entity: 'monitored_person',
          entityId: id,
          changes: { fields: Object.keys(p), containsPersonalData: true },
          ...(requestId ? { requestId } : {}),
        });
      });
      return (await repo.person(id))!;
    },

    /** A person, visible through a case in the actor's scope. */
    async person(actor: Actor, id: string) {
      const p = await repo.person(id);
      if (!p || (scopeOf(actor).kind !== 'all' && !(await repo.personVisible(id, scopeOf(actor))))) {
        throw notFound('person', 'osoba', id);
      }
      return presentPersonFor(actor, p);
    },

    /** Registers a protected person with the date of their written consent (R9). */
    async createProtectedPerson(
      actor: Actor,
      p: { givenName: string; familyName: string; consentedOn: string; phone?: string | undefined },
      requestId?: string,
    ) {
      const id = randomUUID();
      // Looked up before the transaction: the embedded store has one connection, held by the transaction.
      const registeredBy = await registrar(actor);
      await db.transaction().execute(async (trx) => {
        await repo.insertProtectedPerson({ id, ...p }, trx, registeredBy);
        await recordAudit(trx, actor, {
          action: 'protected_person.create',
          entity: 'protected_person',
          entityId: id,
          changes: { fields: Object.keys(p), consentedOn: p.consentedOn, containsPersonalData: true },
          ...(requestId ? { requestId } : {}),
        });
      });
      return (await repo.protectedPerson(id))!;
    },

    /** Opens a case (sygnatura akt at a court) for a person. */
    async createCase(
      actor: Actor,
      b: {
        caseNumber: string;
        courtId: string;
        judgmentDate: string;
        personId: string;
        judgeId?: string | undefined;
        probationOfficerId?: string | undefined;
        monitoringAddress?: Address | undefined;
        protectedPersonId?: string | undefined;
      },
      requestId?: string,
    ) {
      const errors = [];
      if (!isCaseNumber(b.caseNumber)) {
        errors.push({
          code: 'case_number_invalid',
          pl: `Sygnatura akt „${b.caseNumber}” ma nieprawidłową postać (np. „II K 123/24”).`,
          en: `Case number "${b.caseNumber}" is malformed (e.g. "II K 123/24").`,
          path: 'caseNumber',
        });
      }
      const court = await repo.court(b.courtId);
      if (!court) {
        errors.push({
          code: 'court_unknown',
          pl: `Nie ma sądu o identyfikatorze ${b.courtId}.`,
          en: `There is no court with id ${b.courtId}.`,
          path: 'courtId',
        });
      }
      if (!(await repo.person(b.personId))) {
        errors.push({
          code: 'person_unknown',
          pl: 'Nie ma osoby o podanym identyfikatorze.',
          en: 'There is no person with the given id.',
          path: 'personId',
        });
      }
      if (b.protectedPersonId && !(await repo.protectedPerson(b.protectedPersonId))) {
        errors.push({
          code: 'protected_person_unknown',
          pl: 'Nie ma osoby chronionej o podanym identyfikatorze.',
          en: 'There is no protected person with the given id.',
          path: 'protectedPersonId',
        });
      }
      if (errors.length > 0 || !court) throw new DomainRuleError(errors);
      const at = { regionId: court.region_id, courtId: b.courtId };
      await checkUser(b.judgeId, 'judge', 'judgeId', at);
      await checkUser(b.probationOfficerId, 'probation_officer', 'probationOfficerId', at);
      const row = {
        id: randomUUID(),
        caseNumber: b.caseNumber.trim(),
        courtId: b.courtId,
        regionId: court.region_id,
        judgmentDate: b.judgmentDate,
        personId: b.personId,
        judgeId: b.judgeId ?? (actor.role === 'judge' ? actor.userId : null),
        probationOfficerId: b.probationOfficerId ?? null,
        monitoringAddress: b.monitoringAddress ?? null,
        protectedPersonId: b.protectedPersonId ?? null,
      };
      if (!inScope(actor, row)) {
        throw new AppError(
          'outside_scope',
          'you may open cases only at your own court or region',
          403,
          undefined,
          'Możesz zakładać sprawy tylko w swoim sądzie lub regionie.',
        );
      }
      try {
        await db.transaction().execute(async (trx) => {
          await repo.insertCase(row, trx);
          await recordAudit(trx, actor, {
            action: 'case.create',
            entity: 'case',
            entityId: row.id,
            changes: { ...row, monitoringAddress: row.monitoringAddress ? 'set' : null },
            ...(requestId ? { requestId } : {}),
          });
        });
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw refuse(
            'case_number_taken',
            `Sprawa ${row.caseNumber} jest już zarejestrowana w tym sądzie.`,
            `Case ${row.caseNumber} is already registered at this court.`,
          );
        }
        throw err;
      }
      return caseDetail(actor, row.id);
    },

    /** Assigns the judge, the probation officer, the address or the protected person. */
    async updateCase(
      actor: Actor,
      id: string,
      patch: {
        judgeId?: string | null | undefined;
        probationOfficerId?: string | null | undefined;
        monitoringAddress?: Address | null | undefined;
        protectedPersonId?: string | null | undefined;
      },
      requestId?: string,
    ) {
      await db.transaction().execute(async (trx) => {
        const c = await caseScoped(actor, id, trx);
        await checkUser(patch.judgeId, 'judge', 'judgeId', c, trx);
        await checkUser(patch.probationOfficerId, 'probation_officer', 'probationOfficerId', c, trx);
        await repo.updateCase(c.id, patch, trx);
        // Tasks of the judge and the officer follow the case.
        for (const s of await repo.supervisionsOfCase(c.id, trx)) {
          const fresh = (await repo.supervision(s.id, trx))!;
          await supervisions.syncTasks(fresh, fresh.lifecycle, trx);
        }
        await recordAudit(trx, actor, {
          action: 'case.update',
          entity: 'case',
          entityId: c.id,
          changes: {
            ...patch,
            ...(patch.monitoringAddress !== undefined
              ? { monitoringAddress: patch.monitoringAddress ? 'set' : null }
              : {}),
            before: {
              judgeId: c.judgeId,
              probationOfficerId: c.probationOfficerId,
              protectedPersonId: c.protectedPersonId,
            },
          },
          ...(requestId ? { requestId } : {}),
        });
      });
      return caseDetail(actor, id);
    },

    caseDetail,

    /** Cases in the actor's scope, each as the actor's role may see it. */
    async listCases(actor: Actor, f: Parameters<CaseRepository['listCases']>[1]) {
      const p = await repo.listCases(scopeOf(actor), f);
      return { ...p, items: p.items.map((c) => presentCaseListItemFor(actor, c)) };
    },

    /** R1: files an application; opens the supervision and its 30-day decision deadline (R3). */
    async createApplication(
      actor: Actor,
      caseId: string,
      b: {
        filerKind: FilerKind;
        filerName: string;
        receivedOn: string;
        justification: string;
        coResidents: CoResident[];
        technicianContactPhone: string;
        judgmentFinalOn: string;
        flatOwner: {
          ownerIsPerson: boolean;
          ownerName?: string | undefined;
          permissionInWritingOn?: string | undefined;
        };
        sentences: SentenceToServe[];
        creditedDays: number;
        hasPermanentAddress?: boolean | undefined;
        recidivistArt64Par2?: boolean | undefined;
      },
      requestId?: string,
    ) {
      const c = await caseScoped(actor, caseId);
      const applicationId = randomUUID();
      // Stored without empty fields: an owner with no name is the person themself, a permission with no day
      // is none.
      const flatOwner: FlatOwner = {
        ownerIsPerson: b.flatOwner.ownerIsPerson,
        ...(b.flatOwner.ownerName?.trim() && !b.flatOwner.ownerIsPerson
          ? { ownerName: b.flatOwner.ownerName.trim() }
          : {}),
        ...(b.flatOwner.permissionInWritingOn && !b.flatOwner.ownerIsPerson
          ? { permissionInWritingOn: b.flatOwner.permissionInWritingOn }
          : {}),
      };
      // What the domain checks and what is stored, written once.
      const filed = {
        id: applicationId,
        caseId,
        filerKind: b.filerKind,
        filerName: b.filerName,
        receivedOn: b.receivedOn,
        justification: b.justification,
        coResidents: b.coResidents,
        technicianContactPhone: b.technicianContactPhone,
        judgmentFinalOn: b.judgmentFinalOn,
        flatOwner,
      };
      const v = validateApplication({ ...filed, caseNumber: c.caseNumber }, { judgmentDate: c.judgmentDate });
      const termErrors = b.sentences.flatMap((s, i) => checkTerm(s.term as Term, `sentences[${i}].term`));
      if (!v.ok || termErrors.length > 0)
        throw new DomainRuleError([...(v.ok ? [] : v.errors), ...termErrors]);
      const opened = openSupervision({
        applicationReceivedOn: b.receivedOn,
        term: sumTerms(b.sentences.map((s) => s.term)),
        creditedDays: b.creditedDays,
      });
      if (!opened.ok) throw new DomainRuleError(opened.errors);
      const supervisionId = randomUUID();
      await db.transaction().execute(async (trx) => {
        await repo.insertApplication(
          {
            ...filed,
            sentences: b.sentences,
            creditedDays: b.creditedDays,
            hasPermanentAddress: b.hasPermanentAddress ?? null,
            recidivistArt64Par2: b.recidivistArt64Par2 ?? null,
            decisionLastDay: opened.value.decisionDeadline.lastDay,
            decisionDueAt: new Date(opened.value.decisionDeadline.dueUtcMs),
            createdBy: actor.login,
          },
          trx,
        );
        await repo.insertSupervision(
          { id: supervisionId, caseId, applicationId, personId: c.personId, lifecycle: opened.value },
          trx,
        );
        const s = (await repo.supervision(supervisionId, trx))!;
        await supervisions.syncTasks(s, opened.value, trx);
        await recordAudit(trx, actor, {
          action: 'application.create',
          entity: 'application',
          entityId: applicationId,
          changes: {
            caseId,
            supervisionId,
            filerKind: b.filerKind,
            receivedOn: b.receivedOn,
            judgmentFinalOn: b.judgmentFinalOn,
            ownerPermission: flatOwner.ownerIsPerson
              ? 'owner'
              : flatOwner.permissionInWritingOn
                ? 'given'
                : 'missing',
            sentences: b.sentences,
            decisionLastDay: opened.value.decisionDeadline.lastDay,
          },
          ...(requestId ? { requestId } : {}),
        });
      });
      return this.application(actor, applicationId);
    },

    /** The application with its latest survey, latest eligibility check and its supervision. */
    async application(actor: Actor, id: string) {
      const { application } = await applicationScoped(actor, id);
      const [survey, eligibility, supervision, today] = await Promise.all([
        repo.latestSurvey(id),
        repo.latestEligibility(id),
        repo.supervisionOfApplication(id),
        eligibilityOf(application, localDateOf(Date.now())),
      ]);
      return presentApplicationFor(actor, {
        ...application,
        // What a grant today would have to clear (decide() checks it again on the decision's day).
        grantBars: grantBars(today),
        supervisionId: supervision?.id ?? null,
        status: supervision?.status ?? null,
        decisionDeadline: supervision?.lifecycle.decisionDeadline ?? null,
        survey: survey
          ? {
              outcome: survey.outcome,
              notes: survey.notes,
              surveyedAt: survey.surveyed_at,
              surveyedBy: survey.surveyed_by,
            }
          : null,
        eligibility: eligibility
          ? { assessedOn: eligibility.assessed_on, checkedBy: eligibility.checked_by, ...eligibility.report }
          : null,
      });
    },

    /** R3: records the technicians' survey of the address. */
    async recordSurvey(
      actor: Actor,
      id: string,
      b: { outcome: 'feasible' | 'not_feasible' | 'pending'; notes: string; surveyedAt?: string | undefined },
      requestId?: string,
    ) {
      await db.transaction().execute(async (trx) => {
        await applicationScoped(actor, id, trx);
        const surveyId = randomUUID();
        await repo.insertSurvey(
          {
            id: surveyId,
            applicationId: id,
            outcome: b.outcome,
            notes: b.notes,
            surveyedAt: b.surveyedAt ? new Date(b.surveyedAt) : new Date(),
            surveyedBy: actor.login,
          },
          trx,
        );
        await recordAudit(trx, actor, {
          action: 'application.survey',
          entity: 'application',
          entityId: id,
          changes: { outcome: b.outcome, notes: b.notes },
          ...(requestId ? { requestId } : {}),
        });
      });
      return this.application(actor, id);
    },

    /** R2: checks eligibility, explaining every condition and what the court must still judge. */
    async checkEligibility(
      actor: Actor,
      id: string,
      b: { assessedOn?: string | undefined },
      requestId?: string,
    ) {
      let report: ReturnType<typeof checkEligibility> | undefined;
      await db.transaction().execute(async (trx) => {
        const { application: a } = await applicationScoped(actor, id, trx);
        const assessedOn = b.assessedOn ?? localDateOf(Date.now());
        report = await eligibilityOf(a, assessedOn, trx);
        await repo.insertEligibility(
          {
            id: randomUUID(),
            applicationId: id,
            assessedOn,
            verdict: report.verdict,
            report,
            checkedBy: actor.login,
          },
          trx,
        );
        await recordAudit(trx, actor, {
          action: 'application.eligibility',
          entity: 'application',
          entityId: id,
          changes: { assessedOn, verdict: report.verdict },
          ...(requestId ? { requestId } : {}),
        });
      });
      return report!;
    },

    /** R3/R4: the court's decision; a grant opens the court order (version 1) and the readiness deadline. */
    async decide(
      actor: Actor,
      id: string,
      b: {
        outcome: 'granted' | 'refused' | 'left_unexamined_technical';
        decidedAt?: string | undefined;
        announcedOrDeliveredAt?: string | undefined;
        reason: string;
        orderCaseNumber?: string | undefined;
        order?: OrderContent | undefined;
        readinessManner?: ReadinessManner | undefined;
        barOverrideReason?: string | undefined;
      },
      requestId?: string,
    ) {
      const decidedAt = b.decidedAt ? Date.parse(b.decidedAt) : Date.now();
      const announcedAt = b.announcedOrDeliveredAt ? Date.parse(b.announcedOrDeliveredAt) : decidedAt;
      let supervisionId = '';
      try {
        await db.transaction().execute(async (trx) => {
          const { application: a, case: c } = await applicationScoped(actor, id, trx);
          const s0 = await repo.supervisionOfApplication(a.id, trx);
          if (!s0) throw notFound('application', 'wniosek', id);
          const s = await supervisions.loadScoped(actor, s0.id, trx, true);
          supervisionId = s.id;
          const by = actorRef(actor);
          let version: CourtOrderVersion | undefined;
          let clearance: { overriddenBars: readonly GrantBar[]; overrideReason?: string } = {
            overriddenBars: [],
          };
          if (b.outcome === 'granted') {
            if (!b.order) {
              throw refuse(
                'order_missing',
                'Udzielając zezwolenia, sąd określa obowiązki (harmonogram, strefy, odległość) i urządzenia.',
                'A grant must set the obligations (schedule, zones, distance) and the devices.',
                400,
              );
            }
            if (!b.readinessManner) {
              throw refuse(
                'readiness_manner_missing',
                'Udzielając zezwolenia, sąd wyznacza termin i określa sposób zgłoszenia gotowości do instalacji.',
                'A grant sets the deadline and the manner of reporting readiness for installation.',
                400,
              );
            }
            // The bars as they stand on the decision's day, from the facts on file, not an older check.
            const cleared = clearGrant(
              await eligibilityOf(a, localDateOf(decidedAt), trx),
              b.barOverrideReason,
            );
            if (!cleared.ok) throw new DomainRuleError(cleared.errors, 409);
            clearance = cleared.value;
            version = {
              version: 1,
              validFromUtcMs: decidedAt,
              decidedBy: actor.displayName,
              decidedOn: localDateOf(decidedAt),
              reason: b.reason,
              supervisionKinds: b.order.supervisionKinds,
              obligations: b.order.obligations,
              devices: b.order.devices,
              readinessDeadlineHours: b.order.readinessDeadlineHours,
              ...(b.order.monitoringSettings ? { monitoringSettings: b.order.monitoringSettings } : {}),
            };
            await supervisions.validateVersion([], version, trx);
            const others = (await repo.activeSupervisionsOfPerson(s.personId, trx)).filter(
              (o) => o.id !== s.id,
            );
            if (others.length > 0) {
              throw refuse(
                'second_active_order',
                `Wobec tej osoby obowiązuje już zezwolenie na dozór elektroniczny (sprawa ${others[0]!.caseNumber}); drugie nie może obowiązywać równocześnie.`,
                `This person already has a monitoring order in force (case ${others[0]!.caseNumber}); a second one cannot apply at the same time.`,
              );
            }
          }
          const event =
            b.outcome === 'granted'
              ? {
                  type: 'grant' as const,
                  atUtcMs: decidedAt,
                  by,
                  announcedOrDeliveredAtUtcMs: announcedAt,
                  readinessDeadlineHours: version!.readinessDeadlineHours,
                  ...(b.readinessManner
                    ? {
                        readinessManner: {
                          kind: b.readinessManner.kind,
                          details: b.readinessManner.details.trim(),
                        },
                      }
                    : {}),
                }
              : b.outcome === 'refused'
                ? { type: 'refuse' as const, atUtcMs: decidedAt, by, reason: b.reason }
                : { type: 'leave_unexamined_technical' as const, atUtcMs: decidedAt, by, reason: b.reason };
          const next = await supervisions.advance(
            trx,
            s,
            event,
            version ? [...version.supervisionKinds] : undefined,
          );
          const decisionId = randomUUID();
          await repo.insertDecision(
            {
              id: decisionId,
              applicationId: a.id,
              supervisionId: s.id,
              outcome: b.outcome,
              decidedAt: new Date(decidedAt),
              announcedAt: b.outcome === 'granted' ? new Date(announcedAt) : null,
              judge: actor.displayName,
              reason: b.reason,
              recordedBy: actor.login,
              overriddenBars: clearance.overriddenBars,
              barOverrideReason: clearance.overrideReason ?? null,
            },
            trx,
          );
          let orderId: string | undefined;
          if (version) {
            orderId = randomUUID();
            await repo.insertOrder(
              { id: orderId, supervisionId: s.id, caseNumber: b.orderCaseNumber?.trim() || c.caseNumber },
              trx,
            );
            await repo.insertOrderVersion(orderId, version, actor.login, trx);
          }
          await recordAudit(trx, actor, {
            action: 'application.decide',
            entity: 'supervision',
            entityId: s.id,
            changes: {
              applicationId: a.id,
              decisionId,
              outcome: b.outcome,
              from: s.status,
              to: next.status,
              reason: b.reason,
              ...(clearance.overrideReason
                ? {
                    overriddenBars: clearance.overriddenBars.map((x) => x.id),
                    barOverrideReason: clearance.overrideReason,
                  }
                : {}),
              ...(orderId ? { orderId, order: version } : {}),
            },
            ...(requestId ? { requestId } : {}),
          });
        });
      } catch (err) {
        if (isUniqueViolation(err, 'supervisions_one_active_per_person')) {
          throw refuse(
            'second_active_order',
            'Wobec tej osoby obowiązuje już zezwolenie na dozór elektroniczny; drugie nie może obowiązywać równocześnie.',
            'This person already has a monitoring order in force; a second one cannot apply at the same time.',
          );
        }
        throw err;
      }
      return supervisions.detail(actor, supervisionId);
    },
  };
}

export type CaseService = ReturnType<typeof createCaseService>;
