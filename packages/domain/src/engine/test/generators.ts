/**
 * Test-data generators for the engine's property tests and the noisy-GPS false-alarm measurement.
 * Everything is seeded: the same seed gives the same corpus.
 */
import type { AwayWindow, DayOfWeek, Schedule } from '../../schedule.js';
import { DAYS_OF_WEEK, awayWindowsBetween } from '../../schedule.js';
import type { Zone } from '../../zone.js';
import { distanceToBorderMeters } from '../../zone.js';
import { HEARTBEAT_MS, MIN, devices, mobile, exclusion, stationary } from '../scenarios/build.js';
import type { Scenario, ScenarioEvent } from '../scenarios/model.js';
import { gaussian, offsetMeters, seededRandom } from '../scenarios/run.js';

/** A weekly schedule from a seed: 0–2 windows a day, some night windows; may be invalid (callers validate). */
export function randomSchedule(rand: () => number): Schedule {
  const weekly = {} as Record<DayOfWeek, AwayWindow[]>;
  const fmt = (m: number): string =>
    `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
  for (const day of DAYS_OF_WEEK) {
    const windows: AwayWindow[] = [];
    const n = Math.floor(rand() * 3);
    let cursor = 5 * 60 + Math.floor(rand() * 12) * 15;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const len = 30 + Math.floor(rand() * 20) * 15;
      if (total + len > 11 * 60) break;
      const end = cursor + len;
      if (end <= 23 * 60 + 45)
        windows.push({ start: fmt(cursor), end: fmt(end), label: i === 0 ? 'praca' : 'zakupy' });
      else if (end < 24 * 60 + 5 * 60 && i === n - 1) {
        windows.push({
          start: fmt(cursor),
          end: fmt(end - 24 * 60),
          label: 'praca nocna',
          endsNextDay: true,
        });
      }
      total += len;
      cursor = end + 30 + Math.floor(rand() * 8) * 15;
      if (cursor >= 23 * 60) break;
    }
    weekly[day] = windows;
  }
  return { weekly, oneOffChanges: [], exceptions: [] };
}

/**
 * A stationary scenario of a person who keeps the schedule: out some minutes after each window opens (or
 * not at all), back some minutes before it closes, plus range blips at home shorter than the grace.
 */
export function compliantStationary(
  schedule: Schedule,
  startUtcMs: number,
  days: number,
  seed: number,
): Scenario {
  const rand = seededRandom(seed);
  const id = `compliant-${seed}`;
  const d = devices(id);
  const duration = days * 24 * 60 * MIN;
  const events: ScenarioEvent[] = [];
  // Back-to-back windows are one outing.
  const merged: { start: number; end: number }[] = [];
  for (const w of awayWindowsBetween(schedule, startUtcMs, startUtcMs + duration)) {
    const last = merged[merged.length - 1];
    if (last !== undefined && w.startUtcMs <= last.end) last.end = Math.max(last.end, w.endUtcMs);
    else merged.push({ start: w.startUtcMs, end: w.endUtcMs });
  }
  for (const w of merged) {
    const len = w.end - w.start;
    if (len < 10 * MIN || rand() < 0.2) continue;
    const out = w.start + Math.floor(rand() * (len / 3));
    const back = w.end - 30_000 - Math.floor(rand() * (len / 3));
    if (back <= out) continue;
    events.push({ at: out - startUtcMs, deviceId: d.hu, kind: 'tx_out_of_range', body: { tx: d.tx } });
    events.push({ at: back - startUtcMs, deviceId: d.hu, kind: 'tx_in_range', body: { tx: d.tx } });
  }
  // Range blips while at home (shorter than the 3-minute grace), at least 5 minutes apart: two blips
  // closer than the presence rule's return hold (1 minute at home) are one absence by design, and may
  // then exceed the grace.
  const blips: number[] = [];
  for (let k = 0; k < days * 2; k++) {
    const t = Math.floor(rand() * duration);
    const inside = !merged.some(
      (w) => t >= w.start - startUtcMs - 5 * MIN && t <= w.end - startUtcMs + 5 * MIN,
    );
    if (!inside || blips.some((b) => Math.abs(b - t) < 5 * MIN)) continue;
    blips.push(t);
    events.push({ at: t, deviceId: d.hu, kind: 'tx_out_of_range', body: { tx: d.tx } });
    events.push({
      at: t + 20_000 + Math.floor(rand() * 100_000),
      deviceId: d.hu,
      kind: 'tx_in_range',
      body: { tx: d.tx },
    });
  }
  return {
    id,
    title: { pl: 'Osoba przestrzegająca harmonogramu', en: 'A person who keeps the schedule' },
    covers: ['presence', 'daily_away_limit'],
    startUtcMs,
    durationMs: duration,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [stationary(id, schedule)] }],
    events,
    heartbeats: [{ deviceId: d.hu, everyMs: HEARTBEAT_MS, from: 0, to: duration }],
    expect: [],
    forbid: [{ supervisionId: id, rule: '*', why: 'the person kept the schedule' }],
  };
}

/** Parameters of the noisy-GPS corpus. */
export interface NoisyGpsParams {
  /** People. */
  readonly persons: number;
  /** Days per person. */
  readonly days: number;
  /** Seed. */
  readonly seed: number;
}

/** One generated person: a scenario with their zones, their commute and a realistic error model. */
export interface NoisyPerson {
  readonly scenario: Scenario;
  /** Closest approach of the true track to any zone border, metres (always outside). */
  readonly closestMeters: number;
}

const ORIGIN = { lat: 52.2297, lon: 21.0122 };

/**
 * A compliant mobile person whose true path never enters a zone, but passes 25–150 m from the border of
 * each of 1–3 exclusion zones, under a realistic GPS error model:
 *  - correlated noise (AR(1), ρ = 0.9, σ 4–20 m) with the reported accuracy about 1.5 σ;
 *  - urban-canyon spells (σ × 3, accuracy reported only × 2);
 *  - multipath outliers (1 % of fixes, 80–300 m off, accuracy still small);
 *  - multipath spells (0.2 % chance per fix: a steady 50–150 m offset for 1–4 minutes, accuracy still small);
 *  - jumps (0.2 % of fixes, 1–5 km off);
 *  - coarse cell fixes (2 %, accuracy 500–1500 m) and indoor/tunnel gaps of 2–15 min.
 */
export function noisyGpsPerson(index: number, params: NoisyGpsParams, intrude = false): NoisyPerson {
  const rand = seededRandom(params.seed * 1_000_003 + index);
  const id = `noisy-${params.seed}-${index}`;
  const d = devices(id);
  const home = offsetMeters(ORIGIN.lat, ORIGIN.lon, (rand() - 0.5) * 20_000, (rand() - 0.5) * 20_000);
  const bearing = rand() * 2 * Math.PI;
  const dist = 2000 + rand() * 6000;
  const work = offsetMeters(home.lat, home.lon, dist * Math.cos(bearing), dist * Math.sin(bearing));
  // Zones beside the commute: centre off the line by (radius + clearance).
  const zones: { zone: Zone; id: string }[] = [];
  const nZones = 1 + Math.floor(rand() * 3);
  for (let z = 0; z < nZones; z++) {
    const f = 0.2 + rand() * 0.6;
    const onLine = { lat: home.lat + (work.lat - home.lat) * f, lon: home.lon + (work.lon - home.lon) * f };
    const radius = 100 + rand() * 400;
    const clearance = 25 + rand() * 125;
    const side = rand() < 0.5 ? 1 : -1;
    // The control corpus puts the first zone across the commute: the true path crosses it twice a day.
    const off = intrude && z === 0 ? 0 : (radius + clearance) * side;
    const center = offsetMeters(onLine.lat, onLine.lon, -off * Math.sin(bearing), off * Math.cos(bearing));
    zones.push({ id: `zone-${z}`, zone: { kind: 'circle', center, radiusMeters: radius } });
  }
  const dayMs = 24 * 60 * MIN;
  const duration = params.days * dayMs;
  const everyMs = 30_000;
  const events: ScenarioEvent[] = [];
  let ex = 0;
  let ey = 0;
  let canyonUntil = -1;
  let biasUntil = -1;
  let biasN = 0;
  let biasE = 0;
  let gapUntil = -1;
  let closest = Number.POSITIVE_INFINITY;
  const sigma = 4 + rand() * 16;
  for (let t = 0; t < duration; t += everyMs) {
    const tod = t % dayMs;
    // 07:30–08:30 to work, 16:00–17:00 home (with a lunch walk around work 12:00–12:30).
    let p = home;
    const leg = (
      from: { lat: number; lon: number },
      to: { lat: number; lon: number },
      s: number,
      e: number,
    ) => {
      const f = Math.min(1, Math.max(0, (tod - s) / (e - s)));
      return { lat: from.lat + (to.lat - from.lat) * f, lon: from.lon + (to.lon - from.lon) * f };
    };
    const H = 60 * MIN;
    if (tod >= 7.5 * H && tod < 8.5 * H) p = leg(home, work, 7.5 * H, 8.5 * H);
    else if (tod >= 8.5 * H && tod < 16 * H) p = work;
    else if (tod >= 16 * H && tod < 17 * H) p = leg(work, home, 16 * H, 17 * H);
    for (const z of zones) {
      const dd = distanceToBorderMeters(z.zone, p.lat, p.lon);
      if (dd < closest) closest = dd;
    }
    if (t < gapUntil) continue;
    if (rand() < 0.002) {
      gapUntil = t + (2 + rand() * 13) * MIN;
      continue;
    }
    if (t >= canyonUntil && rand() < 0.003) canyonUntil = t + (2 + rand() * 10) * MIN;
    const canyon = t < canyonUntil;
    if (t >= biasUntil && rand() < 0.002) {
      // A multipath spell: a steady offset for 1–4 minutes with an over-confident accuracy.
      biasUntil = t + (1 + rand() * 3) * MIN;
      const r = 50 + rand() * 100;
      const a = rand() * 2 * Math.PI;
      biasN = r * Math.cos(a);
      biasE = r * Math.sin(a);
    }
    const biased = t < biasUntil;
    const s = canyon ? sigma * 3 : sigma;
    ex = 0.9 * ex + Math.sqrt(1 - 0.81) * s * gaussian(rand);
    ey = 0.9 * ey + Math.sqrt(1 - 0.81) * s * gaussian(rand);
    let acc = Math.round(sigma * 1.5 * (canyon ? 2 : 1) * (0.8 + rand() * 0.4));
    let north = ey + (biased ? biasN : 0);
    let east = ex + (biased ? biasE : 0);
    const u = rand();
    if (u < 0.01) {
      const r = 80 + rand() * 220;
      const a = rand() * 2 * Math.PI;
      north += r * Math.cos(a);
      east += r * Math.sin(a);
    } else if (u < 0.012) {
      const r = 1000 + rand() * 4000;
      const a = rand() * 2 * Math.PI;
      north += r * Math.cos(a);
      east += r * Math.sin(a);
    } else if (u < 0.032) {
      acc = 500 + Math.round(rand() * 1000);
      north += (rand() - 0.5) * acc;
      east += (rand() - 0.5) * acc;
    }
    const fix = offsetMeters(p.lat, p.lon, north, east);
    events.push({
      at: t,
      deviceId: d.pu,
      kind: 'location',
      body: { ...fix, acc, src: acc >= 500 ? 'cell' : 'gps' },
    });
  }

  return {
    closestMeters: closest,
    scenario: {
      id,
      title: { pl: 'Szum GPS (generator)', en: 'Noisy GPS (generated)' },
      covers: ['exclusion_zone', 'location_loss'],
      startUtcMs: Date.UTC(2026, 4, 4, 22, 0, 0),
      durationMs: duration,
      supervisions: [
        {
          supervisionId: id,
          regionId: 'PL-MZ',
          versions: [
            mobile(
              id,
              zones.map((z) => exclusion(z.id, `strefa ${z.id}`, z.zone)),
            ),
          ],
        },
      ],
      events,
      heartbeats: [{ deviceId: d.pu, everyMs: HEARTBEAT_MS, from: 0, to: duration, power: 'battery' }],
      expect: [],
      forbid: [{ supervisionId: id, rule: '*', why: 'the true path never enters a zone' }],
    },
  };
}
