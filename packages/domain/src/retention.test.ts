import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { transition } from './lifecycle.js';
import {
  caseEndedAt,
  caseErasable,
  ENDED_STATUSES,
  monthExpired,
  monthOf,
  monthsAround,
  retentionCutoff,
} from './retention.js';

const at = (iso: string) => Date.parse(iso);
// 1970 to 2100, in ms.
const instant = fc.integer({ min: 0, max: 4_102_444_800_000 });

describe('retention', () => {
  it('keeps data two years to the day, a leap day falling on the last day of February', () => {
    expect(new Date(retentionCutoff(at('2029-03-15T10:00:00Z'), 24)).toISOString()).toBe(
      '2027-03-15T10:00:00.000Z',
    );
    expect(new Date(retentionCutoff(at('2030-02-28T12:00:00Z'), 24)).toISOString()).toBe(
      '2028-02-28T12:00:00.000Z',
    );
    expect(new Date(retentionCutoff(at('2029-02-28T12:00:00Z'), 12)).toISOString()).toBe(
      '2028-02-28T12:00:00.000Z',
    );
    expect(new Date(retentionCutoff(at('2028-02-29T12:00:00Z'), 12)).toISOString()).toBe(
      '2027-02-28T12:00:00.000Z',
    );
  });

  it('never drops a month holding a row younger than the period', () => {
    fc.assert(
      fc.property(instant, instant, fc.integer({ min: 24, max: 120 }), (row, now, months) => {
        const month = monthOf(row);
        const cutoff = retentionCutoff(now, months);
        if (monthExpired(month, cutoff)) {
          // Every instant of the month, the row's included, is at least `months` calendar months old.
          expect(row).toBeLessThan(cutoff);
        }
        // A month ended at least `months + 1` months ago is always dropped: nothing stays much longer.
        if (month.toUtcMs <= monthOf(now, -months).fromUtcMs) expect(monthExpired(month, cutoff)).toBe(true);
      }),
    );
  });

  it('names months as the partitions are named and tiles time without gaps', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const m = monthOf(t);
        expect(m.fromUtcMs).toBeLessThanOrEqual(t);
        expect(t).toBeLessThan(m.toUtcMs);
        expect(monthOf(t, 1).fromUtcMs).toBe(m.toUtcMs);
        expect(m.suffix).toBe(new Date(t).toISOString().slice(0, 7).replace('-', ''));
      }),
    );
    const around = monthsAround(at('2026-12-31T23:59:59Z')).map((m) => m.suffix);
    expect(around).toEqual(['202611', '202612', '202701', '202702']);
  });

  it('takes a case as ended only when every supervision is over, at the latest end', () => {
    expect(caseEndedAt([])).toBeNull();
    expect(
      caseEndedAt([
        { status: 'revoked', endedAtUtcMs: 5 },
        { status: 'ended_served', endedAtUtcMs: 9 },
      ]),
    ).toBe(9);
    expect(
      caseEndedAt([
        { status: 'revoked', endedAtUtcMs: 5 },
        { status: 'in_execution', endedAtUtcMs: 9 },
      ]),
    ).toBeNull();
    expect(caseErasable(9, 10, false)).toBe(true);
    expect(caseErasable(9, 10, true)).toBe(false);
    expect(caseErasable(10, 10, false)).toBe(false);
    expect(caseErasable(null, 10, false)).toBe(false);
  });

  it('counts as ended exactly the statuses that take no further event', () => {
    const events = [
      { type: 'end_served', atUtcMs: 0 },
      { type: 'revoke', atUtcMs: 0, note: 'x' },
      { type: 'start_supervision', atUtcMs: 0 },
    ] as const;
    for (const status of ENDED_STATUSES) {
      const state = { status, history: [] } as never;
      for (const e of events) expect(transition(state, e as never).ok).toBe(false);
    }
  });
});
