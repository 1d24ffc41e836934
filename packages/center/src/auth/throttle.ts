/**
 * Sign-in throttling without lock-out (ADR 0405). Failed sign-ins are counted in the database per
 * (login, address), per address and per account. Each counter past its free allowance blocks further
 * attempts for an exponentially growing time; but only the pair counter applies to an address the user has
 * signed in from before, so an attacker elsewhere can slow himself and never the night-shift operator at
 * her usual terminal.
 */
import { sql } from 'kysely';
import type { Database } from '../db/database.js';

/** Which counter blocked an attempt. */
export type ThrottleScope = 'pair' | 'address' | 'account';

/** Allowance, growth and limits of one counter. */
export interface CounterPolicy {
  /** Failures allowed before any delay. */
  free: number;
  /** Delay after the first failure past the allowance; doubles with each further failure. */
  baseMs: number;
  /** The longest delay. */
  capMs: number;
  /** A counter whose last failure is older than this starts again from zero. */
  windowMs: number;
}

/** The throttle's settings. */
export interface ThrottlePolicy {
  pair: CounterPolicy;
  address: CounterPolicy;
  account: CounterPolicy;
  /** How long a successful sign-in makes an address "known" for that user. */
  knownForMs: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Defaults. A person mistyping three times is never slowed; a guesser at one address gets 1 s, 2 s, 4 s …
 * up to 15 min between tries (about 100 guesses a day); a sprayer gets 10 tries per address before the same
 * growth; an account attacked from many addresses admits one try per minute at most from addresses the
 * user has never signed in from, and nothing changes at the addresses she has.
 */
export const DEFAULT_THROTTLE_POLICY: ThrottlePolicy = {
  pair: { free: 3, baseMs: 1000, capMs: 15 * MINUTE, windowMs: 24 * HOUR },
  address: { free: 10, baseMs: 1000, capMs: 15 * MINUTE, windowMs: HOUR },
  account: { free: 10, baseMs: 1000, capMs: MINUTE, windowMs: HOUR },
  knownForMs: 90 * 24 * HOUR,
};

/** The delay a counter at `failures` imposes, ms (0: none). */
export function delayFor(p: CounterPolicy, failures: number): number {
  if (failures <= p.free) return 0;
  return Math.min(p.capMs, p.baseMs * 2 ** Math.min(30, failures - p.free - 1));
}

/**
 * The address an attempt is counted under: IPv4 as it is (an IPv4-mapped IPv6 address as IPv4), IPv6 by
 * its /64 — one subscriber holds a whole /64 and could otherwise take a fresh address for every guess.
 */
export function throttleAddress(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!ip.includes(':')) return ip;
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined
      ? left
      : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}

/** A block in force: which counter, and for how many more seconds. */
export interface Block {
  scope: ThrottleScope;
  retryAfterSeconds: number;
  failures: number;
}

/** Creates the throttle over the database `db`. */
export function createSigninThrottle(db: Database, policy: ThrottlePolicy = DEFAULT_THROTTLE_POLICY) {
  const pairKey = (login: string, address: string) => JSON.stringify([login, address]);

  async function knownAddress(userId: string, address: string, now: number): Promise<boolean> {
    const r = await db
      .selectFrom('signin_known_addresses')
      .select('last_success_at')
      .where('user_id', '=', userId)
      .where('address', '=', address)
      .executeTakeFirst();
    return !!r && r.last_success_at.getTime() > now - policy.knownForMs;
  }

  async function count(scope: ThrottleScope, key: string, now: number): Promise<Block | undefined> {
    const p = policy[scope];
    const at = new Date(now);
    const cutoff = new Date(now - p.windowMs);
    // One statement, so concurrent failures (and several centers) never lose a count.
    const r = await db
      .insertInto('signin_throttle')
      .values({ scope, key, failures: 1, last_failure_at: at, blocked_until: null })
      .onConflict((oc) =>
        oc.columns(['scope', 'key']).doUpdateSet({
          failures: sql<number>`case when signin_throttle.last_failure_at < ${cutoff} then 1 else signin_throttle.failures + 1 end`,
          last_failure_at: at,
        }),
      )
      .returning('failures')
      .executeTakeFirstOrThrow();
    const delay = delayFor(p, r.failures);
    if (delay === 0) return undefined;
    await db
      .updateTable('signin_throttle')
      .set({ blocked_until: new Date(now + delay) })
      .where('scope', '=', scope)
      .where('key', '=', key)
      .execute();
    return { scope, retryAfterSeconds: Math.ceil(delay / 1000), failures: r.failures };
  }

  return {
    /**
     * The block an attempt of `login` from `ip` runs into, if any. `userId` is the login's user when it
     * exists: an address that user signed in from before is only held back by its own pair counter.
     */
    async check(login: string, ip: string, userId: string | undefined, now = Date.now()) {
      const address = throttleAddress(ip);
      const known = userId ? await knownAddress(userId, address, now) : false;
      const keys: [ThrottleScope, string][] = [['pair', pairKey(login, address)]];
      if (!known) keys.push(['address', address], ['account', login]);
      const rows = await db
        .selectFrom('signin_throttle')
        .select(['scope', 'key', 'failures', 'blocked_until'])
        .where((eb) => eb.or(keys.map(([s, k]) => eb.and([eb('scope', '=', s), eb('key', '=', k)]))))
        .execute();
      let worst: Block | undefined;
      for (const r of rows) {
        const left = r.blocked_until ? r.blocked_until.getTime() - now : 0;
        if (left > 0 && (!worst || left > worst.retryAfterSeconds * 1000)) {
          worst = { scope: r.scope, retryAfterSeconds: Math.ceil(left / 1000), failures: r.failures };
        }
      }
      return { block: worst, known, address };
    },

    /** Counts a failed attempt; returns the blocks it started (each to be audited). */
    async failure(login: string, ip: string, now = Date.now()): Promise<Block[]> {
      const address = throttleAddress(ip);
      const started: Block[] = [];
      for (const [scope, key] of [
        ['pair', pairKey(login, address)],
        ['address', address],
        ['account', login],
      ] as [ThrottleScope, string][]) {
        const b = await count(scope, key, now);
        if (b) started.push(b);
      }
      // Counters of a day ago tell nothing: drop them now and then, not on every attempt.
      if (Math.random() < 0.02) {
        await db
          .deleteFrom('signin_throttle')
          .where('last_failure_at', '<', new Date(now - 24 * HOUR))
          .where((eb) => eb.or([eb('blocked_until', 'is', null), eb('blocked_until', '<', new Date(now))]))
          .execute();
      }
      return started;
    },

    /**
     * A right password (and code): the pair's counter is cleared and the address becomes known for the
     * user. The address and account counters stay — an attacker with an account of his own must not be
     * able to wipe them by signing in between guesses.
     */
    async success(login: string, ip: string, userId: string, now = Date.now()): Promise<void> {
      const address = throttleAddress(ip);
      await db
        .deleteFrom('signin_throttle')
        .where('scope', '=', 'pair')
        .where('key', '=', pairKey(login, address))
        .execute();
      await db
        .insertInto('signin_known_addresses')
        .values({ user_id: userId, address, last_success_at: new Date(now) })
        .onConflict((oc) =>
          oc.columns(['user_id', 'address']).doUpdateSet({ last_success_at: new Date(now) }),
        )
        .execute();
    },
  };
}

/** The sign-in throttle. */
export type SigninThrottle = ReturnType<typeof createSigninThrottle>;
