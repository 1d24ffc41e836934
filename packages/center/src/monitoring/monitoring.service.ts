/**
 * The monitoring views terminals read: a supervision's positions for the map (track, latest fixes), the
 * device list for installers with battery and power, and the Bureau's statistics (B2). Scope as everywhere:
 * a supervision outside the caller's scope answers 404; lists and counts only cover the scope.
 */
import type { Kysely } from 'kysely';
import { inScope, scopeOf, type Actor, type Scope } from '../auth/actor.js';
import { createProtectedAccess } from '../auth/policy.js';
import type { DB } from '../db/schema.js';
import type { CaseRepository } from '../cases/case.repository.js';
import type { DeviceKind } from '../devices/device.repository.js';
import { NotFoundError, ValidationError } from '../errors.js';
import { presentDeviceFor, presentPositionsFor } from './monitoring.presenters.js';
import type { MonitoringRepository } from './monitoring.repository.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Most fixes one positions answer carries (shared between the devices). */
export const MAX_POSITIONS = 2000;
/** Longest period one positions request may cover. */
export const MAX_POSITIONS_SPAN_MS = 31 * DAY;
/** A unit is online when it spoke within this long (twice the 5-minute reporting interval). */
export const ONLINE_WINDOW_MS = 10 * 60_000;
/** Statuses in which a person is under supervision now. */
export const UNDER_SUPERVISION = ['activated', 'in_execution'] as const;

/** Whose position a device gives on the map. */
export type PositionRole = 'monitored_person' | 'protected_person';
export const roleOfDevice = (kind: DeviceKind): PositionRole =>
  kind === 'protected_unit' ? 'protected_person' : 'monitored_person';

const severityName = (s: string) => (s === 'informational' ? 'info' : s);

/** [from, to] of a request: defaults `to` = now and `from` = `to` − `defaultSpan`; refuses reversed or too long. */
function period(from: string | undefined, to: string | undefined, defaultSpan: number, maxSpan: number) {
  const end = to ? new Date(to) : new Date();
  const start = from ? new Date(from) : new Date(end.getTime() - defaultSpan);
  if (start.getTime() > end.getTime())
    throw new ValidationError(
      'from must not be after to',
      undefined,
      'invalid_period',
      'Początek okresu jest po jego końcu.',
    );
  if (end.getTime() - start.getTime() > maxSpan)
    throw new ValidationError(
      `the period may be at most ${Math.round(maxSpan / DAY)} days`,
      undefined,
      'invalid_period',
      `Okres może obejmować najwyżej ${Math.round(maxSpan / DAY)} dni.`,
    );
  return { from: start, to: end };
}

/** Scope of device lists and statistics: everything, or one region; anything else sees nothing. */
function regionalScope(actor: Actor): Scope {
  const s = scopeOf(actor);
  return s.kind === 'all' || s.kind === 'region' ? s : { kind: 'none' };
}

/** Creates the service. */
export function createMonitoringService(deps: {
  repo: MonitoringRepository;
  cases: CaseRepository;
  db: Kysely<DB>;
}) {
  const { repo, cases } = deps;
  const access = createProtectedAccess(deps.db);
  return {
    /** Fixes of the supervision's devices during [from, to] (default the last 24 h), by device with its role. */
    async positions(
      actor: Actor,
      supervisionId: string,
      q: { from?: string | undefined; to?: string | undefined },
    ) {
      const s = await cases.supervision(supervisionId);
      if (!s || !inScope(actor, s))
        throw new NotFoundError(`supervision ${supervisionId}`, `dozór ${supervisionId}`);
      // Refused before anything is read: installers see no position (ADR 0403).
      presentPositionsFor(actor, { devices: [] }, { visible: false, alarmId: null });
      const p = period(q.from, q.to, DAY, MAX_POSITIONS_SPAN_MS);
      const [fixes, latest] = await Promise.all([
        repo.positions(s.id, p.from, p.to, MAX_POSITIONS),
        repo.latestFixes(s.id, p.to),
      ]);
      const kinds = new Map(fixes.map((f) => [f.deviceId, f.kind]));
      const detail = await cases.assignmentsOfSupervision(s.id);
      for (const a of detail) kinds.set(a.deviceId, a.deviceKind as DeviceKind);
      const ids = [...new Set([...fixes.map((f) => f.deviceId), ...latest.map((l) => l.deviceId)])].sort();
      const devices = ids.map((id) => {
        const f = fixes.find((x) => x.deviceId === id);
        const l = latest.find((x) => x.deviceId === id);
        const kind = kinds.get(id) ?? 'portable_unit';
        return {
          deviceId: id,
          kind,
          role: roleOfDevice(kind),
          total: f?.total ?? 0,
          points: (f?.points ?? []).map((x) => ({
            t: x.time,
            lat: x.lat,
            lon: x.lon,
            acc: x.acc,
            src: x.src,
          })),
          latest: l ? { t: l.time, lat: l.lat, lon: l.lon, acc: l.acc, src: l.src } : null,
        };
      });
      const returned = devices.reduce((n, d) => n + d.points.length, 0);
      const total = devices.reduce((n, d) => n + d.total, 0);
      const view = await access.forSupervision(actor, s.id);
      const { answer, shownProtected } = presentPositionsFor(
        actor,
        {
          supervisionId: s.id,
          from: p.from,
          to: p.to,
          maxPoints: MAX_POSITIONS,
          downsampled: returned < total,
          devices,
        },
        view,
      );
      if (shownProtected)
        await access.recordLook(actor, view, {
          entity: 'supervision',
          entityId: s.id,
          what: ['protected_person.positions'],
        });
      return answer;
    },

    /** Devices in the caller's scope (see docs/api-monitoring.md), ordered by id, paged by cursor. */
    async listDevices(
      actor: Actor,
      q: {
        kind?: DeviceKind | undefined;
        status?: 'active' | 'disabled' | undefined;
        assigned?: 'true' | 'false' | undefined;
        limit: number;
        cursor?: string | undefined;
      },
    ) {
      const scope = regionalScope(actor);
      const after = q.cursor ? Buffer.from(q.cursor, 'base64url').toString('utf8') : undefined;
      const rows = await repo.listDevices(scope, {
        kind: q.kind,
        status: q.status,
        assigned: q.assigned === undefined ? undefined : q.assigned === 'true',
        after,
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const now = Date.now();
      return {
        items: page.map((d) =>
          presentDeviceFor(actor, {
            ...d,
            online:
              d.kind === 'transmitter'
                ? null
                : d.lastContactAt !== null && now - d.lastContactAt.getTime() <= ONLINE_WINDOW_MS,
          }),
        ),
        nextCursor: rows.length > q.limit ? Buffer.from(page.at(-1)!.id, 'utf8').toString('base64url') : null,
      };
    },

    /** The Bureau's statistics (B2), computed in SQL within the caller's scope. */
    async stats(actor: Actor, q: { from?: string | undefined; to?: string | undefined }) {
      const scope = regionalScope(actor);
      const p = period(q.from, q.to, 30 * DAY, 366 * DAY);
      const now = new Date();
      const [sv, al, dv] = await Promise.all([
        repo.supervisionStats(scope, UNDER_SUPERVISION),
        repo.alarmStats(scope, p.from, p.to),
        repo.deviceStats(scope, new Date(now.getTime() - ONLINE_WINDOW_MS)),
      ]);
      const pick = (dim: string) =>
        sv.filter((r) => r.dim === dim).sort((a, b) => b.n - a.n || a.key.localeCompare(b.key));
      const byStatus = pick('status').map((r) => ({ status: r.key, n: r.n }));
      const sum = <T>(xs: T[], f: (x: T) => number) => xs.reduce((n, x) => n + f(x), 0);
      const byRule = new Map<string, number>();
      const bySeverity = new Map<string, number>();
      for (const g of al.groups) {
        byRule.set(g.rule, (byRule.get(g.rule) ?? 0) + g.n);
        const sev = severityName(g.severity);
        bySeverity.set(sev, (bySeverity.get(sev) ?? 0) + g.n);
      }
      const sorted = (m: Map<string, number>) =>
        [...m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
      return {
        at: now,
        scope: scope.kind === 'region' ? { kind: 'region', regionId: scope.regionId } : { kind: scope.kind },
        period: p,
        supervisions: {
          total: sum(byStatus, (r) => r.n),
          now: sum(
            byStatus.filter((r) => (UNDER_SUPERVISION as readonly string[]).includes(r.status)),
            (r) => r.n,
          ),
          byStatus,
          nowByKind: pick('kind').map((r) => ({ kind: r.key, n: r.n })),
          nowByRegion: pick('region').map((r) => ({ regionId: r.key, n: r.n })),
        },
        alarms: {
          total: sum(al.groups, (g) => g.n),
          open: sum(al.groups, (g) => g.open),
          byRule: sorted(byRule).map(([rule, n]) => ({ rule, n })),
          bySeverity: sorted(bySeverity).map(([severity, n]) => ({ severity, n })),
          byRuleAndSeverity: al.groups.map((g) => ({ ...g, severity: severityName(g.severity) })),
          acknowledge: al.acknowledge,
          close: al.close,
        },
        devices: {
          onlineWindowMs: ONLINE_WINDOW_MS,
          online: sum(dv, (d) => d.online),
          offline: sum(dv, (d) => d.offline),
          byKind: dv,
        },
      };
    },
  };
}

export type MonitoringService = ReturnType<typeof createMonitoringService>;
