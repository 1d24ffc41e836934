/**
 * The law's numeric bounds, each defined here once (ADR 0601). This file imports nothing, so the API's
 * schemas, the console and the simulated devices can take the bounds from `@sde/domain/law` without the
 * rest of the domain; every other place that needs one imports it from here.
 */

/** Most minutes a person may be away from the monitoring place in one calendar day (R4: 12 hours). */
export const MAX_AWAY_MINUTES_PER_DAY = 12 * 60;
/** The same limit in milliseconds, as the compliance engine and the order's settings count it. */
export const MAX_AWAY_MS_PER_DAY = MAX_AWAY_MINUTES_PER_DAY * 60_000;

/**
 * Largest range of a stationary unit (rejestrator), metres: confined to the monitoring place, "pożądany
 * maksymalny zasięg urządzenia — do 200 m" (T2.2; § 3 ust. 1 pkt 1 of the technical regulation, seed 002).
 */
export const MAX_STATIONARY_RANGE_METERS = 200;

/** Range a portable unit is adjusted to, metres: "w promieniu do 200 ± 20 m" (T3; § 3 ust. 1 pkt 2). */
export const PORTABLE_RANGE_METERS = { min: 180, max: 220 } as const;
