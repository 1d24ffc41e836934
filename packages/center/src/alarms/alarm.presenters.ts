/**
 * The alarm presenter (ADR 0403): every alarm answer — the list, one alarm, the answer to a workflow step and
 * the live stream — passes through {@link presentAlarmFor}. The alarm names the monitored person (short
 * form) and, for an exclusion zone of an order that protects a person, the zone's label, which locates her
 * home: that label is replaced unless the caller may see the protected person on that supervision.
 */
import { can, type Actor } from '../auth/actor.js';
import { mayShowProtected, type ProtectedView } from '../auth/policy.js';
import type { AlarmView } from '@sde/api';

/** What replaces a protected person's zone label in an alarm's text. */
export const REDACTED_ZONE = {
  pl: 'strefa osoby chronionej (nazwa niedostępna dla Twojej roli)',
  en: "the protected person's zone (name not available to your role)",
} as const;

/** What the presenter needs to know of the alarm's supervision. */
export interface AlarmPolicyContext {
  /** Whether the caller may see the protected person of the alarm's supervision. */
  view: ProtectedView;
  /** Labels of the zones that protect a person in the supervision's order (any version). */
  protectedZoneNames: readonly string[];
}

function redact(text: string, names: readonly string[], lang: 'pl' | 'en'): string {
  let out = text;
  for (const n of names) if (n.length > 0) out = out.split(n).join(REDACTED_ZONE[lang]);
  return out;
}

/**
 * The alarm as `actor` may see it, or `undefined` when the role may read no alarm (installers, auditors):
 * the live stream drops those instead of sending them.
 */
export function presentAlarmFor(
  actor: Pick<Actor, 'role'>,
  alarm: AlarmView,
  ctx: AlarmPolicyContext,
): (AlarmView & { restricted?: ['protected_zones'] }) | undefined {
  if (!can(actor, 'alarm.read')) return undefined;
  if (mayShowProtected(actor.role, ctx.view) || ctx.protectedZoneNames.length === 0) return alarm;
  const names = ctx.protectedZoneNames;
  const mentions = (b: { pl: string; en: string } | null) =>
    b !== null && names.some((n) => n.length > 0 && (b.pl.includes(n) || b.en.includes(n)));
  if (!mentions(alarm.explanation) && !mentions(alarm.clause)) return alarm;
  const bi = (b: { pl: string; en: string }) => ({
    pl: redact(b.pl, names, 'pl'),
    en: redact(b.en, names, 'en'),
  });
  return {
    ...alarm,
    explanation: bi(alarm.explanation),
    clause: alarm.clause ? bi(alarm.clause) : null,
    actions: alarm.actions.map((a) => (a.text ? { ...a, text: redact(a.text, names, 'pl') } : a)),
    restricted: ['protected_zones'],
  };
}
