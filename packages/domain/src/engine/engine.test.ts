/** Behaviour the center relies on: timers, live evaluation of late data, gaps, correlation, explanations. */
import { describe, expect, it } from 'vitest';
import { correlateIncidents } from './correlate.js';
import { diffEpisodes } from './diff.js';
import { evaluateSupervision } from './evaluate.js';
import { HOUR, MIN, SEC, beats, devices, stationary, warsaw, weekly } from './scenarios/build.js';
import { SCENARIOS } from './scenarios/index.js';
import type { Scenario } from './scenarios/model.js';
import { runScenario, scenarioInputs } from './scenarios/run.js';

const byId = (id: string): Scenario => {
  const s = SCENARIOS.find((x) => x.id === id);
  if (s === undefined) throw new Error(id);
  return s;
};
const only = <T>(xs: readonly T[]): T => {
  expect(xs).toHaveLength(1);
  return xs[0] as T;
};

describe('timers: the next instant something becomes due', () => {
  it('a person still out at 15:00: following the timers alone reaches 16:03 (window end + grace) exactly', () => {
    const s = byId('presence-absent-when-curfew-begins');
    let now = s.startUtcMs + 15 * HOUR;
    const visited: number[] = [];
    for (let i = 0; i < 50; i++) {
      const ev = evaluateSupervision(only(scenarioInputs(s, { nowOffset: now - s.startUtcMs })));
      if (ev.episodes.length > 0) break;
      expect(ev.nextDueAt).toBeGreaterThan(now);
      now = Math.min(ev.nextDueAt as number, s.startUtcMs + s.durationMs);
      visited.push(now);
    }
    // Heartbeat timers (communication loss) come first; the curfew timer fires at 16:03:00.000.
    expect(visited).toContain(warsaw('2026-03-02 16:03'));
    const ev = evaluateSupervision(
      only(scenarioInputs(s, { nowOffset: warsaw('2026-03-02 16:03') - s.startUtcMs })),
    );
    expect(ev.episodes.map((e) => [e.rule, e.openedAt])).toEqual([['presence', warsaw('2026-03-02 16:03')]]);
  });

  it('a silent unit gets a timer at its last contact + 2 intervals + 30 s, to the second', () => {
    const s = byId('communication-loss-unit-off');
    const input = only(scenarioInputs(s, { nowOffset: 10 * HOUR + 3 * MIN }));
    const ev = evaluateSupervision(input);
    expect(ev.nextDueAt).toBe(s.startUtcMs + 9 * HOUR + 55 * MIN + SEC + 10 * MIN + 30 * SEC);
    const woken = evaluateSupervision({ ...input, now: ev.nextDueAt as number });
    const ep = only(woken.episodes);
    expect(ep.rule).toBe('communication_loss');
    expect(ep.resolvedAt).toBeUndefined();
  });
});

describe('late data, evaluated live', () => {
  const s = byId('late-upload-30h');
  const live = (hours: number) => only(runScenario(s, { nowOffset: hours * HOUR }).evaluations);

  it('during the outage: communication loss, and a curfew alarm marked undecided (the unit is silent)', () => {
    const ev = live(16.5);
    const comm = ev.episodes.find((e) => e.rule === 'communication_loss');
    expect(comm?.resolvedAt).toBeUndefined();
    const presence = ev.episodes.find((e) => e.rule === 'presence');
    expect(presence?.openedAt).toBe(warsaw('2026-03-09 16:03'));
    expect(presence?.undecided).toBe(true);
    expect(presence?.awaiting[0]?.toSeq).toBeNull();
    expect(presence?.explanation.en).toContain('Undecided');
  });

  it('after the upload: the 16:03 alarm is withdrawn, the night out is raised late with its original time', () => {
    const during = live(16.5);
    const after = live(44);
    const changes = diffEpisodes(during.episodes, after.episodes);
    expect(changes.filter((c) => c.type === 'withdrawn').map((c) => c.previous.openedAt)).toEqual([
      warsaw('2026-03-09 16:03'),
    ]);
    const night = after.episodes.find((e) => e.rule === 'presence');
    expect(night).toMatchObject({ openedAt: warsaw('2026-03-09 23:03'), late: true, undecided: false });
    expect(night?.detectedAt).toBe(warsaw('2026-03-10 18:00'));
    const comm = after.episodes.find((e) => e.rule === 'communication_loss');
    expect(comm?.cause).toBe('link_down_unit_recording');
    expect(comm?.explanation.pl).toContain('Urządzenie działało');
  });
});

describe('sequence gaps', () => {
  it('once the missing event arrives, the undecided alarm disappears (the person was back in 90 s)', () => {
    const s = byId('sequence-gap-undecided');
    const full = { ...s, events: s.events.map(({ withheld: _w, ...e }) => e) };
    expect(runScenario(full).evaluations.flatMap((e) => e.episodes)).toEqual([]);
  });
});

describe('explanations', () => {
  it('name the rule, the clause of the order, the evidence and the times, in Polish and English', () => {
    const ep = only(runScenario(byId('presence-late-return')).evaluations.flatMap((e) => e.episodes));
    expect(ep.clause.pl).toContain('harmonogram: poniedziałek 2 marca 2026 08:00–16:00 praca');
    expect(ep.clause.en).toContain('Monday 2 March 2026 08:00–16:00 praca');
    expect(ep.explanation.pl).toContain(
      '2 marca 2026, 16:40 — nadajnik presence-late-return-TX w zasięgu urządzenia presence-late-return-HU',
    );
    expect(ep.explanation.pl).toContain('powrót o 2 marca 2026, 16:40');
    expect(ep.explanation.en).toContain('back at 2 March 2026, 16:40');
    // No event codes, sequence notation or ISO timestamps in what a person reads (ADR 0503).
    for (const text of [ep.explanation.pl, ep.explanation.en]) {
      expect(text).not.toMatch(/#\d|tx_in_range|tx_out_of_range|\d{4}-\d{2}-\d{2}|\d:\d\d:\d\d/);
    }
    expect(ep.id).toBe(`presence-late-return/presence/-/${warsaw('2026-03-02 16:00')}`);
  });
});

describe('infrastructure incidents (B4)', () => {
  const outage = (n: number): Scenario => {
    const ids = Array.from({ length: n }, (_, i) => `net-${n}-${i}`);
    return {
      id: `network-${n}`,
      title: { pl: 'Awaria sieci', en: 'Network outage' },
      covers: ['communication_loss'],
      startUtcMs: warsaw('2026-03-09 00:00'),
      durationMs: 16 * HOUR,
      supervisions: ids.map((id) => ({
        supervisionId: id,
        regionId: 'PL-DS',
        versions: [stationary(id, weekly({}))],
      })),
      events: [],
      heartbeats: ids.map((id) => beats(devices(id).hu, 0, 16 * HOUR)),
      offline: ids.map((id, i) => ({ deviceId: devices(id).hu, from: 12 * HOUR + i * SEC, to: 13 * HOUR })),
      expect: [],
      forbid: [],
    };
  };

  it('six units of one region silent at once are one network incident', () => {
    const r = runScenario(outage(6));
    const incident = only(r.incidents);
    expect(incident.kind).toBe('network_outage');
    expect(incident.supervisionIds).toHaveLength(6);
    expect(r.evaluations.flatMap((e) => e.episodes).every((e) => e.incidentId === incident.id)).toBe(true);
  });

  it('three are not: each keeps its own alarm', () => {
    const r = runScenario(outage(3));
    expect(r.incidents).toEqual([]);
    expect(
      r.evaluations.flatMap((e) => e.episodes).filter((e) => e.rule === 'communication_loss'),
    ).toHaveLength(3);
  });

  it('the regional power cut links the silent units to the power incident', () => {
    const r = runScenario(byId('regional-power-cut'));
    const incident = only(r.incidents);
    const comm = r.evaluations.flatMap((e) => e.episodes).filter((e) => e.rule === 'communication_loss');
    expect(comm).toHaveLength(3);
    expect(comm.every((e) => e.incidentId === incident.id)).toBe(true);
    const presence = r.evaluations.flatMap((e) => e.episodes).find((e) => e.rule === 'presence');
    expect(presence?.incidentId).toBeUndefined();
    expect(correlateIncidents(r.evaluations).incidents).toEqual(r.incidents);
  });
});

describe('every rule is covered by the corpus', () => {
  it('each rule appears in some scenario expectation', () => {
    const rules = new Set(SCENARIOS.flatMap((s) => s.expect.map((x) => x.rule)));
    for (const r of [
      'presence',
      'daily_away_limit',
      'exclusion_zone',
      'inclusion_zone',
      'proximity',
      'strap_tamper',
      'case_tamper',
      'unit_moved',
      'tx_battery_low',
      'unit_battery_low',
      'unit_power',
      'device_fault',
      'communication_loss',
      'location_loss',
    ]) {
      expect(rules.has(r as never), r).toBe(true);
    }
  });
});
