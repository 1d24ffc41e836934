/**
 * `@sde/api`: the center's HTTP contract (ADR 0402) — the route tables without handlers, the zod schemas
 * of every request and answer, and the permission names. The center binds handlers to these tables and
 * enforces them; the console takes its types from them; docs/openapi.json is generated from them. It
 * depends on zod (and the protocol's zod-only message schemas) and nothing of the server.
 */
export * from './permissions.js';
export * from './route-spec.js';
export * from './cases.js';
export * from './alarms.js';
export * from './auth.js';
export * from './monitoring.js';
export * from './foundation.js';
export * from './retention.js';
export * from './all-routes.js';
