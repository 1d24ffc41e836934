/**
 * Equipment, communication, late data and infrastructure scenarios: tamper, batteries, power, faults,
 * a silent unit, a 30-hour upload, a sequence gap, a regional power cut.
 */
import type { Scenario, ScenarioEvent, ScenarioHeartbeats, ScenarioSupervision } from './model.js';
import {
  HOUR,
  MIN,
  ORIGIN,
  SEC,
  beats,
  devices,
  leaves,
  mobile,
  returns,
  stationary,
  warsaw,
  weekly,
} from './build.js';

const MONDAY = warsaw('2026-03-09 00:00');
const at = (text: string): number => warsaw(text) - MONDAY;
/** Always at home: no away window at all. */
const HOUSE_ARREST = weekly({});
const WORK = weekly({
  mon: [{ start: '08:00', end: '16:00', label: 'praca' }],
  tue: [{ start: '08:00', end: '16:00', label: 'praca' }],
  wed: [{ start: '08:00', end: '16:00', label: 'praca' }],
});

const equipment: Scenario = (() => {
  const a = 'equipment-home';
  const b = 'equipment-portable';
  const da = devices(a);
  const db = devices(b);
  const txEvent = (
    t: number,
    kind: ScenarioEvent['kind'],
    extra: ScenarioEvent['body'] = {},
  ): ScenarioEvent => ({
    at: t,
    deviceId: da.hu,
    kind,
    body: { tx: da.tx, ...extra },
  });
  return {
    id: 'equipment-all',
    title: {
      pl: 'Naruszenie paska (3 razy), obudowy, przemieszczenie, baterie, zasilanie, usterka',
      en: 'Strap tamper (3 times), case tamper, unit moved, batteries, power, fault',
    },
    covers: [
      'strap_tamper',
      'case_tamper',
      'unit_moved',
      'tx_battery_low',
      'unit_power',
      'unit_battery_low',
      'device_fault',
    ],
    startUtcMs: MONDAY,
    durationMs: 24 * HOUR,
    supervisions: [
      { supervisionId: a, regionId: 'PL-MZ', versions: [stationary(a, HOUSE_ARREST)] },
      { supervisionId: b, regionId: 'PL-MZ', versions: [mobile(b, [])] },
    ],
    events: [
      txEvent(10 * HOUR, 'tx_strap_tamper'),
      txEvent(10 * HOUR + 2 * MIN, 'tx_strap_tamper'),
      txEvent(10 * HOUR + 4 * MIN, 'tx_strap_tamper'),
      txEvent(11 * HOUR, 'tx_case_tamper'),
      { at: 12 * HOUR, deviceId: da.hu, kind: 'unit_case_tamper' },
      { at: 13 * HOUR, deviceId: da.hu, kind: 'unit_moved' },
      txEvent(14 * HOUR, 'tx_battery_low', { battery: 18 }),
      { at: 15 * HOUR, deviceId: da.hu, kind: 'unit_power_lost' },
      { at: 15 * HOUR + 45 * MIN, deviceId: da.hu, kind: 'unit_power_restored' },
      { at: 16 * HOUR, deviceId: da.hu, kind: 'fault', body: { code: 'gsm_module', detail: 'modem reset' } },
      txEvent(20 * HOUR, 'tx_battery_low', { battery: 8 }),
      { at: 11 * HOUR, deviceId: db.pu, kind: 'unit_battery_low', body: { battery: 15 } },
    ],
    heartbeats: [
      beats(da.hu, 0, 15 * HOUR),
      beats(da.hu, 15 * HOUR, 15 * HOUR + 45 * MIN, { power: 'battery', battery: 80 }),
      beats(da.hu, 15 * HOUR + 45 * MIN, 24 * HOUR),
      beats(db.pu, 0, 11 * HOUR, { power: 'battery', battery: 40 }),
      beats(db.pu, 11 * HOUR, 12 * HOUR, { power: 'battery', battery: 15 }),
      beats(db.pu, 12 * HOUR, 13 * HOUR, { power: 'battery', battery: 8 }),
      beats(db.pu, 13 * HOUR, 24 * HOUR, { power: 'mains', battery: 50 }),
    ],
    tracks: [
      {
        deviceId: db.pu,
        everyMs: 60_000,
        acc: 10,
        path: [
          { at: 0, ...ORIGIN },
          { at: 24 * HOUR, ...ORIGIN },
        ],
      },
    ],
    expect: [
      {
        supervisionId: a,
        rule: 'strap_tamper',
        openedAt: 10 * HOUR,
        toleranceMs: SEC,
        severity: 'critical',
        resolvedAt: null,
      },
      { supervisionId: a, rule: 'case_tamper', openedAt: 11 * HOUR, toleranceMs: SEC, severity: 'critical' },
      { supervisionId: a, rule: 'case_tamper', openedAt: 12 * HOUR, toleranceMs: SEC, severity: 'critical' },
      { supervisionId: a, rule: 'unit_moved', openedAt: 13 * HOUR, toleranceMs: SEC, severity: 'serious' },
      // One battery episode per device (ADR 0502): low at 14:00, critical at 20:00 — the same episode,
      // raised to serious; a transmitter battery is not charged by itself, so it is still open.
      {
        supervisionId: a,
        rule: 'tx_battery_low',
        openedAt: 14 * HOUR,
        toleranceMs: SEC,
        severity: 'serious',
        cause: 'transmitter_battery_critical',
        resolvedAt: null,
      },
      {
        supervisionId: a,
        rule: 'unit_power',
        openedAt: 15 * HOUR,
        resolvedAt: 15 * HOUR + 45 * MIN,
        toleranceMs: SEC,
        severity: 'informational',
      },
      { supervisionId: a, rule: 'device_fault', openedAt: 16 * HOUR, toleranceMs: SEC, severity: 'serious' },
      // The portable unit: low at 11:00 (15 %), critical at 12:00 (a heartbeat at 8 % on battery) — one
      // episode raised to serious, ended by mains at 13:00.
      {
        supervisionId: b,
        rule: 'unit_battery_low',
        openedAt: 11 * HOUR,
        resolvedAt: 13 * HOUR,
        toleranceMs: SEC,
        severity: 'serious',
        cause: 'unit_battery_critical',
      },
    ],
    forbid: [],
    exhaustive: true,
  };
})();

const commLoss: Scenario = (() => {
  const id = 'communication-loss-unit-off';
  const d = devices(id);
  return {
    id,
    title: {
      pl: 'Rejestrator milknie na godzinę (wyłączony) — utrata łączności, wykryta co do sekundy',
      en: 'The home unit goes silent for an hour (off) — communication loss, found to the second',
    },
    covers: ['communication_loss'],
    startUtcMs: MONDAY,
    durationMs: 14 * HOUR,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [stationary(id, HOUSE_ARREST)] }],
    events: [],
    heartbeats: [beats(d.hu, 0, 14 * HOUR)],
    off: [{ deviceId: d.hu, from: 10 * HOUR, to: 11 * HOUR }],
    expect: [
      {
        supervisionId: id,
        rule: 'communication_loss',
        // Last heartbeat 09:55 received 09:55:01; 2 intervals + 30 s.
        openedAt: 10 * HOUR + 5 * MIN + 31 * SEC,
        resolvedAt: 11 * HOUR + SEC,
        toleranceMs: 0,
        cause: 'unit_not_recording',
        late: false,
      },
    ],
    forbid: [],
    exhaustive: true,
  };
})();

const lateUpload: Scenario = (() => {
  const id = 'late-upload-30h';
  const d = devices(id);
  const outageFrom = at('2026-03-09 12:00');
  const upload = at('2026-03-10 18:00');
  return {
    id,
    title: {
      pl: 'Rejestrator bez sieci przez 30 godzin, potem przesyła zapisane zdarzenia: nocne wyjście wykryte z opóźnieniem',
      en: 'Home unit without network for 30 hours, then uploads its buffer: a night out found late',
    },
    covers: ['presence', 'communication_loss'],
    startUtcMs: MONDAY,
    durationMs: at('2026-03-10 20:00'),
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [stationary(id, WORK)] }],
    events: [
      leaves(id, at('2026-03-09 08:05')),
      returns(id, at('2026-03-09 15:50')),
      leaves(id, at('2026-03-09 23:00')),
      returns(id, at('2026-03-10 00:10')),
      leaves(id, at('2026-03-10 08:05')),
      returns(id, at('2026-03-10 15:55')),
    ],
    heartbeats: [beats(d.hu, 0, at('2026-03-10 20:00'))],
    offline: [{ deviceId: d.hu, from: outageFrom, to: upload, uploadAt: upload }],
    expect: [
      {
        supervisionId: id,
        rule: 'presence',
        openedAt: at('2026-03-09 23:03'),
        resolvedAt: at('2026-03-10 00:10'),
        toleranceMs: SEC,
        late: true,
        cause: 'left_when_required',
      },
      {
        supervisionId: id,
        rule: 'communication_loss',
        openedAt: outageFrom - 5 * MIN + SEC + 10 * MIN + 30 * SEC,
        resolvedAt: upload,
        toleranceMs: SEC,
        cause: 'link_down_unit_recording',
      },
    ],
    forbid: [
      {
        supervisionId: id,
        rule: 'presence',
        from: at('2026-03-09 15:00'),
        to: at('2026-03-09 17:00'),
        why: 'the upload shows the person back at 15:50',
      },
    ],
    exhaustive: true,
  };
})();

const gapUndecided: Scenario = (() => {
  const id = 'sequence-gap-undecided';
  const d = devices(id);
  const t = (hhmm: string): number => at(`2026-03-09 ${hhmm}`);
  return {
    id,
    title: {
      pl: 'Brakujące zdarzenie w sekwencji: alarm oznaczony jako nierozstrzygnięty',
      en: 'A missing event in the sequence: the alarm is marked undecided',
    },
    covers: ['presence'],
    startUtcMs: MONDAY,
    durationMs: t('23:30'),
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [stationary(id, HOUSE_ARREST)] }],
    events: [
      leaves(id, t('22:00')),
      { ...returns(id, t('22:00') + 90 * SEC), withheld: true }, // the center has not received it
      leaves(id, t('22:40')),
      returns(id, t('22:41')),
    ],
    heartbeats: [beats(d.hu, 0, t('23:30'))],
    expect: [
      {
        supervisionId: id,
        rule: 'presence',
        openedAt: t('22:03'),
        resolvedAt: t('22:41'),
        toleranceMs: SEC,
        undecided: true,
      },
    ],
    forbid: [],
    exhaustive: true,
  };
})();

const regionalPowerCut: Scenario = (() => {
  const zp = Array.from({ length: 8 }, (_, i) => `power-cut-zp-${i + 1}`);
  const mz = Array.from({ length: 2 }, (_, i) => `power-cut-mz-${i + 1}`);
  const cut = 14 * HOUR;
  const back = 17 * HOUR;
  const end = 20 * HOUR;
  const dead = new Set([zp[5], zp[6], zp[7]]);
  const supervisions: ScenarioSupervision[] = [
    ...zp.map((id) => ({ supervisionId: id, regionId: 'PL-ZP', versions: [stationary(id, HOUSE_ARREST)] })),
    ...mz.map((id) => ({ supervisionId: id, regionId: 'PL-MZ', versions: [stationary(id, HOUSE_ARREST)] })),
  ];
  const events: ScenarioEvent[] = [];
  const heartbeats: ScenarioHeartbeats[] = [];
  zp.forEach((id, i) => {
    const hu = devices(id).hu;
    events.push({ at: cut + i * 20 * SEC, deviceId: hu, kind: 'unit_power_lost' });
    events.push({ at: back + i * 10 * SEC, deviceId: hu, kind: 'unit_power_restored' });
    heartbeats.push(beats(hu, 0, cut));
    heartbeats.push(beats(hu, cut, back, { power: 'battery', battery: 60 }));
    heartbeats.push(beats(hu, back, end));
  });
  mz.forEach((id) => heartbeats.push(beats(devices(id).hu, 0, end)));
  const first = zp[0] as string;
  events.push(leaves(first, 15 * HOUR), returns(first, 15 * HOUR + 30 * MIN));
  return {
    id: 'regional-power-cut',
    title: {
      pl: 'Awaria zasilania w regionie: 8 rejestratorów traci zasilanie, 3 milkną — jeden incydent',
      en: 'A regional power cut: 8 home units lose power, 3 go silent — one incident',
    },
    covers: ['unit_power', 'communication_loss', 'presence'],
    startUtcMs: MONDAY,
    durationMs: end,
    supervisions,
    events,
    heartbeats,
    off: [...dead].map((id) => ({ deviceId: devices(id as string).hu, from: cut + 30 * MIN, to: back })),
    expect: [
      {
        supervisionId: first,
        rule: 'presence',
        openedAt: 15 * HOUR + 3 * MIN,
        resolvedAt: 15 * HOUR + 30 * MIN,
        toleranceMs: SEC,
      },
      ...zp.map((id, i) => ({
        supervisionId: id,
        rule: 'unit_power' as const,
        openedAt: cut + i * 20 * SEC,
        toleranceMs: SEC,
      })),
      ...[...dead].map((id) => ({
        supervisionId: id as string,
        rule: 'communication_loss' as const,
        openedAt: cut + 25 * MIN + SEC + 10 * MIN + 30 * SEC,
        toleranceMs: SEC,
      })),
    ],
    forbid: mz.map((id) => ({ supervisionId: id, rule: '*' as const, why: 'another region' })),
    exhaustive: true,
    incidents: [{ regionId: 'PL-ZP', kind: 'power_outage', minSupervisions: 8 }],
  };
})();

export const equipmentScenarios: readonly Scenario[] = [
  equipment,
  commLoss,
  lateUpload,
  gapUndecided,
  regionalPowerCut,
];
