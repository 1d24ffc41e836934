/** The person, the criminal case and the application for electronic monitoring (R1). */
import type { DomainMessage, Result } from './messages.js';
import { message, resultOf } from './messages.js';
import type { LocalDate } from './time.js';
import { formatDay, isLocalDate } from './time.js';

/**
 * Marks a record holding personal data (T4.6, GDPR): it must not be logged, exported to statistics
 * or sent outside the center without a legal basis. Use {@link redactPerson} before logging.
 */
export interface PersonalData {
  /** Always true; lets code and reviewers find every type that carries personal data. */
  readonly containsPersonalData: true;
}

/** A postal address in Poland. */
export interface PostalAddress {
  /** Street and number, e.g. `ul. Długa 5 m. 3`. */
  readonly street: string;
  /** Postal code `NN-NNN`. */
  readonly postalCode: string;
  /** Town. */
  readonly city: string;
}

/** The convicted person under monitoring: only what the center needs to act (data minimisation). */
export interface MonitoredPerson extends PersonalData {
  /** Internal identifier (not the PESEL). */
  readonly id: string;
  /** Given name(s). */
  readonly givenName: string;
  /** Family name. */
  readonly familyName: string;
  /** Date of birth, to tell namesakes apart. */
  readonly birthDate: LocalDate;
  /** Permanent address where the sentence is served (miejsce stałego pobytu), if any. */
  readonly permanentAddress?: PostalAddress;
  /** Phone number the operators call (B5). */
  readonly phone?: string;
}

/** A person who consents to and carries a unit that warns them of the monitored person (R9 proximity). */
export interface ProtectedPerson extends PersonalData {
  /** Internal identifier. */
  readonly id: string;
  /** Given name(s). */
  readonly givenName: string;
  /** Family name. */
  readonly familyName: string;
  /** When they consented in writing to carry a portable unit (T3, 002 §2). */
  readonly consentedOn: LocalDate;
}

/** A person record with the personal fields replaced, safe to log. */
export function redactPerson(p: MonitoredPerson | ProtectedPerson): {
  id: string;
  containsPersonalData: false;
} {
  return { id: p.id, containsPersonalData: false };
}

/** A criminal case whose sentence is to be served under monitoring. */
export interface Case {
  /** Internal identifier. */
  readonly id: string;
  /** Case number (sygnatura akt) of the judgment, e.g. `II K 123/24`. */
  readonly caseNumber: string;
  /** Court that passed the judgment, e.g. `Sąd Rejonowy w Szczecinku`. */
  readonly court: string;
  /** Date of the judgment. */
  readonly judgmentDate: LocalDate;
  /** The monitoring region (one center per region, T4.5). */
  readonly regionId: string;
  /** The monitored person. */
  readonly personId: string;
}

/** Where a court or a user belongs: a region, and a court when there is one. */
export interface Jurisdiction {
  /** The region; for a user with only a court, the court's region. */
  readonly regionId: string | null;
  /** The court, if any. */
  readonly courtId: string | null;
}

/**
 * The law's jurisdiction (S5) of a person assigned to a case: the judge sits at the case's court; the
 * probation officer belongs to the court in whose district the sentence is served, so to the case's
 * region, and to its court when the officer has one. Empty when the assignment holds.
 */
export function assignmentProblems(
  role: 'judge' | 'probation_officer',
  user: Jurisdiction,
  of: Jurisdiction,
  path?: string,
): DomainMessage[] {
  if (role === 'judge') {
    return user.courtId !== null && user.courtId === of.courtId
      ? []
      : [
          message(
            'outside_jurisdiction',
            'Wskazany sędzia nie orzeka w sądzie tej sprawy.',
            'The judge given does not sit at the court of this case.',
            path,
          ),
        ];
  }
  const inRegion = user.regionId !== null && user.regionId === of.regionId;
  const inCourt = user.courtId === null || user.courtId === of.courtId;
  return inRegion && inCourt
    ? []
    : [
        message(
          'outside_jurisdiction',
          'Wskazany kurator nie należy do regionu lub sądu tej sprawy; sprawę prowadzi kurator sądu, w którego okręgu wykonywana jest kara.',
          'The probation officer given does not belong to the region or court of this case; the case is for an officer of the court where the sentence is served.',
          path,
        ),
      ];
}

/** Who may file an application (R1). */
export type FilerKind = 'convict' | 'defence_lawyer' | 'prosecutor' | 'probation_officer' | 'prison_director';

/** All filer kinds, in the order the seed lists them. */
export const FILER_KINDS: readonly FilerKind[] = [
  'convict',
  'defence_lawyer',
  'prosecutor',
  'probation_officer',
  'prison_director',
];

/** An adult living at the monitoring address and their written consent. */
export interface CoResident {
  /** Full name. */
  readonly name: string;
  /** True when the person is of age (only adults must consent). */
  readonly adult: boolean;
  /** Date of the written consent, if given. Withdrawing it after the decision has no effect (R1). */
  readonly consentInWritingOn?: LocalDate;
}

/**
 * Who owns the flat where the sentence is to be served, and their written permission (zezwolenie
 * właściciela mieszkania, seed 003). Not needed when the person owns it.
 */
export interface FlatOwner {
  /** True when the monitored person owns the flat: no one else's permission is needed. */
  readonly ownerIsPerson: boolean;
  /** The owner's name (a person, a housing cooperative, a municipality) when not the monitored person. */
  readonly ownerName?: string;
  /** Date of the owner's written permission, if given. */
  readonly permissionInWritingOn?: LocalDate;
}

/** True when the flat owner's permission is on file (or not needed because the person owns the flat). */
export function ownerPermissionOnFile(o: FlatOwner): boolean {
  return o.ownerIsPerson || (o.permissionInWritingOn !== undefined && isLocalDate(o.permissionInWritingOn));
}

/** An application for permission to serve the sentence under electronic monitoring (R1). */
export interface Application {
  /** Internal identifier. */
  readonly id: string;
  /** The case it concerns. */
  readonly caseId: string;
  /** Who filed it. */
  readonly filerKind: FilerKind;
  /** Name of the filer. */
  readonly filerName: string;
  /** Day the application reached the court (starts the 30-day decision deadline, R3). */
  readonly receivedOn: LocalDate;
  /** Written justification. */
  readonly justification: string;
  /** Case number (sygnatura akt) of the judgment it refers to. */
  readonly caseNumber: string;
  /** Everyone living at the address (adults must consent). */
  readonly coResidents: readonly CoResident[];
  /** Phone number of someone who will let the technicians in for the survey. */
  readonly technicianContactPhone: string;
  /** Day the judgment became final (data uprawomocnienia); the application may be filed from that day on. */
  readonly judgmentFinalOn: LocalDate;
  /** Who owns the flat and whether they gave written permission. */
  readonly flatOwner: FlatOwner;
}

const CASE_NUMBER_RE =
  /^[IVXLC]+ [A-Za-zżźćńółęąśŻŹĆĄŚĘŁÓŃ]+(?:[- ][A-Za-zżźćńółęąśŻŹĆĄŚĘŁÓŃ]+)? \d{1,6}\/\d{2}(?:\d{2})?$/u;
const PHONE_RE = /^\+?[0-9 ()-]{9,20}$/;

/** True when `s` looks like a Polish case number, e.g. `II K 123/24`, `III Kow 456/2020`, `VII Ka-Pen 7/25`. */
export function isCaseNumber(s: string): boolean {
  return CASE_NUMBER_RE.test(s.trim());
}

/**
 * Checks an application's form (R1); whether the person is eligible is {@link checkEligibility}'s job.
 * `judgmentDate` is the case's judgment day: the judgment cannot become final before it was given.
 */
export function validateApplication(
  a: Application,
  context: { readonly judgmentDate?: LocalDate } = {},
): Result<Application> {
  const errors: DomainMessage[] = [];
  if (!isLocalDate(a.judgmentFinalOn)) {
    errors.push(
      message(
        'date_invalid',
        `Niepoprawna data uprawomocnienia wyroku: „${a.judgmentFinalOn}”.`,
        `Invalid date the judgment became final "${a.judgmentFinalOn}".`,
        'judgmentFinalOn',
      ),
    );
  } else {
    // An application is filed once the judgment is final (seed 004: "zaraz po tym, jak uprawomocni się
    // wyrok"); the day it becomes final counts (ADR 0602).
    if (isLocalDate(a.receivedOn) && a.receivedOn < a.judgmentFinalOn) {
      errors.push(
        message(
          'application_before_final_judgment',
          `Wniosek można złożyć dopiero od dnia uprawomocnienia się wyroku (${formatDay(a.judgmentFinalOn, 'pl')}); wpłynął ${formatDay(a.receivedOn, 'pl')}.`,
          `An application can be filed only from the day the judgment became final (${formatDay(a.judgmentFinalOn, 'en')}); it was received on ${formatDay(a.receivedOn, 'en')}.`,
          'judgmentFinalOn',
        ),
      );
    }
    if (context.judgmentDate !== undefined && a.judgmentFinalOn < context.judgmentDate) {
      errors.push(
        message(
          'judgment_final_before_judgment',
          `Wyrok nie mógł uprawomocnić się (${formatDay(a.judgmentFinalOn, 'pl')}) przed jego wydaniem (${formatDay(context.judgmentDate, 'pl')}).`,
          `The judgment cannot have become final (${formatDay(a.judgmentFinalOn, 'en')}) before it was given (${formatDay(context.judgmentDate, 'en')}).`,
          'judgmentFinalOn',
        ),
      );
    }
  }
  if (!a.flatOwner.ownerIsPerson && (a.flatOwner.ownerName ?? '').trim() === '') {
    errors.push(
      message(
        'flat_owner_unnamed',
        'Wskaż właściciela mieszkania (skazany nie jest właścicielem).',
        'Name the owner of the flat (the person does not own it).',
        'flatOwner.ownerName',
      ),
    );
  }
  if (a.flatOwner.permissionInWritingOn !== undefined && !isLocalDate(a.flatOwner.permissionInWritingOn)) {
    errors.push(
      message(
        'date_invalid',
        `Niepoprawna data zezwolenia właściciela: „${a.flatOwner.permissionInWritingOn}”.`,
        `Invalid date of the owner's permission "${a.flatOwner.permissionInWritingOn}".`,
        'flatOwner.permissionInWritingOn',
      ),
    );
  }
  if (!FILER_KINDS.includes(a.filerKind)) {
    errors.push(
      message(
        'filer_not_entitled',
        'Wniosek może złożyć tylko skazany, jego obrońca, prokurator, sądowy kurator zawodowy lub dyrektor zakładu karnego.',
        'Only the convict, their defence lawyer, the prosecutor, the probation officer or the prison director may apply.',
        'filerKind',
      ),
    );
  }
  if (!isLocalDate(a.receivedOn)) {
    errors.push(
      message(
        'date_invalid',
        `Niepoprawna data wpływu: „${a.receivedOn}”.`,
        `Invalid date of receipt "${a.receivedOn}".`,
        'receivedOn',
      ),
    );
  }
  if (a.justification.trim().length === 0) {
    errors.push(
      message(
        'justification_missing',
        'Wniosek musi zawierać uzasadnienie.',
        'The application must include a justification.',
        'justification',
      ),
    );
  }
  if (!isCaseNumber(a.caseNumber)) {
    errors.push(
      message(
        'case_number_invalid',
        `Sygnatura akt „${a.caseNumber}” ma nieprawidłową postać (np. „II K 123/24”).`,
        `Case number "${a.caseNumber}" is malformed (e.g. "II K 123/24").`,
        'caseNumber',
      ),
    );
  }
  if (!PHONE_RE.test(a.technicianContactPhone.trim())) {
    errors.push(
      message(
        'technician_contact_missing',
        'Podaj numer telefonu osoby, która wpuści techników do lokalu.',
        'Give the phone number of someone who will let the technicians in.',
        'technicianContactPhone',
      ),
    );
  }
  // The prison director's application is filed without consents; the court obtains them (R1).
  if (a.filerKind !== 'prison_director') {
    a.coResidents.forEach((r, i) => {
      if (r.adult && (r.consentInWritingOn === undefined || !isLocalDate(r.consentInWritingOn))) {
        errors.push(
          message(
            'co_resident_consent_missing',
            `Brak pisemnej zgody osoby pełnoletniej zamieszkującej ze skazanym: ${r.name}.`,
            `Missing written consent of an adult living with the convict: ${r.name}.`,
            `coResidents[${i}]`,
          ),
        );
      }
    });
  }
  return resultOf(a, errors);
}
