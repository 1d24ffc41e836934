/**
 * Eligibility for serving a sentence under electronic monitoring (R2, R3). Each condition is
 * reported with its outcome and a bilingual explanation; conditions that only the court can weigh are
 * reported as such, never decided by software.
 */
import type { CoResident, FilerKind, FlatOwner } from './case.js';
import { ownerPermissionOnFile } from './case.js';
import type { Term } from './sentence.js';
import { formatTerm, sumTerms, termInDays } from './sentence.js';
import type { LocalDate } from './time.js';

/** Kind of a sentence to be served. */
export type SentenceKind =
  /** Imprisonment (kara pozbawienia wolności). */
  | 'imprisonment'
  /** Substitute imprisonment for a crime or fiscal crime (zastępcza kara pozbawienia wolności). */
  | 'substitute_imprisonment'
  /** Detention for a misdemeanour (kara aresztu za wykroczenie), incl. substitute detention. */
  | 'misdemeanour_detention';

/** One sentence the person has to serve; all listed sentences are served one after another. */
export interface SentenceToServe {
  /** Kind of the penalty. */
  readonly kind: SentenceKind;
  /** Term as written in the judgment. */
  readonly term: Term;
  /** Case number of the judgment, for the explanation. */
  readonly caseNumber?: string;
}

/** Result of the technicians' survey of the address (R3). */
export type TechnicalSurveyOutcome = 'feasible' | 'not_feasible' | 'pending';

/** What the eligibility check needs to know. `undefined` means "not established yet". */
export interface EligibilityInput {
  /** Day of the decision (the length limit depends on it). */
  readonly assessedOn: LocalDate;
  /** Every sentence to be served consecutively (not subject to joinder). */
  readonly sentences: readonly SentenceToServe[];
  /** Whether the person has a permanent address (miejsce stałego pobytu). */
  readonly hasPermanentAddress: boolean | undefined;
  /** Whether the person was sentenced as a recidivist under art. 64 §2 KK. */
  readonly recidivistArt64Par2: boolean | undefined;
  /** Who filed the application (the prison director files without consents). */
  readonly filerKind: FilerKind;
  /** People living at the address. */
  readonly coResidents: readonly CoResident[];
  /** Who owns the flat and their permission; `undefined` when the application did not record it. */
  readonly flatOwner: FlatOwner | undefined;
  /** Outcome of the technical survey. */
  readonly technicalSurvey: TechnicalSurveyOutcome;
}

/** Identifier of one eligibility condition. */
export type EligibilityConditionId =
  | 'sentence_kind'
  | 'sentence_length'
  | 'permanent_address'
  | 'not_recidivist_art64_2'
  | 'co_resident_consent'
  | 'flat_owner_permission'
  | 'technical_conditions'
  | 'purposes_of_penalty';

/** Outcome of one condition: `court_to_judge` means the law leaves it to the court's assessment. */
export type ConditionOutcome = 'met' | 'not_met' | 'unknown' | 'court_to_judge';

/** One condition checked, with its outcome and explanation. */
export interface EligibilityCondition {
  /** Which condition. */
  readonly id: EligibilityConditionId;
  /** Its outcome. */
  readonly outcome: ConditionOutcome;
  /** Explanation in Polish. */
  readonly pl: string;
  /** Explanation in English. */
  readonly en: string;
}

/**
 * Overall verdict: `ineligible` (the court must refuse), `leave_unexamined_technical` (technical
 * conditions prevent monitoring, R3), `incomplete` (facts missing), or
 * `eligible_subject_to_court_assessment` (all statutory conditions met; the court still weighs the rest).
 */
export type EligibilityVerdict =
  'ineligible' | 'leave_unexamined_technical' | 'incomplete' | 'eligible_subject_to_court_assessment';

/** The full eligibility report. */
export interface EligibilityReport {
  /** Overall verdict. */
  readonly verdict: EligibilityVerdict;
  /** Every condition, in a fixed order. */
  readonly conditions: readonly EligibilityCondition[];
}

/** Day from which the limit is 1 year 6 months instead of 1 year (R2). */
export const LONGER_LIMIT_FROM: LocalDate = '2020-03-31';

/** The statutory length limit in force on `date`. */
export function sentenceLengthLimit(date: LocalDate): Term {
  return date >= LONGER_LIMIT_FROM ? { years: 1, months: 6, days: 0 } : { years: 1, months: 0, days: 0 };
}

function cond(
  id: EligibilityConditionId,
  outcome: ConditionOutcome,
  pl: string,
  en: string,
): EligibilityCondition {
  return { id, outcome, pl, en };
}

function checkKind(input: EligibilityInput): EligibilityCondition {
  if (input.sentences.length === 0) {
    return cond(
      'sentence_kind',
      'unknown',
      'Nie podano kary do wykonania.',
      'No sentence to serve was given.',
    );
  }
  if (input.sentences.some((s) => s.kind === 'misdemeanour_detention')) {
    return cond(
      'sentence_kind',
      'not_met',
      'Kary aresztu za wykroczenie nie wykonuje się w systemie dozoru elektronicznego.',
      'Detention for a misdemeanour (areszt) cannot be served under electronic monitoring.',
    );
  }
  const substitute = input.sentences.some((s) => s.kind === 'substitute_imprisonment');
  return cond(
    'sentence_kind',
    'met',
    substitute
      ? 'Kara pozbawienia wolności, w tym zastępcza kara pozbawienia wolności za przestępstwo lub przestępstwo skarbowe — może być wykonana w dozorze elektronicznym.'
      : 'Kara pozbawienia wolności — może być wykonana w dozorze elektronicznym.',
    substitute
      ? 'Imprisonment, including substitute imprisonment for a crime or fiscal crime — may be served under monitoring.'
      : 'Imprisonment — may be served under monitoring.',
  );
}

function checkLength(input: EligibilityInput): EligibilityCondition {
  const ordinary = input.sentences.filter((s) => s.kind === 'imprisonment');
  const limit = sentenceLengthLimit(input.assessedOn);
  const limitText = formatTerm(limit);
  const periodPl = input.assessedOn >= LONGER_LIMIT_FROM ? 'od 31 marca 2020 r.' : 'przed 31 marca 2020 r.';
  const periodEn = input.assessedOn >= LONGER_LIMIT_FROM ? 'since 31 March 2020' : 'before 31 March 2020';
  if (ordinary.length === 0) {
    const none =
      input.sentences.length > 0 && input.sentences.every((s) => s.kind === 'substitute_imprisonment');
    return cond(
      'sentence_length',
      none ? 'met' : 'unknown',
      none
        ? 'Wyłącznie zastępcza kara pozbawienia wolności — limit długości kary nie ma zastosowania.'
        : 'Brak kary pozbawienia wolności, której długość można sprawdzić.',
      none
        ? 'Only substitute imprisonment — the length limit does not apply.'
        : 'No imprisonment whose length could be checked.',
    );
  }
  const sum = sumTerms(ordinary.map((s) => s.term));
  const days = termInDays(sum);
  const limitDays = termInDays(limit);
  const s = formatTerm(sum);
  const several = ordinary.length > 1;
  const sumPl = several ? `Suma ${ordinary.length} kar do odbycia kolejno: ${s.pl}` : `Kara: ${s.pl}`;
  const sumEn = several
    ? `The ${ordinary.length} sentences to be served consecutively add up to ${s.en}`
    : `Sentence: ${s.en}`;
  const tail = (okPl: string, okEn: string): [string, string] => [
    `${sumPl} (${days} dni); limit ${periodPl}: ${limitText.pl} (${limitDays} dni; miesiąc = 30 dni, rok = 365 dni, art. 12c KKW) — ${okPl}.`,
    `${sumEn} (${days} days); limit ${periodEn}: ${limitText.en} (${limitDays} days; a month = 30 days, a year = 365 days, art. 12c KKW) — ${okEn}.`,
  ];
  if (days <= limitDays) {
    const [pl, en] = tail('nie przekracza limitu', 'within the limit');
    return cond('sentence_length', 'met', pl, en);
  }
  const [pl, en] = tail('przekracza limit', 'exceeds the limit');
  return cond('sentence_length', 'not_met', pl, en);
}

function checkAddress(input: EligibilityInput): EligibilityCondition {
  if (input.hasPermanentAddress === undefined) {
    return cond(
      'permanent_address',
      'unknown',
      'Nie ustalono, czy skazany ma stałe miejsce pobytu.',
      'Not established whether the person has a permanent address.',
    );
  }
  return input.hasPermanentAddress
    ? cond(
        'permanent_address',
        'met',
        'Skazany ma określone miejsce stałego pobytu.',
        'The person has a permanent address.',
      )
    : cond(
        'permanent_address',
        'not_met',
        'Skazany nie ma określonego miejsca stałego pobytu.',
        'The person has no permanent address.',
      );
}

function checkRecidivism(input: EligibilityInput): EligibilityCondition {
  if (input.recidivistArt64Par2 === undefined) {
    return cond(
      'not_recidivist_art64_2',
      'unknown',
      'Nie ustalono, czy skazanie nastąpiło w warunkach art. 64 § 2 KK.',
      'Not established whether the person was sentenced under art. 64 §2 KK.',
    );
  }
  return input.recidivistArt64Par2
    ? cond(
        'not_recidivist_art64_2',
        'not_met',
        'Skazany w warunkach recydywy wielokrotnej (art. 64 § 2 KK) — zezwolenia nie udziela się.',
        'Sentenced as a multiple recidivist (art. 64 §2 KK) — permission cannot be granted.',
      )
    : cond(
        'not_recidivist_art64_2',
        'met',
        'Skazanie nie nastąpiło w warunkach art. 64 § 2 KK.',
        'Not sentenced as a recidivist under art. 64 §2 KK.',
      );
}

function checkConsents(input: EligibilityInput): EligibilityCondition {
  const adults = input.coResidents.filter((r) => r.adult);
  const missing = adults.filter((r) => r.consentInWritingOn === undefined);
  if (adults.length === 0) {
    return cond(
      'co_resident_consent',
      'met',
      'Ze skazanym nie mieszkają inne osoby pełnoletnie — zgoda nie jest wymagana.',
      'No other adults live with the person — no consent needed.',
    );
  }
  if (missing.length === 0) {
    return cond(
      'co_resident_consent',
      'met',
      `Wszystkie osoby pełnoletnie (${adults.length}) wyraziły zgodę na piśmie.`,
      `All ${adults.length} adult co-residents consented in writing.`,
    );
  }
  const names = missing.map((r) => r.name).join(', ');
  // A prison director files without consents; the court still has to obtain them.
  if (input.filerKind === 'prison_director') {
    return cond(
      'co_resident_consent',
      'unknown',
      `Wniosek dyrektora zakładu karnego — sąd musi uzyskać zgody: ${names}.`,
      `Application by the prison director — the court must obtain the consents of: ${names}.`,
    );
  }
  return cond(
    'co_resident_consent',
    'not_met',
    `Brak pisemnej zgody osób pełnoletnich: ${names}.`,
    `Missing written consent of adult co-residents: ${names}.`,
  );
}

function checkOwner(input: EligibilityInput): EligibilityCondition {
  const o = input.flatOwner;
  if (o === undefined) {
    return cond(
      'flat_owner_permission',
      'unknown',
      'We wniosku nie wskazano właściciela mieszkania ani jego zezwolenia.',
      'The application does not say who owns the flat or whether they gave permission.',
    );
  }
  if (o.ownerIsPerson) {
    return cond(
      'flat_owner_permission',
      'met',
      'Skazany jest właścicielem mieszkania — zezwolenie nie jest potrzebne.',
      'The person owns the flat — no permission is needed.',
    );
  }
  const owner = o.ownerName?.trim() || '—';
  if (ownerPermissionOnFile(o)) {
    return cond(
      'flat_owner_permission',
      'met',
      `Właściciel mieszkania (${owner}) zezwolił na piśmie.`,
      `The owner of the flat (${owner}) gave written permission.`,
    );
  }
  if (input.filerKind === 'prison_director') {
    return cond(
      'flat_owner_permission',
      'unknown',
      `Wniosek dyrektora zakładu karnego — sąd musi uzyskać zezwolenie właściciela mieszkania (${owner}).`,
      `Application by the prison director — the court must obtain the permission of the flat's owner (${owner}).`,
    );
  }
  return cond(
    'flat_owner_permission',
    'not_met',
    `Brak pisemnego zezwolenia właściciela mieszkania (${owner}).`,
    `No written permission of the flat's owner (${owner}).`,
  );
}

function checkTechnical(input: EligibilityInput): EligibilityCondition {
  switch (input.technicalSurvey) {
    case 'feasible':
      return cond(
        'technical_conditions',
        'met',
        'Warunki mieszkaniowe i techniczne pozwalają na dozór elektroniczny.',
        'Housing and technical conditions allow monitoring.',
      );
    case 'not_feasible':
      return cond(
        'technical_conditions',
        'not_met',
        'Warunki techniczne stoją na przeszkodzie — sędzia pozostawia wniosek bez rozpoznania.',
        'Technical conditions prevent monitoring — the judge leaves the application unexamined.',
      );
    case 'pending':
      return cond(
        'technical_conditions',
        'unknown',
        'Brak wyniku badania warunków technicznych; sąd ustala je przed wydaniem zezwolenia.',
        'No technical survey result yet; the court establishes it before granting.',
      );
  }
}

const PURPOSES = cond(
  'purposes_of_penalty',
  'court_to_judge',
  'Ocena sądu: czy dozór elektroniczny wystarczy dla osiągnięcia celów kary oraz czy względy bezpieczeństwa, stopień demoralizacji i inne szczególne okoliczności nie przemawiają za osadzeniem w zakładzie karnym.',
  'For the court: whether monitoring suffices to achieve the purposes of the penalty, and whether safety, the degree of demoralisation or other special circumstances call for prison instead.',
);

/**
 * Checks the statutory conditions (R2) and reports each one. A technical obstacle gives
 * `leave_unexamined_technical` before anything else, because the court checks it before examining the
 * application (R3); any other unmet condition gives `ineligible`.
 */
export function checkEligibility(input: EligibilityInput): EligibilityReport {
  const conditions = [
    checkKind(input),
    checkLength(input),
    checkAddress(input),
    checkRecidivism(input),
    checkConsents(input),
    checkOwner(input),
    checkTechnical(input),
    PURPOSES,
  ];
  const outcome = (id: EligibilityConditionId): ConditionOutcome | undefined =>
    conditions.find((c) => c.id === id)?.outcome;
  let verdict: EligibilityVerdict;
  if (outcome('technical_conditions') === 'not_met') verdict = 'leave_unexamined_technical';
  else if (conditions.some((c) => c.outcome === 'not_met')) verdict = 'ineligible';
  else if (conditions.some((c) => c.outcome === 'unknown')) verdict = 'incomplete';
  else verdict = 'eligible_subject_to_court_assessment';
  return { verdict, conditions };
}
