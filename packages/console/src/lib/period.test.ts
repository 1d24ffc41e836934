import { describe, expect, it } from 'vitest';
import { fromWarsawInput, toWarsawInput } from './format.js';
import { parseRange, periodQuery, resolvePeriod } from './period.js';

describe('periods on Warsaw time', () => {
  it('reads a datetime-local value as Warsaw wall time in winter and in summer', () => {
    expect(fromWarsawInput('2026-11-22T14:05')?.toISOString()).toBe('2026-11-22T13:05:00.000Z');
    expect(fromWarsawInput('2026-07-01T08:30')?.toISOString()).toBe('2026-07-01T06:30:00.000Z');
    expect(toWarsawInput('2026-11-22T13:05:00Z')).toBe('2026-11-22T14:05');
    expect(toWarsawInput('2026-07-01T06:30:00Z')).toBe('2026-07-01T08:30');
  });

  it('handles the clock changes: the skipped spring hour is invalid, the repeated autumn hour is the first', () => {
    expect(fromWarsawInput('2027-03-28T02:30')).toBeNull();
    expect(fromWarsawInput('2027-03-28T03:00')?.toISOString()).toBe('2027-03-28T01:00:00.000Z');
    expect(fromWarsawInput('2026-10-25T02:30')?.toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(fromWarsawInput('not a time')).toBeNull();
  });

  it('checks a chosen range and turns choices into the query the center takes', () => {
    expect(parseRange('2026-11-20T08:00', '2026-11-21T08:00', 31)).toEqual({
      ok: true,
      choice: { kind: 'range', from: '2026-11-20T07:00:00.000Z', to: '2026-11-21T07:00:00.000Z' },
    });
    expect(parseRange('2026-11-21T08:00', '2026-11-20T08:00', 31)).toEqual({
      ok: false,
      problem: 'reversed',
    });
    expect(parseRange('2026-09-01T00:00', '2026-11-20T00:00', 31)).toEqual({ ok: false, problem: 'tooLong' });
    expect(parseRange('', '2026-11-20T00:00', 31)).toEqual({ ok: false, problem: 'invalid' });
    const now = Date.parse('2026-11-22T12:00:00Z');
    expect(resolvePeriod({ kind: 'last', ms: 3_600_000 }, now).from.toISOString()).toBe(
      '2026-11-22T11:00:00.000Z',
    );
    expect(
      periodQuery({ kind: 'range', from: '2026-11-20T07:00:00.000Z', to: '2026-11-21T07:00:00.000Z' }),
    ).toBe('from=2026-11-20T07%3A00%3A00.000Z&to=2026-11-21T07%3A00%3A00.000Z');
  });
});
