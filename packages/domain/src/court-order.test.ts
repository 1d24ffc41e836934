import { describe, expect, it } from 'vitest';
import type { CourtOrder, CourtOrderVersion } from './court-order.js';
import { amendCourtOrder, validateCourtOrderVersion, versionInForce } from './court-order.js';
import { emptySchedule } from './schedule.js';

const address = { street: 'ul. Długa 5 m. 3', postalCode: '78-400', city: 'Szczecinek' };
const v1: CourtOrderVersion = {
  version: 1,
  validFromUtcMs: Date.parse('2025-04-20T10:00+02:00'),
  decidedBy: 'sędzia-1',
  decidedOn: '2025-04-20',
  reason: 'udzielenie zezwolenia',
  supervisionKinds: ['stationary'],
  obligations: [
    {
      kind: 'stay_at_place',
      place: { address, rangeMeters: 50 },
      schedule: {
        ...emptySchedule(),
        weekly: { ...emptySchedule().weekly, mon: [{ start: '07:00', end: '15:00', label: 'praca' }] },
      },
    },
  ],
  devices: ['transmitter', 'stationary_unit'],
  readinessDeadlineHours: 24,
};
const codes = (v: CourtOrderVersion): string[] => {
  const r = validateCourtOrderVersion(v);
  return r.ok ? [] : r.errors.map((e) => e.code);
};

describe('court order', () => {
  it('accepts a stationary order with a valid schedule', () => {
    expect(codes(v1)).toEqual([]);
  });

  it('reports schedule errors with the path into the order', () => {
    const bad = {
      ...v1,
      obligations: [
        {
          ...v1.obligations[0],
          schedule: {
            ...emptySchedule(),
            weekly: { ...emptySchedule().weekly, tue: [{ start: '06:00', end: '19:00', label: 'praca' }] },
          },
        },
      ],
    } as CourtOrderVersion;
    const r = validateCourtOrderVersion(bad);
    expect(r.ok ? [] : r.errors.map((e) => [e.code, e.path])).toEqual([
      ['window_over_12h', 'obligations[0].schedule.weekly.tue[0]'],
      ['schedule_day_over_12h', 'obligations[0].schedule.weekly.tue'],
    ]);
  });

  it('requires the devices and obligations that the kind of monitoring needs', () => {
    expect(codes({ ...v1, devices: ['transmitter'] })).toEqual(['required_device_missing']);
    const proximity: CourtOrderVersion = {
      ...v1,
      supervisionKinds: ['stationary', 'proximity'],
      obligations: [
        ...v1.obligations,
        { kind: 'keep_distance', protectedPersonId: 'pp-1', minDistanceMeters: 0 },
      ],
      devices: ['transmitter', 'stationary_unit'],
    };
    expect(codes(proximity)).toEqual(['required_device_missing', 'keep_distance_invalid']);
    const zoneWithoutMobile: CourtOrderVersion = {
      ...v1,
      obligations: [
        ...v1.obligations,
        {
          kind: 'exclusion_zone',
          id: 'z1',
          name: 'szkoła',
          zone: { kind: 'circle', center: { lat: 53.7, lon: 16.7 }, radiusMeters: 300 },
        },
      ],
    };
    expect(codes(zoneWithoutMobile)).toEqual(['obligation_kind_not_ordered']);
  });

  it('refuses a readiness deadline over 24 hours and a range beyond the home', () => {
    expect(codes({ ...v1, readinessDeadlineHours: 48 })).toEqual(['readiness_deadline_hours_invalid']);
    const far = {
      ...v1,
      obligations: [{ ...v1.obligations[0], place: { address, rangeMeters: 500 } }],
    } as CourtOrderVersion;
    expect(codes(far)).toEqual(['stationary_range_invalid']);
  });

  it('keeps every version and answers which one applied at a given instant', () => {
    const order: CourtOrder = { id: 'o1', caseId: 'c1', caseNumber: 'III Kow 456/25', versions: [v1] };
    const v2: CourtOrderVersion = {
      ...v1,
      version: 2,
      validFromUtcMs: Date.parse('2025-06-01T00:00+02:00'),
      reason: 'zmiana godzin pracy',
    };
    const amended = amendCourtOrder(order, v2);
    expect(amended.ok).toBe(true);
    if (!amended.ok) return;
    expect(versionInForce(amended.value, Date.parse('2025-05-31T23:59+02:00'))?.version).toBe(1);
    expect(versionInForce(amended.value, Date.parse('2025-06-01T00:00+02:00'))?.version).toBe(2);
    expect(versionInForce(amended.value, Date.parse('2025-01-01T00:00+01:00'))).toBeUndefined();
    const backdated = amendCourtOrder(amended.value, {
      ...v2,
      version: 3,
      validFromUtcMs: v1.validFromUtcMs,
    });
    expect(backdated.ok ? [] : backdated.errors.map((e) => e.code)).toEqual(['order_amendment_not_later']);
  });
});
