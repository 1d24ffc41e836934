/**
 * How long the center keeps what it records (T4.7, T4.6; ADR 0702, docs/security.md "Retention").
 *
 * The regulation (002 §7 ust. 5) keeps the data of events "przez okres 2 lat od chwili uzyskania określonych
 * danych osobowych lub zarejestrowania danej informacji": the ledger's rows are kept 24 months from their
 * registration (`received_at`, the key of their monthly partitions), and the personal data of a case 24
 * months from the end of its last supervision. A deployment may keep them longer, never shorter.
 */
import type { SupervisionStatus } from './lifecycle.js';

/** The law's period, in calendar months. */
export const RETENTION_DEFAULT_MONTHS = 24;
/** Shorter than the law's period would break T4.7, so no deployment may set it. */
export const RETENTION_MIN_MONTHS = RETENTION_DEFAULT_MONTHS;
/** Ten years: beyond, keeping personal data "just in case" has no ground (GDPR art. 5(1)(e)). */
export const RETENTION_MAX_MONTHS = 120;

/** The statuses after which a supervision takes no further event: it is over (lifecycle `ALLOWED` is empty). */
export const ENDED_STATUSES = [
  'refused',
  'left_unexamined_technical',
  'ended_served',
  'revoked',
] as const satisfies readonly SupervisionStatus[];

/** One calendar month in UTC, [from, to), named `YYYYMM` as the ledger's partitions are. */
export interface Month {
  fromUtcMs: number;
  toUtcMs: number;
  /** `YYYYMM` */
  suffix: string;
}

/** The UTC month holding `utcMs`, shifted by `delta` months. */
export function monthOf(utcMs: number, delta = 0): Month {
  const d = new Date(utcMs);
  const from = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + delta, 1);
  const to = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + delta + 1, 1);
  const f = new Date(from);
  return {
    fromUtcMs: from,
    toUtcMs: to,
    suffix: `${f.getUTCFullYear()}${String(f.getUTCMonth() + 1).padStart(2, '0')}`,
  };
}

/**
 * The months whose partitions a running center keeps ready: the last one (a frame of the month just ended
 * still arriving) to `ahead` months after the current one, so the job, run every few hours, always has
 * the coming month in place well before it begins.
 */
export function monthsAround(nowUtcMs: number, ahead = 2): Month[] {
  const months: Month[] = [];
  for (let delta = -1; delta <= ahead; delta++) months.push(monthOf(nowUtcMs, delta));
  return months;
}

/**
 * The instant before which data is past the policy: `now` minus `months` calendar months in UTC. A day that
 * the target month lacks falls on its last day (29 February 2028 minus 12 months is 28 February 2027),
 * so the period is never shorter than the calendar months it names.
 */
export function retentionCutoff(nowUtcMs: number, months: number): number {
  const d = new Date(nowUtcMs);
  const y = d.getUTCFullYear();
  const m = d.getUTCMonth() - months;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return Date.UTC(
    y,
    m,
    Math.min(d.getUTCDate(), lastDay),
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
}

/** A month may be dropped as a whole only when its last instant is past the cutoff: nothing in it is younger. */
export function monthExpired(month: Pick<Month, 'toUtcMs'>, cutoffUtcMs: number): boolean {
  return month.toUtcMs <= cutoffUtcMs;
}

/**
 * When a case ended: the latest end of its supervisions once every one of them is over; null while one is
 * not (or the case has none), since a case still running keeps its data whatever its age.
 */
export function caseEndedAt(
  supervisions: readonly { status: SupervisionStatus; endedAtUtcMs: number }[],
): number | null {
  if (supervisions.length === 0) return null;
  let end = -Infinity;
  for (const s of supervisions) {
    if (!(ENDED_STATUSES as readonly string[]).includes(s.status)) return null;
    end = Math.max(end, s.endedAtUtcMs);
  }
  return end;
}

/** Whether a case's personal data is past the policy: ended before the cutoff and under no legal hold. */
export function caseErasable(endedAtUtcMs: number | null, cutoffUtcMs: number, held: boolean): boolean {
  return !held && endedAtUtcMs !== null && endedAtUtcMs < cutoffUtcMs;
}
