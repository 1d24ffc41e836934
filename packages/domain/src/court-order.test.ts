import { describe, expect, it } from 'vitest';
import type { CourtOrder, CourtOrderVersion } from './court-order.js';
import {
  amendCourtOrder,
  amendmentProblemsWithExceptions,
  exceptionProblemsWithOrder,
  unitRangeProblems,
  validateCourtOrderVersion,
  versionInForce,
} from './court-order.js';
import type { ApprovedException, AwayWindow } from './schedule.js';
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

/** v1 with Monday's windows replaced, applying from `validFrom`. */
function mondays(version: number, validFrom: string, mon: AwayWindow[]): CourtOrderVersion {
  const stay = v1.obligations[0]!;
  if (stay.kind !== 'stay_at_place') throw new Error('fixture');
  return {
    ...v1,
    version,
    validFromUtcMs: Date.parse(validFrom),
    obligations: [{ ...stay, schedule: { ...stay.schedule, weekly: { ...stay.schedule.weekly, mon } } }],
  };
}
const exception = (date: string, window: AwayWindow): ApprovedException => ({
  id: `e-${date}-${window.start}`,
  date,
  window,
  approvedBy: 'kurator-1',
  approvedAtUtcMs: Date.parse('2025-04-21T09:00+02:00'),
  reason: 'wizyta lekarska',
});

describe("the order's versions together with the approved exceptions (R4)", () => {
  // Monday 2025-05-05: work 07:00–15:00 (8 h) and a 4 h exception: 12 h, allowed under version 1.
  const visit = exception('2025-05-05', { start: '17:00', end: '21:00', label: 'lekarz' });

  it('refuses an amendment that leaves no room for an exception approved earlier, naming the day', () => {
    const longer = mondays(2, '2025-05-01T00:00+02:00', [{ start: '07:00', end: '16:00', label: 'praca' }]);
    const problems = amendmentProblemsWithExceptions([v1, longer], [visit]);
    expect(problems.map((p) => p.code)).toEqual(['schedule_day_over_12h']);
    expect(problems[0]!.pl).toContain('05.05.2025');
    expect(problems[0]!.pl).toContain('13 h');
    expect(problems[0]!.en).toContain('Monday 5 May 2025');
    // The same change applying after the exception's day leaves it alone.
    const after = { ...longer, validFromUtcMs: Date.parse('2025-05-06T00:00+02:00') };
    expect(amendmentProblemsWithExceptions([v1, after], [visit])).toEqual([]);
  });

  it('judges a new exception under the version in force on its day, not the latest one', () => {
    const shorter = mondays(2, '2025-05-06T00:00+02:00', [{ start: '07:00', end: '11:00', label: 'praca' }]);
    // On 5 May version 1 is in force (8 h of work): 5 h more is 13 h.
    const long = exception('2025-05-05', { start: '16:00', end: '21:00', label: 'lekarz' });
    expect(exceptionProblemsWithOrder([v1, shorter], [], long).map((p) => p.code)).toEqual([
      'schedule_day_over_12h',
    ]);
    // A week later version 2 is in force (4 h of work): the same 5 h fit.
    expect(exceptionProblemsWithOrder([v1, shorter], [], { ...long, date: '2025-05-12' })).toEqual([]);
  });

  it('judges a night exception under a version that begins the next morning', () => {
    const longer = mondays(2, '2025-05-05T06:00+02:00', [{ start: '07:00', end: '18:00', label: 'praca' }]);
    const night = exception('2025-05-04', {
      start: '22:00',
      end: '06:00',
      endsNextDay: true,
      label: 'dyżur',
    });
    // Sunday 22:00 – Monday 06:00 puts 6 h on Monday; with version 2's 11 h of work that is 17 h.
    expect(exceptionProblemsWithOrder([v1, longer], [], night).map((p) => p.code)).toContain(
      'schedule_day_over_12h',
    );
  });
});

describe('unit ranges (T2.2, T3)', () => {
  it('holds a stationary unit to 200 m and a portable one to 200 ± 20 m', () => {
    expect(unitRangeProblems('stationary_unit', 200)).toEqual([]);
    expect(unitRangeProblems('stationary_unit', 201).map((p) => p.code)).toEqual([
      'stationary_range_invalid',
    ]);
    expect(unitRangeProblems('portable_unit', 220)).toEqual([]);
    expect(unitRangeProblems('portable_unit', 179).map((p) => p.code)).toEqual(['portable_range_invalid']);
  });
});
