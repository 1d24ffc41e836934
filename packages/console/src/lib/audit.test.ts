import { describe, expect, it } from 'vitest';
import { ACTION_GROUPS, actionName, auditQuery, entityName } from './audit.js';
import { pl } from './messages.js';

describe('the audit screen’s words and queries', () => {
  it('names actions and records in words, never as codes', () => {
    expect(actionName('alarm.acknowledge', 'pl')).toBe('potwierdzenie alarmu');
    expect(actionName('device.message', 'en')).toBe('message to a unit');
    // An action of a newer center: its group in words, the rest spelled out without dots.
    expect(actionName('alarm.something_new', 'pl')).toBe('Alarmy: something new');
    expect(actionName('x.y_z', 'en')).toBe('x y z');
    expect(entityName('monitored_person', 'pl')).toBe('osoba dozorowana');
    for (const g of ACTION_GROUPS) expect(pl).toHaveProperty([`auditGroup.${g}`]);
  });

  it('asks for the filter’s person, user, action and period', () => {
    const q = auditQuery(
      {
        person: ' 0f8e2b9c-1a2b-4c3d-8e9f-0a1b2c3d4e5f ',
        user: 'demo.operator',
        action: 'alarm.',
        period: { kind: 'last', ms: 3_600_000 },
      },
      Date.parse('2026-12-03T12:00:00Z'),
    );
    const p = new URLSearchParams(q);
    expect(p.get('person')).toBe('0f8e2b9c-1a2b-4c3d-8e9f-0a1b2c3d4e5f');
    expect(p.get('user')).toBe('demo.operator');
    expect(p.get('action')).toBe('alarm.');
    expect(p.get('from')).toBe('2026-12-03T11:00:00.000Z');
    expect(p.get('to')).toBe('2026-12-03T12:00:00.000Z');
    expect(
      new URLSearchParams(
        auditQuery({ person: '', user: '', action: '', period: { kind: 'last', ms: 1 } }),
      ).has('user'),
    ).toBe(false);
  });
});
