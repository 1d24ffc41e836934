/**
 * Sign-in, sessions and user administration. Passwords are hashed with Argon2id (memory-hard); session
 * cookies are random, stored only as their SHA-256, end after an idle period (shared terminals) and at an
 * absolute limit.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Database } from '../db/database.js';
import { recordAudit } from '../audit/audit.repository.js';
import { AppError, ConflictError, NotFoundError, ValidationError } from '../errors.js';
import type { AuditActor } from '../audit/audit.repository.js';
import type { Actor, UserRole } from './actor.js';
import { createSigninThrottle, type ThrottlePolicy } from './throttle.js';
import { createTotp } from './totp.js';
import type { IdentityRepository, ManagedUser, User } from './user.repository.js';

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

/**
 * Too many failed sign-ins from this address (or for this login from addresses it was never used from):
 * the caller waits; nobody else is locked out (ADR 0405).
 */
export class ThrottledError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(
      'signin_throttled',
      `too many failed sign-ins; try again in ${retryAfterSeconds} s`,
      429,
      { retryAfterSeconds },
      `Zbyt wiele nieudanych prób logowania; spróbuj ponownie za ${retryAfterSeconds} s.`,
    );
  }
}

/** What a sign-in came to: a session, or a second factor to give (or to enrol first). */
export type SignInResult =
  | { kind: 'session'; token: string; user: User }
  | { kind: 'totp_required' }
  | { kind: 'totp_enrol'; secret: string; uri: string };

/** Where and how a sign-in attempt is made. */
export interface SignInAttempt {
  login: string;
  password: string;
  /** A TOTP code, when the user has (or is enrolling) a second factor. */
  totp?: string | undefined;
  /** The connection's address (req.ip), never a header. */
  address: string;
  terminal: string;
  requestId?: string;
}

/** The actor recorded for a failed sign-in of a login that does not exist. */
function anonymousActor(terminal: string, address?: string): AuditActor {
  return { userId: null, login: 'anonymous', role: 'anonymous', terminal, ...(address ? { address } : {}) };
}

/** The actor recorded for a user's own sign-in events. */
function actorOf(user: User, terminal: string, address?: string): AuditActor {
  return { userId: user.id, login: user.login, role: user.role, terminal, ...(address ? { address } : {}) };
}

/** Minimum password length for new passwords. */
export const MIN_PASSWORD_LENGTH = 10;

/** SHA-256 of a session token, as stored. */
export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A refusal of one field, in English and Polish, with the field's path for the form to show it by. */
function fieldError(path: string, message: string, messagePl: string): ValidationError {
  return new ValidationError(`${path}: ${message}`, [{ path, message, messagePl }], undefined, messagePl);
}

/** A password too short to be set. */
function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH)
    throw fieldError(
      'password',
      `a password needs at least ${MIN_PASSWORD_LENGTH} characters`,
      `Hasło musi mieć co najmniej ${MIN_PASSWORD_LENGTH} znaków.`,
    );
}

/** Where a role's user belongs: operators, installers and probation officers to a region, judges to a court. */
function checkPlacement(role: UserRole, regionId: string | null, courtId: string | null): void {
  if ((role === 'operator' || role === 'installer' || role === 'probation_officer') && !regionId)
    throw fieldError(
      'regionId',
      `a user with role ${role} belongs to a region (regionId)`,
      'Ta rola wymaga wskazania regionu.',
    );
  if (role === 'judge' && !courtId)
    throw fieldError('courtId', 'a judge belongs to a court (courtId)', 'Sędzia musi mieć wskazany sąd.');
}

/** Which contacts a change sets or clears, without their values (`set` or `cleared`). */
function contactChanges(c: { email?: string | null; phone?: string | null }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of ['email', 'phone'] as const)
    if (c[k] !== undefined) out[k] = c[k] === null ? 'cleared' : 'set';
  return out;
}

/** The fields of a user whose change ends their sessions: what they may see or who they are changes. */
const ACCESS_FIELDS = ['active', 'password', 'role', 'regionId', 'courtId'] as const;

/** Creates the auth service. */
export function createAuthService(deps: {
  db: Database;
  repo: IdentityRepository;
  policy: SessionPolicy;
  /** Roles that must sign in with a second factor (SDE_TOTP_REQUIRED_ROLES). */
  totpRequiredRoles?: readonly UserRole[];
  throttlePolicy?: ThrottlePolicy;
}) {
  const { repo, policy } = deps;
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

  const throttle = createSigninThrottle(deps.db, deps.throttlePolicy);
  const totp = createTotp(deps.db);
  const totpRequired = new Set(deps.totpRequiredRoles ?? []);
  // One password check at a time per (login, address) in this process: parallel guesses would otherwise all
  // be verified before the first failure is counted.
  const inFlight = new Set<string>();
  // Verifying against a real hash when the login is unknown keeps timing from telling which logins exist.
  const dummyHash = hash('not-a-real-password-' + randomBytes(8).toString('hex'));

  async function validateNewUser(u: {
    login: string;
    role: UserRole;
    regionId: string | null;
    courtId: string | null;
    password: string;
  }) {
    checkPassword(u.password);
    checkPlacement(u.role, u.regionId, u.courtId);
    if (await repo.userByLogin(u.login))
      throw new ConflictError(
        `login ${u.login} is taken`,
        'login_taken',
        `Login ${u.login} jest już zajęty.`,
        [{ path: 'login', message: 'taken', messagePl: 'Ten login jest już zajęty.' }],
      );
  }

  return {
    /**
     * Checks login, password and (when the user has or must have one) the TOTP code; answers a new session
     * token (for the cookie), or what is still needed. Sign-ins, failures and the start of each delay are
     * audited; an attempt refused during a delay is not (a sprayer would fill the log at wire speed).
     */
    async signIn(attempt: SignInAttempt): Promise<SignInResult> {
      const { login, address, terminal } = attempt;
      const ref = attempt.requestId ? { requestId: attempt.requestId } : {};
      const slot = JSON.stringify([login, address]);
      if (inFlight.has(slot)) throw new ThrottledError(1);
      inFlight.add(slot);
      try {
        const found = await repo.userByLogin(login);
        const checked = await throttle.check(login, address, found?.user.id);
        if (checked.block) throw new ThrottledError(checked.block.retryAfterSeconds);
        const ok = found
          ? await verify(found.passwordHash, attempt.password).catch(() => false)
          : await verify(await dummyHash, attempt.password).then(() => false);

        const fail = async (reason: 'credentials' | 'inactive' | 'totp'): Promise<never> => {
          const blocks = await throttle.failure(login, address);
          const actor = found ? actorOf(found.user, terminal, address) : anonymousActor(terminal, address);
          await deps.db.transaction().execute(async (trx) => {
            await recordAudit(trx, actor, {
              action: 'auth.login_failed',
              entity: found ? 'user' : 'login',
              entityId: found?.user.id ?? login.slice(0, 100),
              changes: { login: login.slice(0, 100), address, reason },
              ...ref,
            });
            for (const b of blocks) {
              await recordAudit(trx, actor, {
                action: 'auth.throttle',
                entity: found ? 'user' : 'login',
                entityId: found?.user.id ?? login.slice(0, 100),
                changes: {
                  login: login.slice(0, 100),
                  address,
                  scope: b.scope,
                  failures: b.failures,
                  seconds: b.retryAfterSeconds,
                },
                ...ref,
              });
            }
          });
          if (reason === 'totp') {
            throw new AppError(
              'totp_invalid',
              'the one-time code is wrong or was already used',
              401,
              undefined,
              'Kod jednorazowy jest błędny albo został już użyty.',
            );
          }
          throw new AppError(
            'unauthorized',
            'wrong login or password',
            401,
            undefined,
            'Błędny login lub hasło.',
          );
        };

        if (!found || !ok) return await fail('credentials');
        if (!found.user.active) return await fail('inactive');
        const user = found.user;

        const state = await totp.state(user.id);
        let enrolled = false;
        if (state.enabled) {
          if (!attempt.totp) return { kind: 'totp_required' };
          if (!(await totp.use(user.id, attempt.totp))) return await fail('totp');
        } else if (totpRequired.has(user.role)) {
          if (!attempt.totp) return { kind: 'totp_enrol', ...(await totp.begin(user)) };
          if (!(await totp.confirm(user.id, attempt.totp))) return await fail('totp');
          enrolled = true;
        }

        await throttle.success(login, address, user.id);
        const token = randomBytes(32).toString('base64url');
        await repo.insertSession({
          tokenHash: tokenHash(token),
          userId: user.id,
          expiresAt: new Date(Date.now() + policy.maxHours * 3_600_000),
          terminal,
        });
        await deps.db.transaction().execute(async (trx) => {
          const actor = actorOf(user, terminal, address);
          if (enrolled) {
            await recordAudit(trx, actor, {
              action: 'auth.totp_enrol',
              entity: 'user',
              entityId: user.id,
              changes: { address, at: 'sign-in' },
              ...ref,
            });
          }
          await recordAudit(trx, actor, {
            action: 'auth.login',
            entity: 'user',
            entityId: user.id,
            changes: { address, method: 'local', totp: state.enabled || enrolled },
            ...ref,
          });
        });
        return { kind: 'session', token, user };
      } finally {
        inFlight.delete(slot);
      }
    },

    /** Opens a session for a user whose identity another party (OpenID Connect) vouched for. */
    async openSession(user: User, terminal: string): Promise<string> {
      const token = randomBytes(32).toString('base64url');
      await repo.insertSession({
        tokenHash: tokenHash(token),
        userId: user.id,
        expiresAt: new Date(Date.now() + policy.maxHours * 3_600_000),
        terminal,
      });
      return token;
    },

    /**
     * The active user an OpenID Connect identity names by `login`. The first sign-in binds the provider's
     * subject to the user; later a different subject with the same login (a reused or renamed account at
     * the provider) is refused.
     */
    async oidcUser(login: string, issuer: string, subject: string): Promise<User | undefined> {
      const found = await repo.userByLogin(login);
      if (!found?.user.active) return undefined;
      const bound = `${issuer} ${subject}`;
      const r = await deps.db
        .updateTable('users')
        .set({ oidc_subject: bound })
        .where('id', '=', found.user.id)
        .where((eb) => eb.or([eb('oidc_subject', 'is', null), eb('oidc_subject', '=', bound)]))
        .executeTakeFirst();
      return r.numUpdatedRows > 0n ? found.user : undefined;
    },

    /** Starts a TOTP enrolment for a signed-in user: a new secret and its otpauth URI. */
    async totpSetup(actor: Actor) {
      const user = actor.userId ? await repo.userById(actor.userId) : undefined;
      if (!user) throw new ValidationError('only a person signed in can enrol a second factor');
      if ((await totp.state(user.id)).enabled) {
        throw new ConflictError(
          'a second factor is already enrolled; an administrator can reset it',
          'totp_enrolled',
          'Drugi składnik jest już skonfigurowany; może go wyzerować administrator.',
        );
      }
      return totp.begin(user, true);
    },

    /** Confirms a TOTP enrolment with a code from the new authenticator. */
    async totpConfirm(actor: Actor, code: string, requestId?: string) {
      if (!actor.userId || !(await totp.confirm(actor.userId, code))) {
        throw new ValidationError(
          'the code does not match the secret being enrolled',
          undefined,
          'totp_invalid',
          'Kod nie pasuje do konfigurowanego sekretu.',
        );
      }
      await recordAudit(deps.db, actor, {
        action: 'auth.totp_enrol',
        entity: 'user',
        entityId: actor.userId,
        ...(requestId ? { requestId } : {}),
      });
    },

    /** Removes a user's second factor (an administrator, when a phone is lost); they enrol again. */
    async totpReset(actor: Actor, userId: string, requestId?: string) {
      if (!(await repo.userById(userId))) throw new NotFoundError(`user ${userId}`, `użytkownik ${userId}`);
      await deps.db.transaction().execute(async (trx) => {
        await totp.reset(userId, trx);
        await repo.deleteSessionsOf(userId, trx);
        await recordAudit(trx, actor, {
          action: 'auth.totp_reset',
          entity: 'user',
          entityId: userId,
          ...(requestId ? { requestId } : {}),
        });
      });
    },

    /** Whether a user has a second factor and whether their role must have one. */
    async totpStatus(user: Pick<User, 'id' | 'role'>) {
      return { enabled: (await totp.state(user.id)).enabled, required: totpRequired.has(user.role) };
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

    /** Ends a session; a live one is audited as a sign-out. */
    async signOut(token: string, terminal: string, requestId?: string, address?: string): Promise<void> {
      const h = tokenHash(token);
      const s = await repo.sessionByHash(h);
      await repo.deleteSession(h);
      ended({ tokenHash: h, reason: 'signed_out' });
      const user = s && (await repo.userById(s.user_id));
      if (!user) return;
      await recordAudit(deps.db, actorOf(user, terminal, address), {
        action: 'auth.logout',
        entity: 'user',
        entityId: user.id,
        ...(requestId ? { requestId } : {}),
      });
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
        email?: string | null | undefined;
        phone?: string | null | undefined;
      },
      requestId?: string,
    ): Promise<ManagedUser> {
      await validateNewUser(u);
      const contact = { email: u.email ?? null, phone: u.phone ?? null };
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
        if (contact.email !== null || contact.phone !== null) {
          await repo.setContact(id, contact, trx);
          // Which contacts were given, not their values: the log is kept for years and read by auditors.
          await recordAudit(trx, actor, {
            action: 'user.contact',
            entity: 'user',
            entityId: id,
            changes: contactChanges(contact),
            ...(requestId ? { requestId } : {}),
          });
        }
      });
      return (await repo.managedUsers(id))[0]!;
    },

    /**
     * Changes any combination of a user's fields. A change of access (active, password, role, region,
     * court) ends their sessions, and so their live streams: what they may see has changed; a new name,
     * e-mail or phone does not. Nobody deactivates or demotes themselves, and the last active Bureau
     * administrator stays one (ADR 0603). Contacts are audited by which changed, never by value.
     */
    async updateUser(
      actor: Actor,
      id: string,
      patch: {
        active?: boolean | undefined;
        password?: string | undefined;
        role?: UserRole | undefined;
        regionId?: string | null | undefined;
        courtId?: string | null | undefined;
        displayName?: string | undefined;
        email?: string | null | undefined;
        phone?: string | null | undefined;
      },
      requestId?: string,
    ): Promise<ManagedUser> {
      const user = await repo.userById(id);
      if (!user) throw new NotFoundError(`user ${id}`, `użytkownik ${id}`);
      if (patch.password !== undefined) checkPassword(patch.password);
      const placement = {
        ...(patch.role !== undefined ? { role: patch.role } : {}),
        ...(patch.regionId !== undefined ? { regionId: patch.regionId } : {}),
        ...(patch.courtId !== undefined ? { courtId: patch.courtId } : {}),
      };
      const role = placement.role ?? user.role;
      checkPlacement(
        role,
        placement.regionId !== undefined ? placement.regionId : user.regionId,
        placement.courtId !== undefined ? placement.courtId : user.courtId,
      );
      if (placement.regionId && !(await repo.regions()).some((r) => r.id === placement.regionId))
        throw fieldError('regionId', `no region ${placement.regionId}`, 'Nie ma takiego regionu.');
      if (placement.courtId && !(await repo.courts()).some((c) => c.id === placement.courtId))
        throw fieldError('courtId', `no court ${placement.courtId}`, 'Nie ma takiego sądu.');
      const leavesAdmins =
        user.role === 'bureau_admin' && (patch.active === false || role !== 'bureau_admin');
      if (leavesAdmins && actor.userId === id)
        throw new ConflictError(
          'you cannot deactivate yourself or give yourself another role; ask another administrator',
          'self_lockout',
          'Nie możesz dezaktywować swojego konta ani zmienić sobie roli; poproś innego administratora.',
        );
      const passwordHash = patch.password !== undefined ? await hash(patch.password) : undefined;
      const access = ACCESS_FIELDS.some((f) => patch[f] !== undefined);
      const contact = {
        ...(patch.email !== undefined ? { email: patch.email } : {}),
        ...(patch.phone !== undefined ? { phone: patch.phone } : {}),
      };
      await deps.db.transaction().execute(async (trx) => {
        if (leavesAdmins && user.active) {
          const others = (await repo.lockActiveAdmins(trx)).filter((a) => a !== id);
          if (others.length === 0)
            throw new ConflictError(
              'this is the last active Bureau administrator; make another one first',
              'last_admin',
              'To ostatni aktywny administrator Biura; najpierw ustanów innego.',
            );
        }
        await repo.updateUser(
          id,
          {
            ...(patch.active !== undefined ? { active: patch.active } : {}),
            ...(passwordHash ? { passwordHash } : {}),
            ...(patch.displayName !== undefined ? { displayName: patch.displayName } : {}),
            ...placement,
            ...contact,
          },
          trx,
        );
        const ref = requestId ? { requestId } : {};
        if (access || patch.displayName !== undefined) {
          if (access) await repo.deleteSessionsOf(id, trx);
          await recordAudit(trx, actor, {
            action: 'user.update',
            entity: 'user',
            entityId: id,
            changes: {
              ...(patch.active !== undefined ? { active: patch.active } : {}),
              ...(passwordHash ? { password: 'changed' } : {}),
              ...(patch.displayName !== undefined ? { displayName: 'changed' } : {}),
              ...placement,
            },
            ...ref,
          });
        }
        if (Object.keys(contact).length > 0)
          await recordAudit(trx, actor, {
            action: 'user.contact',
            entity: 'user',
            entityId: id,
            changes: contactChanges(contact),
            ...ref,
          });
      });
      if (access) ended({ userId: id, reason: 'user_changed' });
      return (await repo.managedUsers(id))[0]!;
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
