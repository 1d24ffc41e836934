/**
 * Retention and legal holds (T4.7, T4.6; ADR 0702).
 * - `legal_holds`: a case's data kept past the retention period while a hold is in force; set and lifted by a
 *   judge of the case's court or the Bureau, each with a reason (the rows are never deleted: the history of
 *   holds is itself evidence).
 * - `events_held` / `raw_messages_held`: the rows of held cases copied out of a monthly partition just before
 *   the partition is dropped, with the case they belong to. The ledger's columns are copied by name, so a
 *   column added to the ledger later is added here in the same migration.
 * - `retention_erasures`: the cases whose personal data the retention job pseudonymised, when and by which run.
 */
export const sql = /* sql */ `
create table legal_holds (
  id uuid primary key,
  case_id uuid not null references cases (id),
  reason text not null check (length(btrim(reason)) > 0),
  set_at timestamptz not null,
  set_by text not null,
  set_by_role text not null,
  lifted_at timestamptz,
  lifted_by text,
  lifted_by_role text,
  lift_reason text,
  check ((lifted_at is null) = (lifted_by is null) and (lifted_at is null) = (lift_reason is null))
);
-- One hold in force per case; lifted ones stay as history.
create unique index legal_holds_in_force on legal_holds (case_id) where lifted_at is null;
create index legal_holds_case on legal_holds (case_id, set_at);

create table events_held (
  like events including defaults,
  case_id uuid not null,
  held_at timestamptz not null,
  primary key (id, received_at)
);
create index events_held_case on events_held (case_id);

create table raw_messages_held (
  like raw_messages including defaults,
  case_id uuid not null,
  held_at timestamptz not null,
  primary key (id, received_at)
);
create index raw_messages_held_case on raw_messages_held (case_id);

create table retention_erasures (
  case_id uuid primary key references cases (id),
  erased_at timestamptz not null,
  ended_at timestamptz not null
);
`;
