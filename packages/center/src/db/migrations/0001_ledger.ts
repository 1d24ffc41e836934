/** Devices, the event ledger (partitioned by month of reception for the 2-year retention, T4.7) and commands. */
export const sql = /* sql */ `
create table devices (
  no integer generated always as identity primary key,
  id text not null unique,
  kind text not null check (kind in ('transmitter', 'home_unit', 'portable_unit', 'protected_unit')),
  secret text not null,
  status text not null default 'active' check (status in ('active', 'disabled')),
  created_at timestamptz not null default now(),
  -- highest sequence number below which every event is durably stored: what the device was acknowledged
  acked_seq bigint not null default 0,
  -- highest sequence number ever stored, so that acked_seq < max_seq means a known gap
  max_seq bigint not null default 0,
  last_contact_at timestamptz,
  -- center clock minus device clock, measured at the last contact
  clock_offset_ms integer,
  model text,
  firmware text
);

-- One 64-bit id space for raw messages and events, handed out in blocks of 1024 (one nextval per block):
-- a group of thousands of events costs a few calls, and concurrent writers never share a block.
create sequence ledger_id_seq as bigint increment by 1024;

-- Dedupe on (device, seq). Not partitioned: a unique key of a partitioned table would have to contain the
-- partition key, and duplicates may arrive months apart.
create table ledger_keys (
  device_no integer not null,
  seq bigint not null,
  event_id bigint not null,
  primary key (device_no, seq)
);

-- Every accepted frame exactly as it arrived, beside the events decoded from it.
create table raw_messages (
  id bigint not null,
  received_at timestamptz not null,
  device_no integer not null,
  source text not null check (source in ('mqtt', 'readout')),
  frame text not null,
  primary key (id, received_at)
) partition by range (received_at);

create table events (
  id bigint not null,
  received_at timestamptz not null,
  device_no integer not null,
  seq bigint not null,
  kind text not null,
  -- the time on the device's clock, and the same instant on the center's clock (offset corrected)
  device_time timestamptz not null,
  time timestamptz not null,
  raw_id bigint not null,
  source text not null check (source in ('mqtt', 'readout')),
  body jsonb not null,
  flags text[] not null default '{}',
  primary key (id, received_at)
) partition by range (received_at);
create index events_device_time on events (device_no, time);

create table raw_messages_default partition of raw_messages default;
create table events_default partition of events default;

create table device_commands (
  id text primary key,
  device_no integer not null references devices (no),
  body jsonb not null,
  status text not null default 'queued' check (status in ('queued', 'sent', 'done', 'rejected')),
  reason text,
  created_by text not null,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  confirmed_at timestamptz,
  read_at timestamptz
);
create index device_commands_open on device_commands (device_no) where status in ('queued', 'sent');
`;
