/**
 * The audit log as the auditor's screen reads it (`GET /api/v1/audit`, ADR 0407): the record, the query of a
 * filter, and actions and entities in words — the log stores codes (`alarm.acknowledge`), people read words.
 */
import type { Lang } from './format.js';
import { translate, pl, type MessageKey } from './messages.js';
import { periodQuery, type PeriodChoice } from './period.js';

/** One audit record as the API answers it. */
export interface AuditRecordView {
  id: number;
  at: string;
  actorLogin: string;
  actorRole: string;
  /** The address of the connection the request came from; null for the center's own work. */
  address: string | null;
  /** The address and what the client claimed about itself (labelled as claimed). */
  terminal: string;
  action: string;
  entity: string;
  entityId: string;
  personId: string | null;
  changes: Record<string, unknown>;
}

/** A page of the audit log. */
export interface AuditPage {
  records: AuditRecordView[];
  /** The cursor of the following page (pass it as `before`), null on the last page. */
  next: string | null;
}

/** What the auditor filters by. */
export interface AuditFilterChoice {
  person: string;
  user: string;
  /** An action prefix ending with a dot, or '' for every action. */
  action: string;
  period: PeriodChoice;
}

/** Groups of actions the screen offers, as prefixes the API filters by. */
export const ACTION_GROUPS = [
  'alarm.',
  'person.',
  'protected_person.',
  'case.',
  'application.',
  'supervision.',
  'order.',
  'schedule.',
  'device.',
  'readout.',
  'user.',
  'auth.',
  'audit.',
] as const;

/** The query string of a filter at `now` (the period's instants resolved then). */
export function auditQuery(f: AuditFilterChoice, now = Date.now()): string {
  const parts = [periodQuery(f.period, now)];
  if (f.person.trim()) parts.push(`person=${encodeURIComponent(f.person.trim())}`);
  if (f.user.trim()) parts.push(`user=${encodeURIComponent(f.user.trim())}`);
  if (f.action) parts.push(`action=${encodeURIComponent(f.action)}`);
  return parts.join('&');
}

const known = (key: string): key is MessageKey => key in pl;

/** Words for a code the console has no text for: `device.provision` → `device provision`. */
function spelled(code: string): string {
  return code.replace(/[._]+/g, ' ').trim();
}

/** An action in words (`alarm.acknowledge` → "potwierdzenie alarmu"). */
export function actionName(action: string, lang: Lang): string {
  const key = `auditAction.${action}`;
  if (known(key)) return translate(lang, key);
  const group = `auditGroup.${action.slice(0, action.indexOf('.') + 1)}`;
  return known(group)
    ? `${translate(lang, group)}: ${spelled(action.slice(action.indexOf('.') + 1))}`
    : spelled(action);
}

/** A kind of record in words (`monitored_person` → "osoba dozorowana"). */
export function entityName(entity: string, lang: Lang): string {
  const key = `auditEntity.${entity}`;
  return known(key) ? translate(lang, key) : spelled(entity);
}
