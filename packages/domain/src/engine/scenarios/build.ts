/** Small builders that keep the scenario files readable; what they build is plain data. */
import { Temporal } from '@js-temporal/polyfill';
import type { Obligation } from '../../court-order.js';
import type { AwayWindow, DayOfWeek, Schedule } from '../../schedule.js';
import { WARSAW_TIME_ZONE } from '../../time.js';
import type { Zone } from '../../zone.js';
import type { EngineSettingsOverride } from '../types.js';
import type { ScenarioEvent, ScenarioHeartbeats, ScenarioVersion } from './model.js';
import { offsetMeters } from './run.js';

/** One second, ms. */
export const SEC = 1000;
/** One minute, ms. */
export const MIN = 60 * SEC;
/** One hour, ms. */
export const HOUR = 60 * MIN;
/** Heartbeat interval of every scripted unit. */
export const HEARTBEAT_MS = 5 * MIN;

/** The instant a Warsaw wall clock shows `YYYY-MM-DD HH:MM[:SS]`; `later` picks the second pass in October. */
export function warsaw(text: string, later = false): number {
  const plain = Temporal.PlainDateTime.from(text.replace(' ', 'T'));
  return plain.toZonedDateTime(WARSAW_TIME_ZONE, { disambiguation: later ? 'later' : 'earlier' })
    .epochMilliseconds;
}

/** Device ids of one scripted supervision. */
export interface Devices {
  readonly tx: string;
  readonly hu: string;
  readonly pu: string;
  readonly pp: string;
}

/** Device ids derived from a prefix: `<p>-TX`, `<p>-HU` (home), `<p>-PU` (portable), `<p>-PP` (protected). */
export function devices(prefix: string): Devices {
  return { tx: `${prefix}-TX`, hu: `${prefix}-HU`, pu: `${prefix}-PU`, pp: `${prefix}-PP` };
}

/** A schedule from weekly windows. */
export function weekly(days: Partial<Record<DayOfWeek, AwayWindow[]>>): Schedule {
  return {
    weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [], ...days },
    oneOffChanges: [],
    exceptions: [],
  };
}

/** The same window every day. */
export function everyDay(start: string, end: string, label: string, endsNextDay = false): Schedule {
  const w: AwayWindow = endsNextDay ? { start, end, label, endsNextDay } : { start, end, label };
  return weekly({ mon: [w], tue: [w], wed: [w], thu: [w], fri: [w], sat: [w], sun: [w] });
}

/** A stay-at-place version (transmitter + home unit). */
export function stationary(
  prefix: string,
  schedule: Schedule,
  validFrom = 0,
  extra: { id?: string; settings?: EngineSettingsOverride } = {},
): ScenarioVersion {
  const d = devices(prefix);
  return {
    id: extra.id ?? `${prefix}@v1`,
    orderRef: `III Kow ${prefix}/26`,
    validFrom,
    supervisionKinds: ['stationary'],
    obligations: [
      {
        kind: 'stay_at_place',
        place: { address: { street: 'ul. Długa 5', postalCode: '00-001', city: 'Warszawa' } },
        schedule,
      },
    ],
    devices: { transmitterId: d.tx, homeUnit: { deviceId: d.hu, reportIntervalMs: HEARTBEAT_MS } },
    ...(extra.settings ? { settings: extra.settings } : {}),
  };
}

/** A mobile version (transmitter + portable unit) with zone obligations. */
export function mobile(prefix: string, zones: readonly Obligation[], validFrom = 0): ScenarioVersion {
  const d = devices(prefix);
  return {
    id: `${prefix}@v1`,
    orderRef: `III Kow ${prefix}/26`,
    validFrom,
    supervisionKinds: ['mobile'],
    obligations: zones,
    devices: { transmitterId: d.tx, portableUnit: { deviceId: d.pu, reportIntervalMs: HEARTBEAT_MS } },
  };
}

/** A restraining-order version: transmitter, the person's portable unit and the protected person's unit. */
export function proximity(prefix: string, minDistanceMeters: number, validFrom = 0): ScenarioVersion {
  const d = devices(prefix);
  return {
    id: `${prefix}@v1`,
    orderRef: `III Kow ${prefix}/26`,
    validFrom,
    supervisionKinds: ['mobile', 'proximity'],
    obligations: [{ kind: 'keep_distance', protectedPersonId: `${prefix}-OP`, minDistanceMeters }],
    devices: {
      transmitterId: d.tx,
      portableUnit: { deviceId: d.pu, reportIntervalMs: HEARTBEAT_MS },
      protectedUnit: { deviceId: d.pp, reportIntervalMs: HEARTBEAT_MS },
    },
  };
}

/** An exclusion zone obligation. */
export function exclusion(id: string, name: string, zone: Zone): Obligation {
  return { kind: 'exclusion_zone', id, name, zone };
}

/** An inclusion zone obligation. */
export function inclusion(id: string, name: string, zone: Zone): Obligation {
  return { kind: 'inclusion_zone', id, name, zone };
}

/** Heartbeats every 5 minutes over `[from, to)`. */
export function beats(
  deviceId: string,
  from: number,
  to: number,
  extra: Partial<Pick<ScenarioHeartbeats, 'battery' | 'power'>> = {},
): ScenarioHeartbeats {
  return { deviceId, everyMs: HEARTBEAT_MS, from, to, ...extra };
}

/** The transmitter leaves the home unit's range. */
export function leaves(prefix: string, at: number): ScenarioEvent {
  const d = devices(prefix);
  return { at, deviceId: d.hu, kind: 'tx_out_of_range', body: { tx: d.tx, rssi: -95 } };
}

/** The transmitter is back in range. */
export function returns(prefix: string, at: number): ScenarioEvent {
  const d = devices(prefix);
  return { at, deviceId: d.hu, kind: 'tx_in_range', body: { tx: d.tx, rssi: -60 } };
}

/** A point `north`/`east` metres from `origin`. */
export function near(
  origin: { lat: number; lon: number },
  north: number,
  east: number,
): { lat: number; lon: number } {
  return offsetMeters(origin.lat, origin.lon, north, east);
}

/** Central Warsaw, the origin of the scripted maps. */
export const ORIGIN = { lat: 52.2297, lon: 21.0122 };
