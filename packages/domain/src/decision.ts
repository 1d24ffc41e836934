/**
 * The court's decision on an application (R2–R4): what stands in the way of a grant, when a judge may still
 * grant (only with a written reason for overriding it), and how the person must report readiness.
 */
import type { EligibilityConditionId, EligibilityReport } from './eligibility.js';
import type { DomainMessage, Result } from './messages.js';
import { fail, message, ok } from './messages.js';

/** A condition the law sets for a grant that the facts on file do not meet (or do not show met). */
export interface GrantBar {
  /** The eligibility condition it comes from. */
  readonly id: EligibilityConditionId;
  /** Why, in Polish (the eligibility check's explanation). */
  readonly pl: string;
  /** Why, in English. */
  readonly en: string;
}

/**
 * Conditions whose mere absence on file bars a grant: the consents and the owner's permission must be in
 * writing before the permission is given (the prison director's application obtains them later, but still
 * before the grant). Other unknown facts (a survey not yet done, the address not established) are the
 * court's to establish and stay warnings in the eligibility report.
 */
const BAR_WHEN_UNKNOWN: ReadonlySet<EligibilityConditionId> = new Set([
  'co_resident_consent',
  'flat_owner_permission',
]);

/**
 * The statutory bars to a grant in an eligibility report: every condition not met (the sentence over the
 * limit, the survey's "not feasible", a recidivist under art. 64 §2 KK…) and missing consents or owner's
 * permission. The court's own assessment (`court_to_judge`) is never a bar.
 */
export function grantBars(report: EligibilityReport): GrantBar[] {
  return report.conditions
    .filter((c) => c.outcome === 'not_met' || (c.outcome === 'unknown' && BAR_WHEN_UNKNOWN.has(c.id)))
    .map((c) => ({ id: c.id, pl: c.pl, en: c.en }));
}

/** What a grant records about the bars it went past. */
export interface GrantClearance {
  /** The bars in force when the judge granted (empty when none). */
  readonly overriddenBars: readonly GrantBar[];
  /** The judge's written reason for granting despite them; absent when there were none. */
  readonly overrideReason?: string;
}

/**
 * A grant past statutory bars needs the judge's written reason for overriding them; it is kept with the
 * decision and shown wherever the decision is. Without bars a reason given is not kept (there was nothing
 * to override).
 */
export function clearGrant(
  report: EligibilityReport,
  overrideReason: string | undefined,
): Result<GrantClearance> {
  const bars = grantBars(report);
  if (bars.length === 0) return ok({ overriddenBars: [] });
  const reason = overrideReason?.trim() ?? '';
  if (reason === '') {
    const list = (lang: 'pl' | 'en') => bars.map((b) => b[lang]).join(' ');
    const refusal: DomainMessage = message(
      'statutory_bar_not_overridden',
      `Ustawowa przeszkoda do udzielenia zezwolenia: ${list('pl')} Udzielenie zezwolenia mimo to wymaga pisemnego uzasadnienia.`,
      `A statutory bar to granting permission: ${list('en')} Granting despite it needs a written reason.`,
    );
    return fail([refusal]);
  }
  return ok({ overriddenBars: bars, overrideReason: reason });
}

/** How the person must report readiness for installation, as the grant sets it (R4; seed 001). */
export const READINESS_MANNERS = ['phone', 'in_person', 'in_writing', 'email'] as const;
export type ReadinessMannerKind = (typeof READINESS_MANNERS)[number];

/** The manner the court set: its kind and the particulars (a number, an address, an office). */
export interface ReadinessManner {
  /** The kind of report. */
  readonly kind: ReadinessMannerKind;
  /** Particulars, e.g. the center's phone number or the office's address; may be empty. */
  readonly details: string;
}

/** The names of the manners, as the decision writes them. */
export const READINESS_MANNER_NAMES: Readonly<
  Record<ReadinessMannerKind, { readonly pl: string; readonly en: string }>
> = {
  phone: {
    pl: 'telefonicznie do podmiotu prowadzącego centralę monitorowania',
    en: 'by phone to the monitoring center operator',
  },
  in_person: {
    pl: 'osobiście w siedzibie podmiotu prowadzącego centralę monitorowania',
    en: 'in person at the monitoring center operator’s office',
  },
  in_writing: {
    pl: 'na piśmie do podmiotu prowadzącego centralę monitorowania',
    en: 'in writing to the monitoring center operator',
  },
  email: {
    pl: 'pocztą elektroniczną do podmiotu prowadzącego centralę monitorowania',
    en: 'by e-mail to the monitoring center operator',
  },
};

/** The manner in words, with its particulars, e.g. `telefonicznie … (tel. 800 100 200)`. */
export function describeReadinessManner(m: ReadinessManner): { pl: string; en: string } {
  const n = READINESS_MANNER_NAMES[m.kind];
  const d = m.details.trim();
  return d === '' ? { pl: n.pl, en: n.en } : { pl: `${n.pl} (${d})`, en: `${n.en} (${d})` };
}
