/** Retention and legal holds (T4.7; ADR 0702): the holds on a case and the retention job's plan. */
import { z } from 'zod';
import { Stamp } from './cases.js';
import { spec } from './route-spec.js';

const CaseParams = z.object({ id: z.uuid() });
const HoldParams = z.object({ id: z.uuid(), holdId: z.uuid() });

/** Why a hold is set or lifted: the judge's or the Bureau's grounds, kept with the hold. */
export const HoldBody = z.strictObject({ reason: z.string().trim().min(3).max(2000) });

/** A legal hold: in force while `liftedAt` is null. */
export const LegalHold = z.strictObject({
  id: z.uuid(),
  caseId: z.uuid(),
  inForce: z.boolean(),
  reason: z.string(),
  setAt: Stamp,
  setBy: z.string(),
  setByRole: z.string(),
  liftedAt: Stamp.nullable(),
  liftedBy: z.string().nullable(),
  liftReason: z.string().nullable(),
});
export type LegalHold = z.output<typeof LegalHold>;

/** What the retention job's next run would remove (`sde retention plan`); no personal data. */
export const RetentionPlan = z.strictObject({
  at: Stamp,
  months: z.number(),
  cutoff: Stamp,
  partitions: z.array(
    z.strictObject({
      table: z.string(),
      name: z.string(),
      from: Stamp,
      to: Stamp,
      rows: z.number(),
      heldRows: z.number(),
    }),
  ),
  casesToErase: z.number(),
  casesHeld: z.number(),
  heldRowsReleased: z.number(),
});
export type RetentionPlan = z.output<typeof RetentionPlan>;

export const RETENTION_ROUTES = {
  listHolds: spec({
    method: 'GET',
    path: '/api/v1/cases/:id/holds',
    summary: "A case's legal holds, in force and lifted, newest first",
    tag: 'retention',
    permission: 'case.read',
    params: CaseParams,
    response: z.strictObject({ holds: z.array(LegalHold) }),
    scope: { param: 'id', kind: 'case' },
    audit: { action: 'case.holds.read', entity: 'case' },
  }),
  setHold: spec({
    method: 'POST',
    path: '/api/v1/cases/:id/holds',
    summary: "Set a legal hold: the case's data is kept past the retention period until it is lifted",
    tag: 'retention',
    permission: 'case.hold',
    params: CaseParams,
    body: HoldBody,
    response: LegalHold,
    scope: { param: 'id', kind: 'case' },
    status: 201,
  }),
  liftHold: spec({
    method: 'POST',
    path: '/api/v1/cases/:id/holds/:holdId/lift',
    summary: 'Lift a legal hold: the next retention run applies the period to the case again',
    tag: 'retention',
    permission: 'case.hold',
    params: HoldParams,
    body: HoldBody,
    response: LegalHold,
    scope: { param: 'id', kind: 'case' },
  }),
  retentionPlan: spec({
    method: 'GET',
    path: '/api/v1/retention/plan',
    summary: 'What the next retention run would remove: partitions, held rows, cases to pseudonymise',
    tag: 'retention',
    permission: 'retention.read',
    response: RetentionPlan,
  }),
} as const;
