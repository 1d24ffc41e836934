/** Sign-in, sign-out, the current user, users, regions, courts and the audit log: requests, answers, routes. */
import { z } from 'zod';
import { Ok, Stamp } from './cases.js';
import { PERMISSIONS_LIST, ROLES } from './permissions.js';
import { spec, type RouteSpec } from './route-spec.js';

/** Where the identity provider sends the browser back (ADR 0405). */
export const OIDC_CALLBACK = '/api/v1/auth/oidc/callback';

export const LoginBody = z.object({
  login: z.string().min(1).max(100),
  password: z.string().min(1).max(200),
  /** The TOTP code, for a user with a second factor (or enrolling one at sign-in). */
  totp: z.string().max(10).optional(),
});
export const TotpConfirm = z.object({ code: z.string().min(1).max(10) });
/** Where alarm notifications reach a user by e-mail (T4.3). */
const Email = z.email('an e-mail address such as jan.kowalski@sad.gov.pl').max(200);
/** A phone for SMS notifications, international format. */
const Phone = z
  .string()
  .regex(/^\+?[0-9 ]{6,20}$/, 'a phone number: digits and spaces, optionally a leading +');
const Password = z.string().max(200);

export const CreateUser = z.object({
  login: z.string().regex(/^[a-z0-9._-]{3,40}$/, 'lower-case letters, digits, ".", "_" or "-", 3 to 40'),
  displayName: z.string().min(1).max(100),
  role: z.enum(ROLES),
  regionId: z.string().nullable().default(null),
  courtId: z.string().nullable().default(null),
  password: Password,
  /** Where alarm notifications go (T4.3); optional. */
  email: Email.nullable().optional(),
  /** Phone for SMS notifications, international format; optional. */
  phone: Phone.nullable().optional(),
});

/** The fields of a user the Bureau may change; `null` clears a contact. */
export const USER_FIELDS = [
  'active',
  'password',
  'role',
  'regionId',
  'courtId',
  'displayName',
  'email',
  'phone',
] as const;

/**
 * A change to a user: any combination of its fields, at least one. A field the center does not know is
 * refused (a misspelt `emial` must not be dropped in silence and answered 200).
 */
export const UpdateUser = z
  .strictObject({
    active: z.boolean().optional(),
    password: Password.optional(),
    role: z.enum(ROLES).optional(),
    regionId: z.string().max(20).nullable().optional(),
    courtId: z.string().max(40).nullable().optional(),
    displayName: z.string().min(1).max(100).optional(),
    email: Email.nullable().optional(),
    phone: Phone.nullable().optional(),
  })
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: `give at least one field to change: ${USER_FIELDS.join(', ')}`,
    // A body of unknown fields only is told about those, not also that it changes nothing.
    when: (payload) => payload.issues.length === 0,
  });
export const RegionParams = z.object({ id: z.string().regex(/^[A-Z0-9-]{2,20}$/) });
export const RegionBody = z.object({ name: z.string().min(1).max(100) });
export const CourtParams = z.object({ id: z.string().regex(/^[A-Za-z0-9-]{2,40}$/) });
export const CourtBody = z.object({ name: z.string().min(1).max(200), regionId: z.string().max(20) });
export const UserParams = z.object({ id: z.uuid() });

/** A keyset position in the audit log: the record's time in microseconds since 1970 and its id. */
export interface AuditCursor {
  atUs: string;
  id: number;
}

/** The cursor as the API hands it out, `<microseconds>.<id>`. */
export function formatAuditCursor(c: AuditCursor): string {
  return `${c.atUs}.${c.id}`;
}

/** Reads a cursor of `formatAuditCursor`; undefined when it is not one. */
export function parseAuditCursor(s: string): AuditCursor | undefined {
  const m = /^(-?\d{1,17})\.(\d{1,15})$/.exec(s);
  return m ? { atUs: m[1]!, id: Number(m[2]) } : undefined;
}

export const AuditQuery = z.object({
  /** Records about this monitored or protected person. */
  person: z.string().uuid().optional(),
  /** Records of this user (login); `actor` is its older name. */
  user: z.string().min(1).max(100).optional(),
  actor: z.string().min(1).max(100).optional(),
  /** An action, or a prefix ending with a dot (`alarm.`). */
  action: z
    .string()
    .regex(/^[a-z0-9_.-]{1,100}$/, 'an action such as alarm.acknowledge, or a prefix such as alarm.')
    .optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  entity: z.string().max(100).optional(),
  entityId: z.string().max(200).optional(),
  /** Records whose request came from this address. */
  address: z.string().min(1).max(64).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  /** Keyset cursor: the `next` of the previous page. */
  before: z
    .string()
    .max(40)
    .transform((s, ctx) => {
      const c = parseAuditCursor(s);
      if (!c) ctx.addIssue({ code: 'custom', message: 'not a cursor of this list (take `next` as it is)' });
      return c;
    })
    .optional(),
});

const Permission = z.enum(PERMISSIONS_LIST);
const RoleName = z.enum([...ROLES, 'system']);

/** A user account as the Bureau manages it. */
export const UserAnswer = z.strictObject({
  id: z.uuid(),
  login: z.string(),
  displayName: z.string(),
  role: z.enum(ROLES),
  regionId: z.string().nullable(),
  courtId: z.string().nullable(),
  active: z.boolean(),
  createdAt: Stamp,
});

/**
 * A user as the Bureau's user list shows it: the account and where notifications reach them (only the
 * `user.manage` routes answer this; a sign-in answers `UserAnswer`, without contacts).
 */
export const ManagedUserAnswer = UserAnswer.extend({
  email: z.string().nullable(),
  phone: z.string().nullable(),
});

/** The signed-in caller (`GET /auth/me`): who, the role, where, and the terminal the center saw. */
export const SessionUser = z.strictObject({
  userId: z.uuid().nullable(),
  login: z.string(),
  displayName: z.string(),
  role: RoleName,
  regionId: z.string().nullable(),
  courtId: z.string().nullable(),
  terminal: z.string().optional(),
  address: z.string().optional(),
});

export const TotpSetup = z.strictObject({ secret: z.string(), uri: z.string() });

/** A sign-in: the user and their permissions, or the second factor it still needs. */
export const LoginAnswer = z.union([
  z.strictObject({ user: UserAnswer, permissions: z.array(Permission) }),
  z.strictObject({ totpRequired: z.literal(true) }),
  z.strictObject({ totpEnrolRequired: z.literal(true), totpSetup: TotpSetup }),
]);

/** The caller and what their role may do (the console shows actions from this list, not from a copy). */
export const MeAnswer = z.strictObject({
  user: SessionUser,
  permissions: z.array(Permission),
  totp: z.strictObject({ enabled: z.boolean(), required: z.boolean() }).optional(),
});

export const Region = z.strictObject({ id: z.string(), name: z.string() });
export const Court = z.strictObject({ id: z.string(), name: z.string(), regionId: z.string() });

/** One record of the audit log; an auditor gets who did what, the content's values as `redacted` keys. */
export const AuditRecordAnswer = z.strictObject({
  id: z.number(),
  at: Stamp,
  actorLogin: z.string(),
  actorRole: z.string(),
  address: z.string().nullable(),
  terminal: z.string(),
  requestId: z.string().nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string(),
  personId: z.string().nullable(),
  changes: z.record(z.string(), z.unknown()),
  redacted: z.array(z.string()).optional(),
});

/** The identity routes: sign-in, the current user, users, regions, courts and the audit log. */
export const AUTH_ROUTES = {
  login: spec({
    method: 'POST',
    path: '/api/v1/auth/login',
    summary:
      'Sign in with login and password (and a TOTP code when the user has one); sets the session cookie, ' +
      'or answers totpRequired / totpEnrolRequired',
    tag: 'auth',
    access: 'public',
    body: LoginBody,
    response: LoginAnswer,
  }),
  logout: spec({
    method: 'POST',
    path: '/api/v1/auth/logout',
    summary: 'Sign out: ends the session',
    tag: 'auth',
    access: 'signed-in',
    response: Ok,
  }),
  totpSetup: spec({
    method: 'POST',
    path: '/api/v1/auth/totp/setup',
    summary: 'Start enrolling a TOTP second factor: a new secret and its otpauth URI (ADR 0405)',
    tag: 'auth',
    access: 'signed-in',
    response: TotpSetup,
  }),
  totpConfirm: spec({
    method: 'POST',
    path: '/api/v1/auth/totp/confirm',
    summary: 'Confirm the second factor with a code from the new secret',
    tag: 'auth',
    access: 'signed-in',
    body: TotpConfirm,
    response: Ok,
  }),
  resetTotp: spec({
    method: 'DELETE',
    path: '/api/v1/users/:id/totp',
    summary: "Remove a user's second factor (they enrol again); ends their sessions",
    tag: 'users',
    permission: 'user.manage',
    params: UserParams,
    response: Ok,
  }),
  oidc: spec({
    method: 'GET',
    path: '/api/v1/auth/oidc',
    summary: 'Whether OpenID Connect sign-in is offered, and the provider’s name',
    tag: 'auth',
    access: 'public',
    response: z.strictObject({ enabled: z.boolean(), name: z.string() }),
  }),
  oidcStart: spec({
    method: 'GET',
    path: '/api/v1/auth/oidc/start',
    summary: 'Redirect to the identity provider (authorization code with PKCE, state and nonce)',
    tag: 'auth',
    access: 'public',
    raw: true,
  }),
  oidcCallback: spec({
    method: 'GET',
    path: OIDC_CALLBACK,
    summary: 'The way back from the identity provider: signs the mapped user in and redirects to the console',
    tag: 'auth',
    access: 'public',
    raw: true,
  }),
  me: spec({
    method: 'GET',
    path: '/api/v1/auth/me',
    summary: 'The signed-in user and the permissions of their role',
    tag: 'auth',
    access: 'signed-in',
    response: MeAnswer,
  }),
  listUsers: spec({
    method: 'GET',
    path: '/api/v1/users',
    summary: 'Users with their role, region and court',
    tag: 'users',
    permission: 'user.manage',
    response: z.strictObject({ users: z.array(ManagedUserAnswer) }),
    audit: { action: 'user.list', entity: 'user', list: true },
  }),
  createUser: spec({
    method: 'POST',
    path: '/api/v1/users',
    summary: 'Create a user (role, region or court, notification contacts)',
    tag: 'users',
    permission: 'user.manage',
    body: CreateUser,
    response: z.strictObject({ user: ManagedUserAnswer }),
    refs: [
      { from: 'body', field: 'regionId', kind: 'region' },
      { from: 'body', field: 'courtId', kind: 'court' },
    ],
    status: 201,
  }),
  updateUser: spec({
    method: 'PATCH',
    path: '/api/v1/users/:id',
    summary:
      'Change any combination of a user’s fields: deactivate or reactivate, set a new password, move to ' +
      'another role, region or court, rename, or change the e-mail and phone notifications go to. The last ' +
      'active Bureau administrator cannot be deactivated or given another role, nor can callers lock ' +
      'themselves out (ADR 0603)',
    tag: 'users',
    permission: 'user.manage',
    params: UserParams,
    body: UpdateUser,
    response: z.strictObject({ user: ManagedUserAnswer }),
    refs: [
      { from: 'body', field: 'regionId', kind: 'region' },
      { from: 'body', field: 'courtId', kind: 'court' },
    ],
  }),
  listRegions: spec({
    method: 'GET',
    path: '/api/v1/regions',
    summary: 'Regions (regional centers)',
    tag: 'users',
    access: 'signed-in',
    response: z.strictObject({ regions: z.array(Region) }),
  }),
  listCourts: spec({
    method: 'GET',
    path: '/api/v1/courts',
    summary: 'Courts and their regions',
    tag: 'users',
    access: 'signed-in',
    response: z.strictObject({ courts: z.array(Court) }),
  }),
  putRegion: spec({
    method: 'PUT',
    path: '/api/v1/regions/:id',
    summary: 'Create or rename a region',
    tag: 'users',
    permission: 'user.manage',
    params: RegionParams,
    body: RegionBody,
    response: z.strictObject({ region: Region }),
  }),
  putCourt: spec({
    method: 'PUT',
    path: '/api/v1/courts/:id',
    summary: 'Create or change a court',
    tag: 'users',
    permission: 'user.manage',
    params: CourtParams,
    body: CourtBody,
    response: z.strictObject({ court: Court }),
  }),
  listAudit: spec({
    method: 'GET',
    path: '/api/v1/audit',
    summary:
      'The audit log, newest first, filtered by person, user, action (or a prefix such as `alarm.`), period, ' +
      'address and entity',
    tag: 'audit',
    permission: 'audit.read',
    query: AuditQuery,
    response: z.strictObject({ records: z.array(AuditRecordAnswer), next: z.string().nullable() }),
  }),
  exportAudit: spec({
    method: 'GET',
    path: '/api/v1/audit/export',
    summary: 'The same filter as CSV (UTF-8 with BOM, RFC 4180, formula cells as text), streamed; audited',
    tag: 'audit',
    permission: 'audit.read',
    query: AuditQuery,
    raw: true,
  }),
} as const satisfies Record<string, RouteSpec>;

export type UserAnswer = z.output<typeof UserAnswer>;
export type ManagedUserAnswer = z.output<typeof ManagedUserAnswer>;
export type UpdateUserBody = z.input<typeof UpdateUser>;
export type SessionUser = z.output<typeof SessionUser>;
export type LoginAnswer = z.output<typeof LoginAnswer>;
export type MeAnswer = z.output<typeof MeAnswer>;
export type TotpSetup = z.output<typeof TotpSetup>;
export type AuditRecordAnswer = z.output<typeof AuditRecordAnswer>;
export type Region = z.output<typeof Region>;
export type Court = z.output<typeof Court>;
