/**
 * Presenters of the cases API: every answer about a case, a person, an application, a supervision or a court
 * order passes through one of these before it leaves the server, and keeps only what the caller's role may
 * see (docs/security.md, "Policy: roles × data classes"; ADR 0403). They are pure: the service gives them the
 * record and the caller's {@link ProtectedView}, so the same rule holds for every route and is testable alone.
 */
import type { Actor } from '../auth/actor.js';
import {
  mayShowProtected,
  seesMonitoredPersonInFull,
  type ProtectedView,
  type RestrictedClass,
} from '../auth/policy.js';

/** An answer with the data classes it left out for the caller (absent when nothing was left out). */
export type Presented<T> = T & { restricted?: RestrictedClass[] };

/** Adds `classes` to the answer's `restricted` list (once each). */
function mark<T extends object>(x: T, classes: RestrictedClass[]): Presented<T> {
  if (classes.length === 0) return x;
  const prev = (x as Presented<T>).restricted ?? [];
  return { ...x, restricted: [...new Set([...prev, ...classes])] };
}

/** A copy of `x` without `keys`. */
function without<T extends object>(x: T, keys: readonly string[]): T {
  const out = { ...x } as Record<string, unknown>;
  for (const k of keys) delete out[k];
  return out as T;
}

/** One obligation of a court order, as far as the policy needs to know it. */
interface ObligationLike {
  kind: string;
}

/**
 * The obligations of one order version the caller may see. The zones of an order that protects a person
 * (one with `keep_distance`) are around her home, work or school: their labels and geometry locate her, so
 * they follow her rule. Installers see no zone at all (the center enforces zones; nothing is configured on
 * the unit) and no `keep_distance` (it names her).
 */
export function presentObligationsFor<O extends ObligationLike>(
  actor: Pick<Actor, 'role'>,
  obligations: readonly O[],
  view: ProtectedView,
): { obligations: O[]; restricted: RestrictedClass[] } {
  if (actor.role === 'installer') {
    const kept = obligations.filter((o) => o.kind === 'stay_at_place').map(withoutScheduleReasons);
    const hadZones = obligations.some((o) => o.kind === 'exclusion_zone' || o.kind === 'inclusion_zone');
    const hadProtected = obligations.some((o) => o.kind === 'keep_distance');
    return {
      obligations: kept,
      restricted: [
        ...(hadZones ? (['zones'] as const) : []),
        ...(hadProtected ? (['protected_person'] as const) : []),
      ],
    };
  }
  const protects = obligations.some((o) => o.kind === 'keep_distance');
  if (!protects || mayShowProtected(actor.role, view))
    return { obligations: [...obligations], restricted: [] };
  const kept = obligations.filter((o) => o.kind !== 'exclusion_zone');
  return {
    obligations: kept,
    restricted: kept.length < obligations.length ? ['protected_zones'] : [],
  };
}

/**
 * A place obligation without the written reasons of its schedule's one-off changes and exceptions: they say
 * why a day differs (a doctor's visit, a hearing), which the installer's work does not need.
 */
function withoutScheduleReasons<O extends ObligationLike>(o: O): O {
  const schedule = (o as { schedule?: Record<string, unknown> }).schedule;
  if (!schedule || typeof schedule !== 'object') return o;
  const strip = (list: unknown) =>
    Array.isArray(list)
      ? list.map((i) => (typeof i === 'object' && i !== null ? without(i as object, ['reason']) : i))
      : list;
  const next: Record<string, unknown> = { ...schedule };
  if ('oneOffChanges' in schedule) next.oneOffChanges = strip(schedule.oneOffChanges);
  if ('exceptions' in schedule) next.exceptions = strip(schedule.exceptions);
  return { ...o, schedule: next };
}

/** A court order (id, case number, versions) as the caller may see it. */
export function presentOrderFor<
  V extends { obligations: readonly ObligationLike[] },
  T extends { versions: V[] },
>(actor: Pick<Actor, 'role'>, order: T, view: ProtectedView): Presented<T> {
  const restricted = new Set<RestrictedClass>();
  const versions = order.versions.map((v) => {
    const p = presentObligationsFor(actor, v.obligations, view);
    for (const r of p.restricted) restricted.add(r);
    return { ...v, obligations: p.obligations };
  });
  return mark({ ...order, versions }, [...restricted]);
}

/** The monitored person as the caller may see them: installers get the name only (they meet the person). */
export function presentPersonFor<P extends { id: string; givenName: string; familyName: string }>(
  actor: Pick<Actor, 'role'>,
  person: P,
): Presented<P> | Presented<Pick<P, 'id' | 'givenName' | 'familyName'>> {
  if (seesMonitoredPersonInFull(actor.role)) return person;
  return mark({ id: person.id, givenName: person.givenName, familyName: person.familyName }, [
    'monitored_person_contacts',
  ]);
}

/** The protected person, or `undefined` when the caller may not see her. */
export function presentProtectedPersonFor<P extends object>(
  actor: Pick<Actor, 'role'>,
  person: P,
  view: ProtectedView,
): P | undefined {
  return mayShowProtected(actor.role, view) ? person : undefined;
}

/** Fields of an application an installer does not need (the court's matters, third persons' names). */
const APPLICATION_DETAILS = [
  'filerKind',
  'filerName',
  'justification',
  'coResidents',
  'sentences',
  'creditedDays',
  'hasPermanentAddress',
  'recidivistArt64Par2',
  'eligibility',
  'judgmentFinalOn',
  'flatOwner',
  'grantBars',
] as const;

/** An application (or its summary in a case) as the caller may see it. */
export function presentApplicationFor<A extends object>(actor: Pick<Actor, 'role'>, a: A): Presented<A> {
  if (actor.role !== 'installer') return a;
  return mark(without(a, APPLICATION_DETAILS), ['application_details']);
}

/** A case row in a list: installers get no reference to the protected person (her id links to her). */
export function presentCaseListItemFor<C extends object>(actor: Pick<Actor, 'role'>, c: C): Presented<C> {
  if (actor.role !== 'installer') return c;
  return without(c, ['protectedPersonId']);
}

/** A case's detail (person, protected person, applications, supervisions) as the caller may see it. */
export function presentCaseFor<
  C extends {
    person?: { id: string; givenName: string; familyName: string } | null | undefined;
    protectedPerson?: object | null | undefined;
    applications?: object[] | undefined;
  },
>(actor: Pick<Actor, 'role'>, c: C, view: ProtectedView): Presented<C> {
  let out: Presented<C> = { ...c };
  if (c.person) out = { ...out, person: presentPersonFor(actor, c.person) };
  if (c.applications)
    out = { ...out, applications: c.applications.map((a) => presentApplicationFor(actor, a)) };
  if (!seesMonitoredPersonInFull(actor.role)) out = mark(out, ['monitored_person_contacts']);
  if (actor.role === 'installer') out = mark(without(out, ['protectedPersonId']), []);
  const hasProtected =
    (c.protectedPerson !== null && c.protectedPerson !== undefined) ||
    ('protectedPersonId' in c && (c as { protectedPersonId?: unknown }).protectedPersonId != null);
  if (!mayShowProtected(actor.role, view)) {
    out = without(out, ['protectedPerson']);
    if (hasProtected) out = mark(out, ['protected_person']);
  }
  return out;
}

/**
 * The court's and the officer's written reasons (decisions, order versions, schedule exceptions, a
 * revocation's note): installers do not need them, and they may name a victim or a medical visit.
 */
function withoutReasons<S extends object>(s: S): Presented<S> {
  const x = s as Record<string, unknown>;
  const strip = (list: unknown, keys: readonly string[] = ['reason']) =>
    Array.isArray(list)
      ? list.map((i) => (typeof i === 'object' && i !== null ? without(i, keys) : i))
      : list;
  const out: Record<string, unknown> = { ...x };
  // A grant's overridden bars and the judge's reason for overriding them are the court's reasons too.
  if ('decisions' in x) out.decisions = strip(x.decisions, ['reason', 'overriddenBars', 'barOverrideReason']);
  if ('scheduleExceptions' in x) out.scheduleExceptions = strip(x.scheduleExceptions);
  if (x.revocation && typeof x.revocation === 'object') out.revocation = without(x.revocation, ['note']);
  const order = x.order as { versions?: unknown } | null | undefined;
  if (order && typeof order === 'object') out.order = { ...order, versions: strip(order.versions) };
  return mark(out as S, ['court_reasons']);
}

/** A supervision's detail: its court order's zones and the protected person follow the policy. */
export function presentSupervisionFor<
  S extends { order: { versions: { obligations: readonly ObligationLike[] }[] } | null },
>(actor: Pick<Actor, 'role'>, s: S, view: ProtectedView): Presented<S> {
  let out: Presented<S> = s;
  if (s.order) {
    const { restricted, ...rest } = presentOrderFor(actor, s.order, view);
    out = mark({ ...s, order: rest }, restricted ?? []);
  }
  return actor.role === 'installer' ? withoutReasons(out) : out;
}

/** The order version a device served (GET /devices/:id/in-force): its obligations follow the policy. */
export function presentInForceFor<
  F extends { orderVersion: { order: { obligations: readonly ObligationLike[] } } | null },
>(actor: Pick<Actor, 'role'>, f: F, view: ProtectedView): Presented<F> {
  if (!f.orderVersion) return f;
  const p = presentObligationsFor(actor, f.orderVersion.order.obligations, view);
  const version = { ...f.orderVersion, order: { ...f.orderVersion.order, obligations: p.obligations } };
  if (actor.role !== 'installer') return mark({ ...f, orderVersion: version }, p.restricted);
  const order = without(version.order, ['reason']);
  return mark({ ...f, orderVersion: { ...without(version, ['reason']), order } }, [
    ...p.restricted,
    'court_reasons',
  ]);
}
