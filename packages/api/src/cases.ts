/**
 * The zod schemas of every request of the cases API. They check shape only; the rules (12 h a day, no
 * overlaps, valid zones, deadlines…) are the domain's. The same schemas generate docs/openapi.json.
 */
import { MAX_AWAY_MS_PER_DAY, MAX_STATIONARY_RANGE_METERS } from '@sde/domain/law';
import { z } from 'zod';
import { spec, type RouteSpec } from './route-spec.js';

/** A Warsaw calendar day `YYYY-MM-DD`. */
export const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
/** An instant with its offset, e.g. `2025-03-30T08:00:00+02:00`. */
export const Instant = z.iso.datetime({ offset: true });
/** An instant in an answer (ISO 8601, as the center's clock or database wrote it). */
export const Stamp = z.string().describe('an instant, ISO 8601');
/** Both languages of a text the center wrote (an explanation, a status name). */
export const Bilingual = z.strictObject({ pl: z.string(), en: z.string() });
export type Bilingual = z.output<typeof Bilingual>;
const Id = z.uuid();
const Text = (max: number) => z.string().trim().min(1).max(max);

export const PostalAddress = z.object({
  street: Text(200),
  postalCode: z.string().regex(/^\d{2}-\d{3}$/, 'a postal code NN-NNN'),
  city: Text(100),
});

export const LatLon = z.object({ lat: z.number().min(-90).max(90), lon: z.number().min(-180).max(180) });

export const Zone = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('polygon'), ring: z.array(LatLon).max(2000) }),
  z.object({ kind: z.literal('circle'), center: LatLon, radiusMeters: z.number() }),
]);

export const AwayWindow = z.object({
  start: z.string().max(5).describe('HH:MM, Europe/Warsaw wall clock'),
  end: z.string().max(5).describe('HH:MM (exclusive); 24:00 allowed'),
  endsNextDay: z.boolean().optional(),
  label: z.string().max(80).describe('why: work, church, classes, shopping…'),
});

const DayWindows = z.array(AwayWindow).max(12).default([]);

/** A weekly schedule of away windows and its one-off changes, as the court writes it. */
const ScheduleShape = z.object({
  weekly: z.object({
    mon: DayWindows,
    tue: DayWindows,
    wed: DayWindows,
    thu: DayWindows,
    fri: DayWindows,
    sat: DayWindows,
    sun: DayWindows,
  }),
  oneOffChanges: z
    .array(
      z.object({
        date: LocalDate,
        mode: z.enum(['replace', 'add']),
        windows: z.array(AwayWindow).max(12),
        reason: z.string().max(500),
      }),
    )
    .max(500)
    .default([]),
});

export const Schedule = ScheduleShape
  // Exceptions are the probation officer's, added later (POST …/schedule-exceptions), never the court's text.
  .transform((s) => ({ ...s, exceptions: [] as never[] }));

/** The obligations of an order, with `schedule` as the request (court's text) or the answer (stored) has it. */
const obligationWith = <S extends z.ZodType>(schedule: S) =>
  z.discriminatedUnion('kind', [
    z.object({
      kind: z.literal('stay_at_place'),
      place: z.object({
        address: PostalAddress,
        location: LatLon.optional(),
        rangeMeters: z
          .number()
          .optional()
          .describe(
            `the stationary unit's range, m (1–${MAX_STATIONARY_RANGE_METERS}, T2.2; the domain refuses others)`,
          ),
      }),
      schedule,
    }),
    z.object({ kind: z.literal('exclusion_zone'), id: Text(60), name: z.string().max(200), zone: Zone }),
    z.object({ kind: z.literal('inclusion_zone'), id: Text(60), name: z.string().max(200), zone: Zone }),
    z.object({ kind: z.literal('keep_distance'), protectedPersonId: Id, minDistanceMeters: z.number() }),
  ]);

export const Obligation = obligationWith(Schedule);
/** An obligation as stored and answered: its schedule carries the officer's approved exceptions. */
export const ObligationAnswer = obligationWith(
  ScheduleShape.extend({ exceptions: z.array(z.unknown()).optional() }),
);

export const SupervisionKind = z.enum(['stationary', 'mobile', 'proximity']);
export const SupervisionStatus = z.enum([
  'application_filed',
  'granted',
  'refused',
  'left_unexamined_technical',
  'readiness_reported',
  'installed',
  'activated',
  'in_execution',
  'ended_served',
  'revoked',
]);
export const OrderDeviceKind = z.enum([
  'transmitter',
  'stationary_unit',
  'portable_unit',
  'protected_person_unit',
]);

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
/** A duration in milliseconds within `[min, max]`. */
const Millis = (min: number, max: number, what: string) =>
  z.number().int().min(min).max(max).describe(`${what}, ms (${min}–${max})`);
const Count = (min: number, max: number, what: string) =>
  z.number().int().min(min).max(max).describe(`${what} (${min}–${max})`);
const Amount = (min: number, max: number, what: string) =>
  z.number().min(min).max(max).describe(`${what} (${min}–${max})`);

/**
 * How the compliance engine judges one order where it departs from the defaults (docs/engine.md, "Rules and
 * defaults"): per rule, any subset of its settings. Unknown names are refused, so a misspelt setting is
 * never silently ignored; the bounds keep an order from switching a rule off by a huge grace period. Rules
 * between settings, judged against the engine's defaults (a battery recovered above critical), are the
 * domain's (`settingsProblems`), checked by the center after this schema (ADR 0402).
 */
export const MonitoringSettings = z
  .strictObject({
    presence: z
      .strictObject({
        graceMs: Millis(0, 2 * HOUR_MS, 'an absence while required shorter than this raises nothing'),
        returnHoldMs: Millis(
          0,
          30 * MINUTE_MS,
          'an in-range spell shorter than this does not end an absence',
        ),
      })
      .partial(),
    dailyLimit: z
      .strictObject({
        maxAwayMs: Millis(
          MINUTE_MS,
          MAX_AWAY_MS_PER_DAY,
          'longest total absence in a calendar day (at most 12 h, R4)',
        ),
        graceMs: Millis(0, 2 * HOUR_MS, 'tolerance beyond it before an alarm'),
      })
      .partial(),
    zones: z
      .strictObject({
        graceMs: Millis(0, HOUR_MS, 'extra time after confirmation before an alarm'),
        enterFixes: Count(1, 20, 'consecutive deciding fixes on the wrong side to open'),
        exitFixes: Count(1, 20, 'consecutive deciding fixes on the right side to resolve'),
        marginMeters: Amount(
          0,
          1000,
          'a fix decides only if its error circle plus this margin is on one side, m',
        ),
        maxSpeedMps: Amount(5, 500, 'a faster implied move is an outlier until confirmed, m/s'),
      })
      .partial(),
    proximity: z
      .strictObject({
        graceMs: Millis(0, HOUR_MS, 'extra time before an alarm'),
        resolveHoldMs: Millis(0, HOUR_MS, 'a spell of distance shorter than this does not end an episode'),
        stalenessMs: Millis(10 * SECOND_MS, HOUR_MS, 'a fix older than this does not count'),
        pairFixes: Count(1, 20, 'consecutive deciding track comparisons to open or resolve'),
      })
      .partial(),
    communication: z
      .strictObject({
        missedReports: Count(1, 100, 'reporting intervals that may pass without a report'),
        graceMs: Millis(0, HOUR_MS, 'tolerance for network delay after them'),
      })
      .partial(),
    location: z
      .strictObject({
        lossAfterMs: Millis(MINUTE_MS, 24 * HOUR_MS, 'no usable fix for this long is a loss'),
        usableAccuracyMeters: Amount(10, 10_000, 'a fix with a larger error circle is not usable, m'),
      })
      .partial(),
    equipment: z
      .strictObject({
        coalesceMs: Millis(0, 24 * HOUR_MS, 'repeats of an equipment event within this are one episode'),
        batteryCriticalPercent: Count(0, 99, 'battery at or below this percent is critical'),
        batteryRecoveredPercent: Count(
          1,
          100,
          "battery at or above this percent ends a unit's battery episode",
        ),
      })
      .partial(),
    lateThresholdMs: Millis(
      0,
      24 * HOUR_MS,
      'an alarm whose evidence arrived later than this after it opened is late',
    ),
  })
  .partial();

/** The obligations of a court order (one version). */
export const OrderContent = z.object({
  supervisionKinds: z.array(SupervisionKind).min(1).max(3),
  obligations: z.array(Obligation).min(1).max(100),
  devices: z.array(OrderDeviceKind).min(1).max(10),
  readinessDeadlineHours: z.number().int().default(24),
  monitoringSettings: MonitoringSettings.optional().describe(
    "the compliance engine's grace periods and thresholds for this order, per rule (default: docs/engine.md)",
  ),
});

export const Term = z.object({
  years: z.number().int().min(0).max(50).default(0),
  months: z.number().int().min(0).max(600).default(0),
  days: z.number().int().min(0).max(20000).default(0),
});

export const CreatePersonBody = z.object({
  givenName: Text(100),
  familyName: Text(100),
  birthDate: LocalDate,
  permanentAddress: PostalAddress.optional(),
  phone: z.string().max(30).optional(),
});

export const CreateProtectedPersonBody = z.object({
  givenName: Text(100),
  familyName: Text(100),
  consentedOn: LocalDate.describe('day of the written consent to carry a portable unit'),
  phone: z.string().max(30).optional(),
});

export const CreateCaseBody = z.object({
  caseNumber: Text(60).describe('sygnatura akt, e.g. II K 123/24'),
  courtId: Text(40),
  judgmentDate: LocalDate,
  personId: Id,
  judgeId: Id.optional(),
  probationOfficerId: Id.optional(),
  monitoringAddress: PostalAddress.optional(),
  protectedPersonId: Id.optional(),
});

export const UpdateCaseBody = z
  .object({
    judgeId: Id.nullable().optional(),
    probationOfficerId: Id.nullable().optional(),
    monitoringAddress: PostalAddress.nullable().optional(),
    protectedPersonId: Id.nullable().optional(),
  })
  // An empty change would be an empty UPDATE (a 500 found by the authorization matrix, ADR 0402).
  .refine((b) => Object.values(b).some((v) => v !== undefined), 'give at least one field to change');

/** Who owns the flat and their written permission (not needed when the person owns it). */
export const FlatOwner = z.object({
  ownerIsPerson: z.boolean(),
  ownerName: z.string().trim().max(200).optional().describe('required when the person does not own the flat'),
  permissionInWritingOn: LocalDate.optional().describe("day of the owner's written permission"),
});

/** How the person must report readiness for installation (R4): set by the grant. */
export const ReadinessMannerKind = z.enum(['phone', 'in_person', 'in_writing', 'email']);

export const CreateApplicationBody = z.object({
  filerKind: z.enum(['convict', 'defence_lawyer', 'prosecutor', 'probation_officer', 'prison_director']),
  filerName: Text(200),
  receivedOn: LocalDate,
  justification: z.string().max(20000),
  coResidents: z
    .array(z.object({ name: Text(200), adult: z.boolean(), consentInWritingOn: LocalDate.optional() }))
    .max(20)
    .default([]),
  technicianContactPhone: z.string().max(30),
  judgmentFinalOn: LocalDate.describe(
    'day the judgment became final; the application is filed on or after it',
  ),
  flatOwner: FlatOwner,
  sentences: z
    .array(
      z.object({
        kind: z.enum(['imprisonment', 'substitute_imprisonment', 'misdemeanour_detention']),
        term: Term,
        caseNumber: z.string().max(60).optional(),
      }),
    )
    .min(1)
    .max(20),
  creditedDays: z.number().int().min(0).max(20000).default(0),
  hasPermanentAddress: z.boolean().optional(),
  recidivistArt64Par2: z.boolean().optional(),
});

export const SurveyBody = z.object({
  outcome: z.enum(['feasible', 'not_feasible', 'pending']),
  notes: z.string().max(5000).default(''),
  surveyedAt: Instant.optional(),
});

export const EligibilityBody = z.object({ assessedOn: LocalDate.optional() });

export const DecisionBody = z.object({
  outcome: z.enum(['granted', 'refused', 'left_unexamined_technical']),
  decidedAt: Instant.optional().describe('default: now'),
  announcedOrDeliveredAt: Instant.optional().describe(
    'default: decidedAt; the readiness deadline runs from it',
  ),
  reason: z.string().max(5000),
  orderCaseNumber: z.string().max(60).optional().describe('sygnatura of the penitentiary decision'),
  order: OrderContent.optional().describe('required when granted'),
  readinessManner: z
    .object({ kind: ReadinessMannerKind, details: z.string().max(500).default('') })
    .optional()
    .describe('required when granted: how the person reports readiness (e.g. the number to call)'),
  barOverrideReason: z
    .string()
    .max(5000)
    .optional()
    .describe('required to grant despite a statutory bar (the answer of GET /applications/:id lists them)'),
});

export const OrderVersionBody = OrderContent.extend({
  validFrom: Instant,
  decidedOn: LocalDate,
  decidedBy: z.string().max(200).optional().describe('default: the signed-in judge'),
  reason: z.string().max(5000),
});

export const AtBody = z.object({ at: Instant.optional().describe('default: now') });
export const ReadinessBody = AtBody.extend({
  manner: ReadinessMannerKind.optional().describe('how the person reported it'),
});

export const InstallationBody = z.object({
  at: Instant.optional(),
  deviceIds: z.array(z.string().min(1).max(64)).min(1).max(10),
  protocolNumber: Text(60),
  notes: z.string().max(5000).default(''),
});

export const ActivationBody = z.object({
  at: Instant.optional(),
  protocolNumber: Text(60),
  notes: z.string().max(5000).default(''),
});

export const RemovalBody = z.object({
  at: Instant.optional(),
  deviceIds: z.array(z.string().min(1).max(64)).max(10).optional().describe('default: every device assigned'),
  protocolNumber: Text(60),
  notes: z.string().max(5000).default(''),
});

export const AssignDeviceBody = z.object({ at: Instant.optional(), deviceId: z.string().min(1).max(64) });

export const RevokeBody = z.object({
  at: Instant.optional(),
  reason: z.enum(['readiness_deadline_missed', 'evaded_installation', 'violated_obligations', 'other']),
  note: z.string().max(5000),
});

export const ScheduleExceptionBody = z.object({
  date: LocalDate,
  window: AwayWindow,
  reason: z.string().max(1000),
});

const Limit = z.coerce.number().int().min(1).max(200).default(50);
const Cursor = z.string().max(200).optional();

export const ListCasesQuery = z.object({
  limit: Limit,
  cursor: Cursor,
  courtId: z.string().max(40).optional(),
  regionId: z.string().max(40).optional(),
  probationOfficerId: Id.optional(),
  caseNumber: z.string().max(60).optional().describe('prefix of the sygnatura'),
});

export const ListSupervisionsQuery = z.object({
  limit: Limit,
  cursor: Cursor,
  status: SupervisionStatus.optional(),
  kind: SupervisionKind.optional(),
  caseId: Id.optional(),
  personId: Id.optional(),
});

export const ListTasksQuery = z.object({
  limit: Limit,
  cursor: Cursor,
  overdue: z.enum(['true', 'false']).optional(),
});

export const InForceQuery = z.object({ at: Instant.optional().describe('default: now') });

export const IdParams = z.object({ id: Id });
export const DeviceParams = z.object({ id: z.string().min(1).max(64) });

/** The error every refusal answers with. */
export const ErrorResponse = z.object({
  error: z.string().describe('stable code'),
  message: z.string().describe('English'),
  messagePl: z.string().optional().describe('Polish'),
  requestId: z.string(),
  details: z.unknown().optional(),
});

// ---- Answers (ADR 0402). Strict where the center's presenter decides which fields a role sees (ADR 0403):
// a field the presenter lets out that the schema does not name fails trust-routes-matrix.test.ts.

/** Data classes an answer left out for the caller's role (docs/security.md). */
export const RestrictedClass = z.enum([
  'protected_person',
  'protected_zones',
  'zones',
  'monitored_person_contacts',
  'application_details',
  'court_reasons',
  'messages',
]);
export type RestrictedClass = z.output<typeof RestrictedClass>;
const Restricted = z.array(RestrictedClass).optional().describe('data classes left out for your role');

/** A page of a cursor-paged list. */
export const Page = <T extends z.ZodType>(item: T) =>
  z.strictObject({ items: z.array(item), nextCursor: z.string().nullable() });

/** `{ ok: true }`: done, nothing more to say. */
export const Ok = z.strictObject({ ok: z.literal(true) });

/** The monitored person; installers get the name only (and `restricted`). */
export const PersonAnswer = z.strictObject({
  id: z.uuid(),
  givenName: z.string(),
  familyName: z.string(),
  birthDate: LocalDate.optional(),
  permanentAddress: PostalAddress.nullable().optional(),
  phone: z.string().nullable().optional(),
  containsPersonalData: z.boolean().optional(),
  createdAt: Stamp.optional(),
  restricted: Restricted,
});

export const ProtectedPersonAnswer = z.strictObject({
  id: z.uuid(),
  givenName: z.string(),
  familyName: z.string(),
  consentedOn: LocalDate.optional(),
  phone: z.string().nullable().optional(),
  containsPersonalData: z.boolean().optional(),
  createdAt: Stamp.optional(),
});

/** A case in a list; installers get no `protectedPersonId` (it links to her). */
export const CaseSummary = z.strictObject({
  id: z.uuid(),
  caseNumber: z.string(),
  courtId: z.string(),
  regionId: z.string(),
  judgmentDate: LocalDate,
  personId: z.uuid(),
  judgeId: z.uuid().nullable(),
  probationOfficerId: z.uuid().nullable(),
  monitoringAddress: PostalAddress.nullable(),
  protectedPersonId: z.uuid().nullable().optional(),
  createdAt: Stamp,
});

export const Deadline = z.strictObject({ lastDay: LocalDate, dueUtcMs: z.number(), explanation: Bilingual });

/** A case with its person, applications and supervisions, as the caller's role may see it. */
export const CaseDetail = CaseSummary.extend({
  person: PersonAnswer.nullable(),
  /** Absent when the role may not see her (installers; operators without an open proximity alarm). */
  protectedPerson: ProtectedPersonAnswer.nullable().optional(),
  applications: z.array(
    z.strictObject({
      id: z.uuid(),
      filerKind: z.string().optional(),
      filerName: z.string().optional(),
      receivedOn: LocalDate,
      decisionLastDay: LocalDate,
      /** The number technicians call to agree the installation visit. */
      technicianContactPhone: z.string().optional(),
      restricted: Restricted,
    }),
  ),
  supervisions: z.array(
    z.strictObject({
      id: z.uuid(),
      status: SupervisionStatus,
      kinds: z.array(SupervisionKind),
      applicationId: z.uuid(),
    }),
  ),
  restricted: Restricted,
});

/** One condition of the eligibility check (R2), explained. */
export const EligibilityReport = z.strictObject({
  verdict: z.string(),
  conditions: z.array(
    z.strictObject({ id: z.string(), outcome: z.string(), pl: z.string(), en: z.string() }),
  ),
});

/** A statutory bar to a grant, explained. */
export const GrantBarAnswer = z.strictObject({ id: z.string(), pl: z.string(), en: z.string() });

/** An application; installers get no court matters or third persons (`application_details`). */
export const ApplicationAnswer = z.strictObject({
  id: z.uuid(),
  caseId: z.uuid(),
  filerKind: z.string().optional(),
  filerName: z.string().optional(),
  receivedOn: LocalDate,
  justification: z.string().optional(),
  coResidents: z
    .array(z.object({ name: z.string(), adult: z.boolean(), consentInWritingOn: LocalDate.optional() }))
    .optional(),
  technicianContactPhone: z.string(),
  /** Absent for installers, null on applications filed before it was recorded. */
  judgmentFinalOn: LocalDate.nullable().optional(),
  flatOwner: z
    .strictObject({
      ownerIsPerson: z.boolean(),
      ownerName: z.string().optional(),
      permissionInWritingOn: LocalDate.optional(),
    })
    .nullable()
    .optional(),
  /** What stands in the way of a grant today (a grant past any needs `barOverrideReason`). */
  grantBars: z.array(GrantBarAnswer).optional(),
  sentences: z.array(z.object({ kind: z.string(), term: z.object({}).loose() }).loose()).optional(),
  creditedDays: z.number().optional(),
  hasPermanentAddress: z.boolean().nullable().optional(),
  recidivistArt64Par2: z.boolean().nullable().optional(),
  decisionLastDay: LocalDate,
  decisionDueAt: Stamp,
  createdBy: z.string(),
  createdAt: Stamp,
  supervisionId: z.uuid().nullable(),
  status: SupervisionStatus.nullable(),
  decisionDeadline: Deadline.nullable(),
  survey: z
    .strictObject({ outcome: z.string(), notes: z.string(), surveyedAt: Stamp, surveyedBy: z.string() })
    .nullable(),
  eligibility: EligibilityReport.extend({ assessedOn: LocalDate, checkedBy: z.string() })
    .nullable()
    .optional(),
  restricted: Restricted,
});

export const SupervisionSummary = z.strictObject({
  id: z.uuid(),
  caseId: z.uuid(),
  caseNumber: z.string(),
  personId: z.uuid(),
  status: SupervisionStatus,
  statusName: Bilingual,
  kinds: z.array(SupervisionKind),
  activatedAt: Stamp.nullable(),
  sentenceLastDay: LocalDate.nullable(),
  createdAt: Stamp,
});

/** One version of a court order as stored; installers get no `reason` and only the place (ADR 0403). */
export const OrderVersionAnswer = z.strictObject({
  version: z.number(),
  validFrom: Stamp,
  decidedOn: LocalDate,
  decidedBy: z.string(),
  reason: z.string().optional(),
  recordedBy: z.string(),
  recordedAt: Stamp,
  supervisionKinds: z.array(SupervisionKind),
  obligations: z.array(ObligationAnswer),
  devices: z.array(OrderDeviceKind),
  readinessDeadlineHours: z.number(),
  monitoringSettings: MonitoringSettings.optional(),
});

export const OrderAnswer = z.strictObject({
  id: z.uuid(),
  caseNumber: z.string().nullable(),
  versionInForce: z.number().nullable(),
  versions: z.array(OrderVersionAnswer),
  restricted: Restricted,
});

/** An open task of the lifecycle (a deadline to meet, a step to take). */
export const TaskAnswer = z.strictObject({
  id: z.string(),
  supervisionId: z.uuid().optional(),
  caseId: z.uuid().optional(),
  caseNumber: z.string().optional(),
  status: SupervisionStatus.optional(),
  code: z.string(),
  responsible: z.string(),
  assigneeUserId: z.uuid().nullable(),
  dueAt: Stamp.nullable(),
  overdue: z.boolean(),
  /** Due within the center's warning window (2 hours). */
  dueSoon: z.boolean(),
  pl: z.string(),
  en: z.string(),
  createdAt: Stamp.optional(),
});

export const DeviceAssignmentAnswer = z.strictObject({
  deviceId: z.string(),
  kind: z.string(),
  from: Stamp,
  to: Stamp.nullable(),
  installedBy: z.string(),
  removedBy: z.string().nullable(),
});

/** A supervision: status, deadlines, sentence end, order, devices, tasks, as the caller's role may see it. */
export const SupervisionDetail = z.strictObject({
  id: z.uuid(),
  caseId: z.uuid(),
  caseNumber: z.string(),
  applicationId: z.uuid(),
  personId: z.uuid(),
  regionId: z.string(),
  courtId: z.string().nullable(),
  judgeId: z.uuid().nullable(),
  probationOfficerId: z.uuid().nullable(),
  status: SupervisionStatus,
  statusName: Bilingual,
  kinds: z.array(SupervisionKind),
  term: z.strictObject({ years: z.number(), months: z.number(), days: z.number() }),
  creditedDays: z.number(),
  deadlines: z.strictObject({
    decision: Deadline.nullable().optional(),
    readiness: Deadline.nullable().optional(),
    installation: Deadline.nullable().optional(),
  }),
  readinessReportedAt: Stamp.nullable(),
  /** How the person must report readiness, as the grant set it (null before a grant or before it was kept). */
  readinessManner: z
    .strictObject({ kind: ReadinessMannerKind, details: z.string(), description: Bilingual })
    .nullable()
    .optional(),
  installedAt: Stamp.nullable(),
  activatedAt: Stamp.nullable(),
  activationProtocolId: z.string().nullable(),
  sentenceEnd: z
    .strictObject({
      firstDay: LocalDate,
      lastDay: LocalDate,
      endsAt: Stamp,
      daysToServe: z.number(),
      explanation: Bilingual,
    })
    .nullable(),
  /** The court's revocation (installers get it without its note). */
  revocation: z.object({}).loose().nullable(),
  /** The lifecycle's events, each with its own fields. */
  history: z.array(z.object({ by: z.string(), type: z.string(), atUtcMs: z.number() }).loose()),
  decisions: z.array(
    z.strictObject({
      id: z.uuid(),
      outcome: z.string(),
      decidedAt: Stamp,
      announcedAt: Stamp.nullable(),
      judge: z.string(),
      reason: z.string().optional(),
      /** The bars the judge granted past (installers get none of this). */
      overriddenBars: z.array(GrantBarAnswer).optional(),
      /** The judge's written reason for overriding them. */
      barOverrideReason: z.string().nullable().optional(),
    }),
  ),
  order: OrderAnswer.omit({ restricted: true }).nullable(),
  scheduleExceptions: z.array(
    z.strictObject({
      id: z.string(),
      date: LocalDate,
      window: AwayWindow,
      reason: z.string().optional(),
      approvedBy: z.string(),
      approvedAt: Stamp,
    }),
  ),
  devices: z.array(DeviceAssignmentAnswer),
  protocols: z.array(
    z.strictObject({
      id: z.string(),
      kind: z.string(),
      number: z.string(),
      at: Stamp,
      by: z.string(),
      deviceIds: z.array(z.string()),
      notes: z.string(),
    }),
  ),
  tasks: z.array(TaskAnswer),
  createdAt: Stamp,
  updatedAt: Stamp,
  /** What the center left out for this role (e.g. the zones around a protected person's home). */
  restricted: Restricted,
});

/** The supervision and the order version a device served at an instant (`GET /devices/:id/in-force`). */
export const InForceAnswer = z.strictObject({
  deviceId: z.string(),
  at: Stamp,
  supervisionId: z.uuid().nullable(),
  caseId: z.uuid().nullable().optional(),
  status: SupervisionStatus.nullable().optional(),
  kinds: z.array(SupervisionKind).optional(),
  assignment: z.object({ from: Stamp, to: Stamp.nullable(), kind: z.string() }).loose().nullable().optional(),
  /** The version in force with the court's full text of it (`order`). */
  orderVersion: z
    .object({
      orderId: z.uuid(),
      version: z.number(),
      validFrom: Stamp,
      decidedBy: z.string(),
      order: z.object({ obligations: z.array(z.object({ kind: z.string() }).loose()) }).loose(),
    })
    .loose()
    .nullable()
    .optional(),
  restricted: Restricted,
});

/** The API's own description. */
export const OPENAPI_ROUTES = {
  openapi: spec({
    method: 'GET',
    path: '/api/v1/openapi.json',
    summary: 'This API described in OpenAPI 3.1 (docs/openapi.json)',
    tag: 'meta',
    response: z.object({ openapi: z.string() }).loose(),
    access: 'signed-in',
  }),
} as const satisfies Record<string, RouteSpec>;

/** Every route of the cases API. */
export const CASE_ROUTES = {
  createPerson: spec({
    method: 'POST',
    path: '/api/v1/persons',
    summary: 'Register a monitored person (personal data, kept minimal)',
    tag: 'persons',
    response: PersonAnswer,
    permission: 'case.write',
    body: CreatePersonBody,
    status: 201,
  }),
  getPerson: spec({
    method: 'GET',
    path: '/api/v1/persons/:id',
    summary: 'A monitored person (visible through a case in your scope)',
    tag: 'persons',
    response: PersonAnswer,
    permission: 'case.read',
    params: IdParams,
    scope: { param: 'id', kind: 'person' },
    audit: { action: 'person.read', entity: 'monitored_person' },
  }),
  createProtectedPerson: spec({
    method: 'POST',
    path: '/api/v1/protected-persons',
    summary: 'Register a protected person with their written consent (proximity orders)',
    tag: 'persons',
    response: ProtectedPersonAnswer,
    permission: 'case.write',
    body: CreateProtectedPersonBody,
    status: 201,
  }),
  listCases: spec({
    method: 'GET',
    path: '/api/v1/cases',
    summary: 'Cases in your scope, newest first (limit + cursor)',
    tag: 'cases',
    response: Page(CaseSummary),
    permission: 'case.read',
    query: ListCasesQuery,
    refs: [
      { from: 'query', field: 'courtId', kind: 'court' },
      { from: 'query', field: 'regionId', kind: 'region' },
      { from: 'query', field: 'probationOfficerId', kind: 'probation_officer' },
    ],
    audit: { action: 'case.list', entity: 'case', list: true },
  }),
  createCase: spec({
    method: 'POST',
    path: '/api/v1/cases',
    summary: 'Open a case (sygnatura akt, court, person, judge, probation officer)',
    tag: 'cases',
    response: CaseDetail,
    permission: 'case.write',
    body: CreateCaseBody,
    status: 201,
    target: { from: 'body', field: 'courtId', kind: 'court' },
    refs: [
      { from: 'body', field: 'personId', kind: 'person' },
      { from: 'body', field: 'judgeId', kind: 'judge' },
      { from: 'body', field: 'probationOfficerId', kind: 'probation_officer' },
      { from: 'body', field: 'protectedPersonId', kind: 'protected_person' },
    ],
  }),
  getCase: spec({
    method: 'GET',
    path: '/api/v1/cases/:id',
    summary: 'A case with its person, applications and supervisions',
    tag: 'cases',
    response: CaseDetail,
    permission: 'case.read',
    params: IdParams,
    scope: { param: 'id', kind: 'case' },
    audit: { action: 'case.read', entity: 'case' },
  }),
  updateCase: spec({
    method: 'PATCH',
    path: '/api/v1/cases/:id',
    summary: 'Assign the judge, probation officer, address or protected person',
    tag: 'cases',
    response: CaseDetail,
    permission: 'case.write',
    params: IdParams,
    body: UpdateCaseBody,
    scope: { param: 'id', kind: 'case' },
    refs: [
      { from: 'body', field: 'judgeId', kind: 'judge' },
      { from: 'body', field: 'probationOfficerId', kind: 'probation_officer' },
      { from: 'body', field: 'protectedPersonId', kind: 'protected_person' },
    ],
  }),
  createApplication: spec({
    method: 'POST',
    path: '/api/v1/cases/:id/applications',
    summary: 'File an application (R1); opens the supervision and the 30-day decision deadline',
    tag: 'applications',
    response: ApplicationAnswer,
    permission: 'case.write',
    params: IdParams,
    body: CreateApplicationBody,
    status: 201,
    scope: { param: 'id', kind: 'case' },
  }),
  getApplication: spec({
    method: 'GET',
    path: '/api/v1/applications/:id',
    summary: 'An application with its latest survey and eligibility check',
    tag: 'applications',
    response: ApplicationAnswer,
    permission: 'case.read',
    params: IdParams,
    scope: { param: 'id', kind: 'application' },
    audit: { action: 'application.read', entity: 'application' },
  }),
  recordSurvey: spec({
    method: 'POST',
    path: '/api/v1/applications/:id/survey',
    summary: 'Record the technical survey of the address (R3)',
    tag: 'applications',
    response: ApplicationAnswer,
    permission: 'installation.write',
    params: IdParams,
    body: SurveyBody,
    status: 201,
    scope: { param: 'id', kind: 'application' },
  }),
  checkEligibility: spec({
    method: 'POST',
    path: '/api/v1/applications/:id/eligibility',
    summary: 'Check eligibility (R2): every condition explained, and what the court must judge',
    tag: 'applications',
    response: EligibilityReport,
    permission: 'case.write',
    params: IdParams,
    body: EligibilityBody,
    scope: { param: 'id', kind: 'application' },
  }),
  decide: spec({
    method: 'POST',
    path: '/api/v1/applications/:id/decision',
    summary: 'Record the decision (R3, R4); a grant opens the court order, version 1',
    tag: 'applications',
    response: SupervisionDetail,
    permission: 'case.write',
    params: IdParams,
    body: DecisionBody,
    status: 201,
    scope: { param: 'id', kind: 'application' },
    refs: [{ from: 'body', field: 'order.obligations[].protectedPersonId', kind: 'protected_person' }],
  }),
  listSupervisions: spec({
    method: 'GET',
    path: '/api/v1/supervisions',
    summary: 'Supervisions in your scope, filtered by status, kind, case or person',
    tag: 'supervisions',
    response: Page(SupervisionSummary),
    permission: 'case.read',
    query: ListSupervisionsQuery,
    refs: [
      { from: 'query', field: 'caseId', kind: 'case' },
      { from: 'query', field: 'personId', kind: 'person' },
    ],
    audit: { action: 'supervision.list', entity: 'supervision', list: true },
  }),
  getSupervision: spec({
    method: 'GET',
    path: '/api/v1/supervisions/:id',
    summary: 'A supervision: status, deadlines, sentence end with its explanation, order, devices, tasks',
    tag: 'supervisions',
    response: SupervisionDetail,
    permission: 'case.read',
    params: IdParams,
    scope: { param: 'id', kind: 'supervision' },
    audit: { action: 'supervision.read', entity: 'supervision' },
  }),
  reportReadiness: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/readiness',
    summary: 'The person reported readiness for installation (R4)',
    tag: 'supervisions',
    response: SupervisionDetail,
    permission: 'installation.write',
    params: IdParams,
    body: ReadinessBody,
    scope: { param: 'id', kind: 'supervision' },
  }),
  install: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/installation',
    summary: 'Installation protocol (R5): devices assigned to the supervision',
    tag: 'devices',
    response: SupervisionDetail,
    permission: 'installation.write',
    params: IdParams,
    body: InstallationBody,
    scope: { param: 'id', kind: 'supervision' },
    refs: [{ from: 'body', field: 'deviceIds[]', kind: 'device' }],
  }),
  activate: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/activation',
    summary: 'Activation protocol (R6): the sentence starts; its end is computed',
    tag: 'devices',
    response: SupervisionDetail,
    permission: 'installation.write',
    params: IdParams,
    body: ActivationBody,
    scope: { param: 'id', kind: 'supervision' },
  }),
  startExecution: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/execution',
    summary: 'The probation officer contacted the person (R7): sentence in execution',
    tag: 'supervisions',
    response: SupervisionDetail,
    permission: 'supervision.officer',
    params: IdParams,
    body: AtBody,
    scope: { param: 'id', kind: 'supervision' },
  }),
  endServed: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/end',
    summary: 'The sentence is served (R8)',
    tag: 'supervisions',
    response: SupervisionDetail,
    permission: 'case.write',
    params: IdParams,
    body: AtBody,
    scope: { param: 'id', kind: 'supervision' },
  }),
  revoke: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/revocation',
    summary: 'The court revoked the permission (R5)',
    tag: 'supervisions',
    response: SupervisionDetail,
    permission: 'case.write',
    params: IdParams,
    body: RevokeBody,
    scope: { param: 'id', kind: 'supervision' },
  }),
  assignDevice: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/devices',
    summary: 'Assign one more device (e.g. a replacement) during supervision',
    tag: 'devices',
    response: SupervisionDetail,
    permission: 'installation.write',
    params: IdParams,
    body: AssignDeviceBody,
    scope: { param: 'id', kind: 'supervision' },
    refs: [{ from: 'body', field: 'deviceId', kind: 'device' }],
  }),
  removeDevices: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/removal',
    summary: 'Removal protocol: devices taken back, their assignments end',
    tag: 'devices',
    response: SupervisionDetail,
    permission: 'installation.write',
    params: IdParams,
    body: RemovalBody,
    scope: { param: 'id', kind: 'supervision' },
    refs: [{ from: 'body', field: 'deviceIds[]', kind: 'device' }],
  }),
  approveException: spec({
    method: 'POST',
    path: '/api/v1/supervisions/:id/schedule-exceptions',
    summary: 'A one-time away window approved by the probation officer',
    tag: 'orders',
    response: SupervisionDetail,
    permission: 'supervision.officer',
    params: IdParams,
    body: ScheduleExceptionBody,
    status: 201,
    scope: { param: 'id', kind: 'supervision' },
  }),
  getOrder: spec({
    method: 'GET',
    path: '/api/v1/orders/:id',
    summary: 'A court order with every version',
    tag: 'orders',
    response: OrderAnswer,
    permission: 'case.read',
    params: IdParams,
    scope: { param: 'id', kind: 'order' },
    audit: { action: 'order.read', entity: 'court_order' },
  }),
  amendOrder: spec({
    method: 'POST',
    path: '/api/v1/orders/:id/versions',
    summary: 'Change the order: a new version with who, when and why',
    tag: 'orders',
    response: OrderAnswer.extend({ created: z.number() }),
    permission: 'case.write',
    params: IdParams,
    body: OrderVersionBody,
    status: 201,
    scope: { param: 'id', kind: 'order' },
    refs: [{ from: 'body', field: 'obligations[].protectedPersonId', kind: 'protected_person' }],
  }),
  myTasks: spec({
    method: 'GET',
    path: '/api/v1/tasks',
    summary: 'Open tasks and deadlines for the signed-in person',
    tag: 'tasks',
    response: Page(TaskAnswer),
    query: ListTasksQuery,
    // Tasks name cases: the auditor, who reads no case, reads no task either (ADR 0403).
    permission: 'case.read',
    audit: { action: 'task.list', entity: 'task', list: true },
  }),
  inForce: spec({
    method: 'GET',
    path: '/api/v1/devices/:id/in-force',
    summary: 'The supervision and the order version a device served at an instant',
    tag: 'devices',
    response: InForceAnswer,
    permission: 'case.read',
    params: DeviceParams,
    query: InForceQuery,
    scope: { param: 'id', kind: 'device' },
  }),
} as const satisfies Record<string, RouteSpec>;

// Types of the shapes above, for the console and the center (`z.output`: as the center answers them;
// request bodies as a caller writes them are `BodyOf<typeof ROUTES.x>`, or `z.input` of the schema).
export type PostalAddress = z.output<typeof PostalAddress>;
export type LatLon = z.output<typeof LatLon>;
export type Zone = z.output<typeof Zone>;
export type AwayWindow = z.output<typeof AwayWindow>;
/** An obligation as the center answers it; a terminal writes it back into a new order version as it is. */
export type Obligation = z.output<typeof ObligationAnswer>;
export type Schedule = Extract<Obligation, { kind: 'stay_at_place' }>['schedule'];
export type MonitoringSettings = z.input<typeof MonitoringSettings>;
export type OrderContent = z.input<typeof OrderContent>;
export type SupervisionKind = z.output<typeof SupervisionKind>;
export type SupervisionStatus = z.output<typeof SupervisionStatus>;
export type Page<T> = { items: T[]; nextCursor: string | null };
export type PersonAnswer = z.output<typeof PersonAnswer>;
export type ProtectedPersonAnswer = z.output<typeof ProtectedPersonAnswer>;
export type CaseSummary = z.output<typeof CaseSummary>;
export type CaseDetail = z.output<typeof CaseDetail>;
export type Deadline = z.output<typeof Deadline>;
export type EligibilityReport = z.output<typeof EligibilityReport>;
export type ApplicationAnswer = z.output<typeof ApplicationAnswer>;
export type SupervisionSummary = z.output<typeof SupervisionSummary>;
export type OrderVersionAnswer = z.output<typeof OrderVersionAnswer>;
export type OrderAnswer = z.output<typeof OrderAnswer>;
export type TaskAnswer = z.output<typeof TaskAnswer>;
export type DeviceAssignmentAnswer = z.output<typeof DeviceAssignmentAnswer>;
export type SupervisionDetail = z.output<typeof SupervisionDetail>;
export type InForceAnswer = z.output<typeof InForceAnswer>;
export type ErrorResponse = z.output<typeof ErrorResponse>;
export type GrantBarAnswer = z.output<typeof GrantBarAnswer>;
