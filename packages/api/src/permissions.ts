/**
 * The roles and permissions the API speaks of. Which role holds which permission is the center's policy
 * (`packages/center/src/auth/actor.ts`); the console reads a caller's permissions from `GET /auth/me`.
 */

/** The roles of people who use a center (docs/glossary.md). */
export const ROLES = [
  'operator',
  'judge',
  'probation_officer',
  'installer',
  'bureau_admin',
  'auditor',
] as const;
export type UserRole = (typeof ROLES)[number];
/** A user's role, or `system` for the admin API token. */
export type Role = UserRole | 'system';

/** Every permission a route can require (ADR 0402). */
export const PERMISSIONS_LIST = [
  'case.read',
  'case.write',
  'supervision.officer',
  'installation.write',
  'device.manage',
  'device.read',
  'alarm.read',
  'track.read',
  'alarm.handle',
  'message.send',
  'user.manage',
  'audit.read',
  'stats.read',
  'ledger.verify',
  'case.hold',
  'retention.read',
] as const;
export type Permission = (typeof PERMISSIONS_LIST)[number];
