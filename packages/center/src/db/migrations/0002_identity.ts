/** Regions and courts (T4.5), users with roles, sessions, and the audit log of every write (B3). */
export const sql = /* sql */ `
create table regions (
  id text primary key,
  name text not null
);

create table courts (
  id text primary key,
  name text not null,
  region_id text not null references regions (id)
);

create table users (
  id uuid primary key,
  login text not null unique,
  display_name text not null,
  role text not null check (role in ('operator', 'judge', 'probation_officer', 'installer', 'bureau_admin', 'auditor')),
  region_id text references regions (id),
  court_id text references courts (id),
  password_hash text not null,
  active boolean not null default true,
  created_at timestamptz not null default now()
);

create table sessions (
  -- sha256 of the cookie value: a stolen database does not yield live sessions
  token_hash text primary key,
  user_id uuid not null references users (id),
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  terminal text not null
);
create index sessions_user on sessions (user_id);

create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor_user_id uuid,
  actor_login text not null,
  actor_role text not null,
  terminal text not null,
  request_id text,
  action text not null,
  entity text not null,
  entity_id text not null,
  changes jsonb not null default '{}'
);
create index audit_log_entity on audit_log (entity, entity_id, at);
create index audit_log_actor on audit_log (actor_login, at);
`;
