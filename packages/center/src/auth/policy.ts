/**
 * Who may see what, by data class (docs/security.md, "Policy: roles × data classes"; ADR 0403). This is the
 * one source the presenters (`present<X>For`) read: a route decides *whether* a caller may call it
 * (`PERMISSIONS`) and *which records* (`scopeOf`); this table decides *which fields* of those records leave
 * the server. Fields a role may not see are removed from the answer, never sent for the console to hide.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { recordAudit } from '../audit/audit.repository.js';
import type { Actor, Role } from './actor.js';

/**
 * How much of the protected person (her identity, contacts, the zones around her home, her positions) a
 * role sees: `always` (the court, her probation officer and the Bureau who entered her), `with_open_alarm`
 * (operators, only while a proximity alarm on that supervision is being handled, and the look is audited),
 * or `never` (installers and auditors: their work does not need her).
 */
export type ProtectedPersonAccess = 'always' | 'with_open_alarm' | 'never';

/** The protected person's rule for each role. */
export const PROTECTED_PERSON_ACCESS: Record<Role, ProtectedPersonAccess> = {
  judge: 'always',
  probation_officer: 'always',
  bureau_admin: 'always',
  system: 'always',
  operator: 'with_open_alarm',
  installer: 'never',
  auditor: 'never',
};

/**
 * Alarm rules whose open alarm lets an operator see the protected person of that supervision: the
 * restraining-order alarm itself, and an exclusion zone of an order that protects a person (her home).
 */
export const PROXIMITY_RULES = ['proximity', 'exclusion_zone'] as const;

/**
 * Names of data classes an answer left out for the caller's role, listed in its `restricted` field so a
 * terminal can say "not available to your role" instead of showing an empty value as if there were none.
 * The names are part of the API's answers (`@sde/api`).
 */
export type { RestrictedClass } from '@sde/api';

/** Whether `role` sees the monitored person's identity and contacts in full (not only the name). */
export const seesMonitoredPersonInFull = (role: Role): boolean => role !== 'installer' && role !== 'auditor';

/**
 * What the caller may see of the protected person on one supervision (or case): `visible`, and when it is
 * visible only because of an open alarm, that alarm's id (the reason recorded in the audit log).
 */
export interface ProtectedView {
  visible: boolean;
  alarmId: string | null;
}

/**
 * Whether an answer may carry the protected person for `role` given `view`. A role whose rule is `never`
 * gets nothing even if a caller passed a visible view by mistake: the table wins.
 */
export function mayShowProtected(role: Role, view: ProtectedView): boolean {
  const rule = PROTECTED_PERSON_ACCESS[role];
  return rule === 'always' || (rule === 'with_open_alarm' && view.visible);
}

/** The view of a role that never or always sees the protected person (no alarm needed). */
export function staticProtectedView(role: Role): ProtectedView | undefined {
  const rule = PROTECTED_PERSON_ACCESS[role];
  if (rule === 'always') return { visible: true, alarmId: null };
  if (rule === 'never') return { visible: false, alarmId: null };
  return undefined;
}

/**
 * Reads the open proximity alarms that decide an operator's view of protected persons, and records each
 * look granted by one. Every answer about a supervision's or case's protected person asks it.
 */
export function createProtectedAccess(db: Kysely<DB>) {
  /** The view of `actor` on each of `supervisionIds` (all already checked to be in the actor's scope). */
  async function forSupervisions(
    actor: Actor,
    supervisionIds: string[],
  ): Promise<Map<string, ProtectedView>> {
    const out = new Map<string, ProtectedView>();
    const fixed = staticProtectedView(actor.role);
    const ids = [...new Set(supervisionIds)];
    if (fixed || ids.length === 0) {
      for (const id of ids) out.set(id, fixed ?? { visible: false, alarmId: null });
      return out;
    }
    const open = await db
      .selectFrom('alarm_episodes')
      .select(['id', 'supervision_id'])
      .where('supervision_id', 'in', ids)
      .where('rule', 'in', [...PROXIMITY_RULES])
      .where('status', '!=', 'closed')
      .where('condition', '!=', 'withdrawn')
      .orderBy('opened_at', 'desc')
      .execute();
    for (const id of ids) {
      const alarm = open.find((a) => a.supervision_id === id);
      out.set(id, alarm ? { visible: true, alarmId: alarm.id } : { visible: false, alarmId: null });
    }
    return out;
  }

  return {
    forSupervisions,

    /** The view of `actor` on one supervision. */
    async forSupervision(actor: Actor, supervisionId: string): Promise<ProtectedView> {
      return (await forSupervisions(actor, [supervisionId])).get(supervisionId)!;
    },

    /** The view on a case: visible when it is visible on any of its supervisions. */
    async forCase(actor: Actor, supervisionIds: string[]): Promise<ProtectedView> {
      const fixed = staticProtectedView(actor.role);
      if (fixed) return fixed;
      const views = await forSupervisions(actor, supervisionIds);
      return [...views.values()].find((v) => v.visible) ?? { visible: false, alarmId: null };
    },

    /**
     * Records a look at the protected person that an open alarm allowed (`what`: which data classes were
     * shown). Looks allowed by the role itself are left to the read audit of the route table.
     */
    async recordLook(
      actor: Actor,
      view: ProtectedView,
      look: { entity: string; entityId: string; what: string[]; requestId?: string | undefined },
    ): Promise<void> {
      if (!view.visible || view.alarmId === null) return;
      await recordAudit(db, actor, {
        action: 'protected_person.read',
        entity: look.entity,
        entityId: look.entityId,
        changes: { reason: { alarmId: view.alarmId }, what: look.what },
        ...(look.requestId ? { requestId: look.requestId } : {}),
      });
    },
  };
}

export type ProtectedAccess = ReturnType<typeof createProtectedAccess>;
