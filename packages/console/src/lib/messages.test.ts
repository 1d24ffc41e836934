import { describe, expect, it } from 'vitest';
import { DICTIONARIES, en, pl, ruleName, translate, type MessageKey } from './messages.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('console texts', () => {
  it('has every key in both languages, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(pl).sort());
    for (const [lang, dict] of Object.entries(DICTIONARIES)) {
      for (const [key, text] of Object.entries(dict)) expect(text.trim(), `${lang} ${key}`).not.toBe('');
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
});
