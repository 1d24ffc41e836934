/**
 * The monitoring views (docs/api-monitoring.md): positions of a supervision for the map, the device list,
 * the Bureau's statistics — their requests, answers and route table.
 */
import { z } from 'zod';
import { IdParams, Instant, RestrictedClass, Stamp } from './cases.js';
import { spec, type RouteSpec } from './route-spec.js';

export const DeviceKind = z.enum(['transmitter', 'home_unit', 'portable_unit', 'protected_unit']);

export const PositionsQuery = z.object({
  from: Instant.optional().describe('default: `to` minus 24 hours'),
  to: Instant.optional().describe('default: now; at most 31 days after `from`'),
});

export const ListDevicesQuery = z.object({
  kind: DeviceKind.optional(),
  status: z.enum(['active', 'disabled']).optional(),
  assigned: z
    .enum(['true', 'false'])
    .optional()
    .describe('true: serving a supervision now; false: stock (not assigned)'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().max(200).optional(),
});

export const StatsQuery = z.object({
  from: Instant.optional().describe('start of the alarm period; default: `to` minus 30 days'),
  to: Instant.optional().describe('end of the alarm period; default: now'),
});

/** A location fix. */
export const Fix = z.strictObject({
  t: Stamp,
  lat: z.number(),
  lon: z.number(),
  acc: z.number().nullable(),
  src: z.string().nullable(),
});

/** A supervision's fixes by device; the protected person's devices only for a role that may see her. */
export const PositionsAnswer = z.strictObject({
  supervisionId: z.uuid(),
  from: Stamp,
  to: Stamp,
  maxPoints: z.number(),
  downsampled: z.boolean(),
  devices: z.array(
    z.strictObject({
      deviceId: z.string(),
      kind: DeviceKind,
      role: z.enum(['monitored_person', 'protected_person']),
      total: z.number(),
      points: z.array(Fix),
      latest: Fix.nullable(),
    }),
  ),
  /** `protected_person`: her devices were left out for this role. */
  restricted: z.array(RestrictedClass).optional(),
});

/** A device's state (`GET /devices/:id`): no position, no person's name. */
export const DeviceStatus = z.strictObject({
  id: z.string(),
  kind: DeviceKind,
  status: z.enum(['active', 'disabled']),
  ackedSeq: z.number(),
  maxSeq: z.number(),
  lastContactAt: Stamp.nullable(),
  clockOffsetMs: z.number().nullable(),
  /** When that offset was measured: a delayed hello never replaces a newer one (ADR 0504). */
  clockOffsetAt: Stamp.nullable(),
  /** Events refused because the unit reused their numbers with other content (ADR 0504). */
  seqConflicts: z.strictObject({ count: z.number(), lastSeq: z.number(), lastAt: Stamp }).nullable(),
  model: z.string().nullable(),
  firmware: z.string().nullable(),
  createdAt: Stamp,
  /** Battery % and power source from the latest heartbeat, and when it was sent (null: none yet). */
  battery: z.number().nullable(),
  power: z.enum(['mains', 'battery']).nullable(),
  heartbeatAt: Stamp.nullable(),
});

/** One row of `GET /devices`: the state and the supervision the device serves now. */
export const DeviceListItem = DeviceStatus.extend({
  online: z.boolean().nullable().describe('null for transmitters (they report through a unit)'),
  assignment: z
    .strictObject({
      supervisionId: z.uuid(),
      caseId: z.uuid(),
      caseNumber: z.string(),
      regionId: z.string(),
      from: Stamp,
    })
    .nullable(),
});

const Timing = z.strictObject({
  n: z.number(),
  medianMs: z.number().nullable(),
  p90Ms: z.number().nullable(),
});

/** `GET /stats` (B2). */
export const StatsAnswer = z.strictObject({
  at: Stamp,
  scope: z.strictObject({ kind: z.string(), regionId: z.string().optional() }),
  period: z.strictObject({ from: Stamp, to: Stamp }),
  supervisions: z.strictObject({
    total: z.number(),
    now: z.number(),
    byStatus: z.array(z.strictObject({ status: z.string(), n: z.number() })),
    nowByKind: z.array(z.strictObject({ kind: z.string(), n: z.number() })),
    nowByRegion: z.array(z.strictObject({ regionId: z.string(), n: z.number() })),
  }),
  alarms: z.strictObject({
    total: z.number(),
    open: z.number(),
    byRule: z.array(z.strictObject({ rule: z.string(), n: z.number() })),
    bySeverity: z.array(z.strictObject({ severity: z.string(), n: z.number() })),
    byRuleAndSeverity: z.array(
      z.strictObject({ rule: z.string(), severity: z.string(), n: z.number(), open: z.number() }),
    ),
    acknowledge: Timing,
    close: Timing,
  }),
  devices: z.strictObject({
    onlineWindowMs: z.number(),
    online: z.number(),
    offline: z.number(),
    byKind: z.array(z.strictObject({ kind: z.string(), online: z.number(), offline: z.number() })),
  }),
});

/** Every route of the monitoring views. */
export const MONITORING_ROUTES = {
  supervisionPositions: spec({
    method: 'GET',
    path: '/api/v1/supervisions/:id/positions',
    summary:
      'Location fixes of the devices assigned to the supervision during [from, to] (within their assignment), ' +
      'by device with its role (monitored / protected person), at most ~2,000 points, and each one’s latest fix',
    tag: 'supervisions',
    permission: 'track.read',
    params: IdParams,
    query: PositionsQuery,
    response: PositionsAnswer,
    scope: { param: 'id', kind: 'supervision' },
    audit: { action: 'track.read', entity: 'supervision' },
  }),
  listDevices: spec({
    method: 'GET',
    path: '/api/v1/devices',
    summary:
      'Devices with last contact, clock offset, acknowledged/max seq, latest battery and power source and the ' +
      'supervision they serve; operators and installers see their region’s assigned devices and the unassigned stock',
    tag: 'devices',
    permission: 'device.manage',
    query: ListDevicesQuery,
    response: z.strictObject({ items: z.array(DeviceListItem), nextCursor: z.string().nullable() }),
    // Lists devices with the case number they serve, no person's name or position: not audited.
  }),
  stats: spec({
    method: 'GET',
    path: '/api/v1/stats',
    summary:
      'Statistics (B2): supervisions now by kind, region and status; alarms by rule and severity with median ' +
      'and p90 time to acknowledge and close; units online/offline by kind',
    tag: 'stats',
    permission: 'stats.read',
    query: StatsQuery,
    response: StatsAnswer,
  }),
} as const satisfies Record<string, RouteSpec>;

export type DeviceKind = z.output<typeof DeviceKind>;
export type Fix = z.output<typeof Fix>;
export type PositionsAnswer = z.output<typeof PositionsAnswer>;
export type DeviceStatus = z.output<typeof DeviceStatus>;
export type DeviceListItem = z.output<typeof DeviceListItem>;
export type StatsAnswer = z.output<typeof StatsAnswer>;
