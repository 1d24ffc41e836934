import { describe, expect, it } from 'vitest';
import { SCENARIOS, checkScenario, describeEpisodes, runScenario } from './index.js';

describe('scenario corpus', () => {
  it('has unique ids', () => {
    expect(new Set(SCENARIOS.map((s) => s.id)).size).toBe(SCENARIOS.length);
  });
  for (const s of SCENARIOS) {
    it(`${s.id}: ${s.title.en}`, () => {
      const result = runScenario(s);
      const failures = checkScenario(s, result);
      expect(failures, [...failures, '--- episodes:', ...describeEpisodes(s, result)].join('\n')).toEqual([]);
    });
  }
});
