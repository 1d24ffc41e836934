/** The alarms API's shapes (docs/api-alarms.md) and request schemas. */
import { z } from 'zod';
import { Instant } from '../cases/case.schemas.js';

/** One entry of an alarm's workflow log. */
export interface AlarmAction {
  at: string;
  by: string;
  kind: 'acknowledge' | 'note' | 'call' | 'patrol' | 'excuse' | 'qualify' | 'close' | 'notify';
  text: string | null;
}

/** The person's excuse and the probation officer's qualification (R10). */
export interface AlarmExcuse {
  text: string;
  recordedBy: string;
  at: string;
  qualification: 'justified' | 'unjustified' | null;
  qualifiedBy: string | null;
  note: string | null;
}

/** An alarm as terminals see it (docs/api-alarms.md). */
export interface AlarmView {
  id: string;
  supervisionId: string;
  caseId: string;
  caseNumber: string;
  personName: string;
  regionId: string;
  rule: string;
  severity: 'critical' | 'serious' | 'info';
  status: 'open' | 'acknowledged' | 'closed';
  condition: 'active' | 'ended' | 'withdrawn';
  startedAt: string;
  endedAt: string | null;
  detectedAt: string;
  late: boolean;
  /** Rests on data the unit has not confirmed yet: shown apart, no sound, no notification (ADR 0501). */
  undecided: boolean;
  /** Withdrawn (`condition: withdrawn`): when and why, in Polish and English; null otherwise. */
  withdrawal: { at: string; reason: { pl: string; en: string } } | null;
  explanation: { pl: string; en: string };
  clause: { pl: string; en: string } | null;
  evidence: { deviceId: string; seq: number; kind: string; time: string }[];
  incidentId: string | null;
  actions: AlarmAction[];
  excuse: AlarmExcuse | null;
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
      .refine((c) => /^\d{1,9}$/.test(Buffer.from(c, 'base64url').toString()), 'not a cursor of this list')
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
