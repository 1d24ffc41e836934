/**
 * The live stream belongs to a session (issue 18 items 4 and 5, ADR 0404): it needs the alarm list's
 * permission, ends within seconds when its session ends (sign-out, idle or absolute expiry, the user
 * deactivated, moved to another role, given a new password), and an operator watching the queue stays
 * signed in past the idle limit while a judge's terminal does not. Time is moved in the database (the
 * session's last_seen_at / expires_at) instead of waiting minutes. On PGlite and on the PostgreSQL server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmView } from '@sde/api';
import { tokenHash } from '../src/auth/auth.service.js';
import { startTestCenter, TestDevice, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';
import { createCase, createUser, fileApplication, minutesFromNow } from './cases.fixtures.js';
import { readSse, sessionCookie, until } from './alarms.fixtures.js';

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

/** A terminal's stream that also records when and how the center ended it. */
async function watch(baseUrl: string, cookie: string) {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/api/v1/stream`, { headers: { cookie }, signal: controller.signal });
  const state = {
    status: res.status,
    events: [] as { event: string; data: unknown }[],
    closedAt: null as number | null,
    close: () => controller.abort(),
    ended: () => state.events.find((e) => e.event === 'end')?.data as { reason: string } | undefined,
  };
  if (res.status !== 200 || !res.body) return state;
  void readSse(res.body, (e) => state.events.push(e)).then(() => {
    state.closedAt = Date.now();
  });
  return state;
}

describe.each(setups)('sessions and the live stream on %s', (storage, available) => {
  let tc: TestCenter;
  const ids: Record<string, string> = {};

  const me = async (cookie: string) =>
    (await fetch(`${tc.center.httpUrl}/api/v1/auth/me`, { headers: { cookie } })).status;
  const hashOf = (cookie: string) => tokenHash(decodeURIComponent(cookie.split('=')[1]!));
  /** Moves the session's last activity `minutes` into the past (as if nobody touched the terminal). */
  const idleFor = async (cookie: string, minutes: number) => {
    await tc.center.database.db
      .updateTable('sessions')
      .set({ last_seen_at: new Date(Date.now() - minutes * 60_000) })
      .where('token_hash', '=', hashOf(cookie))
      .execute();
  };
  const lastSeen = async (cookie: string) => {
    const r = await tc.center.database.db
      .selectFrom('sessions')
      .select('last_seen_at')
      .where('token_hash', '=', hashOf(cookie))
      .executeTakeFirst();
    return r ? new Date(r.last_seen_at).getTime() : undefined;
  };

  beforeAll(async () => {
    if (!available) return;
    tc = await startTestCenter(storage, 'embedded', {
      SDE_STREAM_CHECK_SECONDS: '1',
      SDE_SESSION_IDLE_MINUTES: '15',
    });
    await tc.api('PUT', '/api/v1/regions/PL-MZ', { name: 'mazowiecki' });
    await tc.api('PUT', '/api/v1/courts/SR-WAW', { name: 'Sąd Rejonowy dla Warszawy', regionId: 'PL-MZ' });
    ids.op = await createUser(tc, { login: 'op.s', role: 'operator', regionId: 'PL-MZ' });
    ids.judge = await createUser(tc, { login: 'judge.s', role: 'judge', courtId: 'SR-WAW' });
    ids.po = await createUser(tc, { login: 'po.s', role: 'probation_officer', regionId: 'PL-MZ' });
    ids.installer = await createUser(tc, { login: 'inst.s', role: 'installer', regionId: 'PL-MZ' });
  }, 60_000);

  afterAll(async () => {
    if (!available) return;
    await tc?.close();
  });

  it.skipIf(!available)('an installer, refused the alarm list, is refused the stream too', async () => {
    const cookie = await sessionCookie(tc.center.httpUrl, 'inst.s');
    const list = await fetch(`${tc.center.httpUrl}/api/v1/alarms`, { headers: { cookie } });
    expect(list.status).toBe(403);
    const s = await watch(tc.center.httpUrl, cookie);
    expect(s.status).toBe(403);
    expect(tc.center.live.subscribers()).toBe(0);
  });

  it.skipIf(!available)('the stream carries alarms in its caller’s scope only', async () => {
    const cookie = await sessionCookie(tc.center.httpUrl, 'op.s');
    const s = await watch(tc.center.httpUrl, cookie);
    await until(() => tc.center.live.subscribers() === 1, 5000, 'subscribed');
    const alarm = (id: string, regionId: string) => ({
      type: 'alarm' as const,
      owners: { regionId, courtId: null, probationOfficerId: null },
      alarm: { id, regionId } as unknown as AlarmView,
    });
    tc.center.live.publish(alarm('elsewhere', 'PL-DS'));
    tc.center.live.publish(alarm('here', 'PL-MZ'));
    await until(() => s.events.some((e) => e.event === 'alarm'), 5000, 'the alarm');
    expect(s.events.filter((e) => e.event === 'alarm').map((e) => (e.data as AlarmView).id)).toEqual([
      'here',
    ]);
    s.close();
  });

  it.skipIf(!available)(
    'a real alarm reaches each role’s stream exactly as that role’s alarm list shows it',
    async () => {
      const tag = `${storage[0]}${Date.now().toString(36)}`.toUpperCase();
      const tx = `TX-S${tag}`;
      const unit = `HU-S${tag}`;
      await tc.api('POST', '/api/v1/devices', { kind: 'transmitter', ids: [tx] });
      const hu = (
        await tc.api<{ devices: { id: string; secret: string }[] }>('POST', '/api/v1/devices', {
          kind: 'home_unit',
          ids: [unit],
        })
      ).body.devices[0]!;
      const c = await createCase(tc, { courtId: 'SR-WAW', probationOfficerId: ids.po!, judgeId: ids.judge! });
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
      expect(d.status).toBe(201);
      await tc.api('POST', `/api/v1/supervisions/${a.supervisionId}/readiness`, { at: minutesFromNow(-3) });
      const inst = await tc.api('POST', `/api/v1/supervisions/${a.supervisionId}/installation`, {
        at: minutesFromNow(-1),
        deviceIds: [tx, unit],
        protocolNumber: `PI/${tx}`,
        notes: '',
      });
      expect(inst.status).toBe(200);
      await tc.center.engine.idle();

      const logins = ['op.s', 'judge.s', 'po.s'];
      const cookies = await Promise.all(logins.map((l) => sessionCookie(tc.center.httpUrl, l)));
      const streams = await Promise.all(cookies.map((c) => watch(tc.center.httpUrl, c)));
      await until(() => tc.center.live.subscribers() === 3, 5000, 'subscribed');
      const device = await TestDevice.connect(tc.center.mqttUrl, hu.id, hu.secret);
      await device.sendEvents([{ seq: 1, t: Date.now() - 1000, kind: 'tx_strap_tamper', tx }]);
      await device.waitForAck(1);
      await device.close();
      for (const [i, s] of streams.entries()) {
        const pushed = await until(
          () =>
            s.events.find(
              (e) => e.event === 'alarm' && (e.data as AlarmView).supervisionId === a.supervisionId,
            ),
          10_000,
          `the alarm on ${logins[i]}'s stream`,
        );
        const alarm = pushed.data as AlarmView;
        const listed = await fetch(
          `${tc.center.httpUrl}/api/v1/alarms?supervisionId=${a.supervisionId}&status=open`,
          { headers: { cookie: cookies[i]! } },
        );
        const inList = ((await listed.json()) as { alarms: AlarmView[] }).alarms.find(
          (x) => x.id === alarm.id,
        );
        expect(alarm, logins[i]).toEqual(inList);
        s.close();
      }
    },
  );

  it.skipIf(!available)('a stream ends within seconds of its sign-out, saying why', async () => {
    const cookie = await sessionCookie(tc.center.httpUrl, 'op.s');
    const other = await sessionCookie(tc.center.httpUrl, 'op.s');
    const s = await watch(tc.center.httpUrl, cookie);
    const o = await watch(tc.center.httpUrl, other);
    expect(s.status).toBe(200);
    await until(() => tc.center.live.subscribers() === 2, 5000, 'subscribed');
    const t0 = Date.now();
    await fetch(`${tc.center.httpUrl}/api/v1/auth/logout`, { method: 'POST', headers: { cookie } });
    await until(() => s.closedAt, 3000, 'the stream to close');
    expect(s.closedAt! - t0).toBeLessThan(3000);
    expect(s.ended()).toEqual({ reason: 'signed_out' });
    // The same person's other terminal keeps its session and its stream.
    await new Promise((r) => setTimeout(r, 1500));
    expect(o.closedAt).toBeNull();
    expect(await me(other)).toBe(200);
    o.close();
  });

  it.skipIf(!available)(
    'streams end when the user is deactivated, moved to another role or given a new password',
    async () => {
      const changes: [string, string, Record<string, unknown>][] = [
        ['judge.s', ids.judge!, { active: false }],
        ['po.s', ids.po!, { role: 'installer' }],
        ['op.s', ids.op!, { password: 'another long password' }],
      ];
      for (const [login, id, patch] of changes) {
        const cookie = await sessionCookie(tc.center.httpUrl, login);
        const s = await watch(tc.center.httpUrl, cookie);
        expect(s.status).toBe(200);
        await until(() => tc.center.live.subscribers() === 1, 5000, 'subscribed');
        const r = await tc.api('PATCH', `/api/v1/users/${id}`, patch);
        expect(r.status).toBe(200);
        await until(() => s.closedAt, 3000, `${login}'s stream to close after ${JSON.stringify(patch)}`);
        expect(s.ended()).toEqual({ reason: 'user_changed' });
        expect(await me(cookie)).toBe(401);
        await until(() => tc.center.live.subscribers() === 0, 3000, 'unsubscribed');
      }
      // The former officer, now an installer, may not open it again.
      const again = await watch(tc.center.httpUrl, await sessionCookie(tc.center.httpUrl, 'po.s'));
      expect(again.status).toBe(403);
      // Back as they were for the next tests.
      await tc.api('PATCH', `/api/v1/users/${ids.judge}`, { active: true });
      await tc.api('PATCH', `/api/v1/users/${ids.po}`, { role: 'probation_officer' });
      await tc.api('PATCH', `/api/v1/users/${ids.op}`, { password: 'a long test password' });
    },
  );

  it.skipIf(!available)(
    'a role change needs an existing region or court the new role belongs to',
    async () => {
      const r = await tc.api<{ error: string }>('PATCH', `/api/v1/users/${ids.installer}`, { role: 'judge' });
      expect(r.status).toBe(400);
      for (const patch of [{ regionId: 'PL-XX' }, { role: 'judge', courtId: 'SR-NOWHERE' }]) {
        const bad = await tc.api<{ error: string }>('PATCH', `/api/v1/users/${ids.installer}`, patch);
        expect(bad.status).toBe(400);
      }
      expect(await sessionCookie(tc.center.httpUrl, 'inst.s')).toMatch(/^sde_session=/);
    },
  );

  it.skipIf(!available)(
    "an operator watching the queue stays signed in past the idle limit; a judge's terminal does not",
    async () => {
      const op = await sessionCookie(tc.center.httpUrl, 'op.s');
      const judge = await sessionCookie(tc.center.httpUrl, 'judge.s');
      const opStream = await watch(tc.center.httpUrl, op);
      const judgeStream = await watch(tc.center.httpUrl, judge);
      await until(() => tc.center.live.subscribers() === 2, 5000, 'subscribed');
      // Three quiet spells of 10 minutes each (30 minutes, twice the idle limit), nobody touching a key.
      for (let spell = 0; spell < 3; spell++) {
        await idleFor(op, 10);
        await until(async () => ((await lastSeen(op)) ?? 0) > Date.now() - 10_000, 4000, 'the watch');
      }
      expect(opStream.closedAt).toBeNull();
      expect(await lastSeen(judge)).toBeDefined();
      // The judge's stream does not keep the session in use: 10 minutes stay 10 minutes...
      await idleFor(judge, 10);
      await new Promise((r) => setTimeout(r, 2500));
      expect((await lastSeen(judge))!).toBeLessThan(Date.now() - 9 * 60_000);
      // ...and past 15 the session is over and the stream says so.
      await idleFor(judge, 16);
      await until(() => judgeStream.closedAt, 4000, "the judge's stream to close");
      expect(judgeStream.ended()).toEqual({ reason: 'idle' });
      expect(await me(judge)).toBe(401);
      // The operator acts after the quiet spells.
      expect(await me(op)).toBe(200);
      opStream.close();
    },
  );

  it.skipIf(!available)('the shift limit (SDE_SESSION_MAX_HOURS) ends even a watched session', async () => {
    const op = await sessionCookie(tc.center.httpUrl, 'op.s');
    const s = await watch(tc.center.httpUrl, op);
    await until(() => tc.center.live.subscribers() === 1, 5000, 'subscribed');
    await tc.center.database.db
      .updateTable('sessions')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('token_hash', '=', hashOf(op))
      .execute();
    await until(() => s.closedAt, 4000, 'the stream to close');
    expect(s.ended()).toEqual({ reason: 'expired' });
    expect(await me(op)).toBe(401);
  });

  it.skipIf(!available)('a session deleted behind the service’s back ends its stream too', async () => {
    const op = await sessionCookie(tc.center.httpUrl, 'op.s');
    const s = await watch(tc.center.httpUrl, op);
    await until(() => tc.center.live.subscribers() === 1, 5000, 'subscribed');
    await tc.center.database.db.deleteFrom('sessions').where('token_hash', '=', hashOf(op)).execute();
    await until(() => s.closedAt, 4000, 'the stream to close');
    expect(s.ended()).toEqual({ reason: 'signed_out' });
  });
});
