/** Kysely table types. Only repositories use them. */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface DevicesTable {
  no: Generated<number>;
  id: string;
  kind: 'transmitter' | 'home_unit' | 'portable_unit' | 'protected_unit';
  /** Plaintext secret: only rows from before migration 0012, until the center seals them at start. */
  secret: string | null;
  /** The secret sealed with AES-256-GCM under `secret_key_id`, the device id as associated data (ADR 0409). */
  secret_sealed: Uint8Array | null;
  /** Id of the key `secret_sealed` was sealed with. */
  secret_key_id: string | null;
  status: Generated<'active' | 'disabled'>;
  created_at: Generated<Date>;
  acked_seq: Generated<number>;
  max_seq: Generated<number>;
  /** Every sequence number stored for the device, an int8multirange literal (migration 0006). */
  seqs: Generated<string>;
  last_contact_at: Timestamp | null;
  clock_offset_ms: number | null;
  /** When `clock_offset_ms` was measured (the arrival of the frame it was measured on; migration 0017). */
  clock_offset_at: Timestamp | null;
  model: string | null;
  firmware: string | null;
  /** Events refused because their number was stored with other content (migration 0017, ADR 0504). */
  seq_conflicts: Generated<number>;
  seq_conflict_last_seq: number | null;
  seq_conflict_at: Timestamp | null;
}

export interface RawMessagesTable {
  id: number;
  received_at: Timestamp;
  device_no: number;
  source: 'mqtt' | 'readout';
  frame: string;
}

export interface EventsTable {
  id: number;
  received_at: Timestamp;
  device_no: number;
  seq: number;
  kind: string;
  device_time: Timestamp;
  time: Timestamp;
  raw_id: number;
  source: 'mqtt' | 'readout';
  body: ColumnType<Record<string, unknown>, string, string>;
  flags: Generated<string[]>;
}

/** A frame refused for implausible sequence numbers, kept for inspection (migration 0011, ADR 0408). */
export interface QuarantinedFramesTable {
  id: Generated<number>;
  device_no: number;
  reason: string;
  source: 'mqtt' | 'readout';
  first_seq: number;
  last_seq: number;
  events: number;
  first_received_at: Timestamp;
  last_received_at: Timestamp;
  refusals: Generated<number>;
  frame: string;
}

export interface DeviceCommandsTable {
  id: string;
  device_no: number;
  body: ColumnType<Record<string, unknown>, string, string>;
  status: Generated<'queued' | 'sent' | 'done' | 'rejected'>;
  reason: string | null;
  created_by: string;
  created_at: Generated<Date>;
  sent_at: Timestamp | null;
  confirmed_at: Timestamp | null;
  read_at: Timestamp | null;
}

export interface SchemaMigrationsTable {
  id: string;
  applied_at: Generated<Date>;
}

export interface RegionsTable {
  id: string;
  name: string;
}

export interface CourtsTable {
  id: string;
  name: string;
  region_id: string;
}

export interface UsersTable {
  id: string;
  login: string;
  display_name: string;
  role: 'operator' | 'judge' | 'probation_officer' | 'installer' | 'bureau_admin' | 'auditor';
  region_id: string | null;
  court_id: string | null;
  password_hash: string;
  active: Generated<boolean>;
  created_at: Generated<Date>;
  /** Where alarm notifications go (migration 0004). */
  email: Generated<string | null>;
  phone: Generated<string | null>;
  /** TOTP second factor (migration 0009): the confirmed secret, one being enrolled, when, the last step used. */
  totp_secret: Generated<string | null>;
  totp_pending_secret: Generated<string | null>;
  totp_enabled_at: Generated<Date | null>;
  totp_last_step: ColumnType<string | null, string | number | null | undefined, string | number | null>;
  /** Subject at the OpenID Connect provider (migration 0009). */
  oidc_subject: Generated<string | null>;
}

/** Failed sign-ins counted per (login, address), address and account (migration 0009, ADR 0405). */
export interface SigninThrottleTable {
  scope: 'pair' | 'address' | 'account';
  key: string;
  failures: number;
  last_failure_at: Timestamp;
  blocked_until: Timestamp | null;
}

/** Addresses a user signed in from successfully (migration 0009). */
export interface SigninKnownAddressesTable {
  user_id: string;
  address: string;
  last_success_at: Timestamp;
}

export interface SessionsTable {
  token_hash: string;
  user_id: string;
  created_at: Generated<Date>;
  last_seen_at: Timestamp;
  expires_at: Timestamp;
  terminal: string;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: Generated<Date>;
  actor_user_id: string | null;
  actor_login: string;
  actor_role: string;
  terminal: string;
  request_id: string | null;
  action: string;
  entity: string;
  entity_id: string;
  changes: ColumnType<Record<string, unknown>, string, string>;
  /** The request's address from the connection (migration 0010); null for the center's own actors. */
  address: string | null;
  /** The monitored or protected person the record is about, where there is one (migration 0010). */
  person_id: string | null;
}

/** A jsonb column: read as `T`, written as JSON text. */
type Json<T> = ColumnType<T, string, string>;

/** Personal data (T4.6): see migration 0003. */
export interface MonitoredPersonsTable {
  id: string;
  given_name: string;
  family_name: string;
  birth_date: string;
  permanent_address: Json<{ street: string; postalCode: string; city: string } | null> | null;
  phone: string | null;
  contains_personal_data: Generated<boolean>;
  created_at: Generated<Date>;
  /** The court and region that registered the person (migration 0015; ADR 0402). */
  registered_court_id: Generated<string | null>;
  registered_region_id: Generated<string | null>;
}

/** Personal data (T4.6): the protected person of a proximity order. */
export interface ProtectedPersonsTable {
  id: string;
  given_name: string;
  family_name: string;
  phone: string | null;
  consented_on: string;
  contains_personal_data: Generated<boolean>;
  created_at: Generated<Date>;
  /** The court and region that registered the person (migration 0015; ADR 0402). */
  registered_court_id: Generated<string | null>;
  registered_region_id: Generated<string | null>;
}

export interface CasesTable {
  id: string;
  case_number: string;
  court_id: string;
  region_id: string;
  judgment_date: string;
  person_id: string;
  judge_id: string | null;
  probation_officer_id: string | null;
  monitoring_address: Json<{ street: string; postalCode: string; city: string } | null> | null;
  protected_person_id: string | null;
  created_at: Generated<Date>;
}

export interface ApplicationsTable {
  id: string;
  case_id: string;
  filer_kind: 'convict' | 'defence_lawyer' | 'prosecutor' | 'probation_officer' | 'prison_director';
  filer_name: string;
  received_on: string;
  justification: string;
  co_residents: Json<unknown[]>;
  technician_phone: string;
  sentences: Json<unknown[]>;
  credited_days: number;
  has_permanent_address: boolean | null;
  recidivist_art64_2: boolean | null;
  judgment_final_on: string | null;
  flat_owner: Json<{ ownerIsPerson: boolean; ownerName?: string; permissionInWritingOn?: string }> | null;
  decision_last_day: string;
  decision_due_at: Timestamp;
  created_by: string;
  created_at: Generated<Date>;
}

export interface TechnicalSurveysTable {
  id: string;
  application_id: string;
  outcome: 'feasible' | 'not_feasible' | 'pending';
  notes: string;
  surveyed_at: Timestamp;
  surveyed_by: string;
  created_at: Generated<Date>;
}

export interface EligibilityChecksTable {
  id: string;
  application_id: string;
  assessed_on: string;
  verdict: string;
  report: Json<Record<string, unknown>>;
  checked_by: string;
  created_at: Generated<Date>;
}

export interface SupervisionsTable {
  id: string;
  case_id: string;
  application_id: string;
  person_id: string;
  status: string;
  kinds: Json<string[]>;
  lifecycle: Json<Record<string, unknown>>;
  activated_at: Timestamp | null;
  sentence_last_day: string | null;
  sentence_ends_at: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface DecisionsTable {
  id: string;
  application_id: string;
  supervision_id: string;
  outcome: 'granted' | 'refused' | 'left_unexamined_technical';
  decided_at: Timestamp;
  announced_at: Timestamp | null;
  judge: string;
  reason: string;
  recorded_by: string;
  overridden_bars: ColumnType<{ id: string; pl: string; en: string }[], string | undefined, string>;
  bar_override_reason: string | null;
  created_at: Generated<Date>;
}

export interface CourtOrdersTable {
  id: string;
  supervision_id: string;
  case_number: string;
  created_at: Generated<Date>;
}

export interface CourtOrderVersionsTable {
  order_id: string;
  version: number;
  valid_from: Timestamp;
  decided_on: string;
  decided_by: string;
  reason: string;
  body: Json<Record<string, unknown>>;
  recorded_by: string;
  recorded_at: Generated<Date>;
}

export interface ScheduleExceptionsTable {
  id: string;
  supervision_id: string;
  date: string;
  away_window: Json<Record<string, unknown>>;
  reason: string;
  approved_by: string;
  approved_at: Timestamp;
  created_at: Generated<Date>;
}

export interface DeviceAssignmentsTable {
  id: string;
  device_no: number;
  supervision_id: string;
  from_at: Timestamp;
  to_at: Timestamp | null;
  installed_by: string;
  removed_by: string | null;
}

export interface ProtocolsTable {
  id: string;
  supervision_id: string;
  kind: 'installation' | 'activation' | 'removal';
  number: string;
  at: Timestamp;
  by_login: string;
  by_user_id: string | null;
  device_ids: Json<string[]>;
  notes: string;
  created_at: Generated<Date>;
}

export interface TasksTable {
  id: string;
  supervision_id: string;
  code: string;
  responsible: 'penitentiary_judge' | 'probation_officer' | 'installer' | 'operator' | 'monitored_person';
  assignee_user_id: string | null;
  due_at: Timestamp | null;
  pl: string;
  en: string;
  created_at: Generated<Date>;
  done_at: Timestamp | null;
}

/** An alarm episode with its workflow state (migration 0004). */
export interface AlarmEpisodesTable {
  id: string;
  episode_id: string;
  supervision_id: string;
  rule: string;
  severity: 'critical' | 'serious' | 'informational';
  condition: 'active' | 'ended' | 'withdrawn';
  status: Generated<'open' | 'acknowledged' | 'closed'>;
  started_at: Timestamp;
  opened_at: Timestamp;
  resolved_at: Timestamp | null;
  detected_at: Timestamp;
  late: boolean;
  undecided: boolean;
  incident_id: string | null;
  episode: string;
  excuse: Json<Record<string, unknown> | null> | null;
  acknowledged_at: Timestamp | null;
  closed_at: Timestamp | null;
  escalated_at: Timestamp | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** When the engine first published it decided (announced then; escalation counts from it). */
  decided_at: Timestamp | null;
  /** When late data or the undecided time limit withdrew it (ADR 0501). */
  withdrawn_at: Timestamp | null;
  /** Why, in Polish and English. */
  withdrawn_reason: Json<{ pl: string; en: string } | null> | null;
}

export interface AlarmActionsTable {
  id: Generated<number>;
  alarm_id: string;
  at: Generated<Date>;
  by_login: string;
  by_user_id: string | null;
  kind: 'acknowledge' | 'note' | 'call' | 'patrol' | 'excuse' | 'qualify' | 'close' | 'notify';
  text: string | null;
}

export interface InfrastructureIncidentsTable {
  id: string;
  region_id: string;
  kind: 'power_outage' | 'network_outage';
  started_at: Timestamp;
  ended_at: Timestamp | null;
  supervision_ids: Json<string[]>;
  device_ids: Json<string[]>;
  episode_ids: Json<string[]>;
  explanation: Json<{ pl: string; en: string }>;
  updated_at: Generated<Date>;
}

export interface EngineCheckpointsTable {
  supervision_id: string;
  evaluated_at: Timestamp;
  next_due_at: Timestamp | null;
}

export interface NotificationOutboxTable {
  id: Generated<number>;
  alarm_id: string;
  recipient_user_id: string;
  channel: 'email' | 'sms';
  address: string;
  reason: 'opened' | 'escalation';
  subject: string;
  body: string;
  status: Generated<'pending' | 'sending' | 'sent' | 'failed' | 'unknown'>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  last_error: string | null;
  receipt: string | null;
  sent_at: Timestamp | null;
  created_at: Generated<Date>;
}

/** A legal hold on a case (migration 0019, ADR 0702): in force while `lifted_at` is null. */
export interface LegalHoldsTable {
  id: string;
  case_id: string;
  reason: string;
  set_at: Timestamp;
  set_by: string;
  set_by_role: string;
  lifted_at: Timestamp | null;
  lifted_by: string | null;
  lifted_by_role: string | null;
  lift_reason: string | null;
}

/** A case whose personal data the retention job pseudonymised (migration 0019). */
export interface RetentionErasuresTable {
  case_id: string;
  erased_at: Timestamp;
  ended_at: Timestamp;
}

/** The whole database as Kysely sees it. */
export interface DB {
  devices: DevicesTable;
  raw_messages: RawMessagesTable;
  events: EventsTable;
  device_commands: DeviceCommandsTable;
  quarantined_frames: QuarantinedFramesTable;
  schema_migrations: SchemaMigrationsTable;
  regions: RegionsTable;
  courts: CourtsTable;
  users: UsersTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  signin_throttle: SigninThrottleTable;
  signin_known_addresses: SigninKnownAddressesTable;
  monitored_persons: MonitoredPersonsTable;
  protected_persons: ProtectedPersonsTable;
  cases: CasesTable;
  applications: ApplicationsTable;
  technical_surveys: TechnicalSurveysTable;
  eligibility_checks: EligibilityChecksTable;
  supervisions: SupervisionsTable;
  decisions: DecisionsTable;
  court_orders: CourtOrdersTable;
  court_order_versions: CourtOrderVersionsTable;
  schedule_exceptions: ScheduleExceptionsTable;
  device_assignments: DeviceAssignmentsTable;
  protocols: ProtocolsTable;
  tasks: TasksTable;
  alarm_episodes: AlarmEpisodesTable;
  alarm_actions: AlarmActionsTable;
  infrastructure_incidents: InfrastructureIncidentsTable;
  engine_checkpoints: EngineCheckpointsTable;
  notification_outbox: NotificationOutboxTable;
  legal_holds: LegalHoldsTable;
  retention_erasures: RetentionErasuresTable;
}
