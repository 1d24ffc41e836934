/**
 * Alarms (issue 4): the engine's episodes with the operator workflow, infrastructure incidents, the
 * engine's checkpoints, and the notification outbox. Users get an e-mail address and a phone number.
 */
export const sql = /* sql */ `
alter table users add column email text;
alter table users add column phone text;

-- One row per engine episode. episode_id is the engine's deterministic id (supervision/rule/subject/startedAt);
-- id is derived from it (a URL-safe hash), so it is as stable and fits in a path.
create table alarm_episodes (
  id text primary key,
  episode_id text not null unique,
  supervision_id uuid not null references supervisions (id),
  rule text not null,
  severity text not null check (severity in ('critical', 'serious', 'informational')),
  -- what the data says: still going on, over, or disproved by late data
  condition text not null check (condition in ('active', 'ended', 'withdrawn')),
  -- the operator workflow
  status text not null default 'open' check (status in ('open', 'acknowledged', 'closed')),
  started_at timestamptz not null,
  opened_at timestamptz not null,
  resolved_at timestamptz,
  detected_at timestamptz not null,
  late boolean not null,
  undecided boolean not null,
  incident_id text,
  -- the engine's episode exactly as computed (text, not jsonb: key order matters for change detection)
  episode text not null,
  excuse jsonb,
  acknowledged_at timestamptz,
  closed_at timestamptz,
  escalated_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index alarm_episodes_supervision on alarm_episodes (supervision_id, started_at);
create index alarm_episodes_queue on alarm_episodes (status, severity, started_at) where status <> 'closed';

-- The workflow log of an alarm, oldest first.
create table alarm_actions (
  id bigint generated always as identity primary key,
  alarm_id text not null references alarm_episodes (id),
  at timestamptz not null default now(),
  by_login text not null,
  by_user_id uuid,
  kind text not null check (kind in ('acknowledge', 'note', 'call', 'patrol', 'excuse', 'qualify', 'close', 'notify')),
  text text
);
create index alarm_actions_alarm on alarm_actions (alarm_id, id);

-- Regional infrastructure incidents (B4), as the engine's correlation last described them.
create table infrastructure_incidents (
  id text primary key,
  region_id text not null,
  kind text not null check (kind in ('power_outage', 'network_outage')),
  started_at timestamptz not null,
  ended_at timestamptz,
  supervision_ids jsonb not null,
  device_ids jsonb not null,
  episode_ids jsonb not null,
  explanation jsonb not null,
  updated_at timestamptz not null default now()
);
create index infrastructure_incidents_active on infrastructure_incidents (region_id) where ended_at is null;

-- Where the engine stands per supervision, so a restart re-evaluates from the right instant.
create table engine_checkpoints (
  supervision_id uuid primary key references supervisions (id),
  evaluated_at timestamptz not null,
  next_due_at timestamptz
);

-- Transactional outbox: written in the same transaction as the alarm change; one row per
-- (alarm, recipient, channel), so nothing is ever sent twice for one episode.
create table notification_outbox (
  id bigint generated always as identity primary key,
  alarm_id text not null references alarm_episodes (id),
  recipient_user_id uuid not null references users (id),
  channel text not null check (channel in ('email', 'sms')),
  address text not null,
  reason text not null check (reason in ('opened', 'escalation')),
  subject text not null,
  body text not null,
  status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'failed', 'unknown')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_error text,
  receipt text,
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  unique (alarm_id, recipient_user_id, channel)
);
create index notification_outbox_due on notification_outbox (next_attempt_at) where status = 'pending';
`;
