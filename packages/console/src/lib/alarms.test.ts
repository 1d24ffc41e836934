import { describe, expect, it } from 'vitest';
import {
  compareAlarms,
  DEFAULT_FILTER,
  filterAlarms,
  handlingTimeMs,
  mergeAlarms,
  needsAttention,
  becameDecided,
  splitQueue,
  upsertAlarm,
} from './alarms.js';
import type { AlarmAnswer as AlarmView } from '@sde/api';

function alarm(over: Partial<AlarmView> & { id: string }): AlarmView {
  return {
    supervisionId: 's1',
    caseId: 'c1',
    caseNumber: 'II K 101/24',
    personName: 'Kowalski J.',
    regionId: 'PL-MZ',
    rule: 'curfew_absent',
    severity: 'serious',
    status: 'open',
    condition: 'active',
    startedAt: '2026-11-22T10:00:00Z',
    endedAt: null,
    detectedAt: '2026-11-22T10:00:05Z',
    late: false,
    undecided: false,
    withdrawal: null,
    explanation: { pl: 'x', en: 'x' },
    clause: null,
    evidence: [],
    incidentId: null,
    actions: [],
    excuse: null,
    ...over,
  };
}

describe('alarm queue order', () => {
  it('puts open before acknowledged before closed, then critical first, then the oldest first', () => {
    const list = [
      alarm({ id: 'closed-critical', status: 'closed', severity: 'critical' }),
      alarm({ id: 'ack-critical', status: 'acknowledged', severity: 'critical' }),
      alarm({ id: 'open-info-old', severity: 'info', startedAt: '2026-11-22T08:00:00Z' }),
      alarm({ id: 'open-serious-new', severity: 'serious', startedAt: '2026-11-22T10:30:00Z' }),
      alarm({ id: 'open-serious-old', severity: 'serious', startedAt: '2026-11-22T09:00:00Z' }),
      alarm({ id: 'open-critical', severity: 'critical', startedAt: '2026-11-22T10:59:00Z' }),
    ];
    expect(list.sort(compareAlarms).map((a) => a.id)).toEqual([
      'open-critical',
      'open-serious-old',
      'open-serious-new',
      'open-info-old',
      'ack-critical',
      'closed-critical',
    ]);
  });

  it('is stable for equal alarms (by id)', () => {
    const a = alarm({ id: 'a' });
    const b = alarm({ id: 'b' });
    expect([b, a].sort(compareAlarms).map((x) => x.id)).toEqual(['a', 'b']);
  });

  it('moves an alarm when a live update changes its status', () => {
    let list = upsertAlarm([], alarm({ id: 'x', severity: 'critical' }));
    list = upsertAlarm(list, alarm({ id: 'y', severity: 'info' }));
    expect(list.map((a) => a.id)).toEqual(['x', 'y']);
    list = upsertAlarm(list, alarm({ id: 'x', severity: 'critical', status: 'acknowledged' }));
    expect(list.map((a) => a.id)).toEqual(['y', 'x']);
    expect(list).toHaveLength(2);
  });

  it('keeps the copy with more actions when a fetched page meets live updates', () => {
    const live = alarm({
      id: 'x',
      status: 'acknowledged',
      actions: [{ at: '2026-11-22T10:01:00Z', by: 'op', kind: 'acknowledge', text: null }],
    });
    const stale = alarm({ id: 'x' });
    expect(mergeAlarms([live], [stale])[0]!.status).toBe('acknowledged');
    expect(mergeAlarms([stale], [live])[0]!.status).toBe('acknowledged');
  });
});

describe('alarm filters', () => {
  const list = [
    alarm({ id: '1', severity: 'critical', rule: 'strap_tamper' }),
    alarm({ id: '2', status: 'closed' }),
    alarm({ id: '3', caseNumber: 'IV K 203/24', personName: 'Mazur P.' }),
  ];
  it('hides closed alarms by default', () => {
    expect(filterAlarms(list, DEFAULT_FILTER).map((a) => a.id)).toEqual(['1', '3']);
  });
  it('filters by severity, rule and text', () => {
    expect(filterAlarms(list, { ...DEFAULT_FILTER, severity: 'critical' }).map((a) => a.id)).toEqual(['1']);
    expect(filterAlarms(list, { ...DEFAULT_FILTER, rule: 'strap_tamper' }).map((a) => a.id)).toEqual(['1']);
    expect(filterAlarms(list, { ...DEFAULT_FILTER, text: 'mazur' }).map((a) => a.id)).toEqual(['3']);
    expect(filterAlarms(list, { ...DEFAULT_FILTER, status: 'all' })).toHaveLength(3);
  });
  it('sounds only for critical alarms nobody has acknowledged', () => {
    expect(needsAttention(alarm({ id: 'a', severity: 'critical' }))).toBe(true);
    expect(needsAttention(alarm({ id: 'a', severity: 'critical', status: 'acknowledged' }))).toBe(false);
    expect(needsAttention(alarm({ id: 'a', severity: 'serious' }))).toBe(false);
  });
  it('keeps an undecided alarm quiet and apart until data decides it', () => {
    const undecided = alarm({ id: 'u', severity: 'critical', undecided: true });
    expect(needsAttention(undecided)).toBe(false);
    const parts = splitQueue([alarm({ id: 'd' }), undecided, alarm({ id: 'e' })]);
    expect(parts.decided.map((a) => a.id)).toEqual(['d', 'e']);
    expect(parts.undecided.map((a) => a.id)).toEqual(['u']);
    const decided = { ...undecided, undecided: false };
    expect(becameDecided(undecided, decided)).toBe(true);
    expect(needsAttention(decided)).toBe(true);
    expect(becameDecided(decided, decided)).toBe(false);
  });
  it('measures handling time from detection', () => {
    const a = alarm({
      id: 'a',
      actions: [{ at: '2026-11-22T10:01:05Z', by: 'op', kind: 'acknowledge', text: null }],
    });
    expect(handlingTimeMs(a, 'acknowledge')).toBe(60_000);
    expect(handlingTimeMs(a, 'close')).toBeNull();
  });
});
