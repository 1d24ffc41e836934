import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clearGrant, describeReadinessManner, grantBars } from './decision.js';
import type { EligibilityInput, TechnicalSurveyOutcome } from './eligibility.js';
import { checkEligibility } from './eligibility.js';

const base: EligibilityInput = {
  assessedOn: '2026-12-03',
  sentences: [{ kind: 'imprisonment', term: { years: 0, months: 10, days: 0 } }],
  hasPermanentAddress: true,
  recidivistArt64Par2: false,
  filerKind: 'convict',
  coResidents: [{ name: 'Anna Nowak', adult: true, consentInWritingOn: '2026-11-20' }],
  flatOwner: { ownerIsPerson: false, ownerName: 'Jan Nowak', permissionInWritingOn: '2026-11-21' },
  technicalSurvey: 'feasible',
};
const barsOf = (input: EligibilityInput) => grantBars(checkEligibility(input)).map((b) => b.id);

describe('statutory bars to a grant', () => {
  it('finds none when every condition the law sets is met', () => {
    expect(barsOf(base)).toEqual([]);
    expect(clearGrant(checkEligibility(base), undefined)).toEqual({
      ok: true,
      value: { overriddenBars: [] },
    });
  });

  it('bars a sentence over the limit, a survey that says not feasible, missing consent and permission', () => {
    expect(
      barsOf({ ...base, sentences: [{ kind: 'imprisonment', term: { years: 2, months: 0, days: 0 } }] }),
    ).toEqual(['sentence_length']);
    expect(barsOf({ ...base, technicalSurvey: 'not_feasible' })).toEqual(['technical_conditions']);
    expect(barsOf({ ...base, coResidents: [{ name: 'Anna Nowak', adult: true }] })).toEqual([
      'co_resident_consent',
    ]);
    expect(barsOf({ ...base, flatOwner: { ownerIsPerson: false, ownerName: 'Jan Nowak' } })).toEqual([
      'flat_owner_permission',
    ]);
    // Not recorded at all (an application filed before the owner was asked about) bars as well.
    expect(barsOf({ ...base, flatOwner: undefined })).toEqual(['flat_owner_permission']);
    // The prison director files without consents, but the court must have them before it grants.
    expect(
      barsOf({ ...base, filerKind: 'prison_director', coResidents: [{ name: 'Anna Nowak', adult: true }] }),
    ).toEqual(['co_resident_consent']);
  });

  it('leaves a survey not yet done and the court’s own assessment as warnings, not bars', () => {
    expect(barsOf({ ...base, technicalSurvey: 'pending' })).toEqual([]);
    expect(barsOf({ ...base, hasPermanentAddress: undefined })).toEqual([]);
  });

  it('refuses a grant past a bar without a written reason, naming the bar in both languages', () => {
    const report = checkEligibility({ ...base, technicalSurvey: 'not_feasible' });
    for (const reason of [undefined, '', '   ']) {
      const r = clearGrant(report, reason);
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.errors[0]?.code).toBe('statutory_bar_not_overridden');
      expect(r.errors[0]?.pl).toContain('Warunki techniczne stoją na przeszkodzie');
      expect(r.errors[0]?.en).toContain('written reason');
    }
    const granted = clearGrant(report, '  Lokal zmieniony po badaniu; nowe badanie potwierdziło zasięg. ');
    expect(granted).toEqual({
      ok: true,
      value: {
        overriddenBars: [expect.objectContaining({ id: 'technical_conditions' })],
        overrideReason: 'Lokal zmieniony po badaniu; nowe badanie potwierdziło zasięg.',
      },
    });
  });

  it('never lets a grant past a not-met condition through without a reason', () => {
    const surveys: TechnicalSurveyOutcome[] = ['feasible', 'not_feasible', 'pending'];
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 40 }),
        fc.constantFrom(...surveys),
        fc.boolean(),
        fc.boolean(),
        fc.option(fc.boolean(), { nil: undefined }),
        (months, survey, consent, permission, recidivist) => {
          const report = checkEligibility({
            ...base,
            sentences: [{ kind: 'imprisonment', term: { years: 0, months, days: 0 } }],
            technicalSurvey: survey,
            recidivistArt64Par2: recidivist,
            coResidents: [
              { name: 'Anna Nowak', adult: true, ...(consent ? { consentInWritingOn: '2026-11-20' } : {}) },
            ],
            flatOwner: {
              ownerIsPerson: false,
              ownerName: 'Jan Nowak',
              ...(permission ? { permissionInWritingOn: '2026-11-21' } : {}),
            },
          });
          const anyNotMet = report.conditions.some((c) => c.outcome === 'not_met');
          const cleared = clearGrant(report, undefined).ok;
          expect(cleared).toBe(!anyNotMet && consent && permission);
          expect(clearGrant(report, 'uzasadnienie').ok).toBe(true);
        },
      ),
    );
  });
});

describe('manner of reporting readiness', () => {
  it('reads as the decision writes it, with its particulars', () => {
    expect(describeReadinessManner({ kind: 'phone', details: 'tel. 800 100 200' }).pl).toBe(
      'telefonicznie do podmiotu prowadzącego centralę monitorowania (tel. 800 100 200)',
    );
    expect(describeReadinessManner({ kind: 'in_person', details: ' ' }).en).toBe(
      'in person at the monitoring center operator’s office',
    );
  });
});
