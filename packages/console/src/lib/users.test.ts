import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ManagedUserAnswer } from '@sde/api';
import { changedFields, newPassword, placeOf, type UserDraft } from './users.js';

const officer: ManagedUserAnswer = {
  id: '00000000-0000-4000-8000-000000000001',
  login: 'anna.nowak',
  displayName: 'Anna Nowak',
  role: 'probation_officer',
  regionId: 'PL-MZ',
  courtId: null,
  active: true,
  createdAt: '2026-12-03T10:00:00.000Z',
  email: 'anna.nowak@sad.gov.pl',
  phone: null,
};
const draft: UserDraft = {
  login: 'anna.nowak',
  displayName: 'Anna Nowak',
  role: 'probation_officer',
  regionId: 'PL-MZ',
  courtId: '',
  email: 'anna.nowak@sad.gov.pl',
  phone: '',
};
const places = {
  regions: [{ id: 'PL-MZ', name: 'mazowiecki' }],
  courts: [{ id: 'SR-WAW', name: 'Sąd Rejonowy dla Warszawy', regionId: 'PL-MZ' }],
};

describe('the user form', () => {
  it('sends only what was changed, and an emptied e-mail as cleared', () => {
    expect(changedFields(officer, draft)).toEqual({});
    expect(changedFields(officer, { ...draft, phone: ' +48 600 100 200 ', email: '' })).toEqual({
      phone: '+48 600 100 200',
      email: null,
    });
    expect(changedFields(officer, { ...draft, role: 'judge', courtId: 'SR-WAW' })).toEqual({
      role: 'judge',
      courtId: 'SR-WAW',
    });
  });

  it('names the place, not its code', () => {
    expect(placeOf(officer, places)).toBe('mazowiecki');
    expect(placeOf({ role: 'judge', regionId: null, courtId: 'SR-WAW' }, places)).toBe(
      'Sąd Rejonowy dla Warszawy',
    );
    expect(placeOf({ role: 'auditor', regionId: null, courtId: null }, places)).toBeNull();
    expect(placeOf({ ...officer, regionId: 'PL-XX' }, places)).toBeUndefined();
  });

  it('makes passwords long enough, without look-alike characters, and different each time', () => {
    fc.assert(
      fc.property(fc.integer({ min: 10, max: 40 }), (n) => {
        const p = newPassword(n);
        expect(p).toHaveLength(n);
        expect(p).not.toMatch(/[0O1lI]/);
      }),
    );
    expect(new Set(Array.from({ length: 50 }, () => newPassword())).size).toBe(50);
  });
});
