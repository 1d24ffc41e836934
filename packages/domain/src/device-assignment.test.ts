import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DeviceAssignment } from './device-assignment.js';
import {
  checkDeviceAssignment,
  findAssignmentConflicts,
  intervalsOverlap,
  releaseDevice,
} from './device-assignment.js';

const H = 3_600_000;
const a = (deviceId: string, supervisionId: string, from: number, to: number | null): DeviceAssignment => ({
  deviceId,
  supervisionId,
  fromUtcMs: from * H,
  toUtcMs: to === null ? null : to * H,
});
const codes = (existing: DeviceAssignment[], p: DeviceAssignment): string[] => {
  const r = checkDeviceAssignment(existing, p);
  return r.ok ? [] : r.errors.map((e) => e.code);
};

describe('device assignment', () => {
  it('refuses a transmitter still fitted on someone else', () => {
    const r = checkDeviceAssignment([a('TX-1', 'S-1', 0, null)], a('TX-1', 'S-2', 10, null));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[0]?.code).toBe('device_already_assigned');
    expect(r.errors[0]?.pl).toContain('S-1');
  });

  it('allows reuse right after release (periods are half-open)', () => {
    expect(codes([a('TX-1', 'S-1', 0, 10)], a('TX-1', 'S-2', 10, null))).toEqual([]);
    expect(codes([a('TX-1', 'S-1', 0, 10)], a('TX-1', 'S-2', 9, 12))).toEqual(['device_already_assigned']);
  });

  it('ignores other devices and flags a double assignment to the same supervision', () => {
    expect(codes([a('TX-2', 'S-1', 0, null)], a('TX-1', 'S-2', 0, null))).toEqual([]);
    expect(codes([a('TX-1', 'S-1', 0, null)], a('TX-1', 'S-1', 5, null))).toEqual([
      'device_already_assigned_to_this_supervision',
    ]);
  });

  it('refuses an empty period and a release before the start', () => {
    expect(codes([], a('TX-1', 'S-1', 5, 5))).toEqual(['assignment_period_invalid']);
    expect(releaseDevice(a('TX-1', 'S-1', 5, null), 5 * H).ok).toBe(false);
    expect(releaseDevice(a('TX-1', 'S-1', 5, null), 6 * H)).toEqual({
      ok: true,
      value: a('TX-1', 'S-1', 5, 6),
    });
  });

  it('accepting assignments one by one never produces a conflict', () => {
    const proposal = fc.record({
      device: fc.constantFrom('TX-1', 'TX-2', 'HU-1'),
      supervision: fc.constantFrom('S-1', 'S-2', 'S-3'),
      from: fc.integer({ min: 0, max: 100 }),
      len: fc.option(fc.integer({ min: 1, max: 50 }), { nil: null }),
    });
    fc.assert(
      fc.property(fc.array(proposal, { maxLength: 30 }), (proposals) => {
        const accepted: DeviceAssignment[] = [];
        for (const p of proposals) {
          const candidate = a(p.device, p.supervision, p.from, p.len === null ? null : p.from + p.len);
          const r = checkDeviceAssignment(accepted, candidate);
          const clash = accepted.some(
            (x) =>
              x.deviceId === candidate.deviceId &&
              intervalsOverlap(x.fromUtcMs, x.toUtcMs, candidate.fromUtcMs, candidate.toUtcMs),
          );
          expect(r.ok).toBe(!clash);
          if (r.ok) accepted.push(r.value);
        }
        expect(findAssignmentConflicts(accepted)).toEqual([]);
      }),
    );
  });

  it('overlap is symmetric and matches a point-by-point check', () => {
    const iv = fc.record({
      from: fc.integer({ min: 0, max: 20 }),
      len: fc.option(fc.integer({ min: 1, max: 20 }), { nil: null }),
    });
    fc.assert(
      fc.property(iv, iv, (x, y) => {
        const xTo = x.len === null ? null : x.from + x.len;
        const yTo = y.len === null ? null : y.from + y.len;
        const inX = (t: number): boolean => t >= x.from && (xTo === null || t < xTo);
        const inY = (t: number): boolean => t >= y.from && (yTo === null || t < yTo);
        let shared = false;
        for (let t = 0; t <= 60; t++) if (inX(t) && inY(t)) shared = true;
        expect(intervalsOverlap(x.from, xTo, y.from, yTo)).toBe(shared);
        expect(intervalsOverlap(y.from, yTo, x.from, xTo)).toBe(shared);
      }),
    );
  });
});
