/**
 * What the signed-in person may do, as the center says (`GET /api/v1/auth/me` answers the role's permission
 * list). The console keeps no copy of the center's table, so the two cannot drift: it only decides what to
 * show, and the API enforces every rule anyway. The permission names are the API's (`@sde/api`).
 */
import type { Permission } from '@sde/api';

export type { Permission };

/** Whether the person holds `permission` (by the list the center gave at sign-in). */
export function can(user: { readonly permissions: readonly string[] }, permission: Permission): boolean {
  return user.permissions.includes(permission);
}
