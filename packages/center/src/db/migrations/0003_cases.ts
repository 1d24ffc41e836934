/**
 * Cases and court orders (issue 3): monitored and protected persons, cases, applications with their
 * eligibility checks and technical surveys, decisions, supervisions with their lifecycle, court orders
 * with versions, schedule exceptions, device assignments, protocols and tasks.
 */
export const sql = /* sql */ `
-- Calendar dates (Warsaw days, LocalDate) are kept as YYYY-MM-DD text: no driver turns them into a
-- JavaScript Date at some time zone's midnight.
-- PERSONAL DATA (T4.6, GDPR): only what the center needs to act; never logged or exported to statistics.
create table monitored_persons (
  id uuid primary key,
  given_name text not null,
  family_name text not null,
  birth_date text not null check (birth_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  permanent_address jsonb,
  phone text,
  contains_personal_data boolean not null default true check (contains_personal_data),
  created_at timestamptz not null default now()
);
comment on table monitored_persons is 'personal data (T4.6): minimal, never logged';

-- PERSONAL DATA: the person a proximity order protects, with their written consent (R9, 002 §2).
create table protected_persons (
  id uuid primary key,
  given_name text not null,
  family_name text not null,
  phone text,
  consented_on text not null check (consented_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  contains_personal_data boolean not null default true check (contains_personal_data),
  created_at timestamptz not null default now()
);
comment on table protected_persons is 'personal data (T4.6): minimal, never logged';

create table cases (
  id uuid primary key,
  case_number text not null,
  court_id text not null references courts (id),
  region_id text not null references regions (id),
  judgment_date text not null check (judgment_date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  person_id uuid not null references monitored_persons (id),
  judge_id uuid references users (id),
  probation_officer_id uuid references users (id),
  monitoring_address jsonb,
  protected_person_id uuid references protected_persons (id),
  created_at timestamptz not null default now(),
  unique (court_id, case_number)
);
create index cases_listing on cases (created_at desc, id desc);
create index cases_region on cases (region_id);
create index cases_officer on cases (probation_officer_id);
create index cases_person on cases (person_id);

create table applications (
  id uuid primary key,
  case_id uuid not null references cases (id),
  filer_kind text not null check (filer_kind in ('convict', 'defence_lawyer', 'prosecutor', 'probation_officer', 'prison_director')),
  filer_name text not null,
  received_on text not null check (received_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  justification text not null,
  co_residents jsonb not null default '[]',
  technician_phone text not null,
  sentences jsonb not null,
  credited_days integer not null default 0 check (credited_days >= 0),
  has_permanent_address boolean,
  recidivist_art64_2 boolean,
  decision_last_day text not null check (decision_last_day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  decision_due_at timestamptz not null,
  created_by text not null,
  created_at timestamptz not null default now()
);
create index applications_case on applications (case_id);

create table technical_surveys (
  id uuid primary key,
  application_id uuid not null references applications (id),
  outcome text not null check (outcome in ('feasible', 'not_feasible', 'pending')),
  notes text not null default '',
  surveyed_at timestamptz not null,
  surveyed_by text not null,
  created_at timestamptz not null default now()
);
create index technical_surveys_application on technical_surveys (application_id, created_at);

create table eligibility_checks (
  id uuid primary key,
  application_id uuid not null references applications (id),
  assessed_on text not null check (assessed_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  verdict text not null,
  report jsonb not null,
  checked_by text not null,
  created_at timestamptz not null default now()
);
create index eligibility_checks_application on eligibility_checks (application_id, created_at);

create table supervisions (
  id uuid primary key,
  case_id uuid not null references cases (id),
  application_id uuid not null unique references applications (id),
  person_id uuid not null references monitored_persons (id),
  status text not null check (status in ('application_filed', 'granted', 'refused', 'left_unexamined_technical',
    'readiness_reported', 'installed', 'activated', 'in_execution', 'ended_served', 'revoked')),
  kinds jsonb not null default '[]',
  lifecycle jsonb not null,
  activated_at timestamptz,
  sentence_last_day text check (sentence_last_day ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  sentence_ends_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
-- One person, one supervision with a court order in force (a second active order is refused).
create unique index supervisions_one_active_per_person on supervisions (person_id)
  where status in ('granted', 'readiness_reported', 'installed', 'activated', 'in_execution');
create index supervisions_listing on supervisions (created_at desc, id desc);
create index supervisions_case on supervisions (case_id);

create table decisions (
  id uuid primary key,
  application_id uuid not null references applications (id),
  supervision_id uuid not null references supervisions (id),
  outcome text not null check (outcome in ('granted', 'refused', 'left_unexamined_technical')),
  decided_at timestamptz not null,
  announced_at timestamptz,
  judge text not null,
  reason text not null,
  recorded_by text not null,
  created_at timestamptz not null default now()
);
create index decisions_application on decisions (application_id);

create table court_orders (
  id uuid primary key,
  supervision_id uuid not null unique references supervisions (id),
  case_number text not null,
  created_at timestamptz not null default now()
);

-- Every change of an order is a new version; earlier versions stay, so any instant has its version in force.
create table court_order_versions (
  order_id uuid not null references court_orders (id),
  version integer not null check (version >= 1),
  valid_from timestamptz not null,
  decided_on text not null check (decided_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  decided_by text not null,
  reason text not null,
  body jsonb not null,
  recorded_by text not null,
  recorded_at timestamptz not null default now(),
  primary key (order_id, version),
  unique (order_id, valid_from)
);

create table schedule_exceptions (
  id uuid primary key,
  supervision_id uuid not null references supervisions (id),
  date text not null check (date ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  away_window jsonb not null,
  reason text not null,
  approved_by text not null,
  approved_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index schedule_exceptions_supervision on schedule_exceptions (supervision_id, date);

-- A device serves at most one supervision at a time: at most one open assignment per device, and no
-- assignment ends before it starts (overlap of closed periods is refused by the service).
create table device_assignments (
  id uuid primary key,
  device_no integer not null references devices (no),
  supervision_id uuid not null references supervisions (id),
  from_at timestamptz not null,
  to_at timestamptz,
  installed_by text not null,
  removed_by text,
  check (to_at is null or to_at > from_at)
);
create unique index device_assignments_one_open on device_assignments (device_no) where to_at is null;
create index device_assignments_device on device_assignments (device_no, from_at);
create index device_assignments_supervision on device_assignments (supervision_id);

create table protocols (
  id uuid primary key,
  supervision_id uuid not null references supervisions (id),
  kind text not null check (kind in ('installation', 'activation', 'removal')),
  number text not null,
  at timestamptz not null,
  by_login text not null,
  by_user_id uuid,
  device_ids jsonb not null default '[]',
  notes text not null default '',
  created_at timestamptz not null default now()
);
create index protocols_supervision on protocols (supervision_id, at);

create table tasks (
  id uuid primary key,
  supervision_id uuid not null references supervisions (id),
  code text not null,
  responsible text not null check (responsible in ('penitentiary_judge', 'probation_officer', 'installer', 'operator', 'monitored_person')),
  assignee_user_id uuid references users (id),
  due_at timestamptz,
  pl text not null,
  en text not null,
  created_at timestamptz not null default now(),
  done_at timestamptz
);
create unique index tasks_open_once on tasks (supervision_id, code) where done_at is null;
create index tasks_open_due on tasks (responsible, due_at) where done_at is null;
`;
