/**
 * Every route table of the center in one record (ADR 0402): the center registers handlers for these, the
 * OpenAPI document and the authorization matrix test read them, and the console types its calls by their
 * names. A route registered outside a table shows in the server's inventory as undeclared.
 */
import { ALARM_ROUTES } from './alarms.js';
import { AUTH_ROUTES } from './auth.js';
import { CASE_ROUTES, OPENAPI_ROUTES } from './cases.js';
import { FOUNDATION_ROUTES } from './foundation.js';
import { MONITORING_ROUTES } from './monitoring.js';
import { RETENTION_ROUTES } from './retention.js';
import type { RouteSpec } from './route-spec.js';

/** Every declared route by its operation name, with its literal type (the console's `call` reads it). */
export const ROUTES = {
  ...AUTH_ROUTES,
  ...CASE_ROUTES,
  ...MONITORING_ROUTES,
  ...ALARM_ROUTES,
  ...FOUNDATION_ROUTES,
  ...OPENAPI_ROUTES,
  ...RETENTION_ROUTES,
} as const;
export type RouteName = keyof typeof ROUTES;

/** Every declared route by its operation name; throws when two tables declare one name. */
export function allRoutes(): Record<string, RouteSpec> {
  const tables: Record<string, RouteSpec>[] = [
    AUTH_ROUTES,
    CASE_ROUTES,
    MONITORING_ROUTES,
    ALARM_ROUTES,
    FOUNDATION_ROUTES,
    OPENAPI_ROUTES,
    RETENTION_ROUTES,
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
