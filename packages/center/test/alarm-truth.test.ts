/**
 * Decided means decided, on the center's side (issue 19, ADR 0501): an undecided episode is stored and
 * shown but announces nothing; it is announced at the moment data decides it; a withdrawn episode leaves
 * the operators' queue by itself and keeps why, for the detail and the history; an episode returned again
 * after its withdrawal is back in the queue. The engine's evaluations are applied as the runner does.
 */
import type { AlarmEpisode } from '@sde/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmView } from '@sde/api';
import { alarmIdOf } from '../src/alarms/alarm.service.js';
import { call, sessionCookie, startSmtpServer } from './alarms.fixtures.js';
import { createCase, createUser, fileApplication, minutesFromNow } from './cases.fixtures.js';
import { startTestCenter, type TestCenter } from './harness.js';

describe('undecided and withdrawn alarms', () => {
  let tc: TestCenter;
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  const tag = Date.now().toString(36).toUpperCase();
  const ids = { tx: `TX-T${tag}`, hu: `HU-T${tag}` };
  let supervision: {
    id: string;
    regionId: string;
    caseNumber: string;
    judgeId: string;
    probationOfficerId: string;
  };
  let cookie = '';

  beforeAll(async () => {
    smtp = await startSmtpServer();
    tc = await startTestCenter('pglite', 'embedded', { SDE_SMTP_URL: smtp.url });
    await tc.api('PUT', '/api/v1/regions/PL-MZ', { name: 'mazowiecki' });
    await tc.api('PUT', '/api/v1/courts/SR-WAW', { name: 'Sąd Rejonowy dla Warszawy', regionId: 'PL-MZ' });
    const judge = await createUser(tc, {
      login: 'judge.t',
      role: 'judge',
      courtId: 'SR-WAW',
      email: 'judge.t@sad.example',
    });
    const po = await createUser(tc, {
      login: 'po.t',
      role: 'probation_officer',
      regionId: 'PL-MZ',
      email: 'po.t@kurator.example',
    });
    await createUser(tc, { login: 'op.t', role: 'operator', regionId: 'PL-MZ' });
    await tc.api('POST', '/api/v1/devices', { kind: 'transmitter', ids: [ids.tx] });
    await tc.api('POST', '/api/v1/devices', { kind: 'home_unit', ids: [ids.hu] });
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
    await tc.api('POST', `/api/v1/supervisions/${a.supervisionId}/installation`, {
      at: minutesFromNow(-1),
      deviceIds: [ids.tx, ids.hu],
      protocolNumber: `PI/${ids.tx}`,
      notes: '',
    });
    await tc.center.engine.idle();
    supervision = {
      id: a.supervisionId,
      regionId: 'PL-MZ',
      caseNumber: 'II K 1/24',
      judgeId: judge,
      probationOfficerId: po,
    };
    cookie = await sessionCookie(tc.center.httpUrl, 'op.t');
  }, 120_000);

  afterAll(async () => {
    await tc?.close();
    await smtp?.close();
  });

  const t0 = Date.now() - 30 * 60_000;
  function episode(startedAt: number, undecided: boolean): AlarmEpisode {
    const gap = {
      kind: 'sequence' as const,
      deviceId: ids.hu,
      fromSeq: 5,
      toSeq: 5,
      fromTime: t0,
      toTime: t0,
    };
    return {
      id: `${supervision.id}/presence/-/${startedAt}`,
      supervisionId: supervision.id,
      rule: 'presence',
      subject: '',
      severity: 'serious',
      cause: 'left_when_required',
      startedAt,
      openedAt: startedAt + 180_000,
      updatedAt: startedAt + 180_000,
      endsBy: 'condition',
      detectedAt: startedAt + 180_000,
      late: false,
      undecided,
      awaiting: undecided ? [gap] : [],
      evidence: [],
      evidenceCount: 0,
      orderVersionId: 'v1',
      clause: { pl: 'harmonogram', en: 'schedule' },
      explanation: { pl: 'Nieobecność.', en: 'Absent.' },
    };
  }
  const apply = (episodes: AlarmEpisode[], expired: string[] = []) =>
    tc.center.alarms.applyEvaluation({
      supervision,
      episodes,
      from: undefined,
      now: Date.now(),
      nextDueAt: undefined,
      expired,
    });
  const outboxOf = (id: string) =>
    tc.center.database.db.selectFrom('notification_outbox').select('id').where('alarm_id', '=', id).execute();
  const view = async (id: string) =>
    (await call<AlarmView>(tc.center.httpUrl, cookie, 'GET', `/api/v1/alarms/${id}`)).body;

  it('an undecided episode is shown but announces nothing; it is announced when data decides it', async () => {
    const ep = episode(t0, true);
    const id = alarmIdOf(ep.id);
    await apply([ep]);
    expect(await view(id)).toMatchObject({ undecided: true, status: 'open', withdrawal: null });
    expect(await outboxOf(id)).toEqual([]);

    await apply([episode(t0, false)]);
    expect(await view(id)).toMatchObject({ undecided: false, status: 'open' });
    // The judge and the probation officer, by e-mail, at the moment it was decided.
    expect(await outboxOf(id)).toHaveLength(2);
  });

  it('a withdrawn episode leaves the queue by itself, with the reason in its detail and history', async () => {
    const id = alarmIdOf(episode(t0, false).id);
    await apply([]);
    const v = await view(id);
    expect(v).toMatchObject({ condition: 'withdrawn', status: 'closed' });
    expect(v.withdrawal?.reason.en).toContain('data received later');
    expect(v.withdrawal?.reason.pl).toContain('dane otrzymane później');
    expect(v.actions.some((a) => a.kind === 'close' && a.by === 'engine')).toBe(true);
    const queue = await call<{ alarms: AlarmView[] }>(
      tc.center.httpUrl,
      cookie,
      'GET',
      '/api/v1/alarms?status=open',
    );
    expect(queue.body.alarms.map((a) => a.id)).not.toContain(id);

    // Returned again by a later evaluation: back in the queue, no longer withdrawn.
    await apply([episode(t0, false)]);
    expect(await view(id)).toMatchObject({ condition: 'active', status: 'open', withdrawal: null });
  });

  it('an undecided episode dropped at its time limit is withdrawn with that reason, never announced', async () => {
    const ep = episode(t0 + 60_000, true);
    const id = alarmIdOf(ep.id);
    await apply([episode(t0, false), ep]);
    await apply([episode(t0, false)], [ep.id]);
    const v = await view(id);
    expect(v).toMatchObject({ condition: 'withdrawn', status: 'closed', undecided: true });
    expect(v.withdrawal?.reason.en).toContain('time limit');
    expect(await outboxOf(id)).toEqual([]);
  });
});
