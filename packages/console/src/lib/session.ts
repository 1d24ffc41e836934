/**
 * The signed-in person as the console keeps it: the user the center answered (`GET /api/v1/auth/me`, or a
 * sign-in) and beside it their permissions. The shapes are the center's (`@sde/api`).
 */
import type { LoginAnswer, MeAnswer, Permission, Role, SessionUser } from '@sde/api';

export type { Role };

/** The signed-in person and what their role may do (the console keeps no copy of the table). */
export interface Actor extends Omit<SessionUser, 'terminal' | 'address'> {
  permissions: Permission[];
}

/** An answer that signs someone in: `GET /auth/me`, or a sign-in that needed no further factor. */
export type SessionAnswer = MeAnswer | Extract<LoginAnswer, { user: unknown }>;

/** The signed-in person from a session answer (a sign-in names the user `id`, `me` names it `userId`). */
export function actorOf(r: SessionAnswer): Actor {
  const u = r.user;
  return {
    userId: 'userId' in u ? u.userId : u.id,
    login: u.login,
    displayName: u.displayName,
    role: u.role,
    regionId: u.regionId,
    courtId: u.courtId,
    permissions: r.permissions,
  };
}
