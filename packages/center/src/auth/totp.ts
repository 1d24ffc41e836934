/**
 * The optional TOTP second factor (RFC 6238: 6 digits, 30-second steps, SHA-1 — what every authenticator
 * app reads from an otpauth URI). A code is accepted one step either side of now, and each step once.
 */
import { Secret, TOTP } from 'otpauth';
import type { Database } from '../db/database.js';

const PERIOD = 30;
/** The name authenticator apps show next to the account. */
const ISSUER = 'SDE';

function totpOf(secret: string, label = 'SDE') {
  return new TOTP({
    issuer: ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD,
    secret: Secret.fromBase32(secret),
  });
}

/**
 * The 30-second step `code` belongs to (within one step of `now`), or undefined when it matches none.
 * Exported for tests that play the authenticator.
 */
export function stepOf(secret: string, code: string, now = Date.now()): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totpOf(secret).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? undefined : Math.floor(now / 1000 / PERIOD) + delta;
}

/** Creates the TOTP store over the users table. */
export function createTotp(db: Database) {
  return {
    /** Whether the user has a confirmed second factor. */
    async state(userId: string) {
      const r = await db
        .selectFrom('users')
        .select(['totp_secret', 'totp_pending_secret'])
        .where('id', '=', userId)
        .executeTakeFirst();
      return { enabled: !!r?.totp_secret, pending: r?.totp_pending_secret ?? null };
    },

    /**
     * Starts (or, when `fresh` is false and one is pending, continues) an enrolment: the secret to type and
     * the otpauth URI to scan.
     */
    async begin(user: { id: string; login: string }, fresh = false) {
      const r = await db
        .selectFrom('users')
        .select('totp_pending_secret')
        .where('id', '=', user.id)
        .executeTakeFirst();
      let secret = fresh ? null : (r?.totp_pending_secret ?? null);
      if (!secret) {
        secret = new Secret({ size: 20 }).base32;
        await db
          .updateTable('users')
          .set({ totp_pending_secret: secret })
          .where('id', '=', user.id)
          .execute();
      }
      return { secret, uri: totpOf(secret, user.login).toString() };
    },

    /** Confirms the pending secret with a code from it; it becomes the user's second factor. */
    async confirm(userId: string, code: string, now = Date.now()): Promise<boolean> {
      const { pending } = await this.state(userId);
      const step = pending ? stepOf(pending, code, now) : undefined;
      if (step === undefined) return false;
      const r = await db
        .updateTable('users')
        .set({
          totp_secret: pending,
          totp_pending_secret: null,
          totp_enabled_at: new Date(now),
          totp_last_step: step,
        })
        .where('id', '=', userId)
        .where('totp_pending_secret', '=', pending)
        .executeTakeFirst();
      return r.numUpdatedRows > 0n;
    },

    /** Checks a code of the confirmed secret and spends its step: the same code twice is refused. */
    async use(userId: string, code: string, now = Date.now()): Promise<boolean> {
      const r = await db
        .selectFrom('users')
        .select('totp_secret')
        .where('id', '=', userId)
        .executeTakeFirst();
      const step = r?.totp_secret ? stepOf(r.totp_secret, code, now) : undefined;
      if (step === undefined) return false;
      // The step is spent in the same statement that checks it, so two requests racing with one code
      // cannot both pass.
      const spent = await db
        .updateTable('users')
        .set({ totp_last_step: step })
        .where('id', '=', userId)
        .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', String(step))]))
        .executeTakeFirst();
      return spent.numUpdatedRows > 0n;
    },

    /** Removes the second factor and any pending enrolment. */
    async reset(userId: string, trx: Database = db) {
      await trx
        .updateTable('users')
        .set({ totp_secret: null, totp_pending_secret: null, totp_enabled_at: null, totp_last_step: null })
        .where('id', '=', userId)
        .execute();
    },
  };
}
