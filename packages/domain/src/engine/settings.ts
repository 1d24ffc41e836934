/** Default rule settings and per-order overrides (docs/engine.md lists the reasons for each default). */
import { MAX_AWAY_MS_PER_DAY } from '../law.js';
import type { EngineSettings, EngineSettingsOverride } from './types.js';

const MINUTE = 60_000;

/** The defaults every order starts from. */
export const DEFAULT_ENGINE_SETTINGS: EngineSettings = {
  presence: { graceMs: 3 * MINUTE, returnHoldMs: MINUTE },
  dailyLimit: { maxAwayMs: MAX_AWAY_MS_PER_DAY, graceMs: 10 * MINUTE },
  zones: { graceMs: 0, enterFixes: 2, exitFixes: 2, marginMeters: 10, maxSpeedMps: 70 },
  proximity: { graceMs: 0, resolveHoldMs: 2 * MINUTE, stalenessMs: 2 * MINUTE, pairFixes: 2 },
  communication: { missedReports: 2, graceMs: 30_000 },
  location: { lossAfterMs: 20 * MINUTE, usableAccuracyMeters: 500 },
  equipment: { coalesceMs: 30 * MINUTE, batteryCriticalPercent: 10, batteryRecoveredPercent: 30 },
  lateThresholdMs: 2 * MINUTE,
};

/** The defaults with an order's overrides applied, rule by rule. */
export function resolveSettings(override: EngineSettingsOverride | undefined): EngineSettings {
  const d = DEFAULT_ENGINE_SETTINGS;
  if (override === undefined) return d;
  return {
    presence: { ...d.presence, ...override.presence },
    dailyLimit: { ...d.dailyLimit, ...override.dailyLimit },
    zones: { ...d.zones, ...override.zones },
    proximity: { ...d.proximity, ...override.proximity },
    communication: { ...d.communication, ...override.communication },
    location: { ...d.location, ...override.location },
    equipment: { ...d.equipment, ...override.equipment },
    lateThresholdMs: override.lateThresholdMs ?? d.lateThresholdMs,
  };
}

/** A setting of an order that contradicts another once the defaults fill the rest. */
export interface SettingsProblem {
  /** Dotted path within the settings, e.g. `equipment.batteryRecoveredPercent`. */
  path: string;
  message: string;
}

/**
 * Rules between settings, judged on the resolved settings (an order's override over the defaults): a
 * unit's battery counts as recovered only above the critical level, or an episode would end as it opens.
 */
export function settingsProblems(override: EngineSettingsOverride | undefined): SettingsProblem[] {
  const { batteryCriticalPercent: critical, batteryRecoveredPercent: recovered } =
    resolveSettings(override).equipment;
  return recovered <= critical
    ? [
        {
          path: 'equipment.batteryRecoveredPercent',
          message: `must be above the critical level (${critical} %)`,
        },
      ]
    : [];
}
