/**
 * Routes of the monitoring views (docs/api-monitoring.md): positions of a supervision for the map, the
 * device list, the Bureau's statistics. Declared in `MONITORING_ROUTES` of `@sde/api` like the cases API, so the
 * same table registers them and goes into docs/openapi.json.
 */
import { MONITORING_ROUTES } from '@sde/api';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { registerTable } from '../http/route-table.js';
import type { MonitoringService } from './monitoring.service.js';

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
