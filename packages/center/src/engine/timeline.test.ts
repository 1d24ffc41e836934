import type { CourtOrderVersion, EngineSettingsOverride } from '@sde/domain';
import { describe, expect, it } from 'vitest';
import type { AssignmentRow, OrderVersionRow } from '../cases/case.repository.js';
import { buildTimeline, type TimelineSource } from './timeline.js';

const T0 = Date.parse('2026-03-02T07:00:00Z');
const HOUR = 3_600_000;
const INTERVALS = { home_unit: 300_000, portable_unit: 300_000, protected_unit: 300_000 };

function version(n: number, validFrom: number, monitoringSettings?: EngineSettingsOverride): OrderVersionRow {
  const body: CourtOrderVersion = {
    version: n,
    validFromUtcMs: validFrom,
    decidedBy: 'SSR Test',
    decidedOn: '2026-03-01',
    reason: 'test',
    supervisionKinds: ['stationary'],
    obligations: [
      {
        kind: 'stay_at_place',
        place: { address: { street: 'ul. Długa 5', postalCode: '00-001', city: 'Warszawa' } },
        schedule: {
          weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
          oneOffChanges: [],
          exceptions: [],
        },
      },
    ],
    devices: ['transmitter', 'stationary_unit'],
    readinessDeadlineHours: 24,
    ...(monitoringSettings ? { monitoringSettings } : {}),
  };
  return {
    orderId: 'order-1',
    version: n,
    validFrom: new Date(validFrom),
    decidedOn: body.decidedOn,
    decidedBy: body.decidedBy,
    reason: body.reason,
    body,
    recordedBy: 'test',
    recordedAt: new Date(validFrom),
  };
}

function assignment(deviceId: string, deviceKind: string, from: number, to?: number): AssignmentRow {
  return {
    id: `a-${deviceId}`,
    deviceNo: 1,
    deviceId,
    deviceKind,
    supervisionId: 'sup-1',
    from: new Date(from),
    to: to === undefined ? null : new Date(to),
    installedBy: 'test',
    removedBy: null,
  };
}

function source(versions: OrderVersionRow[], assignments: AssignmentRow[]): TimelineSource {
  return {
    supervision: {
      id: 'sup-1',
      regionId: 'PL-MZ',
      status: 'in_execution',
      lifecycle: { status: 'in_execution', history: [] } as never,
      caseNumber: 'III Kow 1/26',
    },
    orderId: 'order-1',
    versions,
    exceptions: [],
    assignments,
  };
}

describe('buildTimeline', () => {
  it("carries each order version's monitoring settings to the engine versions it starts, across a device swap", () => {
    const strict: EngineSettingsOverride = { presence: { graceMs: 60_000 }, lateThresholdMs: 30_000 };
    const timeline = buildTimeline(
      source(
        [version(1, T0), version(2, T0 + 2 * HOUR, strict)],
        [
          assignment('TX-1', 'transmitter', T0),
          assignment('HU-1', 'home_unit', T0, T0 + 3 * HOUR),
          assignment('HU-2', 'home_unit', T0 + 3 * HOUR),
        ],
      ),
      INTERVALS,
    );
    expect(
      timeline?.versions.map((v) => ({
        from: v.validFromUtcMs - T0,
        unit: v.devices.homeUnit?.deviceId,
        settings: v.settings,
      })),
    ).toEqual([
      { from: 0, unit: 'HU-1', settings: undefined },
      { from: 2 * HOUR, unit: 'HU-1', settings: strict },
      { from: 3 * HOUR, unit: 'HU-2', settings: strict },
    ]);
    expect('settings' in timeline!.versions[0]!).toBe(false);
  });
});
