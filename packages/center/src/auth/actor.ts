/**
 * Who is calling, what they may do, and which records they may see. Every route reads `req.actor`
 * (set by `authenticate`) and asks `requirePermission` / `scopeOf`; the console only reflects these rules.
 */
import type { Permission, Role, UserRole } from '@sde/api';
import { NotFoundError, AppError } from '../errors.js';

// The roles and permission names are the API's vocabulary (`@sde/api`); which role holds what is decided here.
export { ROLES, type Permission, type Role, type UserRole } from '@sde/api';

/** The authenticated caller. */
export interface Actor {
  userId: string | null;
  login: string;
  displayName: string;
  role: Role;
  regionId: string | null;
  courtId: string | null;
  /**
   * Where the call came from, recorded in the audit log: the connection's address, then what the client
   * claims about itself (user agent, terminal name) labelled as claimed (ADR 0407).
   */
  terminal: string;
  /** The address of the request's connection (or of the client, past a trusted proxy); unset for the center's own actors. */
  address?: string;
}

/**
 * What a role may do. Reading is further limited by `scopeOf`, and which fields of a record leave the
 * server by the data-class policy (`policy.ts`, docs/security.md). The auditor reads the audit log, the
 * statistics and the ledger check — no case, alarm or device (ADR 0403).
 */
export const PERMISSIONS = {
  'case.read': ['operator', 'judge', 'probation_officer', 'installer', 'bureau_admin'],
  /** Enter applications, decisions, court orders and their new versions (court staff). */
  'case.write': ['judge', 'bureau_admin'],
  /** Approve one-off exceptions to a schedule, qualify excuses. */
  'supervision.officer': ['probation_officer', 'judge'],
  /** Record the technical survey, installation, activation protocol and removal. */
  'installation.write': ['installer', 'operator'],
  /** Register devices, list them all (region and stock) and upload offline read-outs. */
  'device.manage': ['installer', 'bureau_admin', 'operator'],
  /**
   * Read one device's state and its commands (messages) — only a device in scope (`deviceScopeSql`): the
   * region's devices and the stock for regional roles, the devices serving the court's or caseload's
   * supervisions now for judges and probation officers.
   */
  'device.read': ['operator', 'judge', 'probation_officer', 'installer', 'bureau_admin'],
  'alarm.read': ['operator', 'judge', 'probation_officer', 'bureau_admin'],
  /**
   * Read a supervision's positions (the monitored person's track; the protected person's positions further
   * limited by the data-class policy). Installers verify a unit by its status, not by where the person is.
   */
  'track.read': ['operator', 'judge', 'probation_officer', 'bureau_admin'],
  'alarm.handle': ['operator'],
  /** Send a message to a person's home unit (T4.4). */
  'message.send': ['operator', 'probation_officer'],
  'user.manage': ['bureau_admin'],
  'audit.read': ['auditor', 'bureau_admin'],
  'stats.read': ['bureau_admin', 'auditor', 'operator'],
  /** Check the ledger's integrity (sde ledger verify). */
  'ledger.verify': ['bureau_admin', 'auditor'],
  /** Set and lift a legal hold on a case in scope (a judge: of the case's court), with a reason (ADR 0702). */
  'case.hold': ['judge', 'bureau_admin'],
  /** Read what the retention job's next run would remove (sde retention plan). */
  'retention.read': ['bureau_admin', 'auditor'],
} as const satisfies Record<Permission, readonly UserRole[]>;

/** The caller lacks a permission. */
export class ForbiddenError extends AppError {
  constructor(permission: Permission) {
    super(
      'forbidden',
      `your role may not do this (${permission})`,
      403,
      undefined,
      `Twoja rola nie pozwala na tę czynność (${permission}).`,
    );
  }
}

/** True when `actor` holds `permission`; the admin token holds all. */
export function can(actor: Pick<Actor, 'role'>, permission: Permission): boolean {
  return actor.role === 'system' || (PERMISSIONS[permission] as readonly Role[]).includes(actor.role);
}

/**
 * Every permission `actor` holds, in the table's order. Terminals read this list (`GET /api/v1/auth/me`) to
 * decide what to show, so they keep no copy of the table that could drift from it.
 */
export function permissionsOf(actor: Pick<Actor, 'role'>): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => can(actor, p));
}

/** Throws ForbiddenError unless `actor` holds `permission`. */
export function requirePermission(actor: Actor, permission: Permission): void {
  if (!can(actor, permission)) throw new ForbiddenError(permission);
}

/**
 * Which supervisions and cases an actor may see: everything (Bureau, auditors, the admin token), a region
 * (operators and installers of a regional center, T4.5), a court (judges), or a caseload (probation officers).
 */
export type Scope =
  | { kind: 'all' }
  | { kind: 'region'; regionId: string }
  | { kind: 'court'; courtId: string }
  | { kind: 'caseload'; probationOfficerId: string }
  | { kind: 'none' };

/** The actor's scope; a user missing the region or court their role needs sees nothing. */
export function scopeOf(actor: Actor): Scope {
  switch (actor.role) {
    case 'system':
    case 'bureau_admin':
    case 'auditor':
      return { kind: 'all' };
    case 'operator':
    case 'installer':
      return actor.regionId ? { kind: 'region', regionId: actor.regionId } : { kind: 'none' };
    case 'judge':
      return actor.courtId ? { kind: 'court', courtId: actor.courtId } : { kind: 'none' };
    case 'probation_officer':
      return actor.userId ? { kind: 'caseload', probationOfficerId: actor.userId } : { kind: 'none' };
  }
}

/** Whether a record with these owners is inside the actor's scope. A miss must answer 404, not 403. */
export function inScope(
  actor: Actor,
  record: { regionId: string; courtId: string | null; probationOfficerId: string | null },
): boolean {
  const scope = scopeOf(actor);
  switch (scope.kind) {
    case 'all':
      return true;
    case 'region':
      return record.regionId === scope.regionId;
    case 'court':
      return record.courtId === scope.courtId;
    case 'caseload':
      return record.probationOfficerId === scope.probationOfficerId;
    case 'none':
      return false;
  }
}

/** Throws NotFoundError (so existence does not leak) when the record is outside the actor's scope. */
export function requireInScope(
  actor: Actor,
  record: { regionId: string; courtId: string | null; probationOfficerId: string | null },
  what: string,
): void {
  if (!inScope(actor, record)) throw new NotFoundError(what);
}
