/**
 * The data-class policy (docs/security.md, ADR 0403) as each demo role meets it on the proximity case: every
 * answer a terminal reads about the case is searched for the protected person's name, phone, the label and
 * the centre of the zone around her home and her own positions. Installers never get them (and no track at
 * all); operators only while a proximity alarm is open on that supervision, each such look in the audit log;
 * the auditor reads no case, alarm or device. A property test checks the presenters alone against the table.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../src/auth/actor.js';
import { PROTECTED_PERSON_ACCESS, mayShowProtected, type ProtectedView } from '../src/auth/policy.js';
import { presentAlarmFor } from '../src/alarms/alarm.presenters.js';
import type { AlarmView } from '@sde/api';
import {
  presentCaseFor,
  presentInForceFor,
  presentOrderFor,
  presentSupervisionFor,
} from '../src/cases/case.presenters.js';
import { seedDemo, type DemoSeed } from '../src/demo/seed.js';
import { presentPositionsFor } from '../src/monitoring/monitoring.presenters.js';
import { until } from './alarms.fixtures.js';
import { signedIn } from './cases.fixtures.js';
import { startTestCenter, TestDevice, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';

/** What locates or names the protected person of the demo's proximity case (IV K 204/24). */
const HERS = {
  name: 'Kaczmareka',
  givenName: 'Katarzyna',
  phone: '602 404 505',
  zoneLabel: 'Kawęczyńska',
  zoneLat: '52.2573',
  zoneLon: '21.0484',
  fixLat: '52.26111',
  fixLon: '21.05222',
};
type Call = Awaited<ReturnType<typeof signedIn>>;

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

describe.each(setups)('the data-class policy on the proximity case (%s)', (storage, available) => {
  let tc: TestCenter;
  let seed: DemoSeed;
  let sid: string;
  let caseId: string;
  let orderId: string;
  let personId: string;
  let applicationId: string;
  let pp: string;
  let tx: string;
  const secrets = new Map<string, string>();
  const as = {} as Record<'operator' | 'judge' | 'officer' | 'installer' | 'admin' | 'auditor', Call>;

  /** Every answer a terminal reads about the proximity case, as one text, and the statuses by path. */
  async function everything(call: Call) {
    const paths = [
      `/api/v1/cases/${caseId}`,
      '/api/v1/cases?limit=100',
      `/api/v1/supervisions/${sid}`,
      `/api/v1/orders/${orderId}`,
      `/api/v1/supervisions/${sid}/positions`,
      `/api/v1/devices/${pp}/in-force`,
      `/api/v1/devices/${pp}`,
      '/api/v1/devices?limit=500',
      `/api/v1/alarms?supervisionId=${sid}&limit=500`,
      `/api/v1/applications/${applicationId}`,
      `/api/v1/persons/${personId}`,
      '/api/v1/tasks?limit=200',
    ];
    const status: Record<string, number> = {};
    let text = '';
    for (const p of paths) {
      const r = await call('GET', p);
      status[p] = r.status;
      text += `\n${p} ${JSON.stringify(r.body)}`;
    }
    return { text, status };
  }
  const found = (text: string) => Object.values(HERS).filter((s) => text.includes(s));

  beforeAll(async () => {
    if (!available) return;
    tc = await startTestCenter(storage, 'embedded', { SDE_ENGINE_DEBOUNCE_MS: '20' });
    for (const [n, prefix, kind] of [
      [24, 'HU-DEMO-', 'home_unit'],
      [8, 'PU-DEMO-', 'portable_unit'],
      [2, 'PP-DEMO-', 'protected_unit'],
    ] as const)
      for (const d of await tc.provision(n, prefix, kind)) secrets.set(d.id, d.secret);
    seed = await seedDemo(tc.center);
    sid = seed.supervisions['IV K 204/24']!;
    const d = await tc.api<{
      caseId: string;
      applicationId: string;
      personId: string;
      order: { id: string };
      devices: { deviceId: string; kind: string; to: string | null }[];
    }>('GET', `/api/v1/supervisions/${sid}`);
    caseId = d.body.caseId;
    orderId = d.body.order.id;
    personId = d.body.personId;
    applicationId = d.body.applicationId;
    const open = d.body.devices.filter((x) => x.to === null);
    pp = open.find((x) => x.kind === 'protected_unit')!.deviceId;
    tx = open.find((x) => x.kind === 'transmitter')!.deviceId;
    const pu = open.find((x) => x.kind === 'portable_unit')!.deviceId;
    const now = Date.now();
    // Installed 3 minutes ago (the seed's default). The convict's unit: a few fixes far from her home;
    // hers: two fixes of her own.
    const unit = await TestDevice.connect(tc.center.mqttUrl, pu, secrets.get(pu)!);
    await unit.sendEvents(
      [1, 2, 3].map((seq) => ({
        seq,
        t: now - (4 - seq) * 20_000,
        kind: 'location' as const,
        lat: 52.23,
        lon: 21.01,
        acc: 8,
        src: 'gps' as const,
      })),
    );
    await unit.waitForAck(3);
    await unit.close();
    const prot = await TestDevice.connect(tc.center.mqttUrl, pp, secrets.get(pp)!);
    await prot.sendEvents([
      { seq: 1, t: now - 50_000, kind: 'location', lat: 52.26111, lon: 21.05222, acc: 12, src: 'gps' },
      { seq: 2, t: now - 40_000, kind: 'location', lat: 52.26111, lon: 21.05222, acc: 12, src: 'gps' },
    ]);
    await prot.waitForAck(2);
    await prot.close();
    const pw = (login: string) => seed.users.find((u) => u.login === login)!.password;
    as.operator = await signedIn(tc, 'demo.operator', pw('demo.operator'));
    as.judge = await signedIn(tc, 'demo.judge', pw('demo.judge'));
    as.officer = await signedIn(tc, 'demo.officer2', pw('demo.officer2'));
    as.installer = await signedIn(tc, 'demo.installer', pw('demo.installer'));
    as.admin = await signedIn(tc, 'demo.admin', pw('demo.admin'));
    as.auditor = await signedIn(tc, 'demo.auditor', pw('demo.auditor'));
  }, 180_000);
  afterAll(() => tc?.close());

  it.skipIf(!available)(
    'shows the installer the installation address, the technicians’ phone and the devices, never her',
    async () => {
      const { text, status } = await everything(as.installer);
      expect(found(text)).toEqual([]);
      expect(status[`/api/v1/supervisions/${sid}/positions`]).toBe(403);
      const c = await as.installer<{
        monitoringAddress: { street: string };
        person: Record<string, unknown>;
        applications: { technicianContactPhone: string }[];
        restricted: string[];
      }>('GET', `/api/v1/cases/${caseId}`);
      expect(c.status).toBe(200);
      expect(c.body.monitoringAddress.street).toBe('ul. Targowa 15');
      expect(c.body.applications[0]!.technicianContactPhone).toBe('+48 601 200 300');
      expect(c.body.person).toEqual({
        id: personId,
        givenName: 'Robert',
        familyName: 'Kaczmarek',
        restricted: ['monitored_person_contacts'],
      });
      expect(c.body).not.toHaveProperty('protectedPerson');
      expect(c.body).not.toHaveProperty('protectedPersonId');
      expect(c.body.restricted).toContain('protected_person');
      const s = await as.installer<{
        devices: { deviceId: string }[];
        decisions: Record<string, unknown>[];
        restricted: string[];
      }>('GET', `/api/v1/supervisions/${sid}`);
      expect(s.body.devices.map((x) => x.deviceId)).toEqual(expect.arrayContaining([pp, tx]));
      // The court's written reasons are not the installer's business.
      expect(s.body.decisions.length).toBeGreaterThan(0);
      for (const d of s.body.decisions) expect(d).not.toHaveProperty('reason');
      expect(s.body.restricted).toEqual(
        expect.arrayContaining(['zones', 'protected_person', 'court_reasons']),
      );
      // The order a unit serves: the place and its hours, not why the court or the officer changed a day.
      type InForce = {
        orderVersion: { reason?: string; order: { obligations: { schedule?: unknown }[] } };
        restricted?: string[];
      };
      const judges = await as.judge<InForce>('GET', `/api/v1/devices/${tx}/in-force`);
      expect(judges.body.orderVersion.reason).toEqual(expect.any(String));
      const theirs = await as.installer<InForce>('GET', `/api/v1/devices/${tx}/in-force`);
      expect(theirs.status).toBe(200);
      expect(theirs.body.orderVersion).not.toHaveProperty('reason');
      expect(JSON.stringify(theirs.body.orderVersion.order)).not.toContain('"reason"');
      expect(theirs.body.restricted).toEqual(expect.arrayContaining(['court_reasons']));
      const order = await as.installer('GET', `/api/v1/orders/${orderId}`);
      expect(order.status).toBe(200);
      expect(JSON.stringify(order.body)).not.toContain('"reason"');
      expect(status['/api/v1/devices?limit=500']).toBe(200);
      expect(status['/api/v1/tasks?limit=200']).toBe(200);
      // A message to her unit: the installer sees that it was sent, not what it says.
      const sent = await tc.api('POST', `/api/v1/devices/${pp}/commands`, {
        cmd: 'message',
        text: 'Pani Katarzyno, proszę nie otwierać drzwi.',
      });
      expect(sent.status).toBe(201);
      const cmds = await as.installer<{ commands: { body: Record<string, unknown> }[] }>(
        'GET',
        `/api/v1/devices/${pp}/commands`,
      );
      expect(cmds.status).toBe(200);
      expect(cmds.body.commands.map((c) => c.body)).toEqual([{ cmd: 'message' }]);
      const judgeCmds = await as.judge('GET', `/api/v1/devices/${pp}/commands`);
      expect(JSON.stringify(judgeCmds.body)).toContain('Pani Katarzyno');
    },
  );

  it.skipIf(!available)('shows her to the judge, her probation officer and the Bureau', async () => {
    for (const who of ['judge', 'officer', 'admin'] as const) {
      const { text } = await everything(as[who]);
      expect(found(text), who).toEqual(Object.values(HERS));
    }
  });

  it.skipIf(!available)('gives the auditor the audit and nothing of cases, alarms or devices', async () => {
    const { status } = await everything(as.auditor);
    for (const [path, s] of Object.entries(status)) expect(s, path).toBe(403);
    expect((await as.auditor('GET', '/api/v1/audit?limit=5')).status).toBe(200);
    expect((await as.auditor('GET', '/api/v1/ledger/verify')).status).toBe(200);
    expect((await as.auditor('GET', '/api/v1/stats')).status).toBe(200);
    const note = await as.auditor('POST', '/api/v1/alarms/x/notes', { text: 'a note' });
    expect(note.status).toBe(403);
  });

  it.skipIf(!available)(
    'shows her to the operator only while a proximity alarm is open on that supervision, and records it',
    async () => {
      const before = await everything(as.operator);
      expect(found(before.text)).toEqual([]);
      expect(before.status[`/api/v1/supervisions/${sid}/positions`]).toBe(200);
      expect(before.text).toContain('Kaczmarek'); // the monitored person, whom the operator calls

      // Her unit hears the convict's transmitter: the restraining-order alarm opens.
      const prot = await TestDevice.connect(tc.center.mqttUrl, pp, secrets.get(pp)!);
      await prot.sendEvents([{ seq: 3, t: Date.now() - 1000, kind: 'proximity_tx_heard', tx, rssi: -70 }]);
      await prot.waitForAck(3);
      await prot.close();
      const alarm = await until(async () => {
        const r = await as.operator<{ alarms: { id: string; rule: string; status: string }[] }>(
          'GET',
          `/api/v1/alarms?supervisionId=${sid}&rule=proximity`,
        );
        return r.body.alarms.find((a) => a.status === 'open');
      }, 20_000);

      const during = await everything(as.operator);
      expect(found(during.text)).toEqual(Object.values(HERS));
      const audit = await as.admin<{
        records: { action: string; entityId: string; actorLogin: string; changes: Record<string, unknown> }[];
      }>('GET', '/api/v1/audit?limit=100');
      const looks = audit.body.records.filter(
        (r) => r.action === 'protected_person.read' && r.actorLogin === 'demo.operator',
      );
      expect(looks.length).toBeGreaterThanOrEqual(3);
      for (const l of looks) expect(l.changes.reason).toEqual({ alarmId: alarm.id });
      expect(looks.map((l) => l.changes.what).flat()).toEqual(
        expect.arrayContaining([
          'protected_person.identity',
          'protected_person.zones',
          'protected_person.positions',
        ]),
      );
      // Nothing personal in the audit record itself.
      expect(found(JSON.stringify(looks))).toEqual([]);

      // Closed: she is out of sight again.
      const closed = await as.operator('POST', `/api/v1/alarms/${alarm.id}/close`, {
        note: 'Patrol na miejscu, skazany oddalił się.',
      });
      expect(closed.status).toBe(200);
      const after = await everything(as.operator);
      expect(found(after.text)).toEqual([]);

      // The audit log keeps the note and the order (with her zone) for the Bureau; the auditor reads who
      // did what, when and to which record, not the content.
      const note = 'Patrol na miejscu';
      const bureau = JSON.stringify((await as.admin('GET', '/api/v1/audit?limit=500')).body);
      expect(bureau).toContain(note);
      expect(bureau).toContain(HERS.zoneLabel);
      const auditor = await as.auditor<{
        records: { action: string; entityId: string; redacted?: string[] }[];
      }>('GET', '/api/v1/audit?limit=500');
      const text = JSON.stringify(auditor.body);
      expect(text).not.toContain(note);
      expect(found(text)).toEqual([]);
      const closing = auditor.body.records.find((r) => r.action === 'alarm.close' && r.entityId === alarm.id);
      expect(closing?.redacted).toEqual(['text']);
      expect(auditor.body.records.some((r) => r.action === 'protected_person.read')).toBe(true);
    },
    60_000,
  );
});

describe('the presenters never let the protected person through to a role the policy denies', () => {
  const MARK = 'PROTECTED-MARK';
  const roles = [...ROLES, 'system'] as Role[];
  const viewFor = (role: Role, open: boolean): ProtectedView =>
    PROTECTED_PERSON_ACCESS[role] === 'with_open_alarm'
      ? { visible: open, alarmId: open ? 'a1' : null }
      : { visible: open, alarmId: null }; // a wrong view for fixed roles: the table must still win
  // Zones of an order that protects a person are hers (their labels carry the mark); others are not.
  const zone = (n: number, hers: boolean) => ({
    kind: 'exclusion_zone',
    id: `z${n}`,
    name: `${hers ? MARK : 'park'} zone ${n}`,
    zone: { kind: 'circle', center: { lat: 52.1, lon: 21.1 }, radiusMeters: 100 },
  });
  const keep = { kind: 'keep_distance', protectedPersonId: 'pp-id', minDistanceMeters: 200 };
  const stay = { kind: 'stay_at_place', place: { address: { street: 'ul. Długa 1' } }, schedule: {} };
  const obligations = fc
    .tuple(fc.integer({ min: 0, max: 3 }), fc.boolean())
    .map(([zones, protects]) => [
      stay,
      ...Array.from({ length: zones }, (_, i) => zone(i, protects)),
      ...(protects ? [keep] : []),
    ]);
  const shape = fc.record({
    role: fc.constantFrom(...roles),
    open: fc.boolean(),
    obligations,
    withPerson: fc.boolean(),
  });

  it('for cases, supervisions, orders, in-force answers, positions and alarms', () => {
    fc.assert(
      fc.property(shape, ({ role, open, obligations: obs, withPerson }) => {
        const actor = { role };
        const view = viewFor(role, open);
        const allowed = mayShowProtected(role, view);
        const protects = obs.some((o) => o.kind === 'keep_distance');
        const hasHers = withPerson || protects;
        const order = { id: 'o', versions: [{ version: 1, obligations: obs }] };
        const answers: unknown[] = [
          presentCaseFor(
            actor,
            {
              id: 'c',
              protectedPersonId: withPerson ? 'pp-id' : null,
              person: { id: 'p', givenName: 'Jan', familyName: 'K' },
              protectedPerson: withPerson ? { id: 'pp-id', givenName: MARK, phone: MARK } : null,
              applications: [{ id: 'a', coResidents: [{ name: 'x' }], technicianContactPhone: '1' }],
            },
            view,
          ),
          presentSupervisionFor(actor, { id: 's', order }, view),
          presentOrderFor(actor, order, view),
          presentInForceFor(actor, { orderVersion: { order: { obligations: obs } } }, view),
        ];
        try {
          answers.push(
            presentPositionsFor(
              {
                ...actor,
                userId: null,
                login: 'x',
                displayName: 'x',
                regionId: null,
                courtId: null,
                terminal: '',
              },
              {
                devices: [
                  { role: 'monitored_person' as const, points: [{ lat: 1 }] },
                  ...(hasHers ? [{ role: 'protected_person' as const, points: [{ lat: MARK }] }] : []),
                ],
              },
              view,
            ).answer,
          );
        } catch (err) {
          expect((err as { status?: number }).status).toBe(403);
          expect(['installer', 'auditor']).toContain(role);
        }
        const alarm = presentAlarmFor(
          actor,
          {
            explanation: { pl: `Strefa „${MARK} zone 0”`, en: `Zone "${MARK} zone 0"` },
            clause: null,
            actions: [],
          } as unknown as AlarmView,
          { view, protectedZoneNames: protects ? obs.filter((o) => 'name' in o).map((o) => o.name!) : [] },
        );
        if (alarm !== undefined && protects && obs.length > 2) answers.push(alarm);
        const text = JSON.stringify(answers);
        if (!allowed) expect(text).not.toContain(MARK);
        // Installers get not even her id.
        if (role === 'installer') expect(text).not.toContain('pp-id');
        if (allowed && hasHers && role !== 'installer') expect(text).toContain(MARK);
      }),
      { numRuns: 500 },
    );
  });
});
