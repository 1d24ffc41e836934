/**
 * The truth generator (issue 19 item 5, ADR 0505): a fleet living a month, where the generator knows what
 * each person really did. It produces, per supervision, the configuration timeline, every delivery of every
 * event to the center (with the unit's clock error, link outages, late retransmissions, duplicates and
 * reordering) and the list of conditions that really held, with their true start.
 *
 * Seeded: the same parameters give the same fleet, supervision by supervision (a worker can generate any
 * slice of the fleet on its own).
 */
import type {
  AlarmRule,
  AwayWindow,
  DayOfWeek,
  EngineEvent,
  EngineEventBody,
  EngineEventKind,
  EngineOrderVersion,
  LatLon,
  Obligation,
  Schedule,
  Zone,
} from '@sde/domain';
import { addDays, awayWindowsBetween, containsPoint, localDateOf, startOfLocalDay } from '@sde/domain';
import type { FleetParams, GeneratedSupervision, TrueCondition } from './model.js';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Reporting interval of every unit (the center's default, `SDE_ENGINE_*_INTERVAL_SECONDS`). */
export const REPORT_INTERVAL_MS = 5 * MIN;
/** Location fix interval of a portable unit. */
export const FIX_INTERVAL_MS = 30 * SEC;
/** Engine defaults the truth is defined with (docs/engine.md): presence grace, daily limit and its grace. */
const PRESENCE_GRACE_MS = 3 * MIN;
const DAILY_LIMIT_MS = 12 * HOUR;
const DAILY_GRACE_MS = 10 * MIN;
/** No outage, late retransmission or violation is placed this close to the end: its data must arrive. */
export const QUIET_END_MS = 8 * HOUR;

/** Rates of what happens, per person-day unless stated. */
export const RATES = {
  /** A return after the away window's end, 10–120 min late (per window). */
  lateReturn: 0.015,
  /** A return 0–90 s after the window's end: within the grace, not a violation (per window). */
  nearMiss: 0.05,
  /** Leaving the home at night for 15–120 min. */
  nightLeave: 0.006,
  /** A workday away 12 h 20 min – 13 h 30 min (per workday window). */
  overDailyLimit: 0.004,
  /** A detour into an exclusion zone of 5–30 min (mobile, per workday). */
  zoneEntry: 0.02,
  /** The strap opened. */
  strapTamper: 0.002,
  /** Mains power cut at a home unit, 10 min – 8 h. */
  powerCut: 0.004,
  /** The portable unit not charged overnight. */
  forgotCharging: 0.03,
  /** Link outages of 11 min – 6 h (per unit-day). */
  outage: 0.25,
  /** Short link drops of 5 s – 3 min (per unit-day). */
  blip: 2,
  /** Range blips of 20–50 s at home (per person-day). */
  rangeBlip: 1,
  /** Share of units with one outage of 1–3 days in the month. */
  longOutage: 0.03,
  /** Share of transmitters whose battery runs down during the month. */
  txBatteryRunsDown: 0.04,
  /** A frame lost and retransmitted 1 min – 6 h later (per event). */
  lostFrame: 0.002,
  /** A frame delivered twice (per event). */
  duplicate: 0.005,
  /** A frame overtaken by the next ones, 5–90 s late (per event). */
  reordered: 0.01,
  /** Share of units whose clock drifts 300 ppm instead of about 30. */
  badClock: 0.02,
};

/** The rates of a fleet: {@link RATES} with the fleet's overrides. */
export type Rates = { -readonly [K in keyof typeof RATES]: number };

/**
 * The rates of the supervision being generated. Generation is synchronous, one supervision at a time per
 * thread, so one module variable is set at the start of each.
 */
let rates: Rates = RATES;

/** mulberry32, as the simulator's and the engine tests' generators. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** A whole number of milliseconds in `[a, b)` (instants must be integers for the calendar). */
const uniform = (rand: () => number, a: number, b: number): number => Math.round(a + (b - a) * rand());
const logUniform = (rand: () => number, a: number, b: number): number =>
  Math.round(Math.exp(Math.log(a) + (Math.log(b) - Math.log(a)) * rand()));

/** Poisson-distributed count with mean `mean` (small means). */
function poisson(rand: () => number, mean: number): number {
  const l = Math.exp(-mean);
  let k = 0;
  let p = rand();
  while (p > l) {
    k++;
    p *= rand();
  }
  return k;
}

const M_PER_DEG_LAT = 111_195;
function offset(p: LatLon, north: number, east: number): LatLon {
  return {
    lat: p.lat + north / M_PER_DEG_LAT,
    lon: p.lon + east / (M_PER_DEG_LAT * Math.cos((p.lat * Math.PI) / 180)),
  };
}

/** Something a unit records, in true time, before seq, clock and delivery are applied. */
interface Recording {
  readonly t: number;
  readonly kind: EngineEventKind;
  readonly body: EngineEventBody;
}

/** `[from, to)` in true time. */
interface Interval {
  from: number;
  to: number;
}

const fmtMin = (m: number): string =>
  `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;

/** A weekly schedule: a work window on weekdays (a night shift for some), a shopping window on Saturday. */
function scheduleFor(rand: () => number): { schedule: Schedule; night: boolean } {
  const night = rand() < 0.1;
  const weekly = { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } as Record<
    DayOfWeek,
    AwayWindow[]
  >;
  const workdays: DayOfWeek[] =
    rand() < 0.2 ? ['mon', 'tue', 'wed', 'thu', 'fri', 'sat'] : ['mon', 'tue', 'wed', 'thu', 'fri'];
  if (night) {
    const start = 21 * 60 + Math.floor(rand() * 5) * 15;
    const len = 8 * 60 + Math.floor(rand() * 5) * 15;
    const w: AwayWindow = {
      start: fmtMin(start),
      end: fmtMin(start + len - 24 * 60),
      label: 'praca nocna',
      endsNextDay: true,
    };
    for (const d of workdays) weekly[d] = [w];
  } else {
    const start = 6 * 60 + Math.floor(rand() * 13) * 15;
    const len = 8 * 60 + Math.floor(rand() * 11) * 15;
    const w: AwayWindow = { start: fmtMin(start), end: fmtMin(start + len), label: 'praca' };
    for (const d of workdays) weekly[d] = [w];
  }
  if (!workdays.includes('sat')) weekly.sat = [{ start: '10:00', end: '12:00', label: 'zakupy' }];
  weekly.sun = rand() < 0.5 ? [{ start: '09:00', end: '11:00', label: 'kościół' }] : [];
  return { schedule: { weekly, oneOffChanges: [], exceptions: [] }, night };
}

/** Link outages of one unit over the month, sorted, not overlapping, none within QUIET_END_MS of the end. */
function outagesFor(rand: () => number, start: number, end: number): Interval[] {
  const out: Interval[] = [];
  const days = (end - start) / DAY;
  const last = end - QUIET_END_MS;
  const add = (from: number, len: number): void => {
    const to = from + len;
    if (from < start + 10 * MIN || to > last) return;
    if (out.some((o) => from < o.to + 15 * MIN && to + 15 * MIN > o.from)) return;
    out.push({ from, to });
  };
  for (let i = poisson(rand, rates.blip * days); i > 0; i--)
    add(uniform(rand, start, end), uniform(rand, 5 * SEC, 3 * MIN));
  for (let i = poisson(rand, rates.outage * days); i > 0; i--)
    add(uniform(rand, start, end), logUniform(rand, 11 * MIN, 6 * HOUR));
  if (rand() < rates.longOutage) add(uniform(rand, start + DAY, end - 4 * DAY), uniform(rand, DAY, 3 * DAY));
  return out.sort((a, b) => a.from - b.from);
}

function inAny(list: readonly Interval[], t: number): Interval | undefined {
  for (const i of list) if (t >= i.from && t < i.to) return i;
  return undefined;
}

/** The unit's clock: offset `o0 + ρ (t − start)`; the center measures it at each (re)connection and every 6 h. */
interface UnitClock {
  readonly offsetAt: (t: number) => number;
  /** The offset the center applies to an event arriving at `receivedAt`. */
  readonly measuredAt: (receivedAt: number) => number;
}

function clockFor(rand: () => number, start: number, end: number, outages: readonly Interval[]): UnitClock {
  const ppm = rand() < rates.badClock ? (rand() < 0.5 ? -300 : 300) : gaussian(rand) * 30;
  const o0 = uniform(rand, -2000, 2000);
  const offsetAt = (t: number): number => o0 + ppm * 1e-6 * (t - start);
  const syncs: { at: number; m: number }[] = [];
  const measure = (at: number): void => {
    syncs.push({ at, m: offsetAt(at) + uniform(rand, -300, 300) });
  };
  measure(start);
  for (let t = start + 6 * HOUR; t < end; t += 6 * HOUR) if (inAny(outages, t) === undefined) measure(t);
  for (const o of outages) if (o.to - o.from > 60 * SEC) measure(o.to);
  syncs.sort((a, b) => a.at - b.at);
  const measuredAt = (receivedAt: number): number => {
    let lo = 0;
    let hi = syncs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((syncs[mid] as { at: number }).at <= receivedAt) lo = mid;
      else hi = mid - 1;
    }
    return (syncs[lo] as { m: number }).m;
  };
  return { offsetAt, measuredAt };
}

/**
 * Numbers a unit's recordings, applies its clock and delivers them: in real time when the link is up (with
 * network delay, rare reordering, duplicates and lost frames retransmitted later), at reconnection when it
 * is down (the buffered upload).
 */
function deliver(
  rand: () => number,
  deviceId: string,
  recordings: Recording[],
  outages: readonly Interval[],
  start: number,
  end: number,
): EngineEvent[] {
  recordings.sort((a, b) => a.t - b.t);
  const clock = clockFor(rand, start, end, outages);
  const out: EngineEvent[] = [];
  const lastRetransmit = end - QUIET_END_MS;
  let seq = 0;
  // Uploads after an outage go in order, 500 events a frame, a frame every 200 ms (bench/backlog.ts).
  const uploaded = new Map<Interval, number>();
  for (const r of recordings) {
    seq++;
    let receivedAt: number;
    const down = inAny(outages, r.t);
    if (down !== undefined) {
      const n = uploaded.get(down) ?? 0;
      uploaded.set(down, n + 1);
      receivedAt = down.to + 2 * SEC + Math.floor(n / 500) * 200;
    } else {
      receivedAt = r.t + uniform(rand, 200, 1500);
      const u = rand();
      if (u < rates.lostFrame && r.t < lastRetransmit) receivedAt = r.t + logUniform(rand, MIN, 6 * HOUR);
      else if (u < rates.lostFrame + rates.reordered) receivedAt += uniform(rand, 5 * SEC, 90 * SEC);
      const later = inAny(outages, receivedAt);
      if (later !== undefined) receivedAt = later.to + 2 * SEC;
    }
    receivedAt = Math.round(receivedAt);
    const time = Math.round(r.t + clock.offsetAt(r.t) - clock.measuredAt(receivedAt));
    const e: EngineEvent = { deviceId, seq, kind: r.kind, time, receivedAt, body: r.body };
    if (receivedAt < end) out.push(e);
    if (rand() < rates.duplicate) {
      const again = Math.round(receivedAt + logUniform(rand, SEC, HOUR));
      if (again < end) out.push({ ...e, receivedAt: again });
    }
  }
  return out;
}

/**
 * True communication losses of a unit: a silence in its first arrivals longer than the engine's allowance
 * (2 missed reports + 30 s), starting when the missed report was due (docs/engine.md). The link was really
 * down, or the unit really off: the generator made every such silence.
 */
function trueCommunicationLosses(
  supervisionId: string,
  unit: string,
  deliveries: readonly EngineEvent[],
  start: number,
  end: number,
): TrueCondition[] {
  const first = new Map<number, number>();
  for (const e of deliveries) {
    if (e.deviceId !== unit) continue;
    const prev = first.get(e.seq);
    if (prev === undefined || e.receivedAt < prev) first.set(e.seq, e.receivedAt);
  }
  const contacts = [start, ...[...first.values()].sort((a, b) => a - b)];
  const out: TrueCondition[] = [];
  for (let i = 0; i < contacts.length; i++) {
    const c = contacts[i] as number;
    const next = contacts[i + 1] ?? end;
    if (next - c > 2 * REPORT_INTERVAL_MS + 30 * SEC)
      out.push({
        supervisionId,
        rule: 'communication_loss',
        startedAt: c + REPORT_INTERVAL_MS,
        ...(i + 1 < contacts.length ? { endedAt: next } : {}),
        what: `${unit} silent ${Math.round((next - c) / MIN)} min`,
      });
  }
  return out;
}

/** The transmitter's battery running down (per `RATES.txBatteryRunsDown`): reports every 3 h until replaced. */
function txBatteryReports(
  rand: () => number,
  start: number,
  end: number,
): { reports: { t: number; battery: number }[]; replacedAt: number } | undefined {
  if (rand() >= rates.txBatteryRunsDown) return undefined;
  const first = uniform(rand, start + DAY, end - 4 * DAY);
  const replacedAt = first + uniform(rand, 24 * HOUR, 60 * HOUR);
  const reports: { t: number; battery: number }[] = [];
  let battery = 20;
  for (let t = first; t < replacedAt && battery > 0; t += 3 * HOUR) {
    reports.push({ t, battery });
    battery -= 2;
  }
  return { reports, replacedAt };
}

/** Generates supervision `index` of the fleet. */
export function generateSupervision(index: number, params: FleetParams): GeneratedSupervision {
  rates = { ...RATES, ...params.rates };
  const rand = seededRandom((params.seed * 1_000_003 + index * 7919) >>> 0);
  const id = `truth-${params.seed}-${index}`;
  return rand() < 0.75 ? stationarySupervision(id, rand, params) : mobileSupervision(id, rand, params);
}

function version(
  id: string,
  start: number,
  kinds: EngineOrderVersion['supervisionKinds'],
  obligations: Obligation[],
  devices: EngineOrderVersion['devices'],
): EngineOrderVersion {
  return {
    id: `${id}@v1/1`,
    orderRef: `III Kow ${id}/26, wersja 1`,
    validFromUtcMs: start,
    supervisionKinds: kinds,
    obligations,
    devices,
  };
}

/** A person with a home unit and a weekly schedule. */
function stationarySupervision(id: string, rand: () => number, params: FleetParams): GeneratedSupervision {
  const start = params.startUtcMs;
  const end = start + params.days * DAY;
  const quiet = end - QUIET_END_MS;
  const tx = `${id}-TX`;
  const hu = `${id}-HU`;
  const { schedule } = scheduleFor(rand);
  const truth: TrueCondition[] = [];

  // Away windows, back-to-back ones merged into one outing.
  const windows: Interval[] = [];
  for (const w of awayWindowsBetween(schedule, start, end)) {
    const last = windows[windows.length - 1];
    if (last !== undefined && w.startUtcMs <= last.to) last.to = Math.max(last.to, w.endUtcMs);
    else windows.push({ from: w.startUtcMs, to: w.endUtcMs });
  }
  const allowed = (t: number): boolean => inAny(windows, t) !== undefined;

  // What the person really did: absences [leave, back).
  const absences: Interval[] = [];
  for (const w of windows) {
    if (w.from < start + 30 * MIN || w.to > quiet) continue;
    if (rand() < 0.15) continue; // stayed at home
    const leave = w.from + uniform(rand, 2 * MIN, 30 * MIN);
    let back = w.to - uniform(rand, 5 * MIN, 45 * MIN);
    const u = rand();
    if (u < rates.lateReturn) back = w.to + uniform(rand, 10 * MIN, 120 * MIN);
    else if (u < rates.lateReturn + rates.nearMiss) back = w.to + uniform(rand, 0, 90 * SEC);
    else if (u < rates.lateReturn + rates.nearMiss + rates.overDailyLimit && w.to - w.from <= 11 * HOUR)
      back = leave + DAILY_LIMIT_MS + uniform(rand, 20 * MIN, 90 * MIN);
    if (back <= leave + 10 * MIN) continue;
    absences.push({ from: leave, to: back });
  }
  // Leaving at night (a required period) for 15–120 min.
  for (let d = 0; d < params.days; d++) {
    if (rand() >= rates.nightLeave) continue;
    const leave = start + d * DAY + uniform(rand, 22 * HOUR, 28 * HOUR);
    const back = leave + uniform(rand, 15 * MIN, 120 * MIN);
    if (back > quiet || leave < start + HOUR) continue;
    let clear = true;
    for (let t = leave - 15 * MIN; t <= back + 15 * MIN; t += MIN) if (allowed(t)) clear = false;
    if (!clear || absences.some((a) => leave < a.to + 15 * MIN && back + 15 * MIN > a.from)) continue;
    absences.push({ from: leave, to: back });
  }
  absences.sort((a, b) => a.from - b.from);
  const away = (t: number): boolean => inAny(absences, t) !== undefined;

  // Truth: presence = absence ∩ required (the complement of the windows) longer than the grace.
  for (const a of absences) {
    let cursor = a.from;
    while (cursor < a.to) {
      const w = inAny(windows, cursor);
      if (w !== undefined) {
        cursor = w.to;
        continue;
      }
      const nextWindow = windows.find((x) => x.from > cursor)?.from ?? Number.POSITIVE_INFINITY;
      const e = Math.min(a.to, nextWindow);
      if (e - cursor > PRESENCE_GRACE_MS)
        truth.push({
          supervisionId: id,
          rule: 'presence',
          startedAt: cursor,
          endedAt: e,
          what: cursor === a.from ? 'left when required' : 'late return',
        });
      cursor = e;
    }
  }
  // Truth: the daily limit, per Warsaw calendar day (every absence counts, allowed or not).
  const days = new Set<string>();
  for (const a of absences) {
    days.add(localDateOf(a.from));
    days.add(localDateOf(a.to));
  }
  for (const day of [...days].sort()) {
    const d0 = startOfLocalDay(day);
    const nextDay = startOfLocalDay(addDays(day, 1));
    let cum = 0;
    let reached: number | undefined;
    let endedAt: number | undefined;
    for (const a of absences) {
      const from = Math.max(a.from, d0);
      const to = Math.min(a.to, nextDay);
      if (to <= from) continue;
      if (reached === undefined && cum + (to - from) >= DAILY_LIMIT_MS) {
        reached = from + (DAILY_LIMIT_MS - cum);
        endedAt = to;
      }
      cum += to - from;
    }
    if (reached !== undefined && cum > DAILY_LIMIT_MS + DAILY_GRACE_MS)
      truth.push({
        supervisionId: id,
        rule: 'daily_away_limit',
        startedAt: reached,
        ...(endedAt === undefined ? {} : { endedAt }),
        what: `away ${Math.round(cum / MIN)} min on ${day}`,
      });
  }

  // What the home unit records.
  const recs: Recording[] = [];
  for (const a of absences) {
    recs.push({
      t: a.from + uniform(rand, 10 * SEC, 40 * SEC),
      kind: 'tx_out_of_range',
      body: { tx, rssi: -95 },
    });
    recs.push({ t: a.to + uniform(rand, 3 * SEC, 15 * SEC), kind: 'tx_in_range', body: { tx, rssi: -60 } });
  }
  // Range blips at home: 20–50 s, far from any outing.
  for (let i = poisson(rand, rates.rangeBlip * params.days); i > 0; i--) {
    const t = uniform(rand, start + HOUR, quiet);
    if (absences.some((a) => t > a.from - 20 * MIN && t < a.to + 20 * MIN)) continue;
    recs.push({ t, kind: 'tx_out_of_range', body: { tx, rssi: -92 } });
    recs.push({ t: t + uniform(rand, 20 * SEC, 50 * SEC), kind: 'tx_in_range', body: { tx, rssi: -80 } });
  }
  // Strap tamper, at home.
  for (let d = 0; d < params.days; d++) {
    if (rand() >= rates.strapTamper) continue;
    const t = start + d * DAY + uniform(rand, 0, DAY);
    if (t > quiet || away(t - 2 * MIN) || away(t + 2 * MIN)) continue;
    recs.push({ t, kind: 'tx_strap_tamper', body: { tx } });
    truth.push({ supervisionId: id, rule: 'strap_tamper', startedAt: t, what: 'strap opened' });
  }
  // Mains power cuts: the unit runs on its battery meanwhile.
  const cuts: Interval[] = [];
  for (let d = 0; d < params.days; d++) {
    if (rand() >= rates.powerCut) continue;
    const from = start + d * DAY + uniform(rand, 0, DAY);
    const to = from + logUniform(rand, 10 * MIN, 8 * HOUR);
    if (to > quiet) continue;
    cuts.push({ from, to });
    recs.push({ t: from + SEC, kind: 'unit_power_lost', body: {} });
    recs.push({ t: to + SEC, kind: 'unit_power_restored', body: {} });
    truth.push({
      supervisionId: id,
      rule: 'unit_power',
      startedAt: from,
      endedAt: to,
      what: 'mains power cut',
    });
  }
  // The transmitter's battery running down: the unit hears its reports when the person is at home.
  const txb = txBatteryReports(rand, start, end);
  const txBattery = (t: number): number => {
    if (txb === undefined) return 80;
    if (t >= txb.replacedAt) return 100;
    let b = 80;
    for (const r of txb.reports) if (r.t <= t) b = r.battery;
    return b;
  };
  if (txb) {
    let firstLow: number | undefined;
    for (const r of txb.reports) {
      let t = r.t;
      const a = inAny(absences, t);
      if (a !== undefined) t = a.to + 20 * SEC;
      recs.push({ t, kind: 'tx_battery_low', body: { tx, battery: r.battery } });
      firstLow ??= t;
    }
    if (firstLow !== undefined)
      truth.push({
        supervisionId: id,
        rule: 'tx_battery_low',
        startedAt: firstLow,
        endedAt: txb.replacedAt,
        what: 'transmitter battery low',
      });
  }
  // Heartbeats.
  const phase = rand() * REPORT_INTERVAL_MS;
  for (let t = start + phase; t < end; t += REPORT_INTERVAL_MS) {
    const cut = inAny(cuts, t);
    const body: EngineEventBody & { txs?: unknown } = {
      battery: cut ? Math.max(5, Math.round(100 - ((t - cut.from) / HOUR) * 5)) : 100,
      signal: Math.round(uniform(rand, 55, 85)),
      power: cut ? 'battery' : 'mains',
      ...(params.v11 ? { txs: [{ tx, inRange: !away(t), battery: txBattery(t) }] } : {}),
    };
    recs.push({ t, kind: 'heartbeat', body });
  }

  const outages = outagesFor(rand, start, end);
  const deliveries = deliver(rand, hu, recs, outages, start, end);
  truth.push(...trueCommunicationLosses(id, hu, deliveries, start, end));
  return {
    kind: 'stationary',
    timeline: {
      supervisionId: id,
      regionId: 'PL-MZ',
      versions: [
        version(
          id,
          start,
          ['stationary'],
          [
            {
              kind: 'stay_at_place',
              place: { address: { street: 'ul. Długa 5', postalCode: '00-001', city: 'Warszawa' } },
              schedule,
            },
          ],
          { transmitterId: tx, homeUnit: { deviceId: hu, reportIntervalMs: REPORT_INTERVAL_MS } },
        ),
      ],
    },
    deliveries,
    truth: truth.sort((a, b) => a.startedAt - b.startedAt),
  };
}

const WARSAW: LatLon = { lat: 52.2297, lon: 21.0122 };

/** A timed waypoint of a person's true path. */
interface Waypoint {
  readonly t: number;
  readonly p: LatLon;
}

function positionAt(path: readonly Waypoint[], t: number, lo: { i: number }): LatLon {
  while (lo.i < path.length - 2 && (path[lo.i + 1] as Waypoint).t <= t) lo.i++;
  const a = path[lo.i] as Waypoint;
  const b = path[lo.i + 1] ?? a;
  const f = b.t === a.t ? 0 : Math.min(1, Math.max(0, (t - a.t) / (b.t - a.t)));
  return { lat: a.p.lat + (b.p.lat - a.p.lat) * f, lon: a.p.lon + (b.p.lon - a.p.lon) * f };
}

/** A person with a portable unit and exclusion zones beside their commute. */
function mobileSupervision(id: string, rand: () => number, params: FleetParams): GeneratedSupervision {
  const start = params.startUtcMs;
  const end = start + params.days * DAY;
  const quiet = end - QUIET_END_MS;
  const tx = `${id}-TX`;
  const pu = `${id}-PU`;
  const truth: TrueCondition[] = [];
  const home = offset(WARSAW, (rand() - 0.5) * 16_000, (rand() - 0.5) * 16_000);
  const bearing = rand() * 2 * Math.PI;
  const dist = 2000 + rand() * 6000;
  const work = offset(home, dist * Math.cos(bearing), dist * Math.sin(bearing));
  // Zones beside the commute, their border 25–150 m from the path.
  const zones: {
    id: string;
    zone: Extract<Zone, { kind: 'circle' }>;
    f: number;
    clearance: number;
    side: number;
  }[] = [];
  const nZones = 1 + Math.floor(rand() * 2);
  for (let z = 0; z < nZones; z++) {
    const f = 0.2 + rand() * 0.6;
    const onLine = { lat: home.lat + (work.lat - home.lat) * f, lon: home.lon + (work.lon - home.lon) * f };
    const radius = 100 + rand() * 300;
    const clearance = 25 + rand() * 125;
    const side = rand() < 0.5 ? 1 : -1;
    const off = (radius + clearance) * side;
    const center = offset(onLine, -off * Math.sin(bearing), off * Math.cos(bearing));
    zones.push({
      id: `zone-${z}`,
      zone: { kind: 'circle', center, radiusMeters: radius },
      f,
      clearance,
      side,
    });
  }
  const obligations: Obligation[] = zones.map((z) => ({
    kind: 'exclusion_zone',
    id: z.id,
    name: `strefa ${z.id}`,
    zone: z.zone,
  }));

  // The true path, day by day.
  const path: Waypoint[] = [{ t: start, p: home }];
  const go = (t: number, p: LatLon): void => {
    path.push({ t, p });
  };
  for (let d = 0; d < params.days; d++) {
    const d0 = startOfLocalDay(localDateOf(start + d * DAY + 12 * HOUR));
    const dow = new Date(d0 + 12 * HOUR).getUTCDay();
    if (dow === 0 || dow === 6) {
      // A walk near home.
      const t0 = d0 + uniform(rand, 10 * HOUR, 15 * HOUR);
      const there = offset(home, (rand() - 0.5) * 1500, (rand() - 0.5) * 1500);
      go(t0, home);
      go(t0 + 30 * MIN, there);
      go(t0 + 90 * MIN, there);
      go(t0 + 120 * MIN, home);
      continue;
    }
    const leave = d0 + 7.5 * HOUR + uniform(rand, -30 * MIN, 30 * MIN);
    const commute = uniform(rand, 45 * MIN, 75 * MIN);
    go(leave, home);
    go(leave + commute, work);
    const backLeave = d0 + 16 * HOUR + uniform(rand, -30 * MIN, 30 * MIN);
    go(backLeave, work);
    const z = zones[0];
    if (z !== undefined && rand() < rates.zoneEntry && backLeave + 3 * HOUR < quiet) {
      // A detour into the zone on the way home: walk from the closest point of the commute to 60–200 m
      // inside the border (at most to the centre), stay 5–30 min, walk back.
      const f = 1 - z.f; // fraction along work → home
      const onLine = { lat: work.lat + (home.lat - work.lat) * f, lon: work.lon + (home.lon - work.lon) * f };
      const depth = Math.min(z.zone.radiusMeters, 60 + rand() * 140);
      const walk = z.clearance + depth;
      const off = walk * z.side;
      const inside = offset(onLine, -off * Math.sin(bearing), off * Math.cos(bearing));
      const tLine = backLeave + commute * f;
      const speed = 1.4;
      const tIn = tLine + (walk / speed) * SEC;
      const dwell = uniform(rand, 5 * MIN, 30 * MIN);
      go(tLine, onLine);
      go(tIn, inside);
      go(tIn + dwell, inside);
      go(tIn + dwell + (walk / speed) * SEC, onLine);
      go(tIn + dwell + (walk / speed) * SEC + commute * (1 - f), home);
    } else go(backLeave + commute, home);
  }
  go(end, home);
  // Truth: every stay inside a zone on the true path (the detours, and any walk that happens to cross one).
  for (const z of zones) {
    let inside: number | undefined;
    const close = (t: number, p: LatLon): void => {
      const now = containsPoint(z.zone, p.lat, p.lon);
      if (now && inside === undefined) inside = t;
      else if (!now && inside !== undefined) {
        if (inside < quiet)
          truth.push({
            supervisionId: id,
            rule: 'exclusion_zone',
            startedAt: inside,
            endedAt: t,
            what: `inside ${z.id} for ${Math.round((t - inside) / MIN)} min`,
          });
        inside = undefined;
      }
    };
    for (let k = 0; k + 1 < path.length; k++) {
      const a = path[k] as Waypoint;
      const b = path[k + 1] as Waypoint;
      if (a.p.lat === b.p.lat && a.p.lon === b.p.lon) {
        close(a.t, a.p);
        continue;
      }
      // Moving: sample every 2 s (walking 3 m at most between samples).
      for (let t = a.t; t < b.t; t += 2 * SEC) {
        const f = (t - a.t) / (b.t - a.t);
        close(t, { lat: a.p.lat + (b.p.lat - a.p.lat) * f, lon: a.p.lon + (b.p.lon - a.p.lon) * f });
      }
    }
  }

  // Charging: plugged in at night; some nights forgotten, the unit runs down and dies until plugged in.
  const recs: Recording[] = [];
  const dead: Interval[] = [];
  const charging: Interval[] = [];
  let battery = 100;
  let t = start;
  const phase = rand() * REPORT_INTERVAL_MS;
  let nextBeat = start + phase;
  const lowSent = { 20: false, 10: false };
  const events: { t: number; kind: 'plug' | 'unplug' }[] = [];
  for (let d = 0; d < params.days; d++) {
    const d0 = startOfLocalDay(localDateOf(start + d * DAY + 12 * HOUR));
    if (rand() < rates.forgotCharging && d0 + 2 * DAY < quiet) continue;
    events.push({ t: d0 + 22 * HOUR + uniform(rand, -30 * MIN, 30 * MIN), kind: 'plug' });
    events.push({ t: d0 + DAY + 6.5 * HOUR, kind: 'unplug' });
  }
  let plugged = false;
  let deadSince: number | undefined;
  const step = MIN;
  let ei = 0;
  for (; t < end; t += step) {
    while (ei < events.length && (events[ei] as { t: number }).t <= t) {
      const ev = events[ei] as { t: number; kind: 'plug' | 'unplug' };
      if (ev.kind === 'plug' && !plugged) {
        plugged = true;
        charging.push({ from: ev.t, to: end });
        if (deadSince !== undefined) {
          dead.push({ from: deadSince, to: ev.t });
          deadSince = undefined;
        }
      } else if (ev.kind === 'unplug' && plugged) {
        plugged = false;
        (charging[charging.length - 1] as Interval).to = ev.t;
      }
      ei++;
    }
    if (plugged) {
      battery = Math.min(100, battery + (33 * step) / HOUR);
      if (battery >= 30) lowSent[20] = lowSent[10] = false;
    } else if (deadSince === undefined) {
      battery -= (3 * step) / HOUR;
      if (battery <= 20 && !lowSent[20]) {
        lowSent[20] = true;
        recs.push({ t, kind: 'unit_battery_low', body: { battery: 20 } });
        truth.push({
          supervisionId: id,
          rule: 'unit_battery_low',
          startedAt: t,
          what: 'portable unit battery low',
        });
      }
      if (battery <= 10 && !lowSent[10]) {
        lowSent[10] = true;
        // Raises the low episode to serious (ADR 0502): the same condition, not one of its own.
        recs.push({ t, kind: 'unit_battery_low', body: { battery: 10 } });
      }
      if (battery <= 0) {
        battery = 0;
        deadSince = t;
      }
    }
    while (nextBeat < t + step) {
      if (deadSince === undefined && nextBeat >= t)
        recs.push({
          t: nextBeat,
          kind: 'heartbeat',
          body: {
            // Whole percent, rounded up: a heartbeat says 10 % only once the unit's 10 % warning is due.
            battery: Math.ceil(battery),
            signal: Math.round(uniform(rand, 40, 80)),
            power: plugged ? 'mains' : 'battery',
          },
        });
      nextBeat += REPORT_INTERVAL_MS;
    }
  }
  if (deadSince !== undefined) dead.push({ from: deadSince, to: end });
  // End the truth of a battery episode when the unit is plugged in again.
  for (const c of truth) {
    if (c.rule !== 'unit_battery_low') continue;
    const plug = charging.find((x) => x.from > c.startedAt);
    (c as { endedAt?: number }).endedAt = plug?.from ?? end;
  }

  // Location fixes with a city's GPS error model (as packages/domain/src/engine/test/generators.ts):
  // correlated noise, urban canyons, multipath outliers and spells, jumps, cell fixes, indoor gaps.
  const sigma = 4 + rand() * 16;
  let ex = 0;
  let ey = 0;
  let canyonUntil = -1;
  let biasUntil = -1;
  let biasN = 0;
  let biasE = 0;
  let gapUntil = -1;
  const cursor = { i: 0 };
  /** Fixes 1–5 km off: not a position, whatever their accuracy says. */
  const jumps = new Set<number>();
  for (let tf = start + rand() * FIX_INTERVAL_MS; tf < end; tf += FIX_INTERVAL_MS) {
    if (inAny(dead, tf) !== undefined) continue;
    const p = positionAt(path, tf, cursor);
    if (tf < gapUntil) continue;
    if (rand() < 0.002) {
      gapUntil = tf + uniform(rand, 2 * MIN, 15 * MIN);
      continue;
    }
    if (tf >= canyonUntil && rand() < 0.003) canyonUntil = tf + uniform(rand, 2 * MIN, 12 * MIN);
    const canyon = tf < canyonUntil;
    if (tf >= biasUntil && rand() < 0.002) {
      biasUntil = tf + uniform(rand, MIN, 4 * MIN);
      const r = 50 + rand() * 100;
      const a = rand() * 2 * Math.PI;
      biasN = r * Math.cos(a);
      biasE = r * Math.sin(a);
    }
    const s = canyon ? sigma * 3 : sigma;
    ex = 0.9 * ex + Math.sqrt(0.19) * s * gaussian(rand);
    ey = 0.9 * ey + Math.sqrt(0.19) * s * gaussian(rand);
    let acc = Math.round(sigma * 1.5 * (canyon ? 2 : 1) * (0.8 + rand() * 0.4));
    let north = ey + (tf < biasUntil ? biasN : 0);
    let east = ex + (tf < biasUntil ? biasE : 0);
    const u = rand();
    if (u < 0.01) {
      const r = 80 + rand() * 220;
      const a = rand() * 2 * Math.PI;
      north += r * Math.cos(a);
      east += r * Math.sin(a);
    } else if (u < 0.012) {
      jumps.add(tf);
      const r = 1000 + rand() * 4000;
      const a = rand() * 2 * Math.PI;
      north += r * Math.cos(a);
      east += r * Math.sin(a);
    } else if (u < 0.032) {
      acc = 500 + Math.round(rand() * 1000);
      north += (rand() - 0.5) * acc;
      east += (rand() - 0.5) * acc;
    }
    const fix = offset(p, north, east);
    recs.push({
      t: tf,
      kind: 'location',
      body: { lat: round6(fix.lat), lon: round6(fix.lon), acc, src: acc >= 500 ? 'cell' : 'gps' },
    });
  }
  // A zone entry is dated by the fixes: when the unit recorded no fix for over a minute after the crossing
  // (an indoor gap, a dead unit), no engine can date it closer than the first fix after the crossing, so
  // that is the truth's start; a stay in which it recorded no fix at all is not observable and not scored.
  // (A jump, 1–5 km off, says nothing about the person.)
  const fixTimes = recs
    .filter((r) => r.kind === 'location' && !jumps.has(r.t))
    .map((r) => r.t)
    .sort((a, b) => a - b);
  for (let k = truth.length - 1; k >= 0; k--) {
    const c = truth[k] as TrueCondition;
    if (c.rule !== 'exclusion_zone') continue;
    const lo = firstIndexAtOrAfter(fixTimes, c.startedAt);
    const first = fixTimes[lo];
    if (first === undefined || (c.endedAt !== undefined && first >= c.endedAt)) truth.splice(k, 1);
    else if (first - c.startedAt > MIN)
      truth[k] = {
        ...c,
        startedAt: first,
        what: `${c.what}, crossed at ${new Date(c.startedAt).toISOString().slice(11, 19)} in a ${Math.round((first - c.startedAt) / SEC)} s gap of fixes`,
      };
  }

  // Strap tamper (the portable unit hears it, when alive).
  for (let d = 0; d < params.days; d++) {
    if (rand() >= rates.strapTamper) continue;
    const tt = start + d * DAY + uniform(rand, 0, DAY);
    if (tt > quiet || inAny(dead, tt) !== undefined) continue;
    recs.push({ t: tt, kind: 'tx_strap_tamper', body: { tx } });
    truth.push({ supervisionId: id, rule: 'strap_tamper', startedAt: tt, what: 'strap opened' });
  }
  const txb = txBatteryReports(rand, start, end);
  if (txb) {
    let firstLow: number | undefined;
    for (const r of txb.reports) {
      const d = inAny(dead, r.t);
      const tt = d === undefined ? r.t : d.to + 20 * SEC;
      recs.push({ t: tt, kind: 'tx_battery_low', body: { tx, battery: r.battery } });
      firstLow ??= tt;
    }
    if (firstLow !== undefined)
      truth.push({
        supervisionId: id,
        rule: 'tx_battery_low',
        startedAt: firstLow,
        endedAt: txb.replacedAt,
        what: 'transmitter battery low',
      });
  }

  // Truth: location loss = no usable fix (error circle within 500 m, not a jump) for over 20 min while the
  // unit worked.
  const usable = recs
    .filter((r) => r.kind === 'location' && (r.body.acc ?? 1000) <= 500 && !jumps.has(r.t))
    .map((r) => r.t);
  usable.sort((a, b) => a - b);
  for (let i = 0; i + 1 < usable.length; i++) {
    const a = usable[i] as number;
    const b = usable[i + 1] as number;
    if (b - a <= 20 * MIN || a > quiet) continue;
    if (dead.some((x) => x.from < a + 20 * MIN && x.to > a)) continue;
    // The rule's documented proof that the unit worked (docs/engine.md): an event recorded after the
    // 20 minutes passed, before the fix that ends the gap. A gap of 20–25 minutes between heartbeats every
    // 5 minutes often has none; the returning fix does not count (ADR 0505).
    if (!recs.some((r) => r.t >= a + 20 * MIN && r.t < b)) continue;
    truth.push({
      supervisionId: id,
      rule: 'location_loss',
      startedAt: a,
      endedAt: b,
      what: `no usable fix for ${Math.round((b - a) / MIN)} min`,
    });
  }
  const outages = outagesFor(rand, start, end);
  const deliveries = deliver(rand, pu, recs, outages, start, end);
  truth.push(...trueCommunicationLosses(id, pu, deliveries, start, end));
  return {
    kind: 'mobile',
    timeline: {
      supervisionId: id,
      regionId: 'PL-MZ',
      versions: [
        version(id, start, ['mobile'], obligations, {
          transmitterId: tx,
          portableUnit: { deviceId: pu, reportIntervalMs: REPORT_INTERVAL_MS },
        }),
      ],
    },
    deliveries,
    truth: truth.sort((a, b) => a.startedAt - b.startedAt),
  };
}

/** Index of the first of `sorted` at or after `t` (its length when none). */
function firstIndexAtOrAfter(sorted: readonly number[], t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}

/** The rules the generator makes true conditions for (the rest can only be false). */
export const GENERATED_RULES: readonly AlarmRule[] = [
  'presence',
  'daily_away_limit',
  'exclusion_zone',
  'strap_tamper',
  'communication_loss',
  'unit_power',
  'tx_battery_low',
  'unit_battery_low',
  'location_loss',
];
