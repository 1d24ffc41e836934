/**
 * One episode per condition (ADR 0502): a transmitter battery reported low, then critical, is ONE alarm whose
 * severity rises. The raise updates the stored alarm, reaches the officer's live stream, puts an acknowledged
 * alarm back in the queue, and is announced to the judge and the probation officer — the informational low
 * battery was not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmView } from '@sde/api';
import { startTestCenter, TestDevice, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';
import { createCase, createUser, fileApplication, minutesFromNow } from './cases.fixtures.js';
import { call, openStream, sessionCookie, startSmtpServer, until } from './alarms.fixtures.js';

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

describe.each(setups)('a battery running down on %s', (storage, available) => {
  let tc: TestCenter;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  const tag = `${storage[0]}${Date.now().toString(36)}`.toUpperCase();
  const ids = { tx: `TX-R${tag}`, hu: `HU-R${tag}` };
  let hu: { id: string; secret: string };
  let supervisionId = '';

  beforeAll(async () => {
    if (!available) return;
    smtp = await startSmtpServer();
    tc = await startTestCenter(storage, 'embedded', { SDE_SMTP_URL: smtp.url });
    await tc.api('PUT', '/api/v1/regions/PL-MZ', { name: 'mazowiecki' });
    await tc.api('PUT', '/api/v1/courts/SR-WAW', { name: 'Sąd Rejonowy dla Warszawy', regionId: 'PL-MZ' });
    const judge = await createUser(tc, {
      login: 'judge.r',
      role: 'judge',
      courtId: 'SR-WAW',
      email: 'judge.r@sad.example',
    });
    const po = await createUser(tc, {
      login: 'po.r',
      role: 'probation_officer',
      regionId: 'PL-MZ',
      email: 'po.r@kurator.example',
    });
    await createUser(tc, { login: 'op.r', role: 'operator', regionId: 'PL-MZ' });
    await tc.api('POST', '/api/v1/devices', { kind: 'transmitter', ids: [ids.tx] });
    const units = await tc.api<{ devices: { id: string; secret: string }[] }>('POST', '/api/v1/devices', {
      kind: 'home_unit',
      ids: [ids.hu],
    });
    hu = units.body.devices[0]!;
    const c = await createCase(tc, { courtId: 'SR-WAW', probationOfficerId: po, judgeId: judge });
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
            place: { address: { street: 'ul. Długa 5', postalCode: '00-238', city: 'Warszawa' } },
            schedule: { weekly: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } },
          },
        ],
        devices: ['transmitter', 'stationary_unit'],
        readinessDeadlineHours: 24,
      },
    });
    if (d.status !== 201) throw new Error(`decision: ${JSON.stringify(d.body)}`);
    await tc.api('POST', `/api/v1/supervisions/${a.supervisionId}/readiness`, { at: minutesFromNow(-3) });
    const inst = await tc.api('POST', `/api/v1/supervisions/${a.supervisionId}/installation`, {
      at: minutesFromNow(-1),
      deviceIds: [ids.tx, ids.hu],
      protocolNumber: `PI/${ids.tx}`,
      notes: '',
    });
    if (inst.status !== 200) throw new Error(`installation: ${JSON.stringify(inst.body)}`);
    supervisionId = a.supervisionId;
    await tc.center.engine.idle();
  }, 60_000);

  afterAll(async () => {
    if (!available) return;
    await tc?.center.stop();
    await tc?.close();
    await smtp?.close();
  });

  it.skipIf(!available)(
    'low then critical is one alarm: raised in place, back in the queue, announced once it is serious',
    async () => {
      const base = tc.center.httpUrl;
      const poCookie = await sessionCookie(base, 'po.r');
      const opCookie = await sessionCookie(base, 'op.r');
      const stream = await openStream(base, poCookie);
      await until(() => tc.center.live.subscribers() === 1, 5000, 'stream');
      const device = await TestDevice.connect(tc.center.mqttUrl, hu.id, hu.secret);
      const t0 = Date.now();
      const battery = (a: AlarmView) => a.rule === 'tx_battery_low' && a.supervisionId === supervisionId;

      await device.sendEvents([
        { seq: 1, t: t0 - 20_000, kind: 'heartbeat', battery: 90, signal: 70, power: 'mains' },
        { seq: 2, t: t0 - 10_000, kind: 'tx_battery_low', tx: ids.tx, battery: 25 },
      ]);
      await device.waitForAck(2);
      const low = (
        await until(
          () => stream.events.find((e) => e.event === 'alarm' && battery(e.data as AlarmView)),
          10_000,
          'the low battery on the stream',
        )
      ).data as AlarmView;
      expect(low).toMatchObject({ severity: 'info', status: 'open', condition: 'active' });
      const ack = await call<AlarmView>(base, opCookie, 'POST', `/api/v1/alarms/${low.id}/acknowledge`);
      expect(ack.body.status).toBe('acknowledged');
      await tc.center.notify.idle();
      // Informational: nobody is notified.
      expect(smtp.mails).toEqual([]);

      await device.sendEvents([{ seq: 3, t: t0 - 1000, kind: 'tx_battery_low', tx: ids.tx, battery: 7 }]);
      await device.waitForAck(3);
      const raised = (
        await until(
          () =>
            stream.events.find(
              (e) =>
                e.event === 'alarm' &&
                battery(e.data as AlarmView) &&
                (e.data as AlarmView).severity === 'serious',
            ),
          10_000,
          'the raise on the stream',
        )
      ).data as AlarmView;
      // The same alarm, raised, open again for the operators.
      expect(raised.id).toBe(low.id);
      expect(raised).toMatchObject({ severity: 'serious', status: 'open', condition: 'active' });
      const list = await call<{ alarms: AlarmView[] }>(
        base,
        opCookie,
        'GET',
        `/api/v1/alarms?rule=tx_battery_low&supervisionId=${supervisionId}`,
      );
      expect(list.body.alarms.map((a) => a.id)).toEqual([low.id]);
      const stored = await call<AlarmView>(base, opCookie, 'GET', `/api/v1/alarms/${low.id}`);
      expect(
        stored.body.actions.some((a) => /severity raised: informational → serious/.test(a.text ?? '')),
      ).toBe(true);
      expect(stored.body.explanation.en).toMatch(/severity raised from informational to serious/);
      // Announced now, to the judge and the probation officer, saying it was raised.
      await until(() => smtp.mails.length >= 2, 15_000, 'two e-mails');
      expect(smtp.mails.flatMap((m) => m.to).sort()).toEqual(['judge.r@sad.example', 'po.r@kurator.example']);
      // Quoted-printable: soft line breaks removed.
      expect(smtp.mails[0]!.data.replace(/=\r?\n/g, '')).toContain('SEVERITY RAISED from informational');
      await device.close();
      stream.close();
    },
    60_000,
  );
});
