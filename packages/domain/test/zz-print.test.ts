import { it } from 'vitest';
import { SCENARIOS, runScenario } from '../src/engine/scenarios/index.js';
it('print', () => {
  for (const id of process.env.IDS!.split(',')) {
    const s = SCENARIOS.find((x) => x.id === id)!;
    for (const e of runScenario(s).evaluations.flatMap((v) => v.episodes)) console.log(`${e.rule} ${e.severity} ${e.cause}\nPL: ${e.explanation.pl}\nEN: ${e.explanation.en}\n`);
  }
});
