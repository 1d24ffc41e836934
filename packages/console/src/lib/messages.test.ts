import { describe, expect, it } from 'vitest';
import {
  RESPONSIBLES,
  STATUS_NAMES,
  TASK_CODES,
  TASK_DEADLINE_STATES,
} from '../../../domain/src/lifecycle.js';
import { DEFAULT_ENGINE_SETTINGS } from '../../../domain/src/engine/settings.js';
import { DICTIONARIES, en, pl, ruleName, taskName, translate, type MessageKey } from './messages.js';
import { taskState } from './tasks.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('console texts', () => {
  it('has every key in both languages, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(pl).sort());
    for (const [lang, dict] of Object.entries(DICTIONARIES)) {
      for (const [key, text] of Object.entries(dict)) expect(text.trim(), `${lang} ${key}`).not.toBe('');
    }
  });

  it('names every monitoring setting an order can change, in both languages', () => {
    const keys = new Set<string>();
    for (const [group, body] of Object.entries(DEFAULT_ENGINE_SETTINGS)) {
      keys.add(`settings.${group}`);
      if (typeof body === 'object') for (const name of Object.keys(body)) keys.add(`settings.${name}`);
    }
    for (const key of keys) {
      expect(pl, key).toHaveProperty([key]);
      expect(en, key).toHaveProperty([key]);
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of Object.keys(pl) as MessageKey[])
      expect(placeholders(en[key]), key).toEqual(placeholders(pl[key]));
  });

  it('is really translated: English differs from Polish for sentences', () => {
    const same = (Object.keys(pl) as MessageKey[]).filter((k) => pl[k] === en[k] && pl[k].includes(' '));
    expect(same).toEqual([]);
  });

  it('fills placeholders and keeps unknown ones', () => {
    expect(translate('pl', 'alarms.count', { shown: 3, total: 10 })).toBe('Pokazano 3 z 10.');
    expect(translate('en', 'alarms.count', { shown: 3 })).toBe('Showing 3 of {total}.');
  });

  it('names known rules and falls back to the id for new ones', () => {
    expect(ruleName('strap_tamper', 'pl')).toBe('Naruszenie paska nadajnika');
    expect(ruleName('strap_tamper', 'en')).toBe('Transmitter strap tampered');
    expect(ruleName('new_rule_x', 'en')).toBe('new rule x');
  });

  it('labels every task code, deadline state, responsible party and status the domain can produce, in both languages', () => {
    const missing: string[] = [];
    const need = (key: string) => {
      for (const [lang, dict] of Object.entries(DICTIONARIES))
        if (!(dict as Record<string, string>)[key]?.trim()) missing.push(`${lang} ${key}`);
    };
    for (const code of TASK_CODES) need(`task.${code}`);
    for (const state of TASK_DEADLINE_STATES) need(`taskState.${state}`);
    for (const who of RESPONSIBLES) need(`responsible.${who}`);
    for (const status of Object.keys(STATUS_NAMES)) need(`status.${status}`);
    expect(missing).toEqual([]);
    expect(taskName('decide_application', 'pl')).toBe('Rozpoznanie wniosku');
    expect(taskName('decide_application', 'en')).toBe('Decide the application');
    expect(taskName('a_task_of_a_newer_center', 'pl')).toBeNull();
  });

  it('maps the center’s task flags onto the domain’s deadline states', () => {
    const at = '2026-11-22T10:00:00Z';
    expect(taskState({ overdue: true, dueSoon: false, dueAt: at })).toBe('overdue');
    expect(taskState({ overdue: false, dueSoon: true, dueAt: at })).toBe('due_soon');
    expect(taskState({ overdue: false, dueSoon: false, dueAt: at })).toBe('due_later');
    expect(taskState({ overdue: false, dueSoon: false, dueAt: null })).toBe('without_delay');
    expect(TASK_DEADLINE_STATES).toEqual(['overdue', 'due_soon', 'due_later', 'without_delay']);
  });
});
