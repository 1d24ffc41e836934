/**
 * Infrastructure incidents (B4): many units of one region losing mains power or going silent within a
 * short span are one incident linked to the affected supervisions, not one alarm each. Pure function over
 * many supervisions' evaluations; only power and communication-loss episodes are ever grouped.
 */
import { fmtTime } from './core.js';
import type { AlarmEpisode, Bilingual, SupervisionEvaluation } from './types.js';

/** Settings of the correlation. */
export interface IncidentSettings {
  /** Episodes starting within this span of the first one form one cluster. */
  readonly windowMs: number;
  /** Distinct units a cluster needs to be an incident. */
  readonly minUnits: number;
}

/** Defaults: 5 units within 10 minutes. */
export const DEFAULT_INCIDENT_SETTINGS: IncidentSettings = { windowMs: 10 * 60_000, minUnits: 5 };

/** What failed. */
export type IncidentKind = 'power_outage' | 'network_outage';

/** One regional infrastructure incident. */
export interface InfrastructureIncident {
  /** Deterministic identity: `region/kind/startedAt`. */
  readonly id: string;
  /** The region. */
  readonly regionId: string;
  /** Power or network. */
  readonly kind: IncidentKind;
  /** Start of the earliest episode. */
  readonly startedAt: number;
  /** When the last episode resolved; absent while any is open. */
  readonly endedAt?: number;
  /** Affected supervisions. */
  readonly supervisionIds: readonly string[];
  /** Affected units. */
  readonly deviceIds: readonly string[];
  /** The grouped episodes. */
  readonly episodeIds: readonly string[];
  /** Words for the operator. */
  readonly explanation: Bilingual;
}

/** The incidents, and the evaluations with grouped episodes carrying `incidentId`. */
export interface CorrelationResult {
  /** Incidents, by start. */
  readonly incidents: readonly InfrastructureIncident[];
  /** The input evaluations, grouped episodes annotated. */
  readonly evaluations: readonly SupervisionEvaluation[];
}

interface Candidate {
  readonly ep: AlarmEpisode;
  readonly regionId: string;
  readonly kind: IncidentKind;
}

/** Groups power and communication losses per region into incidents. */
export function correlateIncidents(
  evaluations: readonly SupervisionEvaluation[],
  settings: IncidentSettings = DEFAULT_INCIDENT_SETTINGS,
): CorrelationResult {
  const candidates: Candidate[] = [];
  /** Communication losses that follow their unit's loss of mains power: they join that power episode. */
  const followers: { ep: AlarmEpisode; powerId: string }[] = [];
  for (const ev of evaluations) {
    const power = ev.episodes.filter((e) => e.rule === 'unit_power');
    for (const ep of ev.episodes) {
      if (ep.rule === 'unit_power') candidates.push({ ep, regionId: ev.regionId, kind: 'power_outage' });
      else if (ep.rule === 'communication_loss') {
        // Silent after losing mains power (and not restored by then): the battery ran out.
        const cause = power.find(
          (p) =>
            p.subject === ep.subject &&
            p.startedAt <= ep.startedAt &&
            (p.resolvedAt ?? Infinity) >= ep.startedAt,
        );
        if (cause !== undefined) followers.push({ ep, powerId: cause.id });
        else candidates.push({ ep, regionId: ev.regionId, kind: 'network_outage' });
      }
    }
  }
  candidates.sort(
    (a, b) => a.ep.startedAt - b.ep.startedAt || (a.ep.id < b.ep.id ? -1 : a.ep.id > b.ep.id ? 1 : 0),
  );
  const incidents: InfrastructureIncident[] = [];
  const incidentOf = new Map<string, string>();
  const keys = [...new Set(candidates.map((c) => `${c.regionId}\u0000${c.kind}`))].sort();
  for (const key of keys) {
    const list = candidates.filter((c) => `${c.regionId}\u0000${c.kind}` === key);
    let i = 0;
    while (i < list.length) {
      const head = list[i] as Candidate;
      const cluster: Candidate[] = [];
      while (
        i < list.length &&
        (list[i] as Candidate).ep.startedAt - head.ep.startedAt <= settings.windowMs
      ) {
        cluster.push(list[i] as Candidate);
        i++;
      }
      const devices = [...new Set(cluster.map((c) => c.ep.subject))].sort();
      if (devices.length < settings.minUnits) continue;
      const id = `${head.regionId}/${head.kind}/${head.ep.startedAt}`;
      const open = cluster.some((c) => c.ep.resolvedAt === undefined);
      const endedAt = open ? undefined : Math.max(...cluster.map((c) => c.ep.resolvedAt ?? 0));
      const sups = [...new Set(cluster.map((c) => c.ep.supervisionId))].sort();
      for (const c of cluster) incidentOf.set(c.ep.id, id);
      const what =
        head.kind === 'power_outage'
          ? { pl: 'zanik zasilania', en: 'power outage' }
          : { pl: 'awaria sieci telekomunikacyjnej', en: 'telecom network outage' };
      const end =
        endedAt === undefined
          ? { pl: 'trwa', en: 'ongoing' }
          : { pl: `koniec ${fmtTime(endedAt, 'pl')}`, en: `ended ${fmtTime(endedAt, 'en')}` };
      incidents.push({
        id,
        regionId: head.regionId,
        kind: head.kind,
        startedAt: head.ep.startedAt,
        ...(endedAt === undefined ? {} : { endedAt }),
        supervisionIds: sups,
        deviceIds: devices,
        episodeIds: cluster.map((c) => c.ep.id),
        explanation: {
          pl: `Incydent infrastruktury (B4): ${what.pl} w regionie ${head.regionId} od ${fmtTime(head.ep.startedAt, 'pl')}, ${end.pl}; ${devices.length} urządzeń w ${sups.length} dozorach w ciągu ${Math.round(settings.windowMs / 60_000)} min. Zgłoszenie do operatora infrastruktury zamiast osobnych alarmów; naruszenia warunków dozoru w tym czasie są nadal zgłaszane osobno.`,
          en: `Infrastructure incident (B4): ${what.en} in region ${head.regionId} from ${fmtTime(head.ep.startedAt, 'en')}, ${end.en}; ${devices.length} units in ${sups.length} supervisions within ${Math.round(settings.windowMs / 60_000)} min. Report it to the infrastructure operator instead of separate alarms; violations of the order meanwhile are still raised on their own.`,
        },
      });
    }
  }
  for (const f of followers) {
    const id = incidentOf.get(f.powerId);
    if (id === undefined) continue;
    incidentOf.set(f.ep.id, id);
    const i = incidents.findIndex((x) => x.id === id);
    const inc = incidents[i];
    if (inc === undefined) continue;
    const open = inc.endedAt === undefined || f.ep.resolvedAt === undefined;
    const { endedAt: _e, ...rest } = inc;
    incidents[i] = {
      ...rest,
      ...(open ? {} : { endedAt: Math.max(inc.endedAt ?? 0, f.ep.resolvedAt ?? 0) }),
      supervisionIds: [...new Set([...inc.supervisionIds, f.ep.supervisionId])].sort(),
      episodeIds: [...inc.episodeIds, f.ep.id],
    };
  }
  incidents.sort((a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : 1));
  const annotated = evaluations.map((ev) => ({
    ...ev,
    episodes: ev.episodes.map((ep) => {
      const incidentId = incidentOf.get(ep.id);
      return incidentId === undefined ? ep : { ...ep, incidentId };
    }),
  }));
  return { incidents, evaluations: annotated };
}
