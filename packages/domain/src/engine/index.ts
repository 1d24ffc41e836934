/** The compliance engine (issue 4): pure rules, alarm episodes, incident correlation and the scenario corpus. */
export * from './types.js';
export {
  DEFAULT_ENGINE_SETTINGS,
  resolveSettings,
  settingsProblems,
  type SettingsProblem,
} from './settings.js';
export { evaluateSupervision, sequenceGaps, ENGINE_LOOKBACK_MS, MAX_EVIDENCE_REFS } from './evaluate.js';
export { UNDECIDED_OBSERVED_LIMIT_MS, UNDECIDED_STATE_LIMIT_MS } from './confirmation.js';
export { selectEvaluationWindow, CARRY_IN_FIXES } from './window.js';
export { correlateIncidents, DEFAULT_INCIDENT_SETTINGS } from './correlate.js';
export type {
  CorrelationResult,
  IncidentKind,
  IncidentSettings,
  InfrastructureIncident,
} from './correlate.js';
export { diffEpisodes } from './diff.js';
/** The one time format of explanations (ADR 0503), for texts that quote an episode's times. */
export { fmtTime } from './core.js';
export type { Lang } from './core.js';
export type { EpisodeChange } from './diff.js';
export * from './scenarios/index.js';
