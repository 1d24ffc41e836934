/**
 * The zod schemas of every request of the cases API. They check shape only; the rules (12 h a day, no
 * overlaps, valid zones, deadlines…) are the domain's. The same schemas generate docs/openapi.json.
 */
import { DEFAULT_ENGINE_SETTINGS, type ApprovedException } from '@sde/domain';
import { z } from 'zod';

/** A Warsaw calendar day `YYYY-MM-DD`. */
export const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
/** An instant with its offset, e.g. `2025-03-30T08:00:00+02:00`. */
export const Instant = z.iso.datetime({ offset: true });
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

export const Schedule = z
  .object({
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
  })
  // Exceptions are the probation officer's, added later (POST …/schedule-exceptions), never the court's text.
  .transform((s) => ({ ...s, exceptions: [] as ApprovedException[] }));

export const Obligation = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('stay_at_place'),
    place: z.object({
      address: PostalAddress,
      location: LatLon.optional(),
      rangeMeters: z.number().optional(),
    }),
    schedule: Schedule,
  }),
  z.object({ kind: z.literal('exclusion_zone'), id: Text(60), name: z.string().max(200), zone: Zone }),
  z.object({ kind: z.literal('inclusion_zone'), id: Text(60), name: z.string().max(200), zone: Zone }),
  z.object({ kind: z.literal('keep_distance'), protectedPersonId: Id, minDistanceMeters: z.number() }),
]);

export const SupervisionKind = z.enum(['stationary', 'mobile', 'proximity']);
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
 * never silently ignored; the bounds keep an order from switching a rule off by a huge grace period.
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
          12 * HOUR_MS,
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
  .partial()
  .superRefine((s, ctx) => {
    const critical =
      s.equipment?.batteryCriticalPercent ?? DEFAULT_ENGINE_SETTINGS.equipment.batteryCriticalPercent;
    const recovered =
      s.equipment?.batteryRecoveredPercent ?? DEFAULT_ENGINE_SETTINGS.equipment.batteryRecoveredPercent;
    if (recovered <= critical) {
      ctx.addIssue({
        code: 'custom',
        path: ['equipment', 'batteryRecoveredPercent'],
        message: `must be above the critical level (${critical} %)`,
      });
    }
  });

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
});

export const OrderVersionBody = OrderContent.extend({
  validFrom: Instant,
  decidedOn: LocalDate,
  decidedBy: z.string().max(200).optional().describe('default: the signed-in judge'),
  reason: z.string().max(5000),
});

export const AtBody = z.object({ at: Instant.optional().describe('default: now') });

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
  status: z
    .enum([
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
    ])
    .optional(),
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
