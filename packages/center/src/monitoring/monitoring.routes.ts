/**
 * Routes of the monitoring views (docs/api-monitoring.md): positions of a supervision for the map, the
 * device list, the Bureau's statistics. Declared in {@link MONITORING_ROUTES} like the cases API, so the
 * same table registers them and goes into docs/openapi.json.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requirePermission } from '../auth/actor.js';
import type { RouteSpec } from '../cases/case.routes.js';
import { IdParams, Instant } from '../cases/case.schemas.js';
import { parse } from '../http/server.js';
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

const spec = <T extends RouteSpec>(s: T) => s;

/** Every route of the monitoring views. */
export const MONITORING_ROUTES = {
  supervisionPositions: spec({
    method: 'GET',
    path: '/api/v1/supervisions/:id/positions',
    summary:
      'Location fixes of the devices assigned to the supervision during [from, to] (within their assignment), ' +
      'by device with its role (monitored / protected person), at most ~2,000 points, and each one’s latest fix',
    tag: 'supervisions',
    permission: 'case.read',
    params: IdParams,
    query: PositionsQuery,
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
  deps: { monitoring: MonitoringService },
): void {
  const m = deps.monitoring;
  const r = MONITORING_ROUTES;
  app.get(r.supervisionPositions.path, async (req) => {
    requirePermission(req.actor, r.supervisionPositions.permission);
    const { id } = parse(r.supervisionPositions.params, req.params);
    return m.positions(req.actor, id, parse(r.supervisionPositions.query, req.query));
  });
  app.get(r.listDevices.path, async (req) => {
    requirePermission(req.actor, r.listDevices.permission);
    return m.listDevices(req.actor, parse(r.listDevices.query, req.query));
  });
  app.get(r.stats.path, async (req) => {
    requirePermission(req.actor, r.stats.permission);
    return m.stats(req.actor, parse(r.stats.query, req.query));
  });
}
