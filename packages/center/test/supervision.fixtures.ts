/**
 * Supervisions written straight into the cases tables, for tests and benchmarks of the engine: the API walks
 * an application through a court's decision first, which a replay dated months back or a benchmark of 1,000
 * supervisions does not need to repeat. Used by the live scenario replay, the reporting-interval test and
 * bench/ (alarm latency, 72-hour backlog).
 */
import { randomUUID } from 'node:crypto';
import type { CourtOrderVersion, Schedule } from '@sde/domain';
import { createCaseRepository } from '../src/cases/case.repository.js';
import type { Center } from '../src/center.js';
import type { Database } from '../src/db/database.js';

/** What one order version says; the fixture fills in who decided it and when. */
export type OrderVersionSpec = Pick<
  CourtOrderVersion,
  'validFromUtcMs' | 'supervisionKinds' | 'obligations' | 'devices' | 'monitoringSettings'
>;

/** One supervision in execution: its case, its order versions and its device assignments. */
export interface SupervisionSpec {
  regionId: string;
  courtId: string;
  caseNumber: string;
  familyName: string;
  versions: OrderVersionSpec[];
  /** Devices by id, installed from `from` until `to` (absent or null: still installed). */
  assignments: { deviceId: string; from: number; to?: number | null }[];
}

/** Writes one supervision in execution (one transaction); returns its id. */
export async function insertSupervision(db: Database, spec: SupervisionSpec): Promise<string> {
  const repo = createCaseRepository(db);
  const ids = {
    person: randomUUID(),
    case: randomUUID(),
    supervision: randomUUID(),
    application: randomUUID(),
    order: randomUUID(),
  };
  await db.transaction().execute(async (trx) => {
    await repo.insertPerson(
      { id: ids.person, givenName: 'Jan', familyName: spec.familyName, birthDate: '1980-01-01' },
      trx,
    );
    await repo.insertCase(
      {
        id: ids.case,
        caseNumber: spec.caseNumber,
        courtId: spec.courtId,
        regionId: spec.regionId,
        judgmentDate: '2025-01-01',
        personId: ids.person,
        judgeId: null,
        probationOfficerId: null,
        monitoringAddress: null,
        protectedPersonId: null,
      },
      trx,
    );
    await trx
      .insertInto('applications')
      .values({
        id: ids.application,
        case_id: ids.case,
        filer_kind: 'convict',
        filer_name: 'Jan',
        received_on: '2025-01-01',
        justification: 'fixture',
        co_residents: '[]',
        technician_phone: '+48 600 000 000',
        sentences: '[]',
        credited_days: 0,
        has_permanent_address: true,
        recidivist_art64_2: false,
        decision_last_day: '2025-01-31',
        decision_due_at: new Date('2025-01-31'),
        created_by: 'fixture',
      } as never)
      .execute();
    // In execution, with no end: the engine decides up to the clock, as for any running supervision.
    await repo.insertSupervision(
      {
        id: ids.supervision,
        caseId: ids.case,
        applicationId: ids.application,
        personId: ids.person,
        lifecycle: { status: 'in_execution', history: [] } as never,
      },
      trx,
    );
    await repo.insertOrder(
      { id: ids.order, supervisionId: ids.supervision, caseNumber: spec.caseNumber },
      trx,
    );
    const versions = [...spec.versions].sort((a, b) => a.validFromUtcMs - b.validFromUtcMs);
    for (const [i, v] of versions.entries()) {
      await repo.insertOrderVersion(
        ids.order,
        {
          ...v,
          version: i + 1,
          decidedBy: 'SSR Test',
          decidedOn: '2025-01-01',
          reason: 'fixture',
          readinessDeadlineHours: 24,
        },
        'fixture',
        trx,
      );
    }
    for (const a of spec.assignments) {
      const d = await repo.device(a.deviceId, trx);
      if (!d) throw new Error(`fixture: device ${a.deviceId} is not registered`);
      const id = randomUUID();
      await repo.insertAssignment(
        {
          id,
          deviceNo: d.no,
          supervisionId: ids.supervision,
          from: new Date(a.from),
          installedBy: 'fixture',
        },
        trx,
      );
      if (a.to != null) await repo.closeAssignment(id, new Date(a.to), 'fixture', trx);
    }
  });
  return ids.supervision;
}

/** One installed stay-at-home supervision of {@link installSupervisions}. */
export interface InstalledSupervision {
  supervisionId: string;
  unit: { id: string; secret: string };
  transmitterId: string;
}

/** Weekdays 08:00–16:00 away (work), home otherwise. */
export const WORKDAYS: Schedule = {
  weekly: {
    mon: [{ start: '08:00', end: '16:00', label: 'praca' }],
    tue: [{ start: '08:00', end: '16:00', label: 'praca' }],
    wed: [{ start: '08:00', end: '16:00', label: 'praca' }],
    thu: [{ start: '08:00', end: '16:00', label: 'praca' }],
    fri: [{ start: '08:00', end: '16:00', label: 'praca' }],
    sat: [],
    sun: [],
  },
  oneOffChanges: [],
  exceptions: [],
};

/**
 * Registers `count` home units and transmitters (`<prefix>HU-n`, `<prefix>TX-n`) and installs each pair in
 * a new stay-at-home supervision of region PL-MZ whose order is in force from `since`.
 */
export async function installSupervisions(
  center: Center,
  opts: { count: number; prefix: string; since: number; schedule?: Schedule },
): Promise<InstalledSupervision[]> {
  const db = center.database.db;
  await db
    .insertInto('regions')
    .values({ id: 'PL-MZ', name: 'mazowieckie' })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await db
    .insertInto('courts')
    .values({ id: 'SR-BENCH', name: 'Sąd Rejonowy (benchmark)', region_id: 'PL-MZ' })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const units: { id: string; secret: string }[] = [];
  const transmitters: { id: string }[] = [];
  for (let i = 0; i < opts.count; i += 1000) {
    const n = Math.min(1000, opts.count - i);
    const ids = (k: string) =>
      Array.from({ length: n }, (_, j) => `${opts.prefix}${k}-${String(i + j + 1).padStart(6, '0')}`);
    units.push(...(await center.devices.provision({ kind: 'home_unit', ids: ids('HU') })));
    transmitters.push(...(await center.devices.provision({ kind: 'transmitter', ids: ids('TX') })));
  }
  const out: InstalledSupervision[] = [];
  for (let i = 0; i < opts.count; i++) {
    const unit = units[i]!;
    const tx = transmitters[i]!;
    const supervisionId = await insertSupervision(db, {
      regionId: 'PL-MZ',
      courtId: 'SR-BENCH',
      caseNumber: `III Kow ${opts.prefix}${i + 1}/26`,
      familyName: `Testowy-${i + 1}`,
      versions: [
        {
          validFromUtcMs: opts.since,
          supervisionKinds: ['stationary'],
          obligations: [
            {
              kind: 'stay_at_place',
              place: { address: { street: 'ul. Długa 5', postalCode: '00-001', city: 'Warszawa' } },
              schedule: opts.schedule ?? WORKDAYS,
            },
          ],
          devices: [],
        },
      ],
      assignments: [
        { deviceId: unit.id, from: opts.since },
        { deviceId: tx.id, from: opts.since },
      ],
    });
    out.push({ supervisionId, unit, transmitterId: tx.id });
  }
  center.engine.configurationChanged();
  await center.engine.idle();
  return out;
}
