/** The alarms API's shapes (docs/api-alarms.md) and request schemas. */
import { z } from 'zod';
import { Bilingual, Instant, Stamp } from './cases.js';
import { spec, type RouteSpec } from './route-spec.js';

/** One entry of an alarm's workflow log. */
export const AlarmAction = z.strictObject({
  at: Stamp,
  by: z.string(),
  kind: z.enum(['acknowledge', 'note', 'call', 'patrol', 'excuse', 'qualify', 'close', 'notify']),
  text: z.string().nullable(),
});
export type AlarmAction = z.output<typeof AlarmAction>;

/** The person's excuse and the probation officer's qualification (R10). */
export const AlarmExcuse = z.strictObject({
  text: z.string(),
  recordedBy: z.string(),
  at: Stamp,
  qualification: z.enum(['justified', 'unjustified']).nullable(),
  qualifiedBy: z.string().nullable(),
  note: z.string().nullable(),
});
export type AlarmExcuse = z.output<typeof AlarmExcuse>;

export const AlarmSeverity = z.enum(['critical', 'serious', 'info']);
export const AlarmStatus = z.enum(['open', 'acknowledged', 'closed']);

/**
 * An alarm as terminals see it (docs/api-alarms.md): the list, one alarm, the answer to a workflow step and
 * each event of the live stream. Strict: the alarm presenter is an allow-list (ADR 0403).
 */
export const AlarmView = z.strictObject({
  id: z.string(),
  supervisionId: z.uuid(),
  caseId: z.uuid(),
  caseNumber: z.string(),
  personName: z.string().describe('family name and initial'),
  regionId: z.string(),
  rule: z.string(),
  severity: AlarmSeverity,
  status: AlarmStatus,
  condition: z.enum(['active', 'ended', 'withdrawn']),
  startedAt: Stamp,
  endedAt: Stamp.nullable(),
  detectedAt: Stamp,
  late: z.boolean(),
  /** Rests on data the unit has not confirmed yet: shown apart, no sound, no notification (ADR 0501). */
  undecided: z.boolean(),
  /** Withdrawn (`condition: withdrawn`): when and why; null otherwise. */
  withdrawal: z.strictObject({ at: Stamp, reason: Bilingual }).nullable(),
  explanation: Bilingual,
  clause: Bilingual.nullable(),
  evidence: z.array(z.strictObject({ deviceId: z.string(), seq: z.number(), kind: z.string(), time: Stamp })),
  incidentId: z.string().nullable(),
  actions: z.array(AlarmAction),
  excuse: AlarmExcuse.nullable(),
});
export type AlarmView = z.output<typeof AlarmView>;

/** An alarm as the presenter lets it out to the caller (ADR 0403). */
export const AlarmAnswer = AlarmView.extend({
  /** `protected_zones`: a protected person's zone label was replaced in the texts for this role. */
  restricted: z.array(z.literal('protected_zones')).optional(),
});
export type AlarmAnswer = z.output<typeof AlarmAnswer>;

/** A page of the alarm queue; `next` is the cursor of the following page. */
export const AlarmPage = z.strictObject({ alarms: z.array(AlarmAnswer), next: z.string().nullable() });

/** Many units of a region silent at once, handled as one incident. */
export const Incident = z.strictObject({
  id: z.string(),
  regionId: z.string(),
  kind: z.string(),
  startedAt: Stamp,
  endedAt: Stamp.nullable(),
  supervisionIds: z.array(z.string()),
  deviceIds: z.array(z.string()),
  alarmIds: z.array(z.string()),
  explanation: Bilingual,
});

/** The text a base64url cursor encodes, or '' when it is not base64url (runs in Node and in browsers). */
function fromBase64Url(c: string): string {
  try {
    return atob(c.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return '';
  }
}

export const AlarmListQuery = z
  .object({
    status: z.enum(['open', 'acknowledged', 'closed']).optional(),
    severity: z.enum(['critical', 'serious', 'info']).optional(),
    rule: z.string().max(40).optional(),
    supervisionId: z.uuid().optional(),
    /** Only alarms that started at or after this instant (the statistics' period, `GET /stats`). */
    from: Instant.optional(),
    /** Only alarms that started at or before this instant. */
    to: Instant.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z
      .string()
      .max(40)
      .refine((c) => /^\d{1,9}$/.test(fromBase64Url(c)), 'not a cursor of this list')
      .optional()
      .describe('`next` of the previous page'),
  })
  .refine((q) => !q.from || !q.to || Date.parse(q.from) <= Date.parse(q.to), {
    message: 'from must not be after to',
    path: ['from'],
  });
export const AlarmIdParams = z.object({ id: z.string().min(1).max(64) });
export const NoteBody = z.object({ text: z.string().trim().min(1).max(4000) });
export const CallBody = z.object({
  outcome: z.enum(['reached', 'no_answer', 'refused']),
  note: z.string().max(4000).optional(),
});
export const PatrolBody = z.object({
  unit: z.string().trim().min(1).max(200),
  note: z.string().max(4000).optional(),
});
export const ExcuseBody = z.object({ text: z.string().trim().min(1).max(4000) });
export const QualifyBody = z.object({
  qualification: z.enum(['justified', 'unjustified']),
  note: z.string().trim().min(1).max(4000),
});
export const CloseBody = z.object({ note: z.string().trim().min(1).max(4000) });
export const IncidentQuery = z.object({
  active: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => v === 'true'),
});

const alarm = (
  method: 'GET' | 'POST',
  path: string,
  summary: string,
  permission: 'alarm.read' | 'alarm.handle' | 'supervision.officer',
) =>
  spec({
    method,
    path: `/api/v1/alarms/:id${path}`,
    summary,
    tag: 'alarms',
    permission,
    params: AlarmIdParams,
    response: AlarmAnswer,
    scope: { param: 'id', kind: 'alarm' as const },
  });

/** Every route of the alarms API (docs/api-alarms.md). */
export const ALARM_ROUTES = {
  listAlarms: spec({
    method: 'GET',
    path: '/api/v1/alarms',
    summary: 'The alarm queue in your scope, filtered by status, severity, rule, supervision and period',
    tag: 'alarms',
    permission: 'alarm.read',
    query: AlarmListQuery,
    response: AlarmPage,
    refs: [{ from: 'query', field: 'supervisionId', kind: 'supervision' }],
    audit: { action: 'alarm.list', entity: 'alarm', list: true },
  }),
  getAlarm: {
    ...alarm('GET', '', 'An alarm with its evidence and workflow', 'alarm.read'),
    audit: { action: 'alarm.read', entity: 'alarm' },
  },
  acknowledge: alarm('POST', '/acknowledge', 'Acknowledge the alarm (the operator took it)', 'alarm.handle'),
  note: { ...alarm('POST', '/notes', 'Add a note to the alarm', 'alarm.read'), body: NoteBody, status: 201 },
  call: {
    ...alarm('POST', '/calls', 'Record a phone call made about the alarm', 'alarm.handle'),
    body: CallBody,
    status: 201,
  },
  patrol: {
    ...alarm('POST', '/patrols', 'Record a patrol sent', 'alarm.handle'),
    body: PatrolBody,
    status: 201,
  },
  excuse: {
    ...alarm('POST', '/excuse', "Record the person's excuse (R10)", 'alarm.handle'),
    body: ExcuseBody,
  },
  qualify: {
    ...alarm('POST', '/qualify', 'Qualify the excuse as justified or not (R10)', 'supervision.officer'),
    body: QualifyBody,
  },
  close: { ...alarm('POST', '/close', 'Close the alarm with a note', 'alarm.handle'), body: CloseBody },
  incidents: spec({
    method: 'GET',
    path: '/api/v1/incidents',
    summary: 'Infrastructure incidents (many units silent at once), active or all',
    tag: 'alarms',
    permission: 'alarm.read',
    query: IncidentQuery,
    response: z.strictObject({ incidents: z.array(Incident) }),
  }),
  stream: spec({
    method: 'GET',
    path: '/api/v1/stream',
    summary: 'Server-Sent Events: every alarm change in your scope as it is committed (text/event-stream)',
    tag: 'alarms',
    permission: 'alarm.read',
    raw: true,
    audit: { action: 'alarm.stream', entity: 'alarm' },
  }),
} as const satisfies Record<string, RouteSpec>;

export type AlarmSeverity = z.output<typeof AlarmSeverity>;
export type AlarmStatus = z.output<typeof AlarmStatus>;
export type Incident = z.output<typeof Incident>;
