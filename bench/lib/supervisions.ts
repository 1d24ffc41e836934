/**
 * Benchmark fixture: N stay-at-home supervisions in execution, each with its own home unit and transmitter,
 * written straight into the cases tables (the API walks an application through a court's decision first,
 * which a benchmark of the engine does not need to repeat 1,000 times).
 */
import { randomUUID } from 'node:crypto';
import type { Center } from '@sde/center';
import type { Schedule } from '@sde/domain';
import { createCaseRepository } from '../../packages/center/src/cases/case.repository.js';

/** One installed supervision. */
export interface BenchSupervision {
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
 * a new supervision of region PL-MZ whose order is in force from `since`.
 */
export async function installSupervisions(
  center: Center,
  opts: { count: number; prefix: string; since: number; schedule?: Schedule },
): Promise<BenchSupervision[]> {
  const db = center.database.db;
  const repo = createCaseRepository(db);
  await center.database.db
    .insertInto('regions')
    .values({ id: 'PL-MZ', name: 'mazowieckie' })
    .onConflict((oc) => oc.doNothing())
    .execute();
  await center.database.db
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
  const from = new Date(opts.since);
  const out: BenchSupervision[] = [];
  for (let i = 0; i < opts.count; i++) {
    const unit = units[i]!;
    const tx = transmitters[i]!;
    const ids = {
      person: randomUUID(),
      case: randomUUID(),
      supervision: randomUUID(),
      application: randomUUID(),
      order: randomUUID(),
    };
    const caseNumber = `III Kow ${opts.prefix}${i + 1}/26`;
    await db.transaction().execute(async (trx) => {
      await repo.insertPerson(
        { id: ids.person, givenName: 'Jan', familyName: `Testowy-${i + 1}`, birthDate: '1980-01-01' },
        trx,
      );
      await repo.insertCase(
        {
          id: ids.case,
          caseNumber,
          courtId: 'SR-BENCH',
          regionId: 'PL-MZ',
          judgmentDate: '2026-01-01',
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
          received_on: '2026-01-01',
          justification: 'benchmark',
          co_residents: '[]',
          technician_phone: '+48 600 000 000',
          sentences: '[]',
          credited_days: 0,
          has_permanent_address: true,
          recidivist_art64_2: false,
          decision_last_day: '2026-01-31',
          decision_due_at: new Date('2026-01-31'),
          created_by: 'bench',
        } as never)
        .execute();
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
      await repo.insertOrder({ id: ids.order, supervisionId: ids.supervision, caseNumber }, trx);
      await repo.insertOrderVersion(
        ids.order,
        {
          version: 1,
          validFromUtcMs: opts.since,
          decidedBy: 'SSR Benchmark',
          decidedOn: '2026-01-01',
          reason: 'benchmark',
          supervisionKinds: ['stationary'],
          obligations: [
            {
              kind: 'stay_at_place',
              place: { address: { street: 'ul. Długa 5', postalCode: '00-001', city: 'Warszawa' } },
              schedule: opts.schedule ?? WORKDAYS,
            },
          ],
          devices: [],
          readinessDeadlineHours: 24,
        } as never,
        'bench',
        trx,
      );
      for (const id of [unit.id, tx.id]) {
        const d = await repo.device(id, trx);
        await repo.insertAssignment(
          { id: randomUUID(), deviceNo: d!.no, supervisionId: ids.supervision, from, installedBy: 'bench' },
          trx,
        );
      }
    });
    out.push({ supervisionId: ids.supervision, unit, transmitterId: tx.id });
  }
  center.engine.configurationChanged();
  await center.engine.idle();
  return out;
}
