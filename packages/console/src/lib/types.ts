/**
 * The shapes the console reads from the center's API (docs/openapi.json for cases, docs/api-alarms.md for
 * alarms). Only the fields the console uses are typed; the server stays the source of truth.
 */
import type { Permission } from './permissions.js';

/** Both languages of a server-side explanation. */
export interface Bilingual {
  pl: string;
  en: string;
}

export type Role =
  'operator' | 'judge' | 'probation_officer' | 'installer' | 'bureau_admin' | 'auditor' | 'system';

/** The signed-in person (`GET /api/v1/auth/me`: the user and, beside it, their permissions). */
export interface Actor {
  userId: string | null;
  login: string;
  displayName: string;
  role: Role;
  regionId: string | null;
  courtId: string | null;
  /** What the role may do, as the center answered it (the console keeps no copy of the table). */
  permissions: Permission[];
}

/** The answer of `GET /api/v1/auth/me` and `POST /api/v1/auth/login`. */
export interface SessionAnswer {
  user: Omit<Actor, 'permissions'>;
  permissions: Permission[];
}

/** The signed-in person from a session answer. */
export const actorOf = (r: SessionAnswer): Actor => ({ ...r.user, permissions: r.permissions });

/**
 * Data classes the center left out of an answer for the signed-in role (docs/security.md): the console says
 * they are not available instead of showing an empty value as if there were none.
 */
export type RestrictedClass =
  'protected_person' | 'protected_zones' | 'zones' | 'monitored_person_contacts' | 'application_details';

/** A page of a cursor-paged list. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PostalAddress {
  street: string;
  postalCode: string;
  city: string;
}

export interface CaseSummary {
  id: string;
  caseNumber: string;
  courtId: string;
  regionId: string;
  judgmentDate: string;
  personId: string;
  judgeId: string | null;
  probationOfficerId: string | null;
  monitoringAddress: PostalAddress | null;
  /** Left out for installers (the policy: no reference to the protected person). */
  protectedPersonId?: string | null;
  createdAt: string;
}

/** The monitored person; installers get the name only (the other fields are then absent). */
export interface Person {
  id: string;
  givenName: string;
  familyName: string;
  birthDate?: string;
  permanentAddress?: PostalAddress | null;
  phone?: string | null;
  restricted?: RestrictedClass[];
}

export interface CaseDetail extends CaseSummary {
  person: Person | null;
  /** Absent when the role may not see her (installers; operators without an open proximity alarm). */
  protectedPerson?: {
    id: string;
    givenName: string;
    familyName: string;
    consentedOn?: string;
    phone?: string | null;
  } | null;
  applications: {
    id: string;
    filerKind?: string;
    filerName?: string;
    receivedOn: string;
    decisionLastDay: string;
    /** The number technicians call to agree the installation visit. */
    technicianContactPhone?: string;
  }[];
  restricted?: RestrictedClass[];
  supervisions: { id: string; status: SupervisionStatus; kinds: SupervisionKind[]; applicationId: string }[];
}

export type SupervisionStatus =
  | 'application_filed'
  | 'granted'
  | 'refused'
  | 'left_unexamined_technical'
  | 'readiness_reported'
  | 'installed'
  | 'activated'
  | 'in_execution'
  | 'ended_served'
  | 'revoked';

export type SupervisionKind = 'stationary' | 'mobile' | 'proximity';

export interface SupervisionSummary {
  id: string;
  caseId: string;
  caseNumber: string;
  personId: string;
  status: SupervisionStatus;
  statusName: Bilingual;
  kinds: SupervisionKind[];
  activatedAt: string | null;
  sentenceLastDay: string | null;
  createdAt: string;
}

/** One window away from the place, Europe/Warsaw wall clock. */
export interface AwayWindow {
  start: string;
  end: string;
  endsNextDay?: boolean;
  label: string;
}

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export type WeeklySchedule = Record<Weekday, AwayWindow[]>;

export interface Schedule {
  weekly: WeeklySchedule;
  oneOffChanges: { date: string; mode: 'replace' | 'add'; windows: AwayWindow[]; reason: string }[];
  exceptions?: unknown[];
}

export interface LatLon {
  lat: number;
  lon: number;
}

export type Zone =
  { kind: 'polygon'; ring: LatLon[] } | { kind: 'circle'; center: LatLon; radiusMeters: number };

export type Obligation =
  | {
      kind: 'stay_at_place';
      place: { address: PostalAddress; location?: LatLon; rangeMeters?: number };
      schedule: Schedule;
    }
  | { kind: 'exclusion_zone'; id: string; name: string; zone: Zone }
  | { kind: 'inclusion_zone'; id: string; name: string; zone: Zone }
  | { kind: 'keep_distance'; protectedPersonId: string; minDistanceMeters: number };

/** The compliance engine's settings an order changes, rule by rule (the center validates them). */
export type MonitoringSettings = Record<string, Record<string, number> | number>;

export interface OrderContent {
  supervisionKinds: SupervisionKind[];
  obligations: Obligation[];
  devices: string[];
  readinessDeadlineHours: number;
  /** Settings other than the engine's defaults (grace periods, confirming fixes…). */
  monitoringSettings?: MonitoringSettings;
}

export interface OrderVersion extends OrderContent {
  version: number;
  validFrom: string;
  decidedOn: string;
  decidedBy: string;
  /** Absent for installers (the court's reasons: policy class `court_reasons`). */
  reason?: string;
  recordedBy: string;
  recordedAt: string;
}

export interface CourtOrder {
  id: string;
  caseNumber: string | null;
  versionInForce: number | null;
  versions: OrderVersion[];
}

export interface Deadline {
  lastDay: string;
  dueUtcMs: number;
  explanation: Bilingual;
}

export interface Task {
  id: string;
  supervisionId?: string;
  caseId?: string;
  caseNumber?: string;
  code: string;
  responsible: string;
  assigneeUserId: string | null;
  dueAt: string | null;
  overdue: boolean;
  /** Due within the center's warning window (2 hours). */
  dueSoon: boolean;
  pl: string;
  en: string;
}

export interface DeviceAssignment {
  deviceId: string;
  kind: string;
  from: string;
  to: string | null;
  installedBy: string;
  removedBy: string | null;
}

export interface SupervisionDetail {
  id: string;
  caseId: string;
  caseNumber: string;
  applicationId: string;
  personId: string;
  regionId: string;
  courtId: string | null;
  judgeId: string | null;
  probationOfficerId: string | null;
  status: SupervisionStatus;
  statusName: Bilingual;
  kinds: SupervisionKind[];
  term: { years: number; months: number; days: number };
  deadlines: Partial<Record<'decision' | 'readiness' | 'installation', Deadline>>;
  readinessReportedAt: string | null;
  installedAt: string | null;
  activatedAt: string | null;
  sentenceEnd: {
    firstDay: string;
    lastDay: string;
    endsAt: string;
    daysToServe: number;
    explanation: Bilingual;
  } | null;
  revocation: unknown;
  history: { by: string; type: string; atUtcMs: number; [k: string]: unknown }[];
  decisions: { id: string; outcome: string; decidedAt: string; judge: string; reason?: string }[];
  order: CourtOrder | null;
  scheduleExceptions: {
    id: string;
    date: string;
    window: AwayWindow;
    reason?: string;
    approvedBy: string;
    approvedAt: string;
  }[];
  devices: DeviceAssignment[];
  protocols: {
    id: string;
    kind: string;
    number: string;
    at: string;
    by: string;
    deviceIds: string[];
    notes: string;
  }[];
  tasks: Task[];
  /** What the center left out for this role (e.g. the zones around a protected person's home). */
  restricted?: RestrictedClass[];
}

/** `GET /api/v1/devices/:id`. */
export interface DeviceStatus {
  id: string;
  kind: string;
  status: string;
  ackedSeq: number;
  maxSeq: number;
  lastContactAt: string | null;
  clockOffsetMs: number | null;
  /** Events refused because the unit reused their numbers with other content (ADR 0504). */
  seqConflicts?: { count: number; lastSeq: number; lastAt: string } | null;
  model: string | null;
  firmware: string | null;
  battery?: number | null;
  power?: 'mains' | 'battery' | null;
  heartbeatAt?: string | null;
  createdAt: string;
}

/** One row of `GET /api/v1/devices`. */
export interface DeviceListItem extends DeviceStatus {
  online: boolean | null;
  assignment: {
    supervisionId: string;
    caseId: string;
    caseNumber: string;
    regionId: string;
    from: string;
  } | null;
}

/** A location fix. */
export interface Fix {
  t: string;
  lat: number;
  lon: number;
  acc: number | null;
  src: string | null;
}

/** `GET /api/v1/supervisions/:id/positions`. */
export interface PositionsView {
  supervisionId: string;
  from: string;
  to: string;
  maxPoints: number;
  downsampled: boolean;
  devices: {
    deviceId: string;
    kind: string;
    role: 'monitored_person' | 'protected_person';
    total: number;
    points: Fix[];
    latest: Fix | null;
  }[];
  /** `protected_person`: her devices were left out for this role. */
  restricted?: RestrictedClass[];
}

/** `GET /api/v1/stats`. */
export interface StatsView {
  at: string;
  scope: { kind: string; regionId?: string };
  period: { from: string; to: string };
  supervisions: {
    total: number;
    now: number;
    byStatus: { status: string; n: number }[];
    nowByKind: { kind: string; n: number }[];
    nowByRegion: { regionId: string; n: number }[];
  };
  alarms: {
    total: number;
    open: number;
    byRule: { rule: string; n: number }[];
    bySeverity: { severity: string; n: number }[];
    byRuleAndSeverity: { rule: string; severity: string; n: number; open: number }[];
    acknowledge: { n: number; medianMs: number | null; p90Ms: number | null };
    close: { n: number; medianMs: number | null; p90Ms: number | null };
  };
  devices: {
    onlineWindowMs: number;
    online: number;
    offline: number;
    byKind: { kind: string; online: number; offline: number }[];
  };
}

/** A command queued for a unit, with its delivery and read times. */
export interface DeviceCommand {
  id: string;
  body: { cmd: string; text?: string; [k: string]: unknown };
  /** Where the command is on its way (docs/protocol.md §4, `cmd`). */
  state: 'queued' | 'sent' | 'confirmed' | 'rejected' | 'read';
  status: string;
  reason: string | null;
  createdBy: string;
  createdAt: string;
  sentAt: string | null;
  confirmedAt: string | null;
  readAt: string | null;
}

export type AlarmSeverity = 'critical' | 'serious' | 'info';
export type AlarmStatus = 'open' | 'acknowledged' | 'closed';

export interface AlarmAction {
  at: string;
  by: string;
  kind: 'acknowledge' | 'note' | 'call' | 'patrol' | 'excuse' | 'qualify' | 'close' | 'notify';
  text: string | null;
}

/** An alarm as the center reports it (docs/api-alarms.md). */
export interface AlarmView {
  /** `protected_zones`: a protected person's zone label was replaced in the texts for this role. */
  restricted?: RestrictedClass[];
  id: string;
  supervisionId: string;
  caseId: string;
  caseNumber: string;
  personName: string;
  regionId: string;
  rule: string;
  severity: AlarmSeverity;
  status: AlarmStatus;
  condition: 'active' | 'ended' | 'withdrawn';
  startedAt: string;
  endedAt: string | null;
  detectedAt: string;
  late: boolean;
  undecided: boolean;
  explanation: Bilingual;
  clause: Bilingual | null;
  evidence: { deviceId: string; seq: number; kind: string; time: string }[];
  incidentId: string | null;
  actions: AlarmAction[];
  excuse: {
    text: string;
    recordedBy: string;
    at: string;
    qualification: 'justified' | 'unjustified' | null;
    qualifiedBy: string | null;
    note: string | null;
  } | null;
}
