/** The scenario corpus: every rule, DST nights, midnight, late uploads, GPS noise, a regional power cut. */
import type { Scenario } from './model.js';
import { deliveryScenarios } from './delivery.scenarios.js';
import { episodeScenarios } from './episodes.scenarios.js';
import { equipmentScenarios } from './equipment.scenarios.js';
import { locationScenarios } from './location.scenarios.js';
import { presenceScenarios } from './presence.scenarios.js';
import { protocolScenarios } from './protocol.scenarios.js';

export * from './model.js';
export {
  checkScenario,
  describeEpisodes,
  expandScenarioEvents,
  runScenario,
  scenarioInputs,
  scenarioTimeline,
  seededRandom,
  gaussian,
  offsetMeters,
} from './run.js';
export type { ScenarioRunOptions, ScriptedEvent } from './run.js';

/** Every scenario, by id order of the files. */
export const SCENARIOS: readonly Scenario[] = [
  ...presenceScenarios,
  ...locationScenarios,
  ...equipmentScenarios,
  ...deliveryScenarios,
  ...episodeScenarios,
  ...protocolScenarios,
];
