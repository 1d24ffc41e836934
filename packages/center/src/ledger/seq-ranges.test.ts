/** The multirange literal of a device's sequence numbers in a group, the ledger's dedupe key (ADR 0011). */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { seqRanges } from './ledger.repository.js';

/** The ranges of a literal as [from, to) pairs. */
function parse(literal: string): [number, number][] {
  expect(literal).toMatch(/^\{(\[\d+,\d+\))?(,\[\d+,\d+\))*\}$/);
  return [...literal.matchAll(/\[(\d+),(\d+)\)/g)].map((m) => [Number(m[1]), Number(m[2])]);
}

describe('seqRanges', () => {
  it('holds exactly the given numbers, in ascending ranges that neither touch nor overlap', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2 ** 40 }), { maxLength: 60 }),
        fc.boolean(),
        (raw, dense) => {
          // Dense inputs (runs of neighbours, as units send) as well as scattered ones.
          const seqs = dense ? raw.map((x) => (x % 50) + 1) : raw;
          const ranges = parse(seqRanges(seqs));
          const covered: number[] = [];
          ranges.forEach(([from, to], i) => {
            expect(from).toBeLessThan(to);
            if (i > 0) expect(from).toBeGreaterThan(ranges[i - 1]![1]);
            for (let s = from; s < to; s++) covered.push(s);
          });
          expect(covered).toEqual([...new Set(seqs)].sort((a, b) => a - b));
        },
      ),
    );
  });

  it('writes a run as one range', () => {
    expect(seqRanges([5, 6, 7, 8])).toBe('{[5,9)}');
    expect(seqRanges([])).toBe('{}');
  });
});
