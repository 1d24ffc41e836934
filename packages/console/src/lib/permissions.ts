/**
 * What each role may do, mirrored from the center's `auth/actor.ts` so the console shows only the actions a
 * person can take. The API enforces these rules; this copy only decides what to show.
 */
import type { Role } from './types.js';

export const PERMISSIONS = {
  'case.read': ['operator', 'judge', 'probation_officer', 'installer', 'bureau_admin', 'auditor'],
  'case.write': ['judge', 'bureau_admin'],
  'supervision.officer': ['probation_officer', 'judge'],
  'installation.write': ['installer', 'operator'],
  'device.manage': ['installer', 'bureau_admin', 'operator'],
  'alarm.read': ['operator', 'judge', 'probation_officer', 'bureau_admin', 'auditor'],
  'alarm.handle': ['operator'],
  'message.send': ['operator', 'probation_officer'],
  'user.manage': ['bureau_admin'],
  'audit.read': ['auditor', 'bureau_admin'],
  'stats.read': ['bureau_admin', 'auditor', 'operator'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** Whether `role` holds `permission` (the admin token, `system`, holds all). */
export function can(role: Role, permission: Permission): boolean {
  return role === 'system' || (PERMISSIONS[permission] as readonly Role[]).includes(role);
}
