/**
 * Every route table of the center in one record (ADR 0402): the OpenAPI document and the authorization
 * matrix test read this. A route added to a domain's table appears here; a route registered outside a
 * table shows in the server's inventory as undeclared (`Center.routes`).
 */
import { ALARM_ROUTES } from '../alarms/alarm.routes.js';
import { AUTH_ROUTES } from '../auth/auth.routes.js';
import { CASE_ROUTES, OPENAPI_ROUTES } from '../cases/case.routes.js';
import { MONITORING_ROUTES } from '../monitoring/monitoring.routes.js';
import type { RouteSpec } from './route-table.js';
import { FOUNDATION_ROUTES } from './routes.js';

/** Every declared route by its operation name. */
export function allRoutes(): Record<string, RouteSpec> {
  const tables: Record<string, RouteSpec>[] = [
    AUTH_ROUTES,
    CASE_ROUTES,
    MONITORING_ROUTES,
    ALARM_ROUTES,
    FOUNDATION_ROUTES,
    OPENAPI_ROUTES,
  ];
  const all: Record<string, RouteSpec> = {};
  for (const t of tables) {
    for (const [name, s] of Object.entries(t)) {
      if (name in all) throw new Error(`route name ${name} declared twice`);
      all[name] = s;
    }
  }
  return all;
}
