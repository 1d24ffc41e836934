/** The SQL form of an actor's scope, shared by every repository that lists records by case. */
import { sql, type RawBuilder } from 'kysely';
import type { Scope } from '../auth/actor.js';

/**
 * The condition limiting rows to `scope`, on the cases table joined as `c` (supervisions, alarms and
 * positions reach their region, court and probation officer through their case).
 */
export function caseScopeSql(scope: Scope): RawBuilder<boolean> {
  switch (scope.kind) {
    case 'all':
      return sql<boolean>`true`;
    case 'region':
      return sql<boolean>`c.region_id = ${scope.regionId}`;
    case 'court':
      return sql<boolean>`c.court_id = ${scope.courtId}`;
    case 'caseload':
      return sql<boolean>`c.probation_officer_id = ${scope.probationOfficerId}`;
    case 'none':
      return sql<boolean>`false`;
  }
}

/**
 * The condition limiting devices to `scope`, on `devices` left-joined with its current assignment as `a`
 * and that supervision's case as `c`. Regional roles see the devices serving their region **and the
 * unassigned stock** (a device carries no region until it is assigned); judges and probation officers the
 * devices serving a supervision of their court or caseload now; the Bureau everything.
 */
export function deviceScopeSql(scope: Scope): RawBuilder<boolean> {
  return scope.kind === 'region'
    ? sql<boolean>`(a.id is null or ${caseScopeSql(scope)})`
    : caseScopeSql(scope);
}
