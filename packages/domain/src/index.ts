/** @sde/domain — the pure domain core for cases, court orders, schedules and deadlines (no I/O). */
export * from './law.js';
export * from './messages.js';
export * from './time.js';
export * from './holidays.js';
export * from './deadlines.js';
export * from './case.js';
export * from './schedule.js';
export * from './sentence.js';
export * from './eligibility.js';
export * from './zone.js';
export * from './device-assignment.js';
export * from './court-order.js';
export * from './lifecycle.js';
export * from './decision.js';
export * from './engine/index.js';
export * from './retention.js';
