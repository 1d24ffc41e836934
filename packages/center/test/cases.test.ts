/**
 * Cases and court orders through the API (issue 3): the whole lifecycle, every bad input refused in
 * Polish and English with nothing written, scoping, and the audit trail — on PGlite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCenter, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';
import {
  ADDRESS,
  buildMobileOrder,
  buildStationaryOrder,
  createCase,
  createUser,
  fileApplication,
  grantedSupervision,
  minutesFromNow,
  signedIn,
  today,
} from './cases.fixtures.js';

interface Refusal {
  error: string;
  message: string;
  messagePl: string;
  details?: { code: string; path: string }[];
}
interface SupervisionView {
  id: string;
  status: string;
  kinds: string[];
  sentenceEnd: {
    firstDay: string;
    lastDay: string;
    endsAt: string;
    explanation: { pl: string; en: string };
  } | null;
  order: { id: string; versions: { version: number }[] } | null;
  devices: { deviceId: string; to: string | null }[];
  tasks: { code: string; responsible: string; dueAt: string | null }[];
  protocols: { kind: string; number: string }[];
  revocation?: { reason: string; escortOrder?: { costsCharged: boolean } } | null;
}

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

describe.each(setups)('cases and court orders on %s', (storage, available) => {
  let tc: TestCenter;
  let po1: string;
  let po2: string;
  let judge1: string;
  const tag = `${storage[0]}${Date.now().toString(36)}`.toUpperCase();
  const dev = (kind: string, n: number) => `${kind}-${tag}-${String(n).padStart(3, '0')}`;

  /** Counts rows written by the cases API, to prove a refusal wrote nothing. */
  async function footprint() {
    const db = tc.center.database.db;
    const count = async (
      t:
        | 'court_orders'
        | 'court_order_versions'
        | 'device_assignments'
        | 'audit_log'
        | 'protocols'
        | 'schedule_exceptions',
    ) => Number((await db.selectFrom(t).select(db.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
    return {
      orders: await count('court_orders'),
      versions: await count('court_order_versions'),
      assignments: await count('device_assignments'),
      audit: await count('audit_log'),
      protocols: await count('protocols'),
      exceptions: await count('schedule_exceptions'),
    };
  }

  beforeAll(async () => {
    if (!available) return;
    tc = await startTestCenter(storage, 'embedded');
    await tc.api('PUT', '/api/v1/regions/PL-MZ', { name: 'mazowiecki' });
    await tc.api('PUT', '/api/v1/regions/PL-ZP', { name: 'zachodniopomorski' });
    await tc.api('PUT', '/api/v1/courts/SR-WAW', { name: 'Sąd Rejonowy dla Warszawy', regionId: 'PL-MZ' });
    await tc.api('PUT', '/api/v1/courts/SR-SZC', { name: 'Sąd Rejonowy w Szczecinie', regionId: 'PL-ZP' });
    judge1 = await createUser(tc, { login: 'judge.waw', role: 'judge', courtId: 'SR-WAW' });
    await createUser(tc, { login: 'judge.szc', role: 'judge', courtId: 'SR-SZC' });
    po1 = await createUser(tc, { login: 'po.one', role: 'probation_officer', regionId: 'PL-MZ' });
    po2 = await createUser(tc, { login: 'po.two', role: 'probation_officer', regionId: 'PL-MZ' });
    await createUser(tc, { login: 'installer.waw', role: 'installer', regionId: 'PL-MZ' });
    for (const [kind, prefix] of [
      ['transmitter', 'TX'],
      ['home_unit', 'HU'],
      ['portable_unit', 'PU'],
    ] as const) {
      await tc.api('POST', '/api/v1/devices', { kind, ids: [1, 2, 3, 4].map((n) => dev(prefix, n)) });
    }
  });
  afterAll(async () => {
    if (available) await tc?.close();
  });

  it.skipIf(!available)(
    'takes a case from application to served sentence, with the sentence end explained and the order changed as a new version',
    async () => {
      const judge = await signedIn(tc, 'judge.waw', 'a long test password');
      const officer = await signedIn(tc, 'po.one', 'a long test password');
      const installer = await signedIn(tc, 'installer.waw', 'a long test password');
      const { caseId } = await createCase(tc, {
        courtId: 'SR-WAW',
        probationOfficerId: po1,
        judgeId: judge1,
      });
      const { applicationId, supervisionId } = await fileApplication(tc, caseId);

      const filed = await judge<SupervisionView>('GET', `/api/v1/supervisions/${supervisionId}`);
      expect(filed.body.status).toBe('application_filed');
      expect(filed.body.tasks.map((t) => t.code).sort()).toEqual([
        'check_technical_conditions',
        'decide_application',
      ]);

      expect(
        (await installer('POST', `/api/v1/applications/${applicationId}/survey`, { outcome: 'feasible' }))
          .status,
      ).toBe(201);
      const elig = await judge<{
        verdict: string;
        conditions: { id: string; outcome: string; pl: string }[];
      }>('POST', `/api/v1/applications/${applicationId}/eligibility`, {});
      expect(elig.status).toBe(200);
      expect(elig.body.verdict).toBe('eligible_subject_to_court_assessment');
      expect(elig.body.conditions.find((c) => c.id === 'purposes_of_penalty')?.outcome).toBe(
        'court_to_judge',
      );

      const granted = await judge<SupervisionView>('POST', `/api/v1/applications/${applicationId}/decision`, {
        outcome: 'granted',
        readinessManner: { kind: 'phone' },
        reason: 'Spełnione przesłanki.',
        decidedAt: minutesFromNow(-60),
        order: buildStationaryOrder(),
      });
      expect(granted.status).toBe(201);
      expect(granted.body).toMatchObject({ status: 'granted', kinds: ['stationary'] });
      expect(granted.body.tasks.map((t) => t.code)).toContain('report_readiness');

      expect(
        (
          await installer('POST', `/api/v1/supervisions/${supervisionId}/readiness`, {
            at: minutesFromNow(-50),
          })
        ).status,
      ).toBe(200);
      const installed = await installer<SupervisionView>(
        'POST',
        `/api/v1/supervisions/${supervisionId}/installation`,
        {
          at: minutesFromNow(-40),
          deviceIds: [dev('TX', 1), dev('HU', 1)],
          protocolNumber: 'PI/1/2025',
        },
      );
      expect(installed.status).toBe(200);
      expect(installed.body.status).toBe('installed');
      expect(installed.body.devices.map((d) => d.deviceId).sort()).toEqual([dev('HU', 1), dev('TX', 1)]);
      // The home unit is told the order's range (T2.2); it is not connected, so the command waits for it.
      const rangeCommands = async () =>
        (
          await tc.api<{ commands: { body: { cmd: string; meters?: number }; state: string }[] }>(
            'GET',
            `/api/v1/devices/${dev('HU', 1)}/commands`,
          )
        ).body.commands.filter((c) => c.body.cmd === 'set_range');
      expect((await rangeCommands()).map((c) => [c.body.meters, c.state])).toEqual([[50, 'queued']]);

      const activated = await installer<SupervisionView>(
        'POST',
        `/api/v1/supervisions/${supervisionId}/activation`,
        {
          at: minutesFromNow(-30),
          protocolNumber: 'PU/1/2025',
        },
      );
      expect(activated.status).toBe(200);
      expect(activated.body.status).toBe('activated');
      const end = activated.body.sentenceEnd!;
      expect(end.firstDay).toBe(
        new Date(Date.now() - 30 * 60_000).toLocaleDateString('sv-SE', { timeZone: 'Europe/Warsaw' }),
      );
      expect(end.explanation.pl).toMatch(/180 dni/);
      expect(end.explanation.en).toMatch(/180 days/);
      expect(activated.body.protocols.map((p) => p.kind)).toEqual(['installation', 'activation']);

      const inExecution = await officer<SupervisionView>(
        'POST',
        `/api/v1/supervisions/${supervisionId}/execution`,
        {
          at: minutesFromNow(-20),
        },
      );
      expect(inExecution.body.status).toBe('in_execution');

      // The court changes the order: Saturday shopping moves; version 2 applies from a minute from now.
      const orderId = inExecution.body.order!.id;
      const validFrom = minutesFromNow(1);
      const amended = await judge<{ versions: { version: number; reason: string }[] }>(
        'POST',
        `/api/v1/orders/${orderId}/versions`,
        {
          ...buildStationaryOrder({ sat: [{ start: '14:00', end: '16:00', label: 'zakupy' }] }),
          validFrom,
          decidedOn: new Date().toLocaleDateString('sv-SE', { timeZone: 'Europe/Warsaw' }),
          reason: 'Zmiana godzin pracy sklepu.',
        },
      );
      expect(amended.status).toBe(201);
      expect(amended.body.versions.map((v) => v.version)).toEqual([1, 2]);

      // The compliance engine's question: which version applied to this device at an instant?
      const nowInForce = await tc.api<{ supervisionId: string; orderVersion: { version: number } }>(
        'GET',
        `/api/v1/devices/${dev('HU', 1)}/in-force`,
      );
      expect(nowInForce.body).toMatchObject({ supervisionId, orderVersion: { version: 1 } });
      const later = await tc.api<{ orderVersion: { version: number } }>(
        'GET',
        `/api/v1/devices/${dev('HU', 1)}/in-force?at=${encodeURIComponent(minutesFromNow(5))}`,
      );
      expect(later.body.orderVersion.version).toBe(2);

      // Too early to end: the domain refuses with both languages.
      const early = await judge<Refusal>('POST', `/api/v1/supervisions/${supervisionId}/end`, {});
      expect(early.status).toBe(409);
      expect(early.body.error).toBe('sentence_not_yet_served');
      expect(early.body.messagePl).toMatch(/Kara kończy się/);

      const ended = await judge<SupervisionView>('POST', `/api/v1/supervisions/${supervisionId}/end`, {
        at: end.endsAt,
      });
      expect(ended.status).toBe(200);
      expect(ended.body.status).toBe('ended_served');
      // The sentence is served; the devices are still on the person: the installer takes them back.
      expect(ended.body.tasks.map((t) => [t.code, t.responsible])).toEqual([['remove_devices', 'installer']]);

      const removed = await installer<SupervisionView>(
        'POST',
        `/api/v1/supervisions/${supervisionId}/removal`,
        {
          at: new Date(Date.parse(end.endsAt) + 3_600_000).toISOString(),
          protocolNumber: 'PD/1/2025',
        },
      );
      expect(removed.status).toBe(200);
      expect(removed.body.devices.every((d) => d.to !== null)).toBe(true);
      expect(removed.body.tasks).toEqual([]);

      // Every write is in the audit log, with who did it (reads are there too: ADR 0402).
      const audit = await tc.api<{ records: { action: string; actorLogin: string }[] }>(
        'GET',
        `/api/v1/audit?entity=supervision&entityId=${supervisionId}`,
      );
      const writes = audit.body.records.filter((r) => !r.action.endsWith('.read'));
      expect(writes.map((r) => r.action).reverse()).toEqual([
        'application.decide',
        'supervision.readiness',
        'supervision.install',
        'supervision.activate',
        'supervision.start',
        'supervision.end',
        'device.remove',
      ]);
      expect(audit.body.records.find((r) => r.action === 'supervision.start')?.actorLogin).toBe('po.one');
      const orderAudit = await tc.api<{ records: { action: string }[] }>(
        'GET',
        `/api/v1/audit?entity=court_order&entityId=${orderId}`,
      );
      expect(orderAudit.body.records.map((r) => r.action).filter((a) => !a.endsWith('.read'))).toEqual([
        'order.amend',
      ]);
      const appAudit = await tc.api<{ records: { action: string }[] }>(
        'GET',
        `/api/v1/audit?entity=application&entityId=${applicationId}`,
      );
      expect(
        appAudit.body.records
          .map((r) => r.action)
          .filter((a) => !a.endsWith('.read'))
          .sort(),
      ).toEqual(['application.create', 'application.eligibility', 'application.survey']);
    },
  );

  it.skipIf(!available)(
    'tells the home unit the order’s range at installation and when a version in force changes it',
    async () => {
      const s = await grantedSupervision(tc, { courtId: 'SR-WAW', probationOfficerId: po1 });
      const go = (step: string, body: unknown) =>
        tc.api('POST', `/api/v1/supervisions/${s.supervisionId}/${step}`, body);
      expect((await go('readiness', { at: minutesFromNow(-20) })).status).toBe(200);
      const installed = await go('installation', {
        at: minutesFromNow(-10),
        deviceIds: [dev('TX', 4), dev('HU', 4)],
        protocolNumber: 'PI/3/2025',
      });
      expect(installed.status).toBe(200);
      const ranges = async () =>
        (
          await tc.api<{ commands: { body: { cmd: string; meters?: number }; state: string }[] }>(
            'GET',
            `/api/v1/devices/${dev('HU', 4)}/commands`,
          )
        ).body.commands
          .filter((c) => c.body.cmd === 'set_range')
          .map((c) => [c.body.meters, c.state]);
      // Not connected: the command waits for the unit's next hello (ADR 0504).
      expect(await ranges()).toEqual([[50, 'queued']]);
      const transmitter = await tc.api<{ commands: unknown[] }>(
        'GET',
        `/api/v1/devices/${dev('TX', 4)}/commands`,
      );
      expect(transmitter.body.commands).toEqual([]);

      const order = buildStationaryOrder();
      const narrower = await tc.api('POST', `/api/v1/orders/${s.orderId}/versions`, {
        ...order,
        obligations: [{ ...(order.obligations[0] as object), place: { address: ADDRESS, rangeMeters: 30 } }],
        validFrom: minutesFromNow(0),
        decidedOn: today(),
        reason: 'Mniejsze mieszkanie.',
      });
      expect(narrower.status).toBe(201);
      expect(await ranges()).toEqual([
        [30, 'queued'],
        [50, 'queued'],
      ]);
      // A version valid later reaches the unit when it comes into force, not ahead of time.
      const startsAt = Date.now() + 3000;
      const later = await tc.api('POST', `/api/v1/orders/${s.orderId}/versions`, {
        ...order,
        obligations: [{ ...(order.obligations[0] as object), place: { address: ADDRESS, rangeMeters: 80 } }],
        validFrom: new Date(startsAt).toISOString(),
        decidedOn: today(),
        reason: 'Przeprowadzka.',
      });
      expect(later.status).toBe(201);
      expect((await ranges()).map(([m]) => m)).toEqual([30, 50]);
      for (let i = 0; i < 100 && (await ranges()).length < 3; i++)
        await new Promise((r) => setTimeout(r, 200));
      expect(Date.now()).toBeGreaterThanOrEqual(startsAt);
      expect((await ranges()).map(([m]) => m)).toEqual([80, 30, 50]);
    },
  );

  it.skipIf(!available)('revokes a permission when the person evades installation', async () => {
    const s = await grantedSupervision(tc, { courtId: 'SR-WAW', probationOfficerId: po1 });
    const r = await tc.api<SupervisionView>('POST', `/api/v1/supervisions/${s.supervisionId}/revocation`, {
      reason: 'evaded_installation',
      note: 'Nie wpuścił techników dwukrotnie.',
    });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('revoked');
    // Nothing was installed: nothing to remove; the escort order goes with the revocation, at the person's cost.
    expect(r.body.tasks).toEqual([]);
    expect(r.body.revocation).toMatchObject({ escortOrder: { costsCharged: true } });
    // Once revoked, the person may be granted again in another case.
    const again = await grantedSupervision(tc, { courtId: 'SR-WAW', personId: s.personId });
    expect(again.orderId).toBeTruthy();
  });

  it.skipIf(!available)('records refusals and technical non-examination as decisions', async () => {
    const c = await createCase(tc, { courtId: 'SR-WAW' });
    const a = await fileApplication(tc, c.caseId);
    const r = await tc.api<SupervisionView>('POST', `/api/v1/applications/${a.applicationId}/decision`, {
      outcome: 'left_unexamined_technical',
      reason: 'Brak zasięgu sieci w miejscu pobytu.',
    });
    expect(r.status).toBe(201);
    expect(r.body.status).toBe('left_unexamined_technical');
    expect(r.body.order).toBeNull();
  });

  describe('refuses bad input in Polish and English, writing nothing', () => {
    const refusesDecision = async (order: unknown, code: string, path: RegExp) => {
      const c = await createCase(tc, { courtId: 'SR-WAW' });
      const a = await fileApplication(tc, c.caseId);
      const before = await footprint();
      const r = await tc.api<Refusal>('POST', `/api/v1/applications/${a.applicationId}/decision`, {
        outcome: 'granted',
        readinessManner: { kind: 'phone' },
        reason: 'x',
        order,
      });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe(code);
      expect(r.body.message.length).toBeGreaterThan(10);
      expect(r.body.messagePl.length).toBeGreaterThan(10);
      expect(r.body.details?.some((d) => path.test(d.path))).toBe(true);
      expect(await footprint()).toEqual(before);
      const s = await tc.api<SupervisionView>('GET', `/api/v1/supervisions/${a.supervisionId}`);
      expect(s.body.status).toBe('application_filed');
      return r.body;
    };

    it.skipIf(!available)('13 hours away on a Tuesday', async () => {
      const body = await refusesDecision(
        buildStationaryOrder({ tue: [{ start: '07:00', end: '20:00', label: 'praca' }] }),
        'window_over_12h',
        /obligations\[0\]\.schedule/,
      );
      expect(body.messagePl).toMatch(/12/);
    });

    it.skipIf(!available)('overlapping windows', async () => {
      await refusesDecision(
        buildStationaryOrder({
          mon: [
            { start: '08:00', end: '12:00', label: 'praca' },
            { start: '11:00', end: '14:00', label: 'lekarz' },
          ],
        }),
        'windows_overlap',
        /schedule/,
      );
    });

    it.skipIf(!available)('a window ending before it starts', async () => {
      await refusesDecision(
        buildStationaryOrder({ wed: [{ start: '15:00', end: '09:00', label: 'praca' }] }),
        'window_end_not_after_start',
        /weekly\.wed/,
      );
    });

    it.skipIf(!available)('an exclusion zone that is not a valid polygon', async () => {
      const bowtie = [
        { lat: 52.23, lon: 21.0 },
        { lat: 52.24, lon: 21.01 },
        { lat: 52.23, lon: 21.01 },
        { lat: 52.24, lon: 21.0 },
      ];
      await refusesDecision(
        buildMobileOrder(bowtie),
        'zone_polygon_self_intersecting',
        /obligations\[0\]\.zone/,
      );
    });

    it.skipIf(!available)('an activation before installation', async () => {
      const s = await grantedSupervision(tc, { courtId: 'SR-WAW' });
      const before = await footprint();
      const r = await tc.api<Refusal>('POST', `/api/v1/supervisions/${s.supervisionId}/activation`, {
        protocolNumber: 'PU/9/2025',
      });
      expect(r.status).toBe(409);
      expect(r.body).toMatchObject({
        error: 'activation_before_installation',
        message: 'Devices cannot be activated before they are installed.',
        messagePl: 'Nie można uruchomić środków technicznych przed ich zainstalowaniem.',
      });
      expect(await footprint()).toEqual(before);
    });

    it.skipIf(!available)('a second active order for the same person', async () => {
      const first = await grantedSupervision(tc, { courtId: 'SR-WAW' });
      const c = await createCase(tc, { courtId: 'SR-WAW', personId: first.personId });
      const a = await fileApplication(tc, c.caseId);
      const before = await footprint();
      const r = await tc.api<Refusal>('POST', `/api/v1/applications/${a.applicationId}/decision`, {
        outcome: 'granted',
        readinessManner: { kind: 'phone' },
        reason: 'x',
        order: buildStationaryOrder(),
      });
      expect(r.status).toBe(409);
      expect(r.body.error).toBe('second_active_order');
      expect(r.body.messagePl).toMatch(/drugie nie może obowiązywać/);
      expect(await footprint()).toEqual(before);
    });

    it.skipIf(!available)('a device already assigned elsewhere', async () => {
      const a = await grantedSupervision(tc, { courtId: 'SR-WAW' });
      const b = await grantedSupervision(tc, { courtId: 'SR-WAW' });
      for (const s of [a, b]) await tc.api('POST', `/api/v1/supervisions/${s.supervisionId}/readiness`, {});
      const ok = await tc.api('POST', `/api/v1/supervisions/${a.supervisionId}/installation`, {
        deviceIds: [dev('TX', 2), dev('HU', 2)],
        protocolNumber: 'PI/2/2025',
      });
      expect(ok.status).toBe(200);
      const before = await footprint();
      const r = await tc.api<Refusal>('POST', `/api/v1/supervisions/${b.supervisionId}/installation`, {
        deviceIds: [dev('TX', 3), dev('HU', 2)],
        protocolNumber: 'PI/3/2025',
      });
      expect(r.status).toBe(409);
      expect(r.body.error).toBe('device_already_assigned');
      expect(r.body.messagePl).toMatch(new RegExp(`Urządzenie ${dev('HU', 2)}`));
      expect(await footprint()).toEqual(before);
      const view = await tc.api<SupervisionView>('GET', `/api/v1/supervisions/${b.supervisionId}`);
      expect(view.body.status).toBe('readiness_reported');
      expect(view.body.devices).toEqual([]);
      // The database keeps a device single even if a service check were bypassed.
      const db = tc.center.database.db;
      const hu2 = await db
        .selectFrom('devices')
        .select('no')
        .where('id', '=', dev('HU', 2))
        .executeTakeFirstOrThrow();
      await expect(
        db
          .insertInto('device_assignments')
          .values({
            id: crypto.randomUUID(),
            device_no: hu2.no,
            supervision_id: b.supervisionId,
            from_at: new Date(),
            to_at: null,
            installed_by: 'x',
          })
          .execute(),
      ).rejects.toThrow();
    });

    it.skipIf(!available)('an exception that would make a day over 12 hours', async () => {
      const s = await grantedSupervision(tc, { courtId: 'SR-WAW', probationOfficerId: po1 });
      const officer = await signedIn(tc, 'po.one', 'a long test password');
      const before = await footprint();
      const monday = '2030-01-07';
      const bad = await officer<Refusal>(
        'POST',
        `/api/v1/supervisions/${s.supervisionId}/schedule-exceptions`,
        {
          date: monday,
          window: { start: '16:00', end: '21:00', label: 'lekarz' },
          reason: 'wizyta lekarska',
        },
      );
      expect(bad.status).toBe(400);
      expect(bad.body.messagePl).toMatch(/12/);
      expect(await footprint()).toEqual(before);
      const good = await officer<{ scheduleExceptions: unknown[] }>(
        'POST',
        `/api/v1/supervisions/${s.supervisionId}/schedule-exceptions`,
        {
          date: monday,
          window: { start: '16:00', end: '18:00', label: 'lekarz' },
          reason: 'wizyta lekarska',
        },
      );
      expect(good.status).toBe(201);
      expect(good.body.scheduleExceptions).toHaveLength(1);
    });

    it.skipIf(!available)(
      "the compliance engine's settings of an order out of bounds or misspelt, naming the setting",
      async () => {
        const s = await grantedSupervision(tc, { courtId: 'SR-WAW' });
        const amend = (monitoringSettings: unknown) =>
          tc.api<Refusal & { versions: { version: number; monitoringSettings?: unknown }[] }>(
            'POST',
            `/api/v1/orders/${s.orderId}/versions`,
            {
              ...buildStationaryOrder(),
              validFrom: minutesFromNow(10),
              decidedOn: today(),
              reason: 'Tolerancja spóźnień ustalona przez sąd.',
              monitoringSettings,
            },
          );
        const before = await footprint();
        for (const [settings, path, why] of [
          [{ presence: { graceMs: -60_000 } }, 'monitoringSettings.presence.graceMs', />=\s*0/],
          [
            { dailyLimit: { maxAwayMs: 13 * 3_600_000 } },
            'monitoringSettings.dailyLimit.maxAwayMs',
            /43200000/,
          ],
          // A misspelt setting is named by its own path (ADR 0603: every unknown field by name).
          [
            { presence: { gracePeriodMs: 60_000 } },
            'monitoringSettings.presence.gracePeriodMs',
            /not a field/,
          ],
          [{ curfew: { graceMs: 60_000 } }, 'monitoringSettings.curfew', /not a field/],
          [
            { equipment: { batteryRecoveredPercent: 5 } },
            'monitoringSettings.equipment.batteryRecoveredPercent',
            /above the critical level \(10 %\)/,
          ],
        ] as const) {
          const r = await amend(settings);
          expect(r.status, JSON.stringify(settings)).toBe(400);
          expect(r.body.error).toBe('invalid_request');
          expect(r.body.message).toContain(path);
          expect(r.body.messagePl).toContain(path);
          const detail = (r.body.details as unknown as { path: string; message: string }[]).find(
            (d) => d.path === path,
          );
          expect(detail?.message, JSON.stringify(r.body.details)).toMatch(why);
        }
        expect(await footprint()).toEqual(before);

        const strict = { presence: { graceMs: 60_000 }, communication: { missedReports: 3 } };
        const ok = await amend(strict);
        expect(ok.status).toBe(201);
        expect(ok.body.versions.map((v) => v.monitoringSettings)).toEqual([undefined, strict]);
      },
    );

    it.skipIf(!available)('malformed requests, with the fields named', async () => {
      const r = await tc.api<Refusal>('POST', '/api/v1/cases', { caseNumber: 'II K 1/24' });
      expect(r.status).toBe(400);
      expect(r.body.error).toBe('invalid_request');
      expect(r.body.messagePl).toMatch(/courtId/);
      const c = await tc.api<Refusal>('POST', '/api/v1/persons', {
        givenName: 'A',
        familyName: 'B',
        birthDate: '1990-01-01',
      });
      const bad = await tc.api<Refusal>('POST', '/api/v1/cases', {
        caseNumber: 'nie sygnatura',
        courtId: 'SR-WAW',
        judgmentDate: '2024-01-01',
        personId: (c.body as unknown as { id: string }).id,
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe('case_number_invalid');
    });
  });

  describe('scoping', () => {
    it.skipIf(!available)('a probation officer sees only their own cases; others answer 404', async () => {
      const mine = await grantedSupervision(tc, { courtId: 'SR-WAW', probationOfficerId: po1 });
      const theirs = await grantedSupervision(tc, { courtId: 'SR-WAW', probationOfficerId: po2 });
      const officer = await signedIn(tc, 'po.one', 'a long test password');
      expect((await officer('GET', `/api/v1/cases/${mine.caseId}`)).status).toBe(200);
      expect((await officer('GET', `/api/v1/cases/${theirs.caseId}`)).status).toBe(404);
      expect((await officer('GET', `/api/v1/supervisions/${theirs.supervisionId}`)).status).toBe(404);
      expect((await officer('GET', `/api/v1/orders/${theirs.orderId}`)).status).toBe(404);
      expect((await officer('GET', `/api/v1/persons/${theirs.personId}`)).status).toBe(404);
      const list = await officer<{ items: { id: string }[] }>('GET', '/api/v1/supervisions?limit=200');
      const ids = list.body.items.map((s) => s.id);
      expect(ids).toContain(mine.supervisionId);
      expect(ids).not.toContain(theirs.supervisionId);
      // Writes outside the scope answer 404 too.
      const w = await officer('POST', `/api/v1/supervisions/${theirs.supervisionId}/schedule-exceptions`, {
        date: '2030-01-08',
        window: { start: '16:00', end: '17:00', label: 'x' },
        reason: 'x',
      });
      expect(w.status).toBe(404);
      // Tasks: the officer's own list carries only their caseload.
      const tasks = await officer<{ items: { supervisionId: string; responsible: string }[] }>(
        'GET',
        '/api/v1/tasks',
      );
      expect(tasks.status).toBe(200);
      expect(tasks.body.items.every((t) => t.responsible === 'probation_officer')).toBe(true);
    });

    it.skipIf(!available)(
      "a judge sees only their court's cases and may not write as another role",
      async () => {
        const waw = await grantedSupervision(tc, { courtId: 'SR-WAW' });
        const szc = await grantedSupervision(tc, { courtId: 'SR-SZC' });
        const judge = await signedIn(tc, 'judge.szc', 'a long test password');
        expect((await judge('GET', `/api/v1/cases/${szc.caseId}`)).status).toBe(200);
        expect((await judge('GET', `/api/v1/cases/${waw.caseId}`)).status).toBe(404);
        const list = await judge<{ items: { id: string; courtId: string }[] }>(
          'GET',
          '/api/v1/cases?limit=200',
        );
        expect(list.body.items.every((c) => c.courtId === 'SR-SZC')).toBe(true);
        const install = await judge<Refusal>(
          'POST',
          `/api/v1/supervisions/${szc.supervisionId}/installation`,
          {
            deviceIds: [dev('TX', 4)],
            protocolNumber: 'x',
          },
        );
        expect(install.status).toBe(403);
        expect(install.body.messagePl).toMatch(/Twoja rola/);
        const other = await judge<Refusal>('POST', '/api/v1/cases', {
          caseNumber: 'II K 999/24',
          courtId: 'SR-WAW',
          judgmentDate: '2024-01-01',
          personId: waw.personId,
        });
        expect(other.status).toBe(403);
      },
    );

    it.skipIf(!available)('pages through lists with a cursor', async () => {
      const seen = new Set<string>();
      let cursor: string | null = null;
      let pages = 0;
      do {
        const r: { body: { items: { id: string }[]; nextCursor: string | null } } = await tc.api(
          'GET',
          `/api/v1/supervisions?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        );
        for (const s of r.body.items) {
          expect(seen.has(s.id)).toBe(false);
          seen.add(s.id);
        }
        cursor = r.body.nextCursor;
        pages++;
      } while (cursor && pages < 100);
      const total = await tc.center.database.db
        .selectFrom('supervisions')
        .select(tc.center.database.db.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      expect(seen.size).toBe(Number(total.n));
      expect(pages).toBeGreaterThan(1);
      const filtered = await tc.api<{ items: { status: string }[] }>(
        'GET',
        '/api/v1/supervisions?status=granted&limit=200',
      );
      expect(filtered.body.items.length).toBeGreaterThan(0);
      expect(filtered.body.items.every((s) => s.status === 'granted')).toBe(true);
    });
  });

  it.skipIf(!available)('serves the OpenAPI document', async () => {
    const r = await tc.api<{ openapi: string; paths: Record<string, unknown> }>(
      'GET',
      '/api/v1/openapi.json',
    );
    expect(r.body.openapi).toBe('3.1.0');
    expect(Object.keys(r.body.paths)).toContain('/api/v1/orders/{id}/versions');
  });
});
