/**
 * The penitentiary court's decision granting monitoring (R4, R9) and its amendments. Each amendment is
 * a new {@link CourtOrderVersion}; earlier versions are kept, so "what applied at instant t" is answerable.
 */
import type { PostalAddress } from './case.js';
import type { DeviceKind } from './device-assignment.js';
import { MAX_READINESS_DEADLINE_HOURS } from './deadlines.js';
import type { EngineSettingsOverride } from './engine/types.js';
import { MAX_STATIONARY_RANGE_METERS, PORTABLE_RANGE_METERS } from './law.js';
import type { DomainMessage, Result } from './messages.js';
import { message, resultOf } from './messages.js';
import type { ApprovedException, AwayWindow, Schedule } from './schedule.js';
import { validateSchedule } from './schedule.js';
import type { InWords, LocalDate } from './time.js';
import { addDays, dayInWords, formatLocal, instantInWords, isLocalDate, startOfLocalDay } from './time.js';
import type { LatLon, Zone } from './zone.js';
import { validateZone } from './zone.js';

/** Kind of monitoring (R9): stay at a place at set times, be located anywhere, or keep away from a person. */
export type SupervisionKind = 'stationary' | 'mobile' | 'proximity';

/** Largest distance a court order may require from a protected person, metres. */
export const MAX_KEEP_DISTANCE_METERS = 10_000;

/** The place where the person must stay at set times (miejsce stałego pobytu or another place). */
export interface MonitoringPlace {
  /** Its address. */
  readonly address: PostalAddress;
  /** Its position, if geocoded. */
  readonly location?: LatLon;
  /** Range set on the stationary unit, metres (T2.2). */
  readonly rangeMeters?: number;
}

/** One obligation imposed by the court (R4, seed 001). */
export type Obligation =
  /** Stay at the place except in the schedule's away windows. */
  | { readonly kind: 'stay_at_place'; readonly place: MonitoringPlace; readonly schedule: Schedule }
  /** Keep out of a zone (powstrzymywanie się od przebywania w określonych miejscach). */
  | { readonly kind: 'exclusion_zone'; readonly id: string; readonly name: string; readonly zone: Zone }
  /** Stay within a zone (e.g. the town). */
  | { readonly kind: 'inclusion_zone'; readonly id: string; readonly name: string; readonly zone: Zone }
  /** Do not approach a protected person closer than `minDistanceMeters` (zakaz zbliżania się). */
  | {
      readonly kind: 'keep_distance';
      readonly protectedPersonId: string;
      readonly minDistanceMeters: number;
    };

/** One version of the court order: who decided it, when, why, and from when it applies. */
export interface CourtOrderVersion {
  /** 1 for the original decision, then 2, 3… for each amendment. */
  readonly version: number;
  /** The instant from which this version applies. */
  readonly validFromUtcMs: number;
  /** The judge who decided it. */
  readonly decidedBy: string;
  /** The date of the decision (postanowienie). */
  readonly decidedOn: LocalDate;
  /** Why (for version 1, e.g. "udzielenie zezwolenia"; for amendments, the reason for the change). */
  readonly reason: string;
  /** Kinds of monitoring ordered. */
  readonly supervisionKinds: readonly SupervisionKind[];
  /** The obligations. */
  readonly obligations: readonly Obligation[];
  /** The devices to install. */
  readonly devices: readonly DeviceKind[];
  /** Hours, from announcement or delivery, to report readiness for installation (≤ 24, R4). */
  readonly readinessDeadlineHours: number;
  /**
   * How the compliance engine judges this order, where it departs from the defaults: grace periods and
   * thresholds per rule (docs/engine.md, "Rules and defaults"). Absent: the defaults.
   */
  readonly monitoringSettings?: EngineSettingsOverride;
}

/** A court order with its full version history, oldest first. */
export interface CourtOrder {
  /** Internal identifier. */
  readonly id: string;
  /** The case. */
  readonly caseId: string;
  /** Case number of the penitentiary court's decision (e.g. `III Kow 456/25`). */
  readonly caseNumber: string;
  /** Every version, oldest first; never empty. */
  readonly versions: readonly CourtOrderVersion[];
}

const KIND_PL: Record<SupervisionKind, string> = {
  stationary: 'stacjonarny',
  mobile: 'mobilny',
  proximity: 'zbliżeniowy',
};
const DEVICE_PL: Record<DeviceKind, string> = {
  transmitter: 'nadajnik',
  stationary_unit: 'rejestrator stacjonarny',
  portable_unit: 'urządzenie przenośne',
  protected_person_unit: 'urządzenie osoby chronionej',
};

/** Devices each kind of monitoring needs. */
const REQUIRED_DEVICES: Record<SupervisionKind, readonly DeviceKind[]> = {
  stationary: ['transmitter', 'stationary_unit'],
  mobile: ['transmitter', 'portable_unit'],
  proximity: ['transmitter', 'protected_person_unit'],
};

/** Which kind of monitoring each obligation belongs to. */
const OBLIGATION_KIND: Record<Obligation['kind'], SupervisionKind> = {
  stay_at_place: 'stationary',
  exclusion_zone: 'mobile',
  inclusion_zone: 'mobile',
  keep_distance: 'proximity',
};

/**
 * What is wrong with setting a unit of `kind` to a range of `meters` (empty when nothing): a stationary
 * unit's range is confined to the monitoring place, at most 200 m (T2.2); a portable or protected person's
 * unit is adjusted to 200 ± 20 m (T3). The order's range and every range command to a unit go through it.
 */
export function unitRangeProblems(kind: DeviceKind, meters: number, path?: string): DomainMessage[] {
  if (kind === 'transmitter') return [];
  if (kind === 'stationary_unit') {
    return Number.isFinite(meters) && meters > 0 && meters <= MAX_STATIONARY_RANGE_METERS
      ? []
      : [
          message(
            'stationary_range_invalid',
            `Zasięg rejestratora musi wynosić od 1 do ${MAX_STATIONARY_RANGE_METERS} m i obejmować tylko miejsce dozoru (podano ${meters} m).`,
            `The stationary unit's range must be 1–${MAX_STATIONARY_RANGE_METERS} m and cover only the monitoring place (got ${meters} m).`,
            path,
          ),
        ];
  }
  const { min, max } = PORTABLE_RANGE_METERS;
  return Number.isFinite(meters) && meters >= min && meters <= max
    ? []
    : [
        message(
          'portable_range_invalid',
          `Zasięg urządzenia przenośnego musi wynosić od ${min} do ${max} m (200 ± 20 m; podano ${meters} m).`,
          `A portable unit's range must be ${min}–${max} m (200 ± 20 m; got ${meters} m).`,
          path,
        ),
      ];
}

function prefixed(errors: readonly DomainMessage[], prefix: string): DomainMessage[] {
  return errors.map((e) => ({ ...e, path: e.path === undefined ? prefix : `${prefix}.${e.path}` }));
}

/** Validates one version: metadata, that kinds, obligations and devices fit together, and each obligation. */
export function validateCourtOrderVersion(v: CourtOrderVersion): Result<CourtOrderVersion> {
  const errors: DomainMessage[] = [];
  if (!Number.isInteger(v.version) || v.version < 1) {
    errors.push(
      message(
        'order_version_invalid',
        'Numer wersji postanowienia musi być liczbą całkowitą od 1.',
        'The order version must be a whole number from 1.',
        'version',
      ),
    );
  }
  if (!Number.isFinite(v.validFromUtcMs)) {
    errors.push(
      message(
        'order_valid_from_invalid',
        'Brak chwili, od której postanowienie obowiązuje.',
        'The instant from which the order applies is missing.',
        'validFromUtcMs',
      ),
    );
  }
  if (v.decidedBy.trim() === '' || v.reason.trim() === '') {
    errors.push(
      message(
        'order_author_or_reason_missing',
        'Postanowienie musi wskazywać sędziego i podstawę (powód) wydania.',
        'The order must name the judge and give the reason.',
      ),
    );
  }
  if (!isLocalDate(v.decidedOn)) {
    errors.push(
      message(
        'date_invalid',
        `Niepoprawna data postanowienia: „${v.decidedOn}”.`,
        `Invalid decision date "${v.decidedOn}".`,
        'decidedOn',
      ),
    );
  }
  if (
    !Number.isInteger(v.readinessDeadlineHours) ||
    v.readinessDeadlineHours < 1 ||
    v.readinessDeadlineHours > MAX_READINESS_DEADLINE_HOURS
  ) {
    errors.push(
      message(
        'readiness_deadline_hours_invalid',
        `Termin zgłoszenia gotowości musi wynosić od 1 do 24 godzin (podano ${v.readinessDeadlineHours}).`,
        `The readiness deadline must be 1 to 24 hours (got ${v.readinessDeadlineHours}).`,
        'readinessDeadlineHours',
      ),
    );
  }
  if (v.supervisionKinds.length === 0 || v.obligations.length === 0) {
    errors.push(
      message(
        'order_without_obligations',
        'Postanowienie musi określać rodzaj dozoru i co najmniej jeden obowiązek.',
        'The order must set the kind of monitoring and at least one obligation.',
      ),
    );
  }
  for (const kind of v.supervisionKinds) {
    if (!v.obligations.some((o) => OBLIGATION_KIND[o.kind] === kind)) {
      errors.push(
        message(
          'supervision_kind_without_obligation',
          `Dozór ${KIND_PL[kind]} nie ma odpowiadającego mu obowiązku.`,
          `The ${kind} monitoring has no matching obligation.`,
          'supervisionKinds',
        ),
      );
    }
    for (const device of REQUIRED_DEVICES[kind]) {
      if (!v.devices.includes(device)) {
        errors.push(
          message(
            'required_device_missing',
            `Dozór ${KIND_PL[kind]} wymaga urządzenia: ${DEVICE_PL[device]}.`,
            `The ${kind} monitoring requires a ${device.replaceAll('_', ' ')}.`,
            'devices',
          ),
        );
      }
    }
  }
  const places = v.obligations.filter((o) => o.kind === 'stay_at_place').length;
  if (places > 1) {
    errors.push(
      message(
        'several_monitoring_places',
        'Postanowienie może wskazywać tylko jedno miejsce stałego dozoru.',
        'The order may name only one monitoring place.',
        'obligations',
      ),
    );
  }
  v.obligations.forEach((o, i) => {
    const path = `obligations[${i}]`;
    if (!v.supervisionKinds.includes(OBLIGATION_KIND[o.kind])) {
      errors.push(
        message(
          'obligation_kind_not_ordered',
          `Obowiązek wymaga dozoru: ${KIND_PL[OBLIGATION_KIND[o.kind]]}, którego postanowienie nie przewiduje.`,
          `The obligation needs ${OBLIGATION_KIND[o.kind]} monitoring, which the order does not set.`,
          path,
        ),
      );
    }
    switch (o.kind) {
      case 'stay_at_place': {
        const s = validateSchedule(o.schedule);
        if (!s.ok) errors.push(...prefixed(s.errors, `${path}.schedule`));
        const r = o.place.rangeMeters;
        if (r !== undefined)
          errors.push(...unitRangeProblems('stationary_unit', r, `${path}.place.rangeMeters`));
        break;
      }
      case 'exclusion_zone':
      case 'inclusion_zone': {
        const z = validateZone(o.zone);
        if (!z.ok) errors.push(...prefixed(z.errors, `${path}.zone`));
        if (o.name.trim() === '') {
          errors.push(
            message(
              'zone_name_missing',
              'Strefa musi mieć nazwę zrozumiałą dla skazanego (np. „ul. Szkolna 3 — szkoła”).',
              'A zone needs a name the person understands (e.g. "ul. Szkolna 3 — school").',
              `${path}.name`,
            ),
          );
        }
        break;
      }
      case 'keep_distance': {
        const d = o.minDistanceMeters;
        if (!Number.isFinite(d) || d <= 0 || d > MAX_KEEP_DISTANCE_METERS) {
          errors.push(
            message(
              'keep_distance_invalid',
              `Odległość od osoby chronionej musi być większa od 0 i nie większa niż ${MAX_KEEP_DISTANCE_METERS} m.`,
              `The distance from the protected person must be over 0 and at most ${MAX_KEEP_DISTANCE_METERS} m.`,
              `${path}.minDistanceMeters`,
            ),
          );
        }
        break;
      }
    }
  });
  return resultOf(v, errors);
}

/** Adds an amendment: the next version number, applying strictly after the previous version, and valid itself. */
export function amendCourtOrder(order: CourtOrder, next: CourtOrderVersion): Result<CourtOrder> {
  const errors: DomainMessage[] = [];
  const last = order.versions[order.versions.length - 1];
  if (last !== undefined) {
    if (next.version !== last.version + 1) {
      errors.push(
        message(
          'order_version_not_next',
          `Zmiana postanowienia musi mieć numer wersji ${last.version + 1}.`,
          `The amendment must be version ${last.version + 1}.`,
          'version',
        ),
      );
    }
    if (!(next.validFromUtcMs > last.validFromUtcMs)) {
      errors.push(
        message(
          'order_amendment_not_later',
          `Zmiana musi obowiązywać później niż wersja ${last.version} (od ${formatLocal(last.validFromUtcMs)}).`,
          `The amendment must apply after version ${last.version} (from ${formatLocal(last.validFromUtcMs)}).`,
          'validFromUtcMs',
        ),
      );
    }
  } else if (next.version !== 1) {
    errors.push(
      message(
        'order_version_not_next',
        'Pierwsza wersja postanowienia ma numer 1.',
        'The first version of an order is number 1.',
        'version',
      ),
    );
  }
  const v = validateCourtOrderVersion(next);
  if (!v.ok) errors.push(...v.errors);
  return resultOf({ ...order, versions: [...order.versions, next] }, errors);
}

/** The version in force at `instantUtcMs`, or undefined before the first one applies. */
export function versionInForce(order: CourtOrder, instantUtcMs: number): CourtOrderVersion | undefined {
  let found: CourtOrderVersion | undefined;
  for (const v of order.versions) if (v.validFromUtcMs <= instantUtcMs) found = v;
  return found;
}

/** The schedule of a version's stay-at-place obligation, if it has one. */
function scheduleOf(v: CourtOrderVersion): Schedule | undefined {
  const stay = v.obligations.find((o) => o.kind === 'stay_at_place');
  return stay?.kind === 'stay_at_place' ? stay.schedule : undefined;
}

/**
 * The instants of the calendar days a window starting on `date` counts in: its own day, and the next one
 * when it runs past midnight. The version in force in any part of them judges the window.
 */
function daysCounted(date: LocalDate, window: AwayWindow): { from: number; to: number } {
  return { from: startOfLocalDay(date), to: startOfLocalDay(addDays(date, window.endsNextDay ? 2 : 1)) };
}

/** The exceptions counting in a day that version `i` governs (from its start to the next version's). */
function exceptionsUnder(
  versions: readonly CourtOrderVersion[],
  i: number,
  exceptions: readonly ApprovedException[],
): ApprovedException[] {
  const from = versions[i]!.validFromUtcMs;
  const to = versions[i + 1]?.validFromUtcMs ?? Infinity;
  return exceptions.filter((e) => {
    if (!isLocalDate(e.date)) return false;
    const d = daysCounted(e.date, e.window);
    return d.from < to && d.to > from;
  });
}

/** `v`'s schedule with `exceptions` approved in it, judged as in force; each refusal prefixed with `context`. */
function problemsUnder(
  v: CourtOrderVersion,
  exceptions: readonly ApprovedException[],
  context: InWords,
): DomainMessage[] {
  const schedule = scheduleOf(v);
  if (schedule === undefined || exceptions.length === 0) return [];
  const r = validateSchedule({ ...schedule, exceptions: [...schedule.exceptions, ...exceptions] });
  if (r.ok) return [];
  return r.errors.map((e) => message(e.code, `${context.pl}: ${e.pl}`, `${context.en}: ${e.en}`, e.path));
}

/**
 * R4 across an amendment: the new (last) version of `versions` with the probation officer's exceptions
 * approved earlier that count in a day it governs. An exception fitted the version it was approved under;
 * the new version's windows may leave no room for it (13 h away on that day). Empty when all still fit.
 */
export function amendmentProblemsWithExceptions(
  versions: readonly CourtOrderVersion[],
  exceptions: readonly ApprovedException[],
): DomainMessage[] {
  const i = versions.length - 1;
  const v = versions[i];
  if (v === undefined) return [];
  const ahead = exceptionsUnder(versions, i, exceptions);
  if (ahead.length === 0) return [];
  const from = instantInWords(v.validFromUtcMs);
  return problemsUnder(v, ahead, {
    pl: `Zmiana postanowienia (wersja ${v.version}, od ${from.pl}) nie zostawia miejsca na wyjątki zatwierdzone wcześniej przez kuratora`,
    en: `The amendment (version ${v.version}, from ${from.en}) leaves no room for the exceptions the probation officer approved earlier`,
  });
}

/**
 * R4 for a new exception: judged under every version in force in a day it counts in (the version in force
 * that day, and a later one that begins before the day is over), together with the exceptions approved
 * before it. Empty when it fits.
 */
export function exceptionProblemsWithOrder(
  versions: readonly CourtOrderVersion[],
  approved: readonly ApprovedException[],
  exception: ApprovedException,
): DomainMessage[] {
  const day = dayInWords(exception.date);
  const context = (v: CourtOrderVersion): InWords => ({
    pl: `Wyjątek na ${day.pl} w wersji ${v.version} postanowienia`,
    en: `The exception for ${day.en} under version ${v.version} of the order`,
  });
  const errors: DomainMessage[] = [];
  let judged = false;
  versions.forEach((v, i) => {
    const under = exceptionsUnder(versions, i, [...approved, exception]);
    if (!under.includes(exception)) return;
    judged = true;
    errors.push(...problemsUnder(v, under, context(v)));
  });
  // A day no version governs (before the order applies, or a malformed date): the latest version judges it.
  const last = versions.at(-1);
  if (!judged && last !== undefined)
    errors.push(...problemsUnder(last, [...approved, exception], context(last)));
  return errors;
}
