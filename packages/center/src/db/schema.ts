/** Kysely table types. Only repositories use them. */
import type { ColumnType, Generated } from 'kysely';

type Timestamp = ColumnType<Date, Date | string, Date | string>;

export interface DevicesTable {
  no: Generated<number>;
  id: string;
  kind: 'transmitter' | 'home_unit' | 'portable_unit' | 'protected_unit';
  secret: string;
  status: Generated<'active' | 'disabled'>;
  created_at: Generated<Date>;
  acked_seq: Generated<number>;
  max_seq: Generated<number>;
  last_contact_at: Timestamp | null;
  clock_offset_ms: number | null;
  model: string | null;
  firmware: string | null;
}

export interface LedgerKeysTable {
  device_no: number;
  seq: number;
  event_id: number;
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
}

/** The whole database as Kysely sees it. */
export interface DB {
  devices: DevicesTable;
  ledger_keys: LedgerKeysTable;
  raw_messages: RawMessagesTable;
  events: EventsTable;
  device_commands: DeviceCommandsTable;
  schema_migrations: SchemaMigrationsTable;
  regions: RegionsTable;
  courts: CourtsTable;
  users: UsersTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
}
