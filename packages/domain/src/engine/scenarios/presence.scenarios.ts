/** Curfew / presence scenarios (stationary monitoring), including midnight, DST nights and an order change. */
import type { Scenario } from './model.js';
import { HOUR, MIN, SEC, beats, devices, leaves, returns, stationary, warsaw, weekly } from './build.js';

/** Monday 2 March 2026, 00:00 in Warsaw. */
const MONDAY = warsaw('2026-03-02 00:00');
const mon = (hhmm: string, day = '2026-03-02'): number => warsaw(`${day} ${hhmm}`) - MONDAY;
const WORK = weekly({
  mon: [{ start: '08:00', end: '16:00', label: 'praca' }],
  tue: [{ start: '08:00', end: '16:00', label: 'praca' }],
});

function simpleStationary(
  id: string,
  title: Scenario['title'],
  events: Scenario['events'],
  rest: Partial<Scenario> & Pick<Scenario, 'expect' | 'forbid'>,
): Scenario {
  return {
    id,
    title,
    covers: ['presence'],
    startUtcMs: MONDAY,
    durationMs: 24 * HOUR,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [stationary(id, WORK)] }],
    events,
    heartbeats: [beats(devices(id).hu, 0, rest.durationMs ?? 24 * HOUR)],
    exhaustive: true,
    ...rest,
  };
}

export const presenceScenarios: readonly Scenario[] = [
  simpleStationary(
    'presence-compliant-day',
    { pl: 'Wyjście do pracy i powrót w oknie', en: 'Out to work and back within the window' },
    [leaves('presence-compliant-day', mon('08:10')), returns('presence-compliant-day', mon('15:45'))],
    {
      expect: [],
      forbid: [{ supervisionId: 'presence-compliant-day', rule: '*', why: 'the person kept the schedule' }],
    },
  ),
  simpleStationary(
    'presence-late-return',
    { pl: 'Spóźniony powrót z pracy', en: 'Late return from work' },
    [leaves('presence-late-return', mon('08:10')), returns('presence-late-return', mon('16:40'))],
    {
      expect: [
        {
          supervisionId: 'presence-late-return',
          rule: 'presence',
          openedAt: mon('16:03'),
          resolvedAt: mon('16:40'),
          toleranceMs: SEC,
          cause: 'absent_at_required_start',
          severity: 'serious',
          late: false,
        },
      ],
      forbid: [],
    },
  ),
  simpleStationary(
    'presence-early-departure',
    { pl: 'Wyjście w nocy w czasie obowiązku przebywania', en: 'Leaving at night during the curfew' },
    [leaves('presence-early-departure', mon('22:30')), returns('presence-early-departure', mon('23:30'))],
    {
      expect: [
        {
          supervisionId: 'presence-early-departure',
          rule: 'presence',
          openedAt: mon('22:33'),
          resolvedAt: mon('23:30'),
          toleranceMs: SEC,
          cause: 'left_when_required',
        },
      ],
      forbid: [],
    },
  ),
  simpleStationary(
    'presence-absent-when-curfew-begins',
    {
      pl: 'Nieobecny, gdy zaczyna się obowiązek — bez żadnego zdarzenia o 16:00',
      en: 'Absent when the curfew begins — no event at all at 16:00',
    },
    [leaves('presence-absent-when-curfew-begins', mon('08:05'))],
    {
      durationMs: mon('18:00'),
      expect: [
        {
          supervisionId: 'presence-absent-when-curfew-begins',
          rule: 'presence',
          openedAt: mon('16:03'),
          resolvedAt: null,
          toleranceMs: SEC,
          cause: 'absent_at_required_start',
        },
      ],
      forbid: [],
    },
  ),
  simpleStationary(
    'presence-short-blips',
    {
      pl: 'Krótkie utraty zasięgu (na granicy zasięgu) w nocy — w tolerancji',
      en: 'Short range losses at night (range border) — within grace',
    },
    [
      leaves('presence-short-blips', mon('23:00')),
      returns('presence-short-blips', mon('23:00') + 90 * SEC),
      leaves('presence-short-blips', mon('02:00', '2026-03-03')),
      returns('presence-short-blips', mon('02:00', '2026-03-03') + 40 * SEC),
      leaves('presence-short-blips', mon('02:00', '2026-03-03') + 60 * SEC),
      returns('presence-short-blips', mon('02:00', '2026-03-03') + 90 * SEC),
    ],
    {
      durationMs: 30 * HOUR,
      expect: [],
      forbid: [
        { supervisionId: 'presence-short-blips', rule: '*', why: 'blips shorter than the grace period' },
      ],
    },
  ),
  {
    id: 'presence-daily-limit',
    title: { pl: 'Ponad 12 godzin poza domem w ciągu doby', en: 'More than 12 hours away in one day' },
    covers: ['presence', 'daily_away_limit'],
    startUtcMs: warsaw('2026-03-07 00:00'),
    durationMs: 24 * HOUR,
    supervisions: [
      {
        supervisionId: 'presence-daily-limit',
        regionId: 'PL-MZ',
        versions: [
          stationary(
            'presence-daily-limit',
            weekly({ sat: [{ start: '07:00', end: '19:00', label: 'praca' }] }),
          ),
        ],
      },
    ],
    events: [
      leaves('presence-daily-limit', 6 * HOUR + 58 * MIN),
      returns('presence-daily-limit', 19 * HOUR + 14 * MIN),
    ],
    heartbeats: [beats(devices('presence-daily-limit').hu, 0, 24 * HOUR)],
    expect: [
      {
        supervisionId: 'presence-daily-limit',
        rule: 'presence',
        openedAt: 19 * HOUR + 3 * MIN,
        resolvedAt: 19 * HOUR + 14 * MIN,
        toleranceMs: SEC,
      },
      {
        supervisionId: 'presence-daily-limit',
        rule: 'daily_away_limit',
        openedAt: 19 * HOUR + 8 * MIN,
        resolvedAt: 19 * HOUR + 14 * MIN,
        toleranceMs: SEC,
      },
    ],
    forbid: [],
    exhaustive: true,
  },
  {
    id: 'presence-midnight-night-shift',
    title: {
      pl: 'Nocna zmiana przez północ, powrót spóźniony o 20 minut',
      en: 'Night shift across midnight, back 20 minutes late',
    },
    covers: ['presence'],
    startUtcMs: MONDAY,
    durationMs: 36 * HOUR,
    supervisions: [
      {
        supervisionId: 'presence-midnight-night-shift',
        regionId: 'PL-MZ',
        versions: [
          stationary(
            'presence-midnight-night-shift',
            weekly({ mon: [{ start: '22:00', end: '06:00', label: 'praca nocna', endsNextDay: true }] }),
          ),
        ],
      },
    ],
    events: [
      leaves('presence-midnight-night-shift', mon('21:58')),
      returns('presence-midnight-night-shift', mon('06:20', '2026-03-03')),
    ],
    heartbeats: [beats(devices('presence-midnight-night-shift').hu, 0, 36 * HOUR)],
    expect: [
      {
        supervisionId: 'presence-midnight-night-shift',
        rule: 'presence',
        openedAt: mon('06:03', '2026-03-03'),
        resolvedAt: mon('06:20', '2026-03-03'),
        toleranceMs: SEC,
        cause: 'absent_at_required_start',
      },
    ],
    forbid: [
      {
        supervisionId: 'presence-midnight-night-shift',
        rule: 'daily_away_limit',
        why: 'the night is split at midnight: 2 h + 6 h 20 min',
      },
    ],
    exhaustive: true,
  },
  dstSpring(),
  dstAutumn(),
  {
    id: 'presence-order-change',
    title: {
      pl: 'Zmiana postanowienia w ciągu dnia skraca okno, gdy skazany jest poza domem',
      en: 'An amended order shortens the window while the person is out',
    },
    covers: ['presence'],
    startUtcMs: MONDAY,
    durationMs: 20 * HOUR,
    supervisions: [
      {
        supervisionId: 'presence-order-change',
        regionId: 'PL-MZ',
        versions: [
          stationary(
            'presence-order-change',
            weekly({ mon: [{ start: '08:00', end: '20:00', label: 'praca' }] }),
          ),
          stationary(
            'presence-order-change',
            weekly({ mon: [{ start: '08:00', end: '14:00', label: 'praca' }] }),
            mon('12:00'),
            { id: 'presence-order-change@v2' },
          ),
        ],
      },
    ],
    events: [leaves('presence-order-change', mon('08:05')), returns('presence-order-change', mon('17:00'))],
    heartbeats: [beats(devices('presence-order-change').hu, 0, 20 * HOUR)],
    expect: [
      {
        supervisionId: 'presence-order-change',
        rule: 'presence',
        openedAt: mon('14:03'),
        resolvedAt: mon('17:00'),
        toleranceMs: SEC,
        cause: 'absent_at_required_start',
      },
    ],
    forbid: [],
    exhaustive: true,
  },
];

/** Night of 28/29 March 2026: clocks go forward 02:00 → 03:00, the night window is one hour shorter. */
function dstSpring(): Scenario {
  const start = warsaw('2026-03-28 12:00');
  const at = (text: string): number => warsaw(text) - start;
  const night = weekly({ sat: [{ start: '22:00', end: '06:00', label: 'praca nocna', endsNextDay: true }] });
  const a = 'dst-spring-ok';
  const b = 'dst-spring-late';
  return {
    id: 'presence-dst-spring',
    title: {
      pl: 'Noc zmiany czasu na letni (29 marca): powrót o czasie i spóźniony',
      en: 'Spring DST night (29 March): back on time and late',
    },
    covers: ['presence'],
    startUtcMs: start,
    durationMs: 24 * HOUR,
    supervisions: [
      { supervisionId: a, regionId: 'PL-MZ', versions: [stationary(a, night)] },
      { supervisionId: b, regionId: 'PL-MZ', versions: [stationary(b, night)] },
    ],
    events: [
      leaves(a, at('2026-03-28 21:59')),
      returns(a, at('2026-03-29 05:55')),
      leaves(b, at('2026-03-28 21:59')),
      returns(b, at('2026-03-29 06:30')),
    ],
    heartbeats: [beats(devices(a).hu, 0, 24 * HOUR), beats(devices(b).hu, 0, 24 * HOUR)],
    expect: [
      {
        supervisionId: b,
        rule: 'presence',
        openedAt: at('2026-03-29 06:03'),
        resolvedAt: at('2026-03-29 06:30'),
        toleranceMs: SEC,
      },
    ],
    forbid: [{ supervisionId: a, rule: '*', why: 'back at 05:55 CEST, before the window ended' }],
    exhaustive: true,
  };
}

/** Night of 24/25 October 2026: clocks go back 03:00 → 02:00, 02:00–03:00 happens twice. */
function dstAutumn(): Scenario {
  const start = warsaw('2026-10-24 12:00');
  const at = (text: string, later = false): number => warsaw(text, later) - start;
  const a = 'dst-autumn-night';
  const b = 'dst-autumn-first-pass';
  const c = 'dst-autumn-second-pass';
  const night = weekly({ sat: [{ start: '22:00', end: '06:00', label: 'praca nocna', endsNextDay: true }] });
  const early = weekly({ sun: [{ start: '01:00', end: '02:30', label: 'praca' }] });
  return {
    id: 'presence-dst-autumn',
    title: {
      pl: 'Noc zmiany czasu na zimowy (25 października): godzina 02:00–03:00 dwa razy',
      en: 'Autumn DST night (25 October): 02:00–03:00 happens twice',
    },
    covers: ['presence', 'daily_away_limit'],
    startUtcMs: start,
    durationMs: 24 * HOUR,
    supervisions: [
      { supervisionId: a, regionId: 'PL-MZ', versions: [stationary(a, night)] },
      { supervisionId: b, regionId: 'PL-MZ', versions: [stationary(b, early)] },
      { supervisionId: c, regionId: 'PL-MZ', versions: [stationary(c, early)] },
    ],
    events: [
      leaves(a, at('2026-10-24 22:00')),
      returns(a, at('2026-10-25 05:50')),
      leaves(b, at('2026-10-25 01:00')),
      returns(b, at('2026-10-25 02:40')), // first pass (CEST): before the window's end at 02:30 CET
      leaves(c, at('2026-10-25 01:00')),
      returns(c, at('2026-10-25 02:45', true)), // second pass (CET): 15 minutes late
    ],
    heartbeats: [
      beats(devices(a).hu, 0, 24 * HOUR),
      beats(devices(b).hu, 0, 24 * HOUR),
      beats(devices(c).hu, 0, 24 * HOUR),
    ],
    expect: [
      {
        supervisionId: c,
        rule: 'presence',
        openedAt: at('2026-10-25 02:33', true),
        resolvedAt: at('2026-10-25 02:45', true),
        toleranceMs: SEC,
      },
    ],
    forbid: [
      { supervisionId: a, rule: '*', why: 'a 9-hour night window, back at 05:50 CET' },
      { supervisionId: b, rule: '*', why: 'back at 02:40 CEST, 50 minutes before 02:30 CET' },
    ],
    exhaustive: true,
  };
}

/** Exported for reuse by the property tests: the Monday used as the start of most scenarios. */
export const SCENARIO_MONDAY = MONDAY;
