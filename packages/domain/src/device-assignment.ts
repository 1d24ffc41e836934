/** Device assignment: a device serves at most one supervision at a time. */
import type { DomainMessage, Result } from './messages.js';
import { fail, message, ok } from './messages.js';
import { formatLocal } from './time.js';

/** Kinds of technical means a court order can require (T1–T3). */
export type DeviceKind = 'transmitter' | 'stationary_unit' | 'portable_unit' | 'protected_person_unit';

/** A device assigned to a supervision over a half-open period `[fromUtcMs, toUtcMs)`; `toUtcMs` null means open-ended. */
export interface DeviceAssignment {
  /** The device's unique id (T1.1, T2.1). */
  readonly deviceId: string;
  /** The supervision it serves. */
  readonly supervisionId: string;
  /** First instant of the assignment. */
  readonly fromUtcMs: number;
  /** First instant after it, or null while still assigned. */
  readonly toUtcMs: number | null;
}

/** True when half-open periods `[aFrom, aTo)` and `[bFrom, bTo)` share an instant; null ends are open. */
export function intervalsOverlap(
  aFrom: number,
  aTo: number | null,
  bFrom: number,
  bTo: number | null,
): boolean {
  return (bTo === null || aFrom < bTo) && (aTo === null || bFrom < aTo);
}

function periodText(a: DeviceAssignment): string {
  return `${formatLocal(a.fromUtcMs)} – ${a.toUtcMs === null ? '…' : formatLocal(a.toUtcMs)}`;
}

/**
 * Checks a proposed assignment against the existing ones: the period must be non-empty, and the device
 * must not serve another (or the same) supervision during any part of it.
 */
export function checkDeviceAssignment(
  existing: readonly DeviceAssignment[],
  proposed: DeviceAssignment,
): Result<DeviceAssignment> {
  if (
    !Number.isFinite(proposed.fromUtcMs) ||
    (proposed.toUtcMs !== null && !(proposed.toUtcMs > proposed.fromUtcMs))
  ) {
    return fail([
      message(
        'assignment_period_invalid',
        'Okres przydziału urządzenia musi kończyć się później, niż się zaczyna.',
        'The device assignment period must end after it starts.',
      ),
    ]);
  }
  const errors: DomainMessage[] = existing
    .filter(
      (e) =>
        e.deviceId === proposed.deviceId &&
        intervalsOverlap(e.fromUtcMs, e.toUtcMs, proposed.fromUtcMs, proposed.toUtcMs),
    )
    .map((e) =>
      e.supervisionId === proposed.supervisionId
        ? message(
            'device_already_assigned_to_this_supervision',
            `Urządzenie ${e.deviceId} jest już przydzielone do tego dozoru w okresie ${periodText(e)}.`,
            `Device ${e.deviceId} is already assigned to this supervision for ${periodText(e)}.`,
          )
        : message(
            'device_already_assigned',
            `Urządzenie ${e.deviceId} obsługuje w tym czasie inny dozór (${e.supervisionId}, ${periodText(e)}); najpierw je zwolnij.`,
            `Device ${e.deviceId} serves another supervision at that time (${e.supervisionId}, ${periodText(e)}); release it first.`,
          ),
    );
  return errors.length > 0 ? fail(errors) : ok(proposed);
}

/** Every pair of assignments of the same device whose periods overlap (should be empty). */
export function findAssignmentConflicts(
  assignments: readonly DeviceAssignment[],
): Array<readonly [DeviceAssignment, DeviceAssignment]> {
  const out: Array<readonly [DeviceAssignment, DeviceAssignment]> = [];
  for (let i = 0; i < assignments.length; i++) {
    for (let j = i + 1; j < assignments.length; j++) {
      const a = assignments[i] as DeviceAssignment;
      const b = assignments[j] as DeviceAssignment;
      if (a.deviceId === b.deviceId && intervalsOverlap(a.fromUtcMs, a.toUtcMs, b.fromUtcMs, b.toUtcMs))
        out.push([a, b]);
    }
  }
  return out;
}

/** Ends an open assignment at `atUtcMs` (device removed or supervision ended). */
export function releaseDevice(assignment: DeviceAssignment, atUtcMs: number): Result<DeviceAssignment> {
  if (assignment.toUtcMs !== null || !(atUtcMs > assignment.fromUtcMs)) {
    return fail([
      message(
        'assignment_release_invalid',
        'Można zwolnić tylko trwający przydział, w chwili późniejszej niż jego początek.',
        'Only an open assignment can be released, at an instant after it started.',
      ),
    ]);
  }
  return ok({ ...assignment, toUtcMs: atUtcMs });
}
