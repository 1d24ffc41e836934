/**
 * One episode per condition and explanations from what was recorded (issue 19 items 2–3, ADR 0502, 0503):
 * a battery running down over a day, a short link loss with a buffer, a unit off then without link, a power
 * alarm that ends when its unit is replaced.
 */
import type { Scenario, ScenarioEvent, ScenarioVersion } from './model.js';
import { HOUR, MIN, ORIGIN, SEC, beats, devices, mobile, stationary, warsaw, weekly } from './build.js';

const MONDAY = warsaw('2026-03-09 00:00');
/** Always at home: no away window at all. */
const HOUSE_ARREST = weekly({});

const batteryDay: Scenario = (() => {
  const a = 'battery-day-home';
  const b = 'battery-day-portable';
  const da = devices(a);
  const db = devices(b);
  const swapAt = 33 * HOUR; // Tuesday 09:00: the technician replaces the transmitter
  const v1 = stationary(a, HOUSE_ARREST);
  const v2: ScenarioVersion = {
    ...stationary(a, HOUSE_ARREST, swapAt, { id: `${a}@v2` }),
    devices: { ...v1.devices, transmitterId: `${da.tx}2` },
  };
  // The transmitter's six reports of the day: four low, two critical (≤ 10 %).
  const reports: ScenarioEvent[] = [
    [8, 30],
    [11, 25],
    [14, 18],
    [17, 12],
    [20, 9],
    [23, 5],
  ].map(([h, pct]) => ({
    at: (h as number) * HOUR,
    deviceId: da.hu,
    kind: 'tx_battery_low',
    body: { tx: da.tx, battery: pct as number },
  }));
  return {
    id: 'battery-running-down-day',
    title: {
      pl: 'Bateria nadajnika od 30 % do 5 % w ciągu dnia — jeden alarm o rosnącej ważności, do wymiany nadajnika; bateria urządzenia przenośnego do naładowania',
      en: 'A transmitter battery from 30 % to 5 % over a day — one alarm whose severity rises, until the transmitter is replaced; a portable unit battery until charged',
    },
    covers: ['tx_battery_low', 'unit_battery_low'],
    startUtcMs: MONDAY,
    durationMs: 34 * HOUR,
    supervisions: [
      { supervisionId: a, regionId: 'PL-MZ', versions: [v1, v2] },
      { supervisionId: b, regionId: 'PL-MZ', versions: [mobile(b, [])] },
    ],
    events: [
      ...reports,
      // The new transmitter is heard at once.
      { at: swapAt + MIN, deviceId: da.hu, kind: 'tx_in_range', body: { tx: `${da.tx}2`, rssi: -55 } },
      { at: 10 * HOUR, deviceId: db.pu, kind: 'unit_battery_low', body: { battery: 20 } },
      { at: 12 * HOUR, deviceId: db.pu, kind: 'unit_battery_low', body: { battery: 14 } },
    ],
    heartbeats: [
      beats(da.hu, 0, 34 * HOUR),
      beats(db.pu, 0, 10 * HOUR, { power: 'battery', battery: 60 }),
      beats(db.pu, 10 * HOUR, 14 * HOUR, { power: 'battery', battery: 20 }),
      beats(db.pu, 14 * HOUR, 16 * HOUR, { power: 'battery', battery: 8 }),
      beats(db.pu, 16 * HOUR, 34 * HOUR, { power: 'mains', battery: 35 }),
    ],
    tracks: [
      {
        deviceId: db.pu,
        everyMs: 5 * MIN,
        acc: 10,
        path: [
          { at: 0, ...ORIGIN },
          { at: 34 * HOUR, ...ORIGIN },
        ],
      },
    ],
    expect: [
      {
        supervisionId: a,
        rule: 'tx_battery_low',
        openedAt: 8 * HOUR,
        resolvedAt: swapAt,
        toleranceMs: SEC,
        severity: 'serious',
        cause: 'transmitter_battery_critical',
      },
      {
        supervisionId: b,
        rule: 'unit_battery_low',
        openedAt: 10 * HOUR,
        resolvedAt: 16 * HOUR,
        toleranceMs: SEC,
        severity: 'serious',
        cause: 'unit_battery_critical',
      },
    ],
    forbid: [
      { supervisionId: a, rule: 'battery_critical', why: 'a critical battery raises the same episode' },
      { supervisionId: b, rule: 'battery_critical', why: 'a critical battery raises the same episode' },
    ],
    exhaustive: true,
  };
})();

/** A portable unit reporting every 10 s (set by command), with a fix every 5 s. */
function chatty(prefix: string): ScenarioVersion {
  const v = mobile(prefix, []);
  const pu = devices(prefix).pu;
  return { ...v, devices: { ...v.devices, portableUnit: { deviceId: pu, reportIntervalMs: 10 * SEC } } };
}

function chattyTrack(prefix: string, to: number): Scenario['tracks'] {
  return [
    {
      deviceId: devices(prefix).pu,
      everyMs: 5 * SEC,
      acc: 10,
      path: [
        { at: 0, ...ORIGIN },
        { at: to - 5 * SEC, ...ORIGIN },
      ],
    },
  ];
}

const shortLinkLoss: Scenario = (() => {
  const id = 'short-link-loss-buffer';
  const d = devices(id);
  const end = 20 * MIN;
  return {
    id,
    title: {
      pl: 'Minuta bez łącza: urządzenie zapisuje 19 zdarzeń i przesyła je po powrocie łączności — awaria łącza, nie wyłączenie',
      en: 'A minute without link: the unit records 19 events and uploads them when the link is back — a link failure, not a unit off',
    },
    covers: ['communication_loss'],
    startUtcMs: MONDAY + 10 * HOUR,
    durationMs: end,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [chatty(id)] }],
    // 12 fixes, 6 heartbeats and the transmitter heard: 19 events recorded during the minute.
    events: [{ at: 10 * MIN + 30 * SEC, deviceId: d.pu, kind: 'tx_in_range', body: { tx: d.tx, rssi: -50 } }],
    heartbeats: [{ deviceId: d.pu, everyMs: 10 * SEC, from: 0, to: end, power: 'battery', battery: 80 }],
    tracks: chattyTrack(id, end),
    offline: [{ deviceId: d.pu, from: 10 * MIN, to: 11 * MIN }],
    expect: [
      {
        supervisionId: id,
        rule: 'communication_loss',
        // Last contact: the fix of 09:55 received at 09:56; 2 × 10 s + 30 s later.
        openedAt: 9 * MIN + 56 * SEC + 50 * SEC,
        resolvedAt: 11 * MIN,
        toleranceMs: SEC,
        cause: 'link_down_unit_recording',
      },
    ],
    forbid: [],
    exhaustive: true,
  };
})();

const offThenNoLink: Scenario = (() => {
  const id = 'unit-off-then-no-link';
  const d = devices(id);
  const end = 20 * MIN;
  return {
    id,
    title: {
      pl: 'Urządzenie wyłączone na 2 minuty, potem jeszcze minuta bez łącza: wyjaśnienie podaje oba okresy',
      en: 'A unit off for 2 minutes, then a minute without link: the explanation names both',
    },
    covers: ['communication_loss'],
    startUtcMs: MONDAY + 10 * HOUR,
    durationMs: end,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [chatty(id)] }],
    events: [],
    heartbeats: [{ deviceId: d.pu, everyMs: 10 * SEC, from: 0, to: end, power: 'battery', battery: 80 }],
    tracks: chattyTrack(id, end),
    off: [{ deviceId: d.pu, from: 10 * MIN, to: 12 * MIN }],
    offline: [{ deviceId: d.pu, from: 12 * MIN, to: 13 * MIN }],
    expect: [
      {
        supervisionId: id,
        rule: 'communication_loss',
        openedAt: 9 * MIN + 56 * SEC + 50 * SEC,
        resolvedAt: 13 * MIN,
        toleranceMs: SEC,
        cause: 'unit_off_then_link_down',
      },
    ],
    forbid: [],
    exhaustive: true,
  };
})();

const powerUntilSwap: Scenario = (() => {
  const id = 'unit-power-until-swap';
  const d = devices(id);
  const swapAt = 12 * HOUR;
  const v1 = stationary(id, HOUSE_ARREST);
  const hu2 = `${d.hu}2`;
  const v2: ScenarioVersion = {
    ...stationary(id, HOUSE_ARREST, swapAt, { id: `${id}@v2` }),
    devices: { ...v1.devices, homeUnit: { deviceId: hu2, reportIntervalMs: 5 * MIN } },
  };
  return {
    id,
    title: {
      pl: 'Rejestrator bez zasilania sieciowego wymieniony na nowy: alarm zasilania kończy się przy wymianie',
      en: 'A home unit without mains is replaced: its power alarm ends at the swap',
    },
    covers: ['unit_power'],
    startUtcMs: MONDAY,
    durationMs: 16 * HOUR,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [v1, v2] }],
    events: [
      { at: 10 * HOUR, deviceId: d.hu, kind: 'unit_power_lost' },
      { at: 11 * HOUR, deviceId: d.hu, kind: 'unit_power_lost' }, // repeated: the same episode
      { at: swapAt + MIN, deviceId: hu2, kind: 'tx_in_range', body: { tx: d.tx, rssi: -60 } },
    ],
    heartbeats: [
      beats(d.hu, 0, 10 * HOUR),
      beats(d.hu, 10 * HOUR, swapAt, { power: 'battery', battery: 70 }),
      beats(hu2, swapAt, 16 * HOUR),
    ],
    expect: [
      {
        supervisionId: id,
        rule: 'unit_power',
        openedAt: 10 * HOUR,
        resolvedAt: swapAt,
        toleranceMs: SEC,
        severity: 'informational',
      },
    ],
    forbid: [],
    exhaustive: true,
  };
})();

/** The scenarios of issue 19 items 2–3. */
export const episodeScenarios: readonly Scenario[] = [
  batteryDay,
  shortLinkLoss,
  offThenNoLink,
  powerUntilSwap,
];
