import { describe, expect, it } from 'vitest';
import type { Application } from './case.js';
import { assignmentProblems, isCaseNumber, redactPerson, validateApplication } from './case.js';

const app: Application = {
  id: 'a1',
  caseId: 'c1',
  filerKind: 'defence_lawyer',
  filerName: 'adw. Maria Wiśniewska',
  receivedOn: '2025-06-02',
  justification: 'Skazany pracuje i opiekuje się matką.',
  caseNumber: 'II K 123/24',
  coResidents: [{ name: 'Anna Nowak', adult: true, consentInWritingOn: '2025-05-20' }],
  technicianContactPhone: '+48 600 100 200',
  judgmentFinalOn: '2025-05-12',
  flatOwner: {
    ownerIsPerson: false,
    ownerName: 'Spółdzielnia Mieszkaniowa „Zorza”',
    permissionInWritingOn: '2025-05-21',
  },
};
const codes = (a: Application): string[] => {
  const r = validateApplication(a);
  return r.ok ? [] : r.errors.map((e) => e.code);
};

describe('application (R1)', () => {
  it('accepts a complete application', () => {
    expect(codes(app)).toEqual([]);
  });

  it('recognises Polish case numbers', () => {
    for (const s of ['II K 123/24', 'III Kow 456/2020', 'VII Ka-Pen 7/25', 'IV Kp 1/21'])
      expect(isCaseNumber(s)).toBe(true);
    for (const s of ['123/24', 'II K 123', 'II K 12/3', 'K 1/24']) expect(isCaseNumber(s)).toBe(false);
  });

  it('lists every problem at once, each with a Polish message', () => {
    const r = validateApplication({
      ...app,
      caseNumber: '123/24',
      justification: ' ',
      technicianContactPhone: '',
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.map((e) => e.code)).toEqual([
      'justification_missing',
      'case_number_invalid',
      'technician_contact_missing',
    ]);
    expect(r.errors[1]?.pl).toContain('Sygnatura akt');
  });

  it('requires the written consent of adult co-residents unless the prison director applies', () => {
    const noConsent = {
      ...app,
      coResidents: [
        { name: 'Anna Nowak', adult: true },
        { name: 'Ola Nowak', adult: false },
      ],
    };
    expect(codes(noConsent)).toEqual(['co_resident_consent_missing']);
    expect(codes({ ...noConsent, filerKind: 'prison_director' })).toEqual([]);
  });

  it('refuses an application received before the judgment became final, and says when it did', () => {
    const early = validateApplication({ ...app, receivedOn: '2025-05-11' });
    expect(early.ok).toBe(false);
    if (early.ok) return;
    expect(early.errors.map((e) => [e.code, e.path])).toEqual([
      ['application_before_final_judgment', 'judgmentFinalOn'],
    ]);
    expect(early.errors[0]?.pl).toContain('12.05.2025');
    // The day it becomes final is the first day an application may be filed.
    expect(codes({ ...app, receivedOn: '2025-05-12' })).toEqual([]);
  });

  it('refuses a judgment final before it was given', () => {
    const r = validateApplication(app, { judgmentDate: '2025-05-20' });
    expect(r.ok ? [] : r.errors.map((e) => e.code)).toEqual(['judgment_final_before_judgment']);
    expect(validateApplication(app, { judgmentDate: '2025-04-20' }).ok).toBe(true);
  });

  it('asks who owns the flat when the person does not', () => {
    expect(codes({ ...app, flatOwner: { ownerIsPerson: false, ownerName: ' ' } })).toEqual([
      'flat_owner_unnamed',
    ]);
    // A permission not yet given is the decision's bar, not a reason to refuse the filing.
    expect(codes({ ...app, flatOwner: { ownerIsPerson: false, ownerName: 'Jan Nowak' } })).toEqual([]);
    expect(codes({ ...app, flatOwner: { ownerIsPerson: true } })).toEqual([]);
  });

  it('refuses a filer the law does not entitle', () => {
    expect(codes({ ...app, filerKind: 'neighbour' as Application['filerKind'] })).toEqual([
      'filer_not_entitled',
    ]);
  });

  it('redacts personal data for logs', () => {
    const r = redactPerson({
      id: 'p1',
      givenName: 'Jan',
      familyName: 'Kowalski',
      birthDate: '1990-01-01',
      containsPersonalData: true,
    });
    expect(JSON.stringify(r)).not.toContain('Kowalski');
  });
});

describe('who may be assigned to a case (S5)', () => {
  const waw = { regionId: 'PL-MZ', courtId: 'SR-WAW' };
  it("takes a probation officer of the case's region, and of its court when the officer has one", () => {
    expect(assignmentProblems('probation_officer', { regionId: 'PL-MZ', courtId: null }, waw)).toEqual([]);
    expect(assignmentProblems('probation_officer', { regionId: 'PL-MZ', courtId: 'SR-WAW' }, waw)).toEqual(
      [],
    );
  });
  it('refuses an officer of another region or another court, and a judge of another court', () => {
    const codes = (r: ReturnType<typeof assignmentProblems>) => r.map((p) => p.code);
    expect(codes(assignmentProblems('probation_officer', { regionId: 'PL-ZP', courtId: null }, waw))).toEqual(
      ['outside_jurisdiction'],
    );
    expect(
      codes(assignmentProblems('probation_officer', { regionId: 'PL-MZ', courtId: 'SO-WAW' }, waw)),
    ).toEqual(['outside_jurisdiction']);
    const judge = assignmentProblems('judge', { regionId: 'PL-MZ', courtId: 'SO-WAW' }, waw, 'judgeId');
    expect(judge).toMatchObject([{ code: 'outside_jurisdiction', path: 'judgeId' }]);
    expect(judge[0]!.pl).toMatch(/sędzia/);
  });
});
