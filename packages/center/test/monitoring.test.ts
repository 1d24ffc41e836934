/**
 * The monitoring views on PGlite with the demo data, fed the real way (MQTT): a supervision's positions
 * (track, roles, assignment periods, downsampling, scope), the device list with battery and power (scope:
 * region plus stock), and the Bureau's statistics (scope, alarm handling times).
 */
import type { DeviceEvent } from '@sde/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo, type DemoSeed } from '../src/demo/seed.js';
import { until } from './alarms.fixtures.js';
import { createUser, signedIn } from './cases.fixtures.js';
import { startTestCenter, TestDevice, type TestCenter } from './harness.js';

interface Track {
  deviceId: string;
  kind: string;
  role: string;
  total: number;
  points: { t: string; lat: number; lon: number; acc: number | null; src: string | null }[];
  latest: { t: string; lat: number; lon: number } | null;
}
interface Positions {
  from: string;
  to: string;
  downsampled: boolean;
  devices: Track[];
}
interface DeviceRow {
  id: string;
  kind: string;
  battery: number | null;
  power: string | null;
  lastContactAt: string | null;
  ackedSeq: number;
  maxSeq: number;
  online: boolean | null;
  assignment: { caseNumber: string; regionId: string } | null;
}

const MIN = 60_000;

describe('monitoring views', () => {
  let tc: TestCenter;
  let seed: DemoSeed;
  const secrets = new Map<string, string>();
  let sid: string;
  let pu: string;
  let pp: string;
  let tx: string;
  const now = Date.now();

  beforeAll(async () => {
    tc = await startTestCenter('pglite', 'embedded', { SDE_ENGINE_DEBOUNCE_MS: '20' });
    for (const [n, prefix, kind] of [
      [24, 'HU-DEMO-', 'home_unit'],
      [8, 'PU-DEMO-', 'portable_unit'],
      [2, 'PP-DEMO-', 'protected_unit'],
    ] as const)
      for (const d of await tc.provision(n, prefix, kind)) secrets.set(d.id, d.secret);
    // Installed three days ago: the track below reaches two days back (the units' silence before is no concern here).
    seed = await seedDemo(tc.center, { installedAt: new Date(now - 3 * 24 * 60 * MIN) });
    sid = seed.supervisions['IV K 204/24']!;
    const detail = await tc.api<{ devices: { deviceId: string; kind: string; to: string | null }[] }>(
      'GET',
      `/api/v1/supervisions/${sid}`,
    );
    const open = detail.body.devices.filter((d) => d.to === null);
    pu = open.find((d) => d.kind === 'portable_unit')!.deviceId;
    pp = open.find((d) => d.kind === 'protected_unit')!.deviceId;
    tx = open.find((d) => d.kind === 'transmitter')!.deviceId;

    // The portable unit: 2,400 fixes over the last 20 hours, one 2 days ago, a heartbeat on battery.
    const unit = await TestDevice.connect(tc.center.mqttUrl, pu, secrets.get(pu)!);
    const fixes: DeviceEvent[] = [
      { seq: 1, t: now - 48 * 60 * MIN, kind: 'location', lat: 52.2, lon: 21.0, acc: 10, src: 'gps' },
    ];
    for (let i = 0; i < 2400; i++) {
      fixes.push({
        seq: fixes.length + 1,
        t: now - 20 * 60 * MIN + i * 30_000,
        kind: 'location',
        lat: 52.23 + i * 0.00001,
        lon: 21.01 + i * 0.00001,
        acc: 8 + (i % 5),
        src: 'gps',
      });
    }
    fixes.push({
      seq: fixes.length + 1,
      t: now - MIN,
      kind: 'heartbeat',
      battery: 77,
      signal: 60,
      power: 'battery',
    });
    for (let i = 0; i < fixes.length; i += 500) await unit.sendEvents(fixes.slice(i, i + 500));
    await unit.waitForAck(fixes.length, 30_000);
    // A strap tamper raises an alarm for the statistics.
    await unit.sendEvents([{ seq: fixes.length + 1, t: now - 30_000, kind: 'tx_strap_tamper', tx }]);
    await unit.waitForAck(fixes.length + 1);
    await unit.close();

    // The protected person's unit: two fixes.
    const prot = await TestDevice.connect(tc.center.mqttUrl, pp, secrets.get(pp)!);
    await prot.sendEvents([
      { seq: 1, t: now - 30 * MIN, kind: 'location', lat: 52.25, lon: 21.04, acc: 15, src: 'gps' },
      { seq: 2, t: now - 5 * MIN, kind: 'location', lat: 52.2573, lon: 21.0484, acc: 12, src: 'wifi' },
    ]);
    await prot.waitForAck(2);
    await prot.close();
  }, 120_000);
  afterAll(() => tc?.close());

  it('answers the track of the last 24 h by device with its role, downsampled to 2,000 points', async () => {
    const r = await tc.api<Positions>('GET', `/api/v1/supervisions/${sid}/positions`);
    expect(r.status).toBe(200);
    expect(Date.parse(r.body.to) - Date.parse(r.body.from)).toBe(24 * 60 * MIN);
    const track = r.body.devices.find((d) => d.deviceId === pu)!;
    const prot = r.body.devices.find((d) => d.deviceId === pp)!;
    expect(track.role).toBe('monitored_person');
    expect(prot.role).toBe('protected_person');
    expect(track.total).toBe(2400);
    expect(r.body.downsampled).toBe(true);
    const n = r.body.devices.reduce((s, d) => s + d.points.length, 0);
    expect(n).toBeLessThanOrEqual(2000);
    expect(track.points.length).toBeGreaterThan(500);
    // Oldest first; the first and the last fix are kept.
    const ts = track.points.map((p) => Date.parse(p.t));
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
    // (event time is the device's time corrected by its clock offset: a few ms here)
    expect(Math.abs(ts[0]! - (now - 20 * 60 * MIN))).toBeLessThan(5000);
    expect(Math.abs(ts.at(-1)! - (now - 20 * 60 * MIN + 2399 * 30_000))).toBeLessThan(5000);
    expect(track.points[0]).toMatchObject({ lat: 52.23, lon: 21.01, acc: 8, src: 'gps' });
    expect(prot.points).toHaveLength(2);
    expect(prot.latest).toMatchObject({ lat: 52.2573, lon: 21.0484 });
  });

  it('takes a chosen period, refuses a reversed one, and keeps to the assignment periods', async () => {
    const from = new Date(now - 3 * 24 * 60 * MIN).toISOString();
    const to = new Date(now - 21 * 60 * MIN).toISOString();
    const r = await tc.api<Positions>(
      'GET',
      `/api/v1/supervisions/${sid}/positions?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
    );
    expect(r.status).toBe(200);
    const track = r.body.devices.find((d) => d.deviceId === pu)!;
    expect(track.points.map((p) => p.lat)).toEqual([52.2]);
    // The protected person's latest fix is the latest at or before `to`: none then.
    expect(r.body.devices.find((d) => d.deviceId === pp)).toBeUndefined();
    const bad = await tc.api(
      'GET',
      `/api/v1/supervisions/${sid}/positions?from=${encodeURIComponent(to)}&to=${encodeURIComponent(from)}`,
    );
    expect(bad.status).toBe(400);

    // Another supervision with the same kind of devices sees none of these fixes.
    const other = seed.supervisions['IV K 203/24']!;
    const o = await tc.api<Positions>('GET', `/api/v1/supervisions/${other}/positions`);
    expect(o.status).toBe(200);
    expect(o.body.devices.flatMap((d) => d.points)).toEqual([]);
  });

  it('is scoped: another caseload answers 404, the own probation officer and the region’s operator see it', async () => {
    const pw = (login: string) => seed.users.find((u) => u.login === login)!.password;
    const stranger = await signedIn(tc, 'demo.officer', pw('demo.officer'));
    expect((await stranger('GET', `/api/v1/supervisions/${sid}/positions`)).status).toBe(404);
    const own = await signedIn(tc, 'demo.officer2', pw('demo.officer2'));
    const mine = await own<Positions>('GET', `/api/v1/supervisions/${sid}/positions`);
    expect(mine.status).toBe(200);
    expect(mine.body.devices.length).toBe(2);
    await createUser(tc, { login: 'op.zp', role: 'operator', regionId: 'PL-ZP' });
    const zp = await signedIn(tc, 'op.zp', 'a long test password');
    expect((await zp('GET', `/api/v1/supervisions/${sid}/positions`)).status).toBe(404);
    const op = await signedIn(tc, 'demo.operator', pw('demo.operator'));
    expect((await op('GET', `/api/v1/supervisions/${sid}/positions`)).status).toBe(200);
  });

  it('lists devices with battery and power; installers see their region’s assigned devices and the stock', async () => {
    const one = await tc.api<DeviceRow>('GET', `/api/v1/devices/${pu}`);
    expect(one.body).toMatchObject({ battery: 77, power: 'battery' });

    const all = await tc.api<{ items: DeviceRow[]; nextCursor: string | null }>(
      'GET',
      '/api/v1/devices?kind=portable_unit&limit=500',
    );
    expect(all.status).toBe(200);
    const row = all.body.items.find((d) => d.id === pu)!;
    expect(row).toMatchObject({ battery: 77, power: 'battery', online: true });
    expect(row.maxSeq).toBe(2403);
    expect(row.ackedSeq).toBe(2403);
    expect(row.assignment).toMatchObject({ caseNumber: 'IV K 204/24', regionId: 'PL-MZ' });
    expect(all.body.items.every((d) => d.kind === 'portable_unit')).toBe(true);

    // Paging by cursor walks every device once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: DeviceRow[]; nextCursor: string | null } } = await tc.api(
        'GET',
        `/api/v1/devices?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
      );
      seen.push(...page.body.items.map((d) => d.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(24 + 8 + 2 + 14);

    const stock = await tc.api<{ items: DeviceRow[] }>('GET', '/api/v1/devices?assigned=false&limit=500');
    expect(stock.body.items.length).toBeGreaterThan(0);
    expect(stock.body.items.every((d) => d.assignment === null)).toBe(true);

    const pw = (login: string) => seed.users.find((u) => u.login === login)!.password;
    const inst = await signedIn(tc, 'demo.installer', pw('demo.installer'));
    const mz = await inst<{ items: DeviceRow[] }>('GET', '/api/v1/devices?limit=500');
    expect(mz.status).toBe(200);
    expect(mz.body.items.some((d) => d.id === pu)).toBe(true);
    expect(mz.body.items.every((d) => d.assignment === null || d.assignment.regionId === 'PL-MZ')).toBe(true);

    await createUser(tc, { login: 'inst.zp', role: 'installer', regionId: 'PL-ZP' });
    const zpInst = await signedIn(tc, 'inst.zp', 'a long test password');
    const zp = await zpInst<{ items: DeviceRow[] }>('GET', '/api/v1/devices?limit=500');
    expect(zp.body.items.some((d) => d.id === pu)).toBe(false);
    expect(zp.body.items.every((d) => d.assignment === null || d.assignment.regionId === 'PL-ZP')).toBe(true);
    expect(zp.body.items.some((d) => d.assignment === null)).toBe(true);

    const officer = await signedIn(tc, 'demo.officer', pw('demo.officer'));
    expect((await officer('GET', '/api/v1/devices')).status).toBe(403);
  });

  it('answers one device and its messages only in scope; outside it answers 404 like an unknown device', async () => {
    const pw = (login: string) => seed.users.find((u) => u.login === login)!.password;
    const unitOf = async (caseNumber: string) => {
      const d = await tc.api<{ devices: { deviceId: string; kind: string; to: string | null }[] }>(
        'GET',
        `/api/v1/supervisions/${seed.supervisions[caseNumber]!}`,
      );
      return d.body.devices.find((x) => x.to === null && x.kind !== 'transmitter')!.deviceId;
    };
    const warsawHome = await unitOf('II K 101/24'); // demo.officer's caseload, court SO-WAW, region PL-MZ
    const szczecinHome = await unitOf('III K 301/24'); // court SO-SZC, region PL-ZP
    const stock = await tc.api<{ items: DeviceRow[] }>('GET', '/api/v1/devices?assigned=false&limit=1');
    const spare = stock.body.items[0]!.id;
    await createUser(tc, { login: 'inst.zp.one', role: 'installer', regionId: 'PL-ZP' });
    const as = {
      officer: await signedIn(tc, 'demo.officer', pw('demo.officer')),
      officer2: await signedIn(tc, 'demo.officer2', pw('demo.officer2')),
      judge: await signedIn(tc, 'demo.judge', pw('demo.judge')),
      judgeSzczecin: await signedIn(tc, 'demo.judge.szczecin', pw('demo.judge.szczecin')),
      installer: await signedIn(tc, 'demo.installer', pw('demo.installer')),
      installerZp: await signedIn(tc, 'inst.zp.one', 'a long test password'),
      operator: await signedIn(tc, 'demo.operator', pw('demo.operator')),
      auditor: await signedIn(tc, 'demo.auditor', pw('demo.auditor')),
    };
    const read = async (who: keyof typeof as, id: string) =>
      (await as[who]('GET', `/api/v1/devices/${id}`)).status;

    // In scope: the probation officer and judge of the case, the region's installer and operator, the Bureau.
    const mine = await as.officer2<DeviceRow>('GET', `/api/v1/devices/${pu}`);
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({ id: pu, battery: 77, power: 'battery' });
    expect(await read('officer', warsawHome)).toBe(200);
    expect(await read('judge', pu)).toBe(200);
    expect(await read('judge', warsawHome)).toBe(200);
    expect(await read('judgeSzczecin', szczecinHome)).toBe(200);
    expect(await read('installer', pu)).toBe(200);
    expect(await read('installerZp', szczecinHome)).toBe(200);
    expect(await read('operator', pu)).toBe(200);
    // Regional roles also see the unassigned stock (installers take units from it).
    expect(await read('installer', spare)).toBe(200);
    expect(await read('installerZp', spare)).toBe(200);

    // The auditor reads the audit, not devices (the data-class policy, ADR 0403).
    expect(await read('auditor', szczecinHome)).toBe(403);

    // Out of scope: another caseload, another court, another region — 404, the same as an unknown id.
    const outside = await as.officer('GET', `/api/v1/devices/${pu}`);
    expect(outside.status).toBe(404);
    const unknown = await as.officer('GET', '/api/v1/devices/HU-NO-SUCH-1');
    expect(unknown.status).toBe(404);
    expect(outside.body.error).toBe(unknown.body.error);
    expect(await read('officer', szczecinHome)).toBe(404);
    expect(await read('officer', spare)).toBe(404);
    expect(await read('judgeSzczecin', pu)).toBe(404);
    expect(await read('judge', szczecinHome)).toBe(404);
    expect(await read('judge', spare)).toBe(404);
    expect(await read('installerZp', pu)).toBe(404);
    expect(await read('installer', szczecinHome)).toBe(404);

    // Messages follow the same scope: the case's probation officer writes and reads them, another cannot.
    const msg = { cmd: 'message', text: 'Proszę o kontakt.' };
    expect((await as.officer('POST', `/api/v1/devices/${pu}/commands`, msg)).status).toBe(404);
    expect((await as.officer('GET', `/api/v1/devices/${pu}/commands`)).status).toBe(404);
    expect((await as.officer2('POST', `/api/v1/devices/${pu}/commands`, msg)).status).toBe(201);
    const sent = await as.officer2<{ commands: { body: { text?: string } }[] }>(
      'GET',
      `/api/v1/devices/${pu}/commands`,
    );
    expect(sent.status).toBe(200);
    expect(sent.body.commands.map((c) => c.body.text)).toContain('Proszę o kontakt.');
  });

  it('computes the statistics in scope, with alarm handling times', async () => {
    await tc.center.engine.idle();
    const alarm = await until(
      async () => {
        const r = await tc.api<{ alarms: { id: string; rule: string }[] }>(
          'GET',
          `/api/v1/alarms?supervisionId=${sid}&rule=strap_tamper`,
        );
        return r.body.alarms[0];
      },
      15_000,
      'the strap tamper alarm',
    );
    expect((await tc.api('POST', `/api/v1/alarms/${alarm.id}/acknowledge`)).status).toBe(200);
    expect((await tc.api('POST', `/api/v1/alarms/${alarm.id}/close`, { note: 'checked' })).status).toBe(200);

    interface Stats {
      scope: { kind: string; regionId?: string };
      supervisions: {
        now: number;
        total: number;
        byStatus: { status: string; n: number }[];
        nowByKind: { kind: string; n: number }[];
        nowByRegion: { regionId: string; n: number }[];
      };
      alarms: {
        total: number;
        byRule: { rule: string; n: number }[];
        bySeverity: { severity: string; n: number }[];
        acknowledge: { n: number; medianMs: number | null; p90Ms: number | null };
        close: { n: number; medianMs: number | null; p90Ms: number | null };
      };
      devices: {
        online: number;
        offline: number;
        byKind: { kind: string; online: number; offline: number }[];
      };
    }
    const pw = (login: string) => seed.users.find((u) => u.login === login)!.password;
    const bureau = await signedIn(tc, 'demo.admin', pw('demo.admin'));
    const all = await bureau<Stats>('GET', '/api/v1/stats');
    expect(all.status).toBe(200);
    const s = all.body;
    expect(s.scope.kind).toBe('all');
    const list = await tc.api<{ items: { status: string }[] }>('GET', '/api/v1/supervisions?limit=200');
    expect(s.supervisions.total).toBe(list.body.items.length);
    expect(s.supervisions.now).toBe(
      list.body.items.filter((x) => ['activated', 'in_execution'].includes(x.status)).length,
    );
    expect(s.supervisions.nowByKind.find((k) => k.kind === 'proximity')?.n).toBe(1);
    expect(s.supervisions.nowByRegion.map((r) => r.regionId).sort()).toEqual(['PL-MZ', 'PL-ZP']);
    expect(s.alarms.byRule.find((r) => r.rule === 'strap_tamper')?.n).toBeGreaterThanOrEqual(1);
    expect(s.alarms.bySeverity.find((r) => r.severity === 'critical')?.n).toBeGreaterThanOrEqual(1);
    expect(s.alarms.acknowledge.n).toBeGreaterThanOrEqual(1);
    expect(s.alarms.acknowledge.medianMs).toBeGreaterThanOrEqual(0);
    expect(s.alarms.close.p90Ms).toBeGreaterThanOrEqual(s.alarms.close.medianMs!);
    // The portable unit spoke within 10 minutes; the other units never did.
    expect(s.devices.byKind.find((k) => k.kind === 'portable_unit')?.online).toBe(1);
    expect(s.devices.byKind.find((k) => k.kind === 'transmitter')).toBeUndefined();
    expect(s.devices.offline).toBeGreaterThan(0);

    const zp = await signedIn(tc, 'op.zp', 'a long test password');
    const region = await zp<Stats>('GET', '/api/v1/stats');
    expect(region.status).toBe(200);
    expect(region.body.scope).toEqual({ kind: 'region', regionId: 'PL-ZP' });
    expect(region.body.supervisions.nowByRegion.every((r) => r.regionId === 'PL-ZP')).toBe(true);
    expect(region.body.alarms.byRule.find((r) => r.rule === 'strap_tamper')).toBeUndefined();
    expect(region.body.devices.online).toBe(0);

    const officer = await signedIn(tc, 'demo.officer', pw('demo.officer'));
    expect((await officer('GET', '/api/v1/stats')).status).toBe(403);
    const auditor = await signedIn(tc, 'demo.auditor', pw('demo.auditor'));
    expect((await auditor<Stats>('GET', '/api/v1/stats')).body.alarms.total).toBe(s.alarms.total);
  });

  it('counts alarms in a chosen period, and lists the same alarms for that period (the CSV export)', async () => {
    interface PeriodStats {
      period: { from: string; to: string };
      alarms: { total: number; byRule: { rule: string; n: number }[]; acknowledge: { n: number } };
    }
    const q = (from: number, to: number) =>
      `from=${encodeURIComponent(new Date(from).toISOString())}&to=${encodeURIComponent(new Date(to).toISOString())}`;
    const listed = async (query: string) =>
      (
        await tc.api<{ alarms: { rule: string; startedAt: string }[] }>(
          'GET',
          `/api/v1/alarms?${query}&limit=500`,
        )
      ).body.alarms;
    // The strap was cut 30 s before `now` (device time): a period around it holds the alarm …
    const around = q(now - 5 * MIN, Date.now() + MIN);
    const inPeriod = await tc.api<PeriodStats>('GET', `/api/v1/stats?${around}`);
    expect(inPeriod.status).toBe(200);
    expect(Date.parse(inPeriod.body.period.from)).toBe(now - 5 * MIN);
    expect(inPeriod.body.alarms.byRule.find((r) => r.rule === 'strap_tamper')?.n).toBe(1);
    expect(inPeriod.body.alarms.acknowledge.n).toBeGreaterThanOrEqual(1);
    const aroundList = await listed(around);
    expect(aroundList.length).toBe(inPeriod.body.alarms.total);
    expect(aroundList.some((a) => a.rule === 'strap_tamper')).toBe(true);
    // … a period that ends before it does not, in the statistics or in the list.
    const earlier = q(now - 3 * 24 * 60 * MIN, now - 5 * MIN);
    const before = await tc.api<PeriodStats>('GET', `/api/v1/stats?${earlier}`);
    expect(before.body.alarms.byRule.find((r) => r.rule === 'strap_tamper')).toBeUndefined();
    const beforeList = await listed(earlier);
    expect(beforeList.length).toBe(before.body.alarms.total);
    expect(beforeList.every((a) => Date.parse(a.startedAt) <= now - 5 * MIN)).toBe(true);
    // A reversed or malformed period is refused, in both.
    const reversed = q(now, now - MIN);
    expect((await tc.api('GET', `/api/v1/stats?${reversed}`)).status).toBe(400);
    expect((await tc.api('GET', `/api/v1/alarms?${reversed}`)).status).toBe(400);
    expect((await tc.api('GET', '/api/v1/stats?from=yesterday')).status).toBe(400);
    expect((await tc.api('GET', '/api/v1/alarms?to=2026-13-01')).status).toBe(400);
  });
});
