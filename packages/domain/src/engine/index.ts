/** The compliance engine (issue 4): pure rules, alarm episodes, incident correlation and the scenario corpus. */
export * from './types.js';
export { DEFAULT_ENGINE_SETTINGS, resolveSettings } from './settings.js';
export { evaluateSupervision, sequenceGaps, ENGINE_LOOKBACK_MS, MAX_EVIDENCE_REFS } from './evaluate.js';
