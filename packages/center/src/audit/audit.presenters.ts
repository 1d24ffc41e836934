/**
 * The audit record presenter (ADR 0403): the auditor reads who did what, when, to which record and from which
 * terminal — not the content the audit log keeps for the Bureau (alarm notes, the court's reasons, the order's
 * zones, schedules). For the auditor, `changes` keeps only keys that carry ids, codes, states and times, and
 * `redacted` lists the keys left out, so the record still shows that something was there.
 */
import type { Actor } from '../auth/actor.js';
import type { AuditRecord } from './audit.repository.js';

/** Keys of `changes` that hold ids, codes, states, instants or field names — never free text or content. */
const STRUCTURAL_KEYS = new Set([
  'from',
  'to',
  'at',
  'fields',
  'containsPersonalData',
  'outcome',
  'verdict',
  'rule',
  'severity',
  'late',
  'episodeId',
  'evidenceAt',
  'what',
  'applicationId',
  'decisionId',
  'orderId',
  'supervisionId',
  'caseId',
  'personId',
  'protectedPersonId',
  'judgeId',
  'probationOfficerId',
  'deviceId',
  'deviceIds',
  'version',
  'validFrom',
  'decidedOn',
  'assessedOn',
  'receivedOn',
  'decisionLastDay',
  'filerKind',
  'caseNumber',
  'courtId',
  'regionId',
  'role',
  'login',
  'active',
  'id',
  'alarmId',
  'protocolNumber',
  'before',
  'reason',
  // Devices, commands and read-outs (ADR 0407): kinds, counts, settings and sequence numbers.
  'kind',
  'count',
  'ids',
  'commandId',
  'command',
  'length',
  'meters',
  'seconds',
  'complete',
  'batches',
  'stored',
  'duplicates',
  'bytes',
  'code',
  // Sign-in (ADR 0405) and the audit's own export: where from, how, which counter; the filter's ids.
  'address',
  'method',
  'totp',
  'scope',
  'failures',
  'filter',
  'format',
  'user',
  'action',
]);

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const primitive = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);

function structural(
  changes: Record<string, unknown>,
  redacted: string[],
  path = '',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(changes)) {
    const name = path + k;
    // `reason` is kept only as the reference of a look (`{ alarmId }`), never as a person's written reason.
    const keep =
      STRUCTURAL_KEYS.has(k) &&
      (k !== 'reason' || isPlain(v)) &&
      (primitive(v) || isPlain(v) || (Array.isArray(v) && v.every(primitive)));
    if (!keep) {
      redacted.push(name);
      continue;
    }
    out[k] = isPlain(v) ? structural(v, redacted, `${name}.`) : v;
  }
  return out;
}

/** The audit record as `actor` may read it: whole for the Bureau and the admin token, structural for the auditor. */
export function presentAuditRecordFor<R extends Pick<AuditRecord, 'changes'>>(
  actor: Pick<Actor, 'role'>,
  r: R,
): R & { redacted?: string[] } {
  if (actor.role !== 'auditor') return r;
  const redacted: string[] = [];
  const changes = structural(r.changes, redacted);
  return redacted.length > 0 ? { ...r, changes, redacted } : { ...r, changes };
}
