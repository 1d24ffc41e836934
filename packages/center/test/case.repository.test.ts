/**
 * The query the compliance engine will ask for every event: which supervision a device served at an
 * instant and which court order version was in force then (with approved exceptions merged).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseRepository } from '../src/cases/case.repository.js';
import { startTestCenter, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';
import { buildStationaryOrder, grantedSupervision, minutesFromNow } from './cases.fixtures.js';

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

describe.each(setups)('device → supervision and order version in force, on %s', (storage, available) => {
  let tc: TestCenter;
  beforeAll(async () => {
    if (!available) return;
    tc = await startTestCenter(storage, 'embedded');
    await tc.api('PUT', '/api/v1/regions/PL-MZ', { name: 'mazowiecki' });
    await tc.api('PUT', '/api/v1/courts/SR-WAW', { name: 'Sąd Rejonowy dla Warszawy', regionId: 'PL-MZ' });
    await tc.api('POST', '/api/v1/devices', { kind: 'transmitter', ids: ['TX-R-1'] });
    await tc.api('POST', '/api/v1/devices', { kind: 'home_unit', ids: ['HU-R-1'] });
  });
  afterAll(async () => {
    if (available) await tc?.close();
  });

  it.skipIf(!available)('answers per instant: before, during each version, after removal', async () => {
    const repo = createCaseRepository(tc.center.database.db);
    const t = (min: number) => new Date(Date.parse(minutesFromNow(0)) + min * 60_000);
    const s = await grantedSupervision(tc, { courtId: 'SR-WAW', decidedAt: minutesFromNow(-120) });
    const installedAt = minutesFromNow(-100);
    await tc.api('POST', `/api/v1/supervisions/${s.supervisionId}/readiness`, { at: minutesFromNow(-110) });
    await tc.api('POST', `/api/v1/supervisions/${s.supervisionId}/installation`, {
      at: installedAt,
      deviceIds: ['TX-R-1', 'HU-R-1'],
      protocolNumber: 'PI/1',
    });
    const v2From = minutesFromNow(-50);
    const amended = await tc.api('POST', `/api/v1/orders/${s.orderId}/versions`, {
      ...buildStationaryOrder({ sun: [] }),
      validFrom: v2From,
      decidedOn: '2030-01-01',
      reason: 'Zmiana',
    });
    expect(amended.status).toBe(201);
    await tc.api('POST', `/api/v1/supervisions/${s.supervisionId}/removal`, {
      at: minutesFromNow(-10),
      protocolNumber: 'PD/1',
    });

    expect(await repo.inForceForDevice('HU-R-1', t(-105))).toBeUndefined();
    const atInstall = await repo.inForceForDevice('HU-R-1', new Date(installedAt));
    expect(atInstall?.supervision.id).toBe(s.supervisionId);
    expect(atInstall?.orderVersion?.version).toBe(1);
    const during2 = await repo.inForceForDevice('TX-R-1', t(-30));
    expect(during2?.orderVersion?.version).toBe(2);
    expect(during2?.assignment.deviceKind).toBe('transmitter');
    const stay = during2!.orderVersion!.body.obligations.find((o) => o.kind === 'stay_at_place');
    expect(stay?.kind === 'stay_at_place' && stay.schedule.weekly.sun).toEqual([]);
    expect(await repo.inForceForDevice('HU-R-1', t(-10))).toBeUndefined();
    expect(await repo.inForceForDevice('NO-SUCH', t(-30))).toBeUndefined();
  });

  it.skipIf(!available)("merges the probation officer's approved exceptions into the schedule", async () => {
    const repo = createCaseRepository(tc.center.database.db);
    // The devices were taken back 10 minutes ago (previous test): they may serve again from then on.
    const s = await grantedSupervision(tc, { courtId: 'SR-WAW', decidedAt: minutesFromNow(-9) });
    await tc.api('POST', `/api/v1/supervisions/${s.supervisionId}/readiness`, { at: minutesFromNow(-8) });
    const early = await tc.api<{ error: string }>(
      'POST',
      `/api/v1/supervisions/${s.supervisionId}/installation`,
      {
        at: minutesFromNow(-20),
        deviceIds: ['TX-R-1', 'HU-R-1'],
        protocolNumber: 'PI/2',
      },
    );
    expect(early.body.error).toBe('event_out_of_order');
    const installed = await tc.api('POST', `/api/v1/supervisions/${s.supervisionId}/installation`, {
      at: minutesFromNow(-7),
      deviceIds: ['TX-R-1', 'HU-R-1'],
      protocolNumber: 'PI/2',
    });
    expect(installed.status).toBe(200);
    const e = await tc.api('POST', `/api/v1/supervisions/${s.supervisionId}/schedule-exceptions`, {
      date: '2030-01-07',
      window: { start: '16:00', end: '18:00', label: 'lekarz' },
      reason: 'wizyta lekarska',
    });
    expect(e.status).toBe(201);
    const r = await repo.inForceForDevice('HU-R-1', new Date());
    const stay = r!.orderVersion!.body.obligations.find((o) => o.kind === 'stay_at_place');
    expect(stay?.kind === 'stay_at_place' && stay.schedule.exceptions.map((x) => x.date)).toEqual([
      '2030-01-07',
    ]);
  });
});
