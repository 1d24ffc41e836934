/**
 * Sign-in, sessions and user administration. Passwords are hashed with Argon2id (memory-hard); session
 * cookies are random, stored only as their SHA-256, end after an idle period (shared terminals) and at an
 * absolute limit.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Database } from '../db/database.js';
import { recordAudit } from '../audit/audit.repository.js';
import { AppError, ConflictError, NotFoundError, UnauthorizedError, ValidationError } from '../errors.js';
import type { Actor, UserRole } from './actor.js';
import type { IdentityRepository, User } from './user.repository.js';

/** Session timing. */
export interface SessionPolicy {
  idleMinutes: number;
  maxHours: number;
}

/**
 * Why a session ended, as a live stream tells its terminal: signed out, idle past SDE_SESSION_IDLE_MINUTES,
 * past the absolute SDE_SESSION_MAX_HOURS, or its user was changed (deactivated, new role, region, court or
 * password) or removed.
 */
export type SessionEndReason = 'signed_out' | 'idle' | 'expired' | 'user_changed';

/** A session (by token hash) or every session of a user ended; open streams of it close. */
export type SessionEnd =
  | { tokenHash: string; userId?: undefined; reason: SessionEndReason }
  | { tokenHash?: undefined; userId: string; reason: SessionEndReason };

/** Too many wrong passwords for a login: it is locked for a while. */
export class LockedError extends AppError {
  constructor(seconds: number) {
    super('login_locked', `too many failed sign-ins; try again in ${seconds} s`, 429);
  }
}

const MAX_FAILURES = 5;
const LOCK_MS = 60_000;
/** Minimum password length for new passwords. */
export const MIN_PASSWORD_LENGTH = 10;

/** SHA-256 of a session token, as stored. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Creates the auth service. */
export function createAuthService(deps: { db: Database; repo: IdentityRepository; policy: SessionPolicy }) {
  const { repo, policy } = deps;
  const failures = new Map<string, { count: number; until: number }>();
  const endListeners = new Set<(e: SessionEnd) => void>();
  const ended = (e: SessionEnd) => {
    for (const l of endListeners) {
      try {
        l(e);
      } catch {
        /* a broken listener must not fail the sign-out */
      }
    }
  };

  /**
   * The session's state: its user, or why it is over (an over session is deleted). `touch` refreshes its
   * idle timer, at most every 30 s: a console polling every second must not write every second.
   */
  async function checkSession(
    h: string,
    touch: boolean,
  ): Promise<{ user: User; reason?: undefined } | { user?: undefined; reason: SessionEndReason }> {
    const s = await repo.sessionByHash(h);
    if (!s) return { reason: 'signed_out' };
    const now = Date.now();
    const expired = s.expires_at.getTime() < now;
    if (expired || now - s.last_seen_at.getTime() > policy.idleMinutes * 60_000) {
      await repo.deleteSession(h);
      ended({ tokenHash: h, reason: expired ? 'expired' : 'idle' });
      return { reason: expired ? 'expired' : 'idle' };
    }
    const user = await repo.userById(s.user_id);
    if (!user?.active) return { reason: 'user_changed' };
    if (touch && now - s.last_seen_at.getTime() > 30_000) await repo.touchSession(h, new Date(now));
    return { user };
  }

  // Verifying against a real hash when the login is unknown keeps timing from telling which logins exist.
  const dummyHash = hash('not-a-real-password-' + randomBytes(8).toString('hex'));

  async function validateNewUser(u: {
    login: string;
    role: UserRole;
    regionId: string | null;
    courtId: string | null;
    password: string;
  }) {
    if (u.password.length < MIN_PASSWORD_LENGTH) {
      throw new ValidationError(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    if ((u.role === 'operator' || u.role === 'installer') && !u.regionId) {
      throw new ValidationError(`a user with role ${u.role} belongs to a region (regionId)`);
    }
    if (u.role === 'judge' && !u.courtId) throw new ValidationError('a judge belongs to a court (courtId)');
    if (u.role === 'probation_officer' && !u.regionId) {
      throw new ValidationError('a probation officer belongs to a region (regionId)');
    }
    if (await repo.userByLogin(u.login)) throw new ConflictError(`login ${u.login} is taken`, 'login_taken');
  }

  return {
    /** Checks login and password; returns a new session token (for the cookie) and the user. */
    async signIn(login: string, password: string, terminal: string): Promise<{ token: string; user: User }> {
      const f = failures.get(login);
      if (f && f.until > Date.now()) throw new LockedError(Math.ceil((f.until - Date.now()) / 1000));
      const found = await repo.userByLogin(login);
      const ok = found
        ? await verify(found.passwordHash, password).catch(() => false)
        : await verify(await dummyHash, password).then(() => false);
      if (!found || !ok || !found.user.active) {
        const count = (f?.count ?? 0) + 1;
        failures.set(login, { count, until: count >= MAX_FAILURES ? Date.now() + LOCK_MS : 0 });
        throw new UnauthorizedError('wrong login or password');
      }
      failures.delete(login);
      const token = randomBytes(32).toString('base64url');
      await repo.insertSession({
        tokenHash: tokenHash(token),
        userId: found.user.id,
        expiresAt: new Date(Date.now() + policy.maxHours * 3_600_000),
        terminal,
      });
      return { token, user: found.user };
    },

    /** The user of a live session, refreshing its idle timer; undefined when absent, idle or expired. */
    async sessionUser(token: string): Promise<User | undefined> {
      return (await checkSession(tokenHash(token), true)).user;
    },

    /**
     * A live stream's periodic look at its session (by token hash): the user, or why the session is over.
     * `keepAlive` (a watching operator, ADR 0404) refreshes the idle timer; the absolute limit still holds.
     */
    liveSession(h: string, keepAlive: boolean) {
      return checkSession(h, keepAlive);
    },

    /** Calls `listener` whenever a session or all of a user's sessions end; returns the unsubscribe. */
    onSessionEnd(listener: (e: SessionEnd) => void): () => void {
      endListeners.add(listener);
      return () => endListeners.delete(listener);
    },

    async signOut(token: string): Promise<void> {
      const h = tokenHash(token);
      await repo.deleteSession(h);
      ended({ tokenHash: h, reason: 'signed_out' });
    },

    /** Creates a user (Bureau administrators). */
    async createUser(
      actor: Actor,
      u: {
        login: string;
        displayName: string;
        role: UserRole;
        regionId: string | null;
        courtId: string | null;
        password: string;
      },
      requestId?: string,
    ): Promise<User> {
      await validateNewUser(u);
      const id = randomUUID();
      const passwordHash = await hash(u.password);
      await deps.db.transaction().execute(async (trx) => {
        await repo.insertUser(
          {
            id,
            login: u.login,
            displayName: u.displayName,
            role: u.role,
            regionId: u.regionId,
            courtId: u.courtId,
            passwordHash,
          },
          trx,
        );
        await recordAudit(trx, actor, {
          action: 'user.create',
          entity: 'user',
          entityId: id,
          changes: { login: u.login, role: u.role, regionId: u.regionId, courtId: u.courtId },
          ...(requestId ? { requestId } : {}),
        });
      });
      return (await repo.userById(id))!;
    },

    /**
     * Deactivates or reactivates a user, sets a new password, or moves them to another role, region or
     * court; ends their sessions (and so their live streams): what they may see has changed.
     */
    async updateUser(
      actor: Actor,
      id: string,
      patch: {
        active?: boolean;
        password?: string;
        role?: UserRole;
        regionId?: string | null;
        courtId?: string | null;
      },
      requestId?: string,
    ) {
      const user = await repo.userById(id);
      if (!user) throw new NotFoundError(`user ${id}`);
      if (patch.password !== undefined && patch.password.length < MIN_PASSWORD_LENGTH) {
        throw new ValidationError(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
      }
      const placement = {
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.regionId !== undefined ? { regionId: patch.regionId } : {}),
        ...(patch.courtId !== undefined ? { courtId: patch.courtId } : {}),
      };
      const role = placement.role ?? user.role;
      const regionId = placement.regionId !== undefined ? placement.regionId : user.regionId;
      const courtId = placement.courtId !== undefined ? placement.courtId : user.courtId;
      if ((role === 'operator' || role === 'installer' || role === 'probation_officer') && !regionId) {
        throw new ValidationError(`a user with role ${role} belongs to a region (regionId)`);
      }
      if (role === 'judge' && !courtId) throw new ValidationError('a judge belongs to a court (courtId)');
      if (placement.regionId && !(await repo.regions()).some((r) => r.id === placement.regionId)) {
        throw new ValidationError(`no region ${placement.regionId}`);
      }
      if (placement.courtId && !(await repo.courts()).some((c) => c.id === placement.courtId)) {
        throw new ValidationError(`no court ${placement.courtId}`);
      }
      const passwordHash = patch.password !== undefined ? await hash(patch.password) : undefined;
      await deps.db.transaction().execute(async (trx) => {
        await repo.updateUser(
          id,
          {
            ...(patch.active !== undefined ? { active: patch.active } : {}),
            ...(passwordHash ? { passwordHash } : {}),
            ...placement,
          },
          trx,
        );
        await repo.deleteSessionsOf(id, trx);
        await recordAudit(trx, actor, {
          action: 'user.update',
          entity: 'user',
          entityId: id,
          changes: {
            ...(patch.active !== undefined ? { active: patch.active } : {}),
            ...(passwordHash ? { password: 'changed' } : {}),
            ...placement,
          },
          ...(requestId ? { requestId } : {}),
        });
      });
      ended({ userId: id, reason: 'user_changed' });
      return (await repo.userById(id))!;
    },

    /** Creates a user without an acting person: first start and demo seeding only. */
    async bootstrapUser(u: {
      login: string;
      displayName: string;
      role: UserRole;
      regionId: string | null;
      courtId: string | null;
      password: string;
    }) {
      const existing = await repo.userByLogin(u.login);
      if (existing) return existing.user;
      const id = randomUUID();
      await repo.insertUser({
        id,
        login: u.login,
        displayName: u.displayName,
        role: u.role,
        regionId: u.regionId,
        courtId: u.courtId,
        passwordHash: await hash(u.password),
      });
      return (await repo.userById(id))!;
    },

    repo,
  };
}

export type AuthService = ReturnType<typeof createAuthService>;
