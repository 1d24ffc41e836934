/**
 * Routes of the monitoring views (docs/api-monitoring.md): positions of a supervision for the map, the
 * device list, the Bureau's statistics. Declared in {@link MONITORING_ROUTES} like the cases API, so the
 * same table registers them and goes into docs/openapi.json.
 */
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { IdParams, Instant } from '../cases/case.schemas.js';
import type { DB } from '../db/schema.js';
import { registerTable, spec, type RouteSpec } from '../http/route-table.js';
import type { MonitoringService } from './monitoring.service.js';

export const PositionsQuery = z.object({
  from: Instant.optional().describe('default: `to` minus 24 hours'),
  to: Instant.optional().describe('default: now; at most 31 days after `from`'),
});

export const ListDevicesQuery = z.object({
  kind: z.enum(['transmitter', 'home_unit', 'portable_unit', 'protected_unit']).optional(),
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
  }),
} as const satisfies Record<string, RouteSpec>;

/** Registers the routes. */
export function registerMonitoringRoutes(
  app: FastifyInstance,
  deps: { monitoring: MonitoringService; db: Kysely<DB> },
): void {
  const m = deps.monitoring;
  registerTable(
    app,
    MONITORING_ROUTES,
    {
      supervisionPositions: (c) => m.positions(c.actor, c.params.id, c.query),
      listDevices: (c) => m.listDevices(c.actor, c.query),
      stats: (c) => m.stats(c.actor, c.query),
    },
    deps,
  );
}
