/**
 * Alarms end to end (issue 4, T4.3): a device publishes a strap tamper over MQTT; the engine raises one
 * alarm; it reaches the probation officer's live stream and, through the outbox, a real SMTP server (once
 * per recipient); nobody acknowledges, so it escalates; the operator handles it; the probation officer
 * qualifies the excuse and sees only their own cases; a restart raises and sends nothing new.
 * On PGlite and on the PostgreSQL server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger, loadConfig, startCenter, type Center } from '../src/index.js';
import type { AlarmView } from '@sde/api';
import { startTestCenter, TestDevice, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';
import { createCase, createUser, fileApplication, minutesFromNow } from './cases.fixtures.js';
import { call, openStream, sessionCookie, startSmtpServer, until } from './alarms.fixtures.js';

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

describe.each(setups)('alarms on %s', (storage, available) => {
  let tc: TestCenter;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  let center: Center;
  const tag = `${storage[0]}${Date.now().toString(36)}`.toUpperCase();
  const ids = { tx: `TX-A${tag}`, hu: `HU-A${tag}`, tx2: `TX-B${tag}`, hu2: `HU-B${tag}` };
  let supervisionId = '';
  let otherSupervisionId = '';
  let hu: { id: string; secret: string };
  let po1 = '';
  let judge = '';

  async function supervise(probationOfficerId: string, judgeId: string, tx: string, unit: string) {
    const c = await createCase(tc, { courtId: 'SR-WAW', probationOfficerId, judgeId });
    const a = await fileApplication(tc, c.caseId);
    const d = await tc.api('POST', `/api/v1/applications/${a.applicationId}/decision`, {
      outcome: 'granted',
      readinessManner: { kind: 'phone' },
      reason: 'Spełnione przesłanki.',
      decidedAt: minutesFromNow(-60),
      order: {
        supervisionKinds: ['stationary'],
        obligations: [
          {
            kind: 'stay_at_place',
            place: {
              address: { street: 'ul. Długa 5', postalCode: '00-238', city: 'Warszawa' },
              rangeMeters: 50,
            },
            schedule: { weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } },
          },
        ],
        devices: ['transmitter', 'stationary_unit'],
        readinessDeadlineHours: 24,
      },
    });
    if (d.status !== 201) throw new Error(`decision: ${JSON.stringify(d.body)}`);
    await tc.api('POST', `/api/v1/supervisions/${a.supervisionId}/readiness`, { at: minutesFromNow(-3) });
    // Installed a minute ago: no report is overdue yet (communication loss would open at 10.5 min).
    const inst = await tc.api('POST', `/api/v1/supervisions/${a.supervisionId}/installation`, {
      at: minutesFromNow(-1),
      deviceIds: [tx, unit],
      protocolNumber: `PI/${tx}`,
      notes: '',
    });
    if (inst.status !== 200) throw new Error(`installation: ${JSON.stringify(inst.body)}`);
    return a.supervisionId;
  }

  beforeAll(async () => {
    if (!available) return;
    smtp = await startSmtpServer({ failFirst: 1 });
    tc = await startTestCenter(storage, 'embedded', {
      SDE_SMTP_URL: smtp.url,
      SDE_ALARM_ESCALATE_AFTER_SECONDS: '3',
      SDE_NOTIFY_RETRY_BASE_MS: '200',
    });
    center = tc.center;
    await tc.api('PUT', '/api/v1/regions/PL-MZ', { name: 'mazowiecki' });
    await tc.api('PUT', '/api/v1/courts/SR-WAW', { name: 'Sąd Rejonowy dla Warszawy', regionId: 'PL-MZ' });
    const mk = async (login: string, role: string, extra: Record<string, unknown>) => {
      const r = await tc.api<{ user: { id: string } }>('POST', '/api/v1/users', {
        login,
        role,
        displayName: login,
        password: 'a long test password',
        ...extra,
      });
      if (r.status !== 201) throw new Error(JSON.stringify(r.body));
      return r.body.user.id;
    };
    judge = await mk('judge.a', 'judge', {
      courtId: 'SR-WAW',
      email: 'judge.a@sad.example',
      phone: '+48 600 000 001',
    });
    po1 = await mk('po.a', 'probation_officer', { regionId: 'PL-MZ', email: 'po.a@kurator.example' });
    const po2 = await mk('po.b', 'probation_officer', { regionId: 'PL-MZ', email: 'po.b@kurator.example' });
    await mk('op.a', 'operator', { regionId: 'PL-MZ', email: 'op.a@cm.example' });
    await createUser(tc, { login: 'op.nomail', role: 'operator', regionId: 'PL-MZ' });
    const [tx] = await tc
      .api<{ devices: { id: string; secret: string }[] }>('POST', '/api/v1/devices', {
        kind: 'transmitter',
        ids: [ids.tx, ids.tx2],
      })
      .then((r) => [r.body.devices[0]!]);
    void tx;
    const units = await tc.api<{ devices: { id: string; secret: string }[] }>('POST', '/api/v1/devices', {
      kind: 'home_unit',
      ids: [ids.hu, ids.hu2],
    });
    hu = units.body.devices[0]!;
    supervisionId = await supervise(po1, judge, ids.tx, ids.hu);
    otherSupervisionId = await supervise(po2, judge, ids.tx2, ids.hu2);
    await center.engine.idle();
  }, 60_000);

  afterAll(async () => {
    if (!available) return;
    await center?.stop();
    await tc?.close();
    await smtp?.close();
  });

  it.skipIf(!available)('users carry an e-mail address and a phone number', async () => {
    const r = await center.database.db
      .selectFrom('users')
      .select(['email', 'phone'])
      .where('id', '=', judge)
      .executeTakeFirstOrThrow();
    expect(r).toEqual({ email: 'judge.a@sad.example', phone: '+48 600 000 001' });
  });

  it.skipIf(!available)(
    "a strap tamper published over MQTT becomes one alarm on the officer's stream, e-mailed once per recipient, escalated, handled, qualified; a restart changes nothing",
    async () => {
      const base = center.httpUrl;
      const poCookie = await sessionCookie(base, 'po.a');
      const po2Cookie = await sessionCookie(base, 'po.b');
      const opCookie = await sessionCookie(base, 'op.a');
      const stream = await openStream(base, poCookie);
      const stream2 = await openStream(base, po2Cookie);
      await until(() => center.live.subscribers() === 2, 5000, 'streams');

      const device = await TestDevice.connect(center.mqttUrl, hu.id, hu.secret);
      const t0 = Date.now();
      await device.sendEvents([
        { seq: 1, t: t0 - 20_000, kind: 'heartbeat', battery: 90, signal: 70, power: 'mains' },
        { seq: 2, t: t0 - 1000, kind: 'tx_strap_tamper', tx: ids.tx },
      ]);
      await device.waitForAck(2);
      // The same tamper again (redelivery) and a repeat within 30 min join the same episode.
      await device.sendEvents([{ seq: 2, t: t0 - 1000, kind: 'tx_strap_tamper', tx: ids.tx }]);

      const pushed = await until(
        () => stream.events.find((e) => e.event === 'alarm' && (e.data as AlarmView).rule === 'strap_tamper'),
        10_000,
        'the alarm on the stream',
      );
      const alarm = pushed.data as AlarmView;
      expect(pushed.at - t0).toBeLessThan(5000);
      expect(alarm).toMatchObject({
        supervisionId,
        severity: 'critical',
        status: 'open',
        condition: 'active',
        late: false,
      });
      expect(alarm.explanation.pl.length).toBeGreaterThan(10);
      expect(alarm.explanation.en.length).toBeGreaterThan(10);
      expect(alarm.evidence.some((e) => e.deviceId === hu.id && e.seq === 2)).toBe(true);
      expect(alarm.personName).toMatch(/^Kowalski-\d+ J\.$/);
      // Another officer's terminal sees nothing of it, and the API answers 404.
      expect(stream2.events.filter((e) => (e.data as AlarmView).supervisionId === supervisionId)).toEqual([]);
      expect((await call(base, po2Cookie, 'GET', `/api/v1/alarms/${alarm.id}`)).status).toBe(404);
      const list2 = await call<{ alarms: AlarmView[] }>(base, po2Cookie, 'GET', '/api/v1/alarms');
      expect(list2.body.alarms).toEqual([]);

      // E-mail through the real SMTP server: the first attempt is refused (451), the retry delivers;
      // the judge and the officer get exactly one each.
      await until(() => smtp.mails.length >= 2, 15_000, 'two e-mails');
      const first = smtp.mails.flatMap((m) => m.to).sort();
      expect(first).toEqual(['judge.a@sad.example', 'po.a@kurator.example']);
      expect(smtp.mails[0]!.data).toMatch(/^Subject: /m);
      expect(smtp.mails[0]!.data).toContain('Message-ID: <sde-outbox-');

      // Nobody acknowledges within 3 s: escalation to the region's operators with an address.
      await until(
        () => smtp.mails.some((m) => m.to.includes('op.a@cm.example')),
        15_000,
        'escalation e-mail',
      );
      await center.notify.idle();
      const escalated = await call<AlarmView>(base, opCookie, 'GET', `/api/v1/alarms/${alarm.id}`);
      expect(escalated.body.actions.some((a) => a.kind === 'notify' && /eskalacja/.test(a.text ?? ''))).toBe(
        true,
      );
      expect(
        escalated.body.actions.filter((a) => a.kind === 'notify' && /delivered/.test(a.text ?? '')).length,
      ).toBe(3);
      const outbox = await center.database.db.selectFrom('notification_outbox').selectAll().execute();
      expect(outbox.map((o) => o.status).sort()).toEqual(['sent', 'sent', 'sent']);
      expect(outbox.every((o) => o.receipt && o.receipt.length > 0)).toBe(true);
      // The monitoring room's metrics show the open critical alarm, the engine's work and the deliveries.
      const metrics = await (await fetch(`${base}/metrics`)).text();
      const value = (line: string) =>
        Number(
          metrics
            .split('\n')
            .find((l) => l.startsWith(`${line} `))
            ?.split(' ')[1],
        );
      expect(value('sde_alarms_open{severity="critical"}')).toBe(1);
      expect(value('sde_engine_evaluations_total')).toBeGreaterThan(0);
      expect(value('sde_notifications_total{outcome="sent"}')).toBe(3);
      expect(value('sde_notifications_total{outcome="escalated"}')).toBe(1);

      // The operator's workflow.
      const ack = await call<AlarmView>(base, opCookie, 'POST', `/api/v1/alarms/${alarm.id}/acknowledge`);
      expect(ack.status).toBe(200);
      expect(ack.body.status).toBe('acknowledged');
      expect(
        (
          await call(base, opCookie, 'POST', `/api/v1/alarms/${alarm.id}/calls`, {
            outcome: 'reached',
            note: 'Twierdzi, że pasek pękł.',
          })
        ).status,
      ).toBe(201);
      expect(
        (
          await call(base, opCookie, 'POST', `/api/v1/alarms/${alarm.id}/patrols`, {
            unit: 'KRP I — patrol 12',
          })
        ).status,
      ).toBe(201);
      expect(
        (await call(base, poCookie, 'POST', `/api/v1/alarms/${alarm.id}/notes`, { text: 'Kontakt jutro.' }))
          .status,
      ).toBe(201);
      // Only operators record excuses; only officers qualify; an officer of another caseload sees 404.
      expect(
        (await call(base, poCookie, 'POST', `/api/v1/alarms/${alarm.id}/excuse`, { text: 'x' })).status,
      ).toBe(403);
      expect(
        (
          await call(base, opCookie, 'POST', `/api/v1/alarms/${alarm.id}/qualify`, {
            qualification: 'justified',
            note: 'x',
          })
        ).status,
      ).toBe(403);
      const noExcuse = await call<{ error: string }>(
        base,
        poCookie,
        'POST',
        `/api/v1/alarms/${alarm.id}/qualify`,
        { qualification: 'justified', note: 'x' },
      );
      expect(noExcuse.status).toBe(409);
      expect(
        (
          await call(base, opCookie, 'POST', `/api/v1/alarms/${alarm.id}/excuse`, {
            text: 'Pasek pękł przy pracy w ogrodzie.',
          })
        ).status,
      ).toBe(200);
      expect(
        (
          await call(base, po2Cookie, 'POST', `/api/v1/alarms/${alarm.id}/qualify`, {
            qualification: 'justified',
            note: 'x',
          })
        ).status,
      ).toBe(404);
      const q = await call<AlarmView>(base, poCookie, 'POST', `/api/v1/alarms/${alarm.id}/qualify`, {
        qualification: 'justified',
        note: 'Uszkodzenie potwierdzone przez technika.',
      });
      expect(q.status).toBe(200);
      expect(q.body.excuse).toMatchObject({
        qualification: 'justified',
        qualifiedBy: 'po.a',
        recordedBy: 'op.a',
      });
      const noNote = await call<{ error: string; messagePl?: string }>(
        base,
        opCookie,
        'POST',
        `/api/v1/alarms/${alarm.id}/close`,
        { note: '  ' },
      );
      expect(noNote.status).toBe(400);
      const closed = await call<AlarmView>(base, opCookie, 'POST', `/api/v1/alarms/${alarm.id}/close`, {
        note: 'Pasek wymieniony.',
      });
      expect(closed.body.status).toBe('closed');
      expect(closed.body.actions.map((a) => a.kind)).toEqual(
        expect.arrayContaining(['acknowledge', 'call', 'patrol', 'note', 'excuse', 'qualify', 'close']),
      );
      await until(
        () => stream.events.some((e) => e.event === 'alarm' && (e.data as AlarmView).status === 'closed'),
        5000,
        'closed on the stream',
      );
      const audit = await center.database.db
        .selectFrom('audit_log')
        .select('action')
        .where('entity', '=', 'alarm')
        .execute();
      expect(audit.map((a) => a.action)).toEqual(
        expect.arrayContaining([
          'alarm.opened',
          'alarm.escalated',
          'alarm.acknowledge',
          'alarm.close',
          'alarm.qualify',
        ]),
      );

      // Replaying the same events: nothing new.
      await device.sendEvents([
        { seq: 1, t: t0 - 20_000, kind: 'heartbeat', battery: 90, signal: 70, power: 'mains' },
        { seq: 2, t: t0 - 1000, kind: 'tx_strap_tamper', tx: ids.tx },
      ]);
      await device.waitForAck(2);
      await device.close();
      stream.close();
      stream2.close();
      const countAlarms = async (c: Center) =>
        Number(
          (
            await c.database.db
              .selectFrom('alarm_episodes')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      await center.engine.idle();
      const before = await countAlarms(center);
      expect(before).toBe(1);
      const mailsBefore = smtp.mails.length;

      // Restart on the same storage: the engine re-evaluates, nothing is raised or sent again.
      await center.stop();
      center = await startCenter(loadConfig(tc.env), createLogger('silent'));
      tc.center = center;
      await center.engine.idle();
      await new Promise((r) => setTimeout(r, 300));
      await center.notify.idle();
      expect(await countAlarms(center)).toBe(before);
      expect(smtp.mails.length).toBe(mailsBefore);
      const after = await center.alarms.get(
        {
          ...(await center.auth.repo.userByLogin('op.a'))!.user,
          userId: null,
          role: 'system',
          terminal: 't',
          login: 'x',
          displayName: 'x',
          regionId: null,
          courtId: null,
        } as never,
        alarm.id,
      );
      expect(after.status).toBe('closed');
      void otherSupervisionId;
    },
    60_000,
  );
});
