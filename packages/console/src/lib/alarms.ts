/**
 * The operator's queue: which alarm comes first, how live updates merge into it, and the filters. Pure, so
 * the order a person sees at 3 a.m. is unit-tested.
 */
import type { AlarmAnswer as AlarmView, AlarmSeverity, AlarmStatus } from '@sde/api';

/** Lower comes first. */
export const SEVERITY_RANK: Record<AlarmSeverity, number> = { critical: 0, serious: 1, info: 2 };
/** Unhandled alarms come before acknowledged ones; closed alarms sink to the bottom. */
export const STATUS_RANK: Record<AlarmStatus, number> = { open: 0, acknowledged: 1, closed: 2 };

/**
 * Queue order: open before acknowledged before closed, then by severity, then the oldest first (the one
 * waiting longest is the most urgent), then by id so the order is stable.
 */
export function compareAlarms(a: AlarmView, b: AlarmView): number {
  return (
    STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    Date.parse(a.startedAt) - Date.parse(b.startedAt) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** Returns a new sorted list with `alarm` added or replacing the alarm with the same id. */
export function upsertAlarm(list: readonly AlarmView[], alarm: AlarmView): AlarmView[] {
  const next = list.filter((a) => a.id !== alarm.id);
  next.push(alarm);
  return next.sort(compareAlarms);
}

/** Merges a fetched page into what the stream already delivered, keeping the newer copy of each alarm. */
export function mergeAlarms(list: readonly AlarmView[], fetched: readonly AlarmView[]): AlarmView[] {
  const byId = new Map(list.map((a) => [a.id, a]));
  for (const f of fetched) {
    const known = byId.get(f.id);
    if (!known || f.actions.length >= known.actions.length) byId.set(f.id, f);
  }
  return [...byId.values()].sort(compareAlarms);
}

/** What the operator filters the queue by. */
export interface AlarmFilter {
  /** `active`: open and acknowledged (the default); `all` includes closed ones. */
  status: 'active' | 'all' | AlarmStatus;
  severity: AlarmSeverity | 'all';
  rule: string | 'all';
  /** Free text matched against case number and name. */
  text: string;
}

export const DEFAULT_FILTER: AlarmFilter = { status: 'active', severity: 'all', rule: 'all', text: '' };

/** Applies `f` to `list`, keeping its order. */
export function filterAlarms(list: readonly AlarmView[], f: AlarmFilter): AlarmView[] {
  const text = f.text.trim().toLocaleLowerCase('pl');
  return list.filter(
    (a) =>
      (f.status === 'all' ? true : f.status === 'active' ? a.status !== 'closed' : a.status === f.status) &&
      (f.severity === 'all' || a.severity === f.severity) &&
      (f.rule === 'all' || a.rule === f.rule) &&
      (text === '' ||
        a.caseNumber.toLocaleLowerCase('pl').includes(text) ||
        a.personName.toLocaleLowerCase('pl').includes(text)),
  );
}

/** Whether an alarm should sound: critical, decided and still waiting for a person (ADR 0501). */
export function needsAttention(a: AlarmView): boolean {
  return a.severity === 'critical' && a.status === 'open' && !a.undecided;
}

/**
 * The queue in two parts: the decided alarms, and apart the undecided ones — resting on data the unit has
 * not confirmed, shown quietly until data decides them (ADR 0501). Each part keeps the list's order.
 */
export function splitQueue(list: readonly AlarmView[]): { decided: AlarmView[]; undecided: AlarmView[] } {
  return { decided: list.filter((a) => !a.undecided), undecided: list.filter((a) => a.undecided) };
}

/** Whether an update makes an alarm known as decided: new and decided, or undecided before and not now. */
export function becameDecided(before: AlarmView | undefined, after: AlarmView): boolean {
  return !after.undecided && (before === undefined || before.undecided);
}

/** Milliseconds from the first action of `kind` back to detection, or null when not taken yet. */
export function handlingTimeMs(a: AlarmView, kind: 'acknowledge' | 'close'): number | null {
  const act = a.actions.find((x) => x.kind === kind);
  return act ? Date.parse(act.at) - Date.parse(a.detectedAt) : null;
}
