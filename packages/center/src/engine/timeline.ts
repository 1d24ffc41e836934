/**
 * Builds the engine's configuration timeline of one supervision from what the cases part stores: the court
 * order's versions (with the probation officer's approved exceptions) crossed with the device assignments.
 * A new order version or a device swap starts a new engine version; a version's `monitoringSettings` become
 * the engine version's per-rule `settings`.
 */
import type {
  ApprovedException,
  AssignedDevices,
  CourtOrderVersion,
  EngineOrderVersion,
  SupervisionTimeline,
} from '@sde/domain';
import type { AssignmentRow, OrderVersionRow, SupervisionRow } from '../cases/case.repository.js';
import { withExceptions } from '../cases/case.repository.js';

/** Reporting (heartbeat) interval the engine expects, per unit kind, ms. */
export type ReportIntervals = Record<'home_unit' | 'portable_unit' | 'protected_unit', number>;

/** What the timeline is built from. */
export interface TimelineSource {
  supervision: Pick<SupervisionRow, 'id' | 'regionId' | 'status' | 'lifecycle' | 'caseNumber'>;
  orderId: string | null;
  versions: OrderVersionRow[];
  exceptions: ApprovedException[];
  assignments: AssignmentRow[];
  /**
   * Reporting intervals set on units by command (`set_interval`), each in force from the unit's
   * confirmation; a unit without one reports at its kind's default.
   */
  intervalChanges?: IntervalChange[];
}

/** A unit's reporting interval, changed by a confirmed `set_interval` command. */
export interface IntervalChange {
  deviceId: string;
  /** When the unit confirmed the command, ms since epoch. */
  fromMs: number;
  /** The new interval, ms. */
  intervalMs: number;
}

function devicesAt(
  assignments: AssignmentRow[],
  t: number,
  intervals: ReportIntervals,
  changes: readonly IntervalChange[],
) {
  const live = assignments
    .filter((a) => a.from.getTime() <= t && (a.to === null || a.to.getTime() > t))
    .sort((a, b) => a.from.getTime() - b.from.getTime() || (a.deviceId < b.deviceId ? -1 : 1));
  const pick = (kind: string) => live.find((a) => a.deviceKind === kind)?.deviceId;
  const tx = pick('transmitter');
  if (tx === undefined) return undefined;
  const unit = (kind: keyof ReportIntervals) => {
    const id = pick(kind);
    if (id === undefined) return undefined;
    const set = changes.filter((c) => c.deviceId === id && c.fromMs <= t).at(-1);
    return { deviceId: id, reportIntervalMs: set?.intervalMs ?? intervals[kind] };
  };
  const home = unit('home_unit');
  const portable = unit('portable_unit');
  const protectedUnit = unit('protected_unit');
  const devices: AssignedDevices = {
    transmitterId: tx,
    ...(home ? { homeUnit: home } : {}),
    ...(portable ? { portableUnit: portable } : {}),
    ...(protectedUnit ? { protectedUnit } : {}),
  };
  return devices;
}

/** When monitoring ended (sentence served or permission revoked), if it has. */
function endOf(s: TimelineSource['supervision']): number | undefined {
  const end = [...s.lifecycle.history].reverse().find((e) => e.type === 'end_served' || e.type === 'revoke');
  return end?.atUtcMs;
}

/**
 * The timeline, or undefined when nothing can be evaluated yet (no order version, or no transmitter
 * ever assigned). It starts when both an order version is in force and a transmitter is assigned.
 */
export function buildTimeline(
  src: TimelineSource,
  intervals: ReportIntervals,
): SupervisionTimeline | undefined {
  const versions = [...src.versions].sort((a, b) => a.version - b.version);
  if (versions.length === 0 || src.assignments.length === 0) return undefined;
  const bodies = versions.map((v) => ({
    row: v,
    body: withExceptions(v.body, src.exceptions) as CourtOrderVersion,
  }));
  const points = new Set<number>();
  for (const v of versions) points.add(v.validFrom.getTime());
  for (const a of src.assignments) {
    points.add(a.from.getTime());
    if (a.to) points.add(a.to.getTime());
  }
  const changes = [...(src.intervalChanges ?? [])].sort((a, b) => a.fromMs - b.fromMs);
  for (const c of changes) points.add(c.fromMs);
  const firstVersion = Math.min(...versions.map((v) => v.validFrom.getTime()));
  const out: EngineOrderVersion[] = [];
  let lastKey = '';
  let lastEnd: number | undefined;
  for (const t of [...points].sort((a, b) => a - b)) {
    if (t < firstVersion) continue;
    const inForce = [...bodies].reverse().find((b) => b.row.validFrom.getTime() <= t);
    const devices = devicesAt(src.assignments, t, intervals, changes);
    if (inForce === undefined) continue;
    if (devices === undefined) {
      // No transmitter any more: monitoring paused or over (a swap keeps the previous devices meanwhile).
      if (out.length > 0 && lastEnd === undefined) lastEnd = t;
      continue;
    }
    lastEnd = undefined;
    const key = `${inForce.row.version}|${JSON.stringify(devices)}`;
    if (key === lastKey) continue;
    lastKey = key;
    const v = inForce.body;
    out.push({
      id: `${src.orderId ?? src.supervision.id}@v${inForce.row.version}/${out.length + 1}`,
      orderRef: `${src.supervision.caseNumber}, wersja ${inForce.row.version}`,
      validFromUtcMs: t,
      supervisionKinds: v.supervisionKinds,
      obligations: v.obligations,
      devices,
      ...(v.monitoringSettings === undefined ? {} : { settings: v.monitoringSettings }),
    });
  }
  if (out.length === 0) return undefined;
  const ended = endOf(src.supervision) ?? lastEnd;
  return {
    supervisionId: src.supervision.id,
    regionId: src.supervision.regionId,
    versions: out,
    ...(ended !== undefined ? { endsAtUtcMs: ended } : {}),
  };
}
