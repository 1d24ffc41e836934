import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EligibilityInput, SentenceToServe } from './eligibility.js';
import { checkEligibility } from './eligibility.js';

const m = (months: number, days = 0): SentenceToServe => ({
  kind: 'imprisonment',
  term: { years: 0, months, days },
});
const base: EligibilityInput = {
  assessedOn: '2025-06-02',
  sentences: [m(10)],
  hasPermanentAddress: true,
  recidivistArt64Par2: false,
  filerKind: 'convict',
  coResidents: [
    { name: 'Anna Nowak', adult: true, consentInWritingOn: '2025-05-20' },
    { name: 'Jan Nowak', adult: false },
  ],
  flatOwner: { ownerIsPerson: true },
  technicalSurvey: 'feasible',
};
const outcomeOf = (input: EligibilityInput, id: string): string | undefined =>
  checkEligibility(input).conditions.find((c) => c.id === id)?.outcome;

describe('eligibility (R2)', () => {
  it('all statutory conditions met still leaves the purposes of the penalty to the court', () => {
    const r = checkEligibility(base);
    expect(r.verdict).toBe('eligible_subject_to_court_assessment');
    expect(r.conditions.map((c) => c.id)).toEqual([
      'sentence_kind',
      'sentence_length',
      'permanent_address',
      'not_recidivist_art64_2',
      'co_resident_consent',
      'flat_owner_permission',
      'technical_conditions',
      'purposes_of_penalty',
    ]);
    const purposes = r.conditions.find((c) => c.id === 'purposes_of_penalty');
    expect(purposes?.outcome).toBe('court_to_judge');
    expect(purposes?.pl).toContain('celów kary');
  });

  it('allows exactly 1 year 6 months since 31 March 2020 and refuses one day more', () => {
    expect(
      outcomeOf(
        { ...base, sentences: [{ kind: 'imprisonment', term: { years: 1, months: 6, days: 0 } }] },
        'sentence_length',
      ),
    ).toBe('met');
    const over = checkEligibility({
      ...base,
      sentences: [{ kind: 'imprisonment', term: { years: 1, months: 6, days: 1 } }],
    });
    expect(over.verdict).toBe('ineligible');
    expect(over.conditions.find((c) => c.id === 'sentence_length')?.pl).toContain('przekracza limit');
  });

  it('counts 18 months as 540 days, so it is within the 545-day limit of 1 year 6 months (art. 12c KKW)', () => {
    expect(outcomeOf({ ...base, sentences: [m(18, 5)] }, 'sentence_length')).toBe('met');
    expect(outcomeOf({ ...base, sentences: [m(18, 6)] }, 'sentence_length')).toBe('not_met');
  });

  it('applied the 1-year limit to decisions before 31 March 2020', () => {
    const fifteenMonths = { ...base, sentences: [m(15)] };
    expect(outcomeOf({ ...fifteenMonths, assessedOn: '2020-03-30' }, 'sentence_length')).toBe('not_met');
    expect(outcomeOf({ ...fifteenMonths, assessedOn: '2020-03-31' }, 'sentence_length')).toBe('met');
  });

  it('sums sentences to be served one after another', () => {
    const r = checkEligibility({ ...base, sentences: [m(8), m(10)] });
    expect(r.verdict).toBe('eligible_subject_to_court_assessment');
    expect(r.conditions.find((c) => c.id === 'sentence_length')?.en).toContain('2 sentences');
    expect(outcomeOf({ ...base, sentences: [m(8), m(10), m(0, 6)] }, 'sentence_length')).toBe('not_met');
  });

  it('lets substitute imprisonment qualify and refuses detention for a misdemeanour', () => {
    const substitute: SentenceToServe = {
      kind: 'substitute_imprisonment',
      term: { years: 0, months: 0, days: 200 },
    };
    expect(checkEligibility({ ...base, sentences: [substitute] }).verdict).toBe(
      'eligible_subject_to_court_assessment',
    );
    const areszt = checkEligibility({
      ...base,
      sentences: [{ kind: 'misdemeanour_detention', term: { years: 0, months: 0, days: 20 } }],
    });
    expect(areszt.verdict).toBe('ineligible');
    expect(areszt.conditions.find((c) => c.id === 'sentence_kind')?.pl).toContain('aresztu');
  });

  it('refuses a recidivist under art. 64 §2 KK and a person without a permanent address', () => {
    const rec = checkEligibility({ ...base, recidivistArt64Par2: true });
    expect(rec.verdict).toBe('ineligible');
    expect(rec.conditions.find((c) => c.id === 'not_recidivist_art64_2')?.pl).toContain('art. 64 § 2 KK');
    expect(checkEligibility({ ...base, hasPermanentAddress: false }).verdict).toBe('ineligible');
  });

  it('leaves the application unexamined when the technical survey says no, whatever else fails', () => {
    expect(
      checkEligibility({ ...base, technicalSurvey: 'not_feasible', recidivistArt64Par2: true }).verdict,
    ).toBe('leave_unexamined_technical');
  });

  it('reports missing facts as incomplete, not as a refusal', () => {
    expect(checkEligibility({ ...base, technicalSurvey: 'pending' }).verdict).toBe('incomplete');
    expect(checkEligibility({ ...base, hasPermanentAddress: undefined }).verdict).toBe('incomplete');
  });

  it('a missing consent refuses an application by the convict but only delays one by the prison director', () => {
    const coResidents = [{ name: 'Anna Nowak', adult: true }];
    expect(checkEligibility({ ...base, coResidents }).verdict).toBe('ineligible');
    const director = checkEligibility({ ...base, coResidents, filerKind: 'prison_director' });
    expect(director.verdict).toBe('incomplete');
    expect(director.conditions.find((c) => c.id === 'co_resident_consent')?.pl).toContain('Anna Nowak');
  });

  it('adding another sentence never makes an over-long total acceptable', () => {
    const sentence = fc
      .record({ months: fc.integer({ min: 0, max: 20 }), days: fc.integer({ min: 0, max: 60 }) })
      .map((t) => m(t.months, t.days));
    fc.assert(
      fc.property(fc.array(sentence, { minLength: 1, maxLength: 4 }), sentence, (list, extra) => {
        const before = outcomeOf({ ...base, sentences: list }, 'sentence_length');
        const after = outcomeOf({ ...base, sentences: [...list, extra] }, 'sentence_length');
        if (before === 'not_met') expect(after).toBe('not_met');
      }),
    );
  });
});
