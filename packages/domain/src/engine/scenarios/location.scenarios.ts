/** Mobile monitoring scenarios: exclusion and inclusion zones, GPS noise, location loss, proximity. */
import type { Scenario, ScenarioTrack } from './model.js';
import {
  HEARTBEAT_MS,
  HOUR,
  MIN,
  ORIGIN,
  beats,
  devices,
  exclusion,
  inclusion,
  mobile,
  near,
  proximity,
  warsaw,
} from './build.js';

const START = warsaw('2026-03-03 06:00');
const FIX_MS = 30_000;
/** The school the person must keep away from: a 300 m circle 1.5 km east of home. */
const SCHOOL_CENTER = near(ORIGIN, 0, 1500);
const SCHOOL = exclusion('school', 'ul. Szkolna 3 — szkoła', {
  kind: 'circle',
  center: SCHOOL_CENTER,
  radiusMeters: 300,
});
const HOME = ORIGIN;

function pt(at: number, p: { lat: number; lon: number }): { at: number; lat: number; lon: number } {
  return { at, lat: p.lat, lon: p.lon };
}

function track(
  deviceId: string,
  path: ScenarioTrack['path'],
  acc = 10,
  noiseMeters = 0,
  seed = 1,
): ScenarioTrack {
  return { deviceId, everyMs: FIX_MS, path, acc, noiseMeters, seed };
}

const exclusionEntry: Scenario = (() => {
  const id = 'zone-exclusion-entry';
  const d = devices(id);
  // Home → the school's centre (20 min), 20 min there, back home (20 min).
  const t0 = 4 * HOUR;
  return {
    id,
    title: { pl: 'Wejście do strefy zakazanej (szkoła)', en: 'Entering an exclusion zone (a school)' },
    covers: ['exclusion_zone'],
    startUtcMs: START,
    durationMs: 8 * HOUR,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [mobile(id, [SCHOOL])] }],
    events: [],
    heartbeats: [beats(d.pu, 0, 8 * HOUR, { power: 'battery' })],
    tracks: [
      track(d.pu, [
        pt(0, HOME),
        pt(t0, HOME),
        pt(t0 + 20 * MIN, SCHOOL_CENTER),
        pt(t0 + 40 * MIN, SCHOOL_CENTER),
        pt(t0 + 60 * MIN, HOME),
        pt(8 * HOUR, HOME),
      ]),
    ],
    expect: [
      {
        supervisionId: id,
        rule: 'exclusion_zone',
        // The border is crossed at +16 min; two fixes 20 m inside confirm it.
        openedAt: t0 + 17 * MIN,
        resolvedAt: t0 + 44 * MIN + 30_000,
        toleranceMs: 90_000,
        severity: 'critical',
      },
    ],
    forbid: [],
    exhaustive: true,
  };
})();

const slowEntry: Scenario = (() => {
  const id = 'zone-exclusion-slow-entry';
  const d = devices(id);
  // Drifts towards the school at 0.5 m/s from 100 m outside its border to 100 m inside, stays 20 min,
  // walks out. The fixes report 25 m of error, so none decides until 35 m inside (70 s after the border);
  // the fixes in between lie inside but their error circles cross the border. The episode is dated from
  // the crossing, not from the first deciding fix (issue 19, ADR 0505).
  const t0 = 2 * HOUR;
  const from = near(SCHOOL_CENTER, 0, -400);
  const deep = near(SCHOOL_CENTER, 0, -200);
  const crossing = t0 + 200_000;
  return {
    id,
    title: {
      pl: 'Powolne wejście do strefy zakazanej — alarm datowany od przekroczenia granicy',
      en: 'A slow walk into an exclusion zone — the alarm dated from the border crossing',
    },
    covers: ['exclusion_zone'],
    startUtcMs: START,
    durationMs: 5 * HOUR,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [mobile(id, [SCHOOL])] }],
    events: [],
    heartbeats: [beats(d.pu, 0, 5 * HOUR, { power: 'battery' })],
    tracks: [
      track(
        d.pu,
        [
          pt(0, HOME),
          pt(t0 - 30 * MIN, HOME),
          pt(t0, from),
          pt(t0 + 400_000, deep),
          pt(t0 + 400_000 + 20 * MIN, deep),
          pt(t0 + 400_000 + 30 * MIN, HOME),
          pt(5 * HOUR, HOME),
        ],
        25,
      ),
    ],
    expect: [
      {
        supervisionId: id,
        rule: 'exclusion_zone',
        // Dated at the crossing, interpolated between the last fix outside and the first inside; the
        // second deciding fix (35 m inside at +270 s, then one more) opens it.
        startedAt: crossing,
        openedAt: t0 + 300_000,
        toleranceMs: 45_000,
        severity: 'critical',
      },
    ],
    forbid: [],
    exhaustive: true,
  };
})();

const noisyBorder: Scenario = (() => {
  const id = 'zone-gps-noise-border';
  const d = devices(id);
  // Walks along the school's border 40 m outside for two hours (an arc), with 12 m noise, one 2 km jump
  // into the zone and one coarse cell fix centred in it.
  const path: { at: number; lat: number; lon: number }[] = [
    pt(0, HOME),
    pt(HOUR, near(SCHOOL_CENTER, 0, -340)),
  ];
  for (let k = 0; k <= 24; k++) {
    const a = Math.PI + (k / 24) * Math.PI; // half circle around the zone, south side
    path.push(pt(HOUR + k * 5 * MIN, near(SCHOOL_CENTER, 340 * Math.sin(a), 340 * Math.cos(a))));
  }
  // Back home round the south, well clear of the zone.
  path.push(
    pt(3 * HOUR + 10 * MIN, near(SCHOOL_CENTER, -700, 340)),
    pt(3 * HOUR + 40 * MIN, near(HOME, -700, 0)),
    pt(4 * HOUR, HOME),
    pt(6 * HOUR, HOME),
  );
  return {
    id,
    title: {
      pl: 'Szum GPS przy granicy strefy, skok pozycji i zgrubna pozycja z sieci — bez alarmu',
      en: 'GPS noise along a zone border, a position jump and a coarse cell fix — no alarm',
    },
    covers: ['exclusion_zone'],
    startUtcMs: START,
    durationMs: 6 * HOUR,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [mobile(id, [SCHOOL])] }],
    events: [
      {
        at: 2 * HOUR + 10_000,
        deviceId: d.pu,
        kind: 'location',
        body: { ...SCHOOL_CENTER, acc: 8, src: 'gps' },
      },
      {
        at: 2 * HOUR + 70_000,
        deviceId: d.pu,
        kind: 'location',
        body: { ...near(SCHOOL_CENTER, 0, 100), acc: 400, src: 'cell' },
      },
    ],
    heartbeats: [beats(d.pu, 0, 6 * HOUR, { power: 'battery' })],
    tracks: [track(d.pu, path, 15, 12, 42)],
    expect: [],
    forbid: [{ supervisionId: id, rule: '*', why: 'always at least 40 m outside the zone' }],
    exhaustive: true,
  };
})();

const inclusionExit: Scenario = (() => {
  const id = 'zone-inclusion-exit';
  const d = devices(id);
  const city = inclusion('city', 'Warszawa — granice dzielnicy', {
    kind: 'circle',
    center: HOME,
    radiusMeters: 3000,
  });
  const far = near(HOME, 0, 6000);
  return {
    id,
    title: { pl: 'Opuszczenie strefy dozwolonej (miasto)', en: 'Leaving the inclusion zone (the town)' },
    covers: ['inclusion_zone'],
    startUtcMs: START,
    durationMs: 6 * HOUR,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [mobile(id, [city])] }],
    events: [],
    heartbeats: [beats(d.pu, 0, 6 * HOUR, { power: 'battery' })],
    tracks: [
      track(d.pu, [
        pt(0, HOME),
        pt(2 * HOUR, HOME),
        pt(2 * HOUR + 30 * MIN, far),
        pt(3 * HOUR, far),
        pt(3 * HOUR + 30 * MIN, HOME),
        pt(6 * HOUR, HOME),
      ]),
    ],
    expect: [
      {
        supervisionId: id,
        rule: 'inclusion_zone',
        // 3 km of 6 km at +15 min, confirmed 20 m further and one fix later.
        openedAt: 2 * HOUR + 15 * MIN + 30_000,
        resolvedAt: 3 * HOUR + 15 * MIN + 30_000,
        toleranceMs: 90_000,
        severity: 'serious',
      },
    ],
    forbid: [],
    exhaustive: true,
  };
})();

const locationLoss: Scenario = (() => {
  const id = 'location-loss';
  const d = devices(id);
  return {
    id,
    title: {
      pl: 'Brak pozycji przez 40 minut przy działającym urządzeniu; krótka przerwa 8 minut bez alarmu',
      en: 'No position for 40 minutes while the unit works; a short 8-minute gap raises nothing',
    },
    covers: ['location_loss'],
    startUtcMs: START,
    durationMs: 6 * HOUR,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [mobile(id, [SCHOOL])] }],
    events: [],
    heartbeats: [beats(d.pu, 0, 6 * HOUR, { power: 'battery' })],
    tracks: [
      track(d.pu, [pt(0, HOME), pt(2 * HOUR, HOME)]),
      track(d.pu, [pt(2 * HOUR + 40 * MIN, HOME), pt(4 * HOUR, HOME)]),
      track(d.pu, [pt(4 * HOUR + 8 * MIN, HOME), pt(6 * HOUR, HOME)]),
    ],
    expect: [
      {
        supervisionId: id,
        rule: 'location_loss',
        openedAt: 2 * HOUR + 20 * MIN,
        resolvedAt: 2 * HOUR + 40 * MIN,
        toleranceMs: 60_000,
      },
    ],
    forbid: [
      {
        supervisionId: id,
        rule: 'location_loss',
        from: 3 * HOUR,
        why: 'an 8-minute gap is within the limit',
      },
    ],
    exhaustive: true,
  };
})();

const compliantMobileDay: Scenario = (() => {
  const id = 'mobile-compliant-day';
  const d = devices(id);
  const work = near(HOME, -2500, -1200);
  const shop = near(HOME, 800, -600);
  return {
    id,
    title: {
      pl: 'Zwykły dzień w dozorze mobilnym z szumem GPS — bez alarmu',
      en: 'An ordinary day under mobile monitoring with GPS noise — no alarm',
    },
    covers: ['exclusion_zone', 'location_loss'],
    startUtcMs: START,
    durationMs: 16 * HOUR,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [mobile(id, [SCHOOL])] }],
    events: [],
    heartbeats: [beats(d.pu, 0, 16 * HOUR, { power: 'battery' })],
    tracks: [
      track(
        d.pu,
        [
          pt(0, HOME),
          pt(HOUR, HOME),
          pt(HOUR + 40 * MIN, work),
          pt(9 * HOUR, work),
          pt(9 * HOUR + 40 * MIN, shop),
          pt(10 * HOUR, shop),
          pt(10 * HOUR + 15 * MIN, HOME),
          pt(16 * HOUR, HOME),
        ],
        20,
        15,
        7,
      ),
    ],
    expect: [],
    forbid: [{ supervisionId: id, rule: '*', why: 'nothing was broken' }],
    exhaustive: true,
  };
})();

/** The protected person lives 3 km north of the convict. */
const VICTIM_HOME = near(HOME, 3000, 0);

const proximityHeard: Scenario = (() => {
  const id = 'proximity-heard';
  const d = devices(id);
  return {
    id,
    title: {
      pl: 'Urządzenie osoby chronionej odbiera sygnał nadajnika przez 10 minut',
      en: "The protected person's unit hears the transmitter for 10 minutes",
    },
    covers: ['proximity'],
    startUtcMs: START,
    durationMs: 6 * HOUR,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [proximity(id, 500)] }],
    events: [
      { at: 3 * HOUR, deviceId: d.pp, kind: 'proximity_tx_heard', body: { tx: d.tx, rssi: -88 } },
      { at: 3 * HOUR + 10 * MIN, deviceId: d.pp, kind: 'proximity_tx_lost', body: { tx: d.tx } },
    ],
    heartbeats: [
      beats(d.pu, 0, 6 * HOUR, { power: 'battery' }),
      beats(d.pp, 0, 6 * HOUR, { power: 'battery' }),
    ],
    tracks: [
      track(d.pu, [pt(0, HOME), pt(6 * HOUR, HOME)]),
      track(d.pp, [pt(0, VICTIM_HOME), pt(6 * HOUR, VICTIM_HOME)]),
    ],
    expect: [
      {
        supervisionId: id,
        rule: 'proximity',
        openedAt: 3 * HOUR,
        resolvedAt: 3 * HOUR + 10 * MIN,
        toleranceMs: 1000,
        severity: 'critical',
        cause: 'heard',
      },
    ],
    forbid: [],
    exhaustive: true,
  };
})();

const proximityTracks: Scenario = (() => {
  const id = 'proximity-tracks';
  const d = devices(id);
  const start = near(VICTIM_HOME, 0, 2000);
  const closest = near(VICTIM_HOME, 0, 300);
  const t0 = 2 * HOUR;
  return {
    id,
    title: {
      pl: 'Dwie ścieżki zbliżają się na 300 m przy zakazie 500 m (bez odbioru radiowego)',
      en: 'Two tracks come within 300 m of a 500 m order (no radio contact)',
    },
    covers: ['proximity'],
    startUtcMs: START,
    durationMs: 5 * HOUR,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [proximity(id, 500)] }],
    events: [],
    heartbeats: [
      beats(d.pu, 0, 5 * HOUR, { power: 'battery' }),
      beats(d.pp, 0, 5 * HOUR, { power: 'battery' }),
    ],
    tracks: [
      track(d.pu, [
        pt(0, start),
        pt(t0, start),
        pt(t0 + 20 * MIN, closest),
        pt(t0 + 30 * MIN, closest),
        pt(t0 + 50 * MIN, start),
        pt(5 * HOUR, start),
      ]),
      { ...track(d.pp, [pt(0, VICTIM_HOME), pt(5 * HOUR, VICTIM_HOME)]), everyMs: 60_000 },
    ],
    expect: [
      {
        supervisionId: id,
        rule: 'proximity',
        openedAt: t0 + 18 * MIN + 30_000,
        resolvedAt: t0 + 32 * MIN + 30_000,
        toleranceMs: 90_000,
        cause: 'tracks',
      },
    ],
    forbid: [],
    exhaustive: true,
  };
})();

const proximityStale: Scenario = (() => {
  const id = 'proximity-stale-track';
  const d = devices(id);
  const passBy = near(VICTIM_HOME, 0, 300);
  const far = near(VICTIM_HOME, 0, 3000);
  return {
    id,
    title: {
      pl: 'Ostatnia pozycja osoby chronionej sprzed godziny — przejście w pobliżu jej domu nie jest alarmem',
      en: "The protected person's last fix is an hour old — passing near their home is no alarm",
    },
    covers: ['proximity'],
    startUtcMs: START,
    durationMs: 5 * HOUR,
    supervisions: [
      {
        supervisionId: id,
        regionId: 'PL-MZ',
        versions: [proximity(id, 500)],
      },
    ],
    events: [],
    heartbeats: [
      beats(d.pu, 0, 5 * HOUR, { power: 'battery' }),
      beats(d.pp, 0, 5 * HOUR, { power: 'battery' }),
    ],
    tracks: [
      track(d.pu, [
        pt(0, far),
        pt(2 * HOUR, far),
        pt(2 * HOUR + 20 * MIN, passBy),
        pt(2 * HOUR + 40 * MIN, far),
        pt(5 * HOUR, far),
      ]),
      track(d.pp, [pt(0, VICTIM_HOME), pt(HOUR, VICTIM_HOME)]),
    ],
    expect: [],
    forbid: [{ supervisionId: id, rule: 'proximity', why: "the protected person's position is stale" }],
  };
})();

const sameTram: Scenario = (() => {
  const id = 'proximity-same-tram';
  const d = devices(id);
  const stopA = near(HOME, 1500, 0);
  const stopB = near(stopA, 0, 6000);
  const convictFrom = near(stopA, 3000, 0);
  const victimFrom = near(stopA, -3000, 0);
  const t0 = 3 * HOUR;
  return {
    id,
    title: {
      pl: 'Osoba chroniona i skazany w tym samym tramwaju: jeden alarm z dwóch źródeł',
      en: 'The protected person and the convict in the same tram: one alarm from two witnesses',
    },
    covers: ['proximity'],
    startUtcMs: START,
    durationMs: 6 * HOUR,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [proximity(id, 500)] }],
    events: [
      { at: t0 - MIN, deviceId: d.pp, kind: 'proximity_tx_heard', body: { tx: d.tx, rssi: -80 } },
      { at: t0 + 11 * MIN, deviceId: d.pp, kind: 'proximity_tx_lost', body: { tx: d.tx } },
    ],
    heartbeats: [
      beats(d.pu, 0, 6 * HOUR, { power: 'battery' }),
      beats(d.pp, 0, 6 * HOUR, { power: 'battery' }),
    ],
    tracks: [
      track(
        d.pu,
        [
          pt(0, convictFrom),
          pt(t0 - 30 * MIN, convictFrom),
          pt(t0, stopA),
          pt(t0 + 10 * MIN, stopB),
          pt(t0 + 40 * MIN, near(stopB, 3000, 0)),
          pt(6 * HOUR, near(stopB, 3000, 0)),
        ],
        15,
        8,
        3,
      ),
      track(
        d.pp,
        [
          pt(0, victimFrom),
          pt(t0 - 30 * MIN, victimFrom),
          pt(t0, stopA),
          pt(t0 + 10 * MIN, stopB),
          pt(t0 + 40 * MIN, near(stopB, -3000, 0)),
          pt(6 * HOUR, near(stopB, -3000, 0)),
        ],
        15,
        8,
        4,
      ),
    ],
    expect: [
      {
        supervisionId: id,
        rule: 'proximity',
        openedAt: t0 - 2 * MIN,
        resolvedAt: t0 + 12 * MIN,
        toleranceMs: 2 * MIN,
        cause: 'heard_and_tracks',
      },
    ],
    forbid: [],
    exhaustive: true,
  };
})();

export const locationScenarios: readonly Scenario[] = [
  exclusionEntry,
  slowEntry,
  noisyBorder,
  inclusionExit,
  locationLoss,
  compliantMobileDay,
  proximityHeard,
  proximityTracks,
  proximityStale,
  sameTram,
];

/** Heartbeat interval of scripted units (re-exported for the simulator). */
export const SCRIPTED_HEARTBEAT_MS = HEARTBEAT_MS;
