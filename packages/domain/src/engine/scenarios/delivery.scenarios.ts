/**
 * Real delivery (issue 19, "decided means decided", ADR 0501): a return-home event lost and retransmitted
 * days later, a unit silent across days, a supervision activated in the past, and v1.1 heartbeats that
 * confirm the transmitter's state without a transition event.
 */
import type { EngineEventBody } from '../types.js';
import type { Scenario, ScenarioEvent } from './model.js';
import {
  HEARTBEAT_MS,
  HOUR,
  MIN,
  ORIGIN,
  SEC,
  beats,
  devices,
  exclusion,
  leaves,
  mobile,
  near,
  returns,
  stationary,
  warsaw,
  weekly,
} from './build.js';

const MONDAY = warsaw('2026-03-09 00:00');
const at = (text: string): number => warsaw(text) - MONDAY;
/** Always at home. */
const HOUSE_ARREST = weekly({});
/** Work Monday to Wednesday 08:00–16:00; at home otherwise. */
const WORK = weekly({
  mon: [{ start: '08:00', end: '16:00', label: 'praca' }],
  tue: [{ start: '08:00', end: '16:00', label: 'praca' }],
  wed: [{ start: '08:00', end: '16:00', label: 'praca' }],
});

const lateReturn: Scenario = (() => {
  const id = 'delivery-late-return-after-settled';
  const d = devices(id);
  const resent = at('2026-03-11 20:00');
  return {
    id,
    title: {
      pl: 'Zdarzenie powrotu utracone i przesłane ponownie po dwóch dobach: bez lawiny alarmów dzień po dniu',
      en: 'A return-home event lost and retransmitted two days later: no cascade of alarms day after day',
    },
    covers: ['presence', 'daily_away_limit'],
    startUtcMs: MONDAY,
    durationMs: at('2026-03-12 08:00'),
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [stationary(id, WORK)] }],
    events: [
      leaves(id, at('2026-03-09 08:05')),
      // The frame is lost; the unit keeps reporting and retransmits it on Wednesday evening.
      { ...returns(id, at('2026-03-09 15:50')), receivedAt: resent },
    ],
    heartbeats: [beats(d.hu, 0, at('2026-03-12 08:00'))],
    // Before the retransmission the carried "away" state is undecided (one episode per rule, no sound);
    // after it nothing happened.
    expect: [],
    forbid: [],
    exhaustive: true,
  };
})();

const silenceAcrossDays: Scenario = (() => {
  const home = 'delivery-silence-home';
  const walk = 'delivery-silence-mobile';
  const h = devices(home);
  const m = devices(walk);
  const off = { from: at('2026-03-09 12:00'), to: at('2026-03-12 12:00') };
  const end = at('2026-03-12 14:00');
  const zone = exclusion('far', 'ul. Daleka 1', {
    kind: 'circle',
    center: near(ORIGIN, 5000, 0),
    radiusMeters: 200,
  });
  return {
    id: 'delivery-silence-across-days',
    title: {
      pl: 'Urządzenia wyłączone przez trzy doby: jedna utrata łączności, bez alarmów obecności za każdą dobę i bez utraty położenia',
      en: 'Units off for three days: one communication loss, no presence alarm per day and no location loss',
    },
    covers: ['communication_loss', 'presence', 'daily_away_limit'],
    startUtcMs: MONDAY,
    durationMs: end,
    supervisions: [
      { supervisionId: home, regionId: 'PL-MZ', versions: [stationary(home, WORK)] },
      { supervisionId: walk, regionId: 'PL-MZ', versions: [mobile(walk, [zone])] },
    ],
    events: [leaves(home, at('2026-03-09 08:05')), returns(home, at('2026-03-12 13:00'))],
    heartbeats: [beats(h.hu, 0, end), beats(m.pu, 0, end, { power: 'battery' })],
    // Back on, the unit reports at once but takes 3 minutes to get its first fix.
    tracks: [
      {
        deviceId: m.pu,
        everyMs: HEARTBEAT_MS,
        path: [
          { at: 0, ...ORIGIN },
          { at: off.from, ...ORIGIN },
        ],
        acc: 10,
      },
      {
        deviceId: m.pu,
        everyMs: HEARTBEAT_MS,
        path: [
          { at: off.to + 3 * MIN, ...ORIGIN },
          { at: end, ...ORIGIN },
        ],
        acc: 10,
      },
    ],
    off: [
      { deviceId: h.hu, ...off },
      { deviceId: m.pu, ...off },
    ],
    expect: [
      ...[home, walk].map((s) => ({
        supervisionId: s,
        rule: 'communication_loss' as const,
        // Last report 11:55, received 11:55:01; 2 intervals + 30 s.
        openedAt: off.from - 5 * MIN + SEC + 10 * MIN + 30 * SEC,
        resolvedAt: off.to + SEC,
        toleranceMs: SEC,
        cause: 'unit_not_recording',
      })),
      // Away since 08:05 when the unit went off: what followed is not known, so one undecided episode per
      // rule — not one decided alarm per day.
      {
        supervisionId: home,
        rule: 'presence',
        openedAt: at('2026-03-09 16:03'),
        toleranceMs: SEC,
        undecided: true,
      },
      {
        supervisionId: home,
        rule: 'daily_away_limit',
        openedAt: at('2026-03-09 20:15'),
        toleranceMs: SEC,
        undecided: true,
      },
    ],
    forbid: [{ supervisionId: walk, rule: 'location_loss', why: 'the silence is communication loss' }],
    exhaustive: true,
  };
})();

const pastActivation: Scenario = (() => {
  const id = 'delivery-past-activation';
  const d = devices(id);
  return {
    id,
    title: {
      pl: 'Dozór aktywowany wstecz (trzy doby wcześniej), urządzenie zgłasza się dopiero teraz: nic, czego nie da się datować',
      en: 'A supervision activated three days back, its unit first heard now: nothing that cannot be dated',
    },
    covers: ['communication_loss'],
    startUtcMs: MONDAY,
    durationMs: 8 * HOUR,
    supervisions: [
      { supervisionId: id, regionId: 'PL-MZ', versions: [stationary(id, HOUSE_ARREST, -72 * HOUR)] },
    ],
    events: [],
    heartbeats: [beats(d.hu, 2 * HOUR, 8 * HOUR)],
    expect: [],
    forbid: [
      {
        supervisionId: id,
        rule: 'communication_loss',
        why: 'no report was due before the unit first made contact',
      },
    ],
    exhaustive: true,
  };
})();

const heartbeatConfirms: Scenario = (() => {
  const day = 'delivery-heartbeat-absence';
  const night = 'delivery-heartbeat-lost-return';
  const a = devices(day);
  const b = devices(night);
  const end = at('2026-03-10 02:00');
  /** v1.1 heartbeats saying whether the transmitter is in range. */
  const heartbeats = (unit: string, tx: string, inRange: (t: number) => boolean): ScenarioEvent[] => {
    const out: ScenarioEvent[] = [];
    for (let t = 0; t < end; t += HEARTBEAT_MS) {
      const body: EngineEventBody = {
        battery: 90,
        signal: 70,
        power: 'mains',
        txs: [{ tx, inRange: inRange(t) }],
      };
      out.push({ at: t, deviceId: unit, kind: 'heartbeat', body });
    }
    return out;
  };
  const dayOut = (t: number): boolean => t >= at('2026-03-09 08:03') && t < at('2026-03-09 16:38');
  const nightOut = (t: number): boolean => t >= at('2026-03-09 22:30') && t < at('2026-03-09 23:28');
  return {
    id: 'delivery-heartbeat-txs',
    title: {
      pl: 'Heartbeat v1.1 z stanem nadajnika potwierdza nieobecność bez zdarzenia przejścia i powrót mimo utraconego zdarzenia',
      en: 'v1.1 heartbeats with the transmitter state confirm an absence with no transition event, and a return despite a lost event',
    },
    covers: ['presence'],
    startUtcMs: MONDAY,
    durationMs: end,
    supervisions: [
      { supervisionId: day, regionId: 'PL-MZ', versions: [stationary(day, WORK)] },
      { supervisionId: night, regionId: 'PL-MZ', versions: [stationary(night, WORK)] },
    ],
    events: [
      // Unit A sends no transition events at all: only its heartbeats say where the transmitter is.
      ...heartbeats(a.hu, a.tx, (t) => !dayOut(t)),
      // Unit B reports leaving; its return event is lost and never arrives.
      leaves(night, at('2026-03-09 22:30')),
      { ...returns(night, at('2026-03-09 23:28')), withheld: true },
      ...heartbeats(b.hu, b.tx, (t) => !nightOut(t)),
    ],
    expect: [
      {
        supervisionId: day,
        rule: 'presence',
        // Window over at 16:00, 3 min grace; the first heartbeat in range is at 16:40.
        openedAt: at('2026-03-09 16:03'),
        resolvedAt: at('2026-03-09 16:40'),
        toleranceMs: SEC,
        undecided: false,
        cause: 'absent_at_required_start',
      },
      {
        supervisionId: night,
        rule: 'presence',
        openedAt: at('2026-03-09 22:33'),
        resolvedAt: at('2026-03-09 23:30'),
        toleranceMs: SEC,
        undecided: false,
        cause: 'left_when_required',
      },
    ],
    forbid: [],
    exhaustive: true,
  };
})();

export const deliveryScenarios: readonly Scenario[] = [
  lateReturn,
  silenceAcrossDays,
  pastActivation,
  heartbeatConfirms,
];
