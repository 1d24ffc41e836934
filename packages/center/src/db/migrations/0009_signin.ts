/**
 * Sign-in throttling without lock-out, known sign-in addresses and the TOTP second factor (ADR 0405). The
 * throttle's counters live in the database, not in a process, so several centers sharing one PostgreSQL
 * slow an attacker together and a restart does not forgive him.
 */
export const sql = /* sql */ `
create table signin_throttle (
  -- 'pair' (login and address), 'address' (any login from one address), 'account' (one login, any address)
  scope text not null check (scope in ('pair', 'address', 'account')),
  key text not null,
  failures integer not null,
  last_failure_at timestamptz not null,
  blocked_until timestamptz,
  primary key (scope, key)
);

-- Addresses a user signed in from with the right password: these are never slowed by failures elsewhere.
create table signin_known_addresses (
  user_id uuid not null references users (id) on delete cascade,
  address text not null,
  last_success_at timestamptz not null,
  primary key (user_id, address)
);

alter table users
  add column totp_secret text,
  add column totp_pending_secret text,
  add column totp_enabled_at timestamptz,
  -- the last 30-second step whose code was accepted: a code is good once
  add column totp_last_step bigint,
  -- the subject (sub) of the user's identity at the agency's OpenID Connect provider, once seen
  add column oidc_subject text;
`;
