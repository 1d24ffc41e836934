/** The truth benchmark's scorer on a hand-made case: what counts as caught, missed, false and transient. */
import { describe, expect, it } from 'vitest';
import type { PublishedRecord, TrueCondition } from './model.js';
import { scoreRun } from './score.js';

const MIN = 60_000;
const T0 = Date.UTC(2026, 10, 2, 7, 0);

function rec(
  id: string,
  over: Partial<PublishedRecord> & Pick<PublishedRecord, 'rule' | 'startedAt'>,
): PublishedRecord {
  return {
    id,
    supervisionId: 's1',
    cause: 'x',
    firstPublishedAt: over.startedAt + 3 * MIN,
    everDecided: true,
    present: true,
    undecidedAtEnd: false,
    opened: 1,
    ...over,
  };
}

describe('truth scorer', () => {
  const truth: TrueCondition[] = [
    { supervisionId: 's1', rule: 'presence', startedAt: T0, endedAt: T0 + 40 * MIN, what: 'late return' },
    { supervisionId: 's1', rule: 'presence', startedAt: T0 + 600 * MIN, what: 'left at night' },
    { supervisionId: 's1', rule: 'tx_battery_low', startedAt: T0, endedAt: T0 + 1440 * MIN, what: 'battery' },
    { supervisionId: 's1', rule: 'strap_tamper', startedAt: T0 + 100 * MIN, what: 'strap' },
  ];
  const records: PublishedRecord[] = [
    // Caught: 40 s after the true start.
    rec('caught', { rule: 'presence', startedAt: T0 + 40_000 }),
    // The night one: only an episode 5 minutes off, and only undecided: off start, not caught.
    rec('off', { rule: 'presence', startedAt: T0 + 605 * MIN, everDecided: false, undecidedAtEnd: true }),
    // A false decided alarm on another day, withdrawn later: false and a transient.
    rec('false-transient', {
      rule: 'presence',
      startedAt: T0 + 2000 * MIN,
      present: false,
      withdrawnAt: T0 + 2100 * MIN,
    }),
    // A false decided alarm that stays.
    rec('false', { rule: 'daily_away_limit', startedAt: T0 + 3000 * MIN }),
    // Undecided only, withdrawn: allowed, counted apart.
    rec('undecided-withdrawn', {
      rule: 'presence',
      startedAt: T0 + 2500 * MIN,
      everDecided: false,
      present: false,
      withdrawnAt: T0 + 2600 * MIN,
    }),
    // The battery condition: its first report matches, the next ones are repeats, not false alarms.
    rec('battery-1', { rule: 'tx_battery_low', startedAt: T0 }),
    rec('battery-2', { rule: 'tx_battery_low', startedAt: T0 + 180 * MIN }),
    // A withdrawn episode does not catch its condition (the strap tamper is missed).
    rec('strap-withdrawn', {
      rule: 'strap_tamper',
      startedAt: T0 + 100 * MIN,
      present: false,
      withdrawnAt: T0 + 200 * MIN,
    }),
  ];
  const { byRule, verdicts } = scoreRun(truth, records, { until: T0 + 10_000 * MIN });

  it('counts a caught violation, an off-start one and a missed one', () => {
    expect(byRule.get('presence')).toMatchObject({ truths: 2, caught: 1, offStart: 1, missed: 0 });
    expect(byRule.get('strap_tamper')).toMatchObject({ truths: 1, caught: 0, missed: 1, transients: 1 });
  });

  it('counts false decided alarms, withdrawn or not, and transients apart from undecided withdrawals', () => {
    expect(byRule.get('presence')).toMatchObject({ falseDecided: 1, transients: 1, undecidedWithdrawn: 1 });
    expect(byRule.get('daily_away_limit')).toMatchObject({ truths: 0, falseDecided: 1, transients: 0 });
    expect(verdicts.get('false-transient')).toBe('false');
    expect(verdicts.get('caught')).toBe('match');
  });

  it('counts a second episode of one true condition as a repeat, not a false alarm', () => {
    expect(byRule.get('tx_battery_low')).toMatchObject({ truths: 1, caught: 1, repeats: 1, falseDecided: 0 });
    expect(verdicts.get('battery-2')).toBe('repeat');
  });

  it('leaves out what starts after the scoring horizon', () => {
    const late = scoreRun(truth, records, { until: T0 + 60_000 });
    expect(late.byRule.get('presence')).toMatchObject({ truths: 1, caught: 1, falseDecided: 0 });
  });
});
