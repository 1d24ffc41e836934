/**
 * End-to-end (issue 18 item 5, ADR 0404): a monitoring room is not a shared kiosk. The BUILT console
 * (`npm run build -w @sde/console` first) on a real center with the demo seed, in Debian's Chromium.
 * (a) An operator watches a quiet queue past the idle limit (the quiet spell is simulated by moving the
 * session's last activity back in the database), an alarm arrives, A acknowledges it. (b) The operator's
 * session is gone (deleted in the database); A opens the password dialog in place; once the password is
 * typed the alarm is acknowledged without pressing A again. Takes docs/screenshots/14-reauth-in-place.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo, type DemoSeed } from '../../center/src/demo/seed.js';
import { startTestCenter, TestDevice, type TestCenter } from '../../center/test/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(here, '../dist/index.html');
const SHOTS = resolve(here, '../../../docs/screenshots');
/** The idle limit of this center, minutes (the default). */
const IDLE_MINUTES = 15;

let tc: TestCenter;
let browser: Browser;
let seed: DemoSeed;
let page: Page;
const secrets = new Map<string, string>();
const seqOf = new Map<string, number>();

/** The unit and transmitter installed in a demo case. */
async function devicesOf(caseNumber: string) {
  const sid = seed.supervisions[caseNumber]!;
  const r = await tc.api<{ devices: { deviceId: string; kind: string; to: string | null }[] }>(
    'GET',
    `/api/v1/supervisions/${sid}`,
  );
  const open = r.body.devices.filter((d) => d.to === null);
  return {
    sid,
    unit: open.find((d) => d.kind !== 'transmitter')!.deviceId,
    tx: open.find((d) => d.kind === 'transmitter')!.deviceId,
  };
}

/** A unit reports that the strap of its transmitter was cut. */
async function tamper(unit: string, tx: string) {
  const device = await TestDevice.connect(tc.center.mqttUrl, unit, secrets.get(unit)!);
  const s = (seqOf.get(unit) ?? 0) + 1;
  seqOf.set(unit, s);
  await device.sendEvents([{ seq: s, t: Date.now() - 1000, kind: 'tx_strap_tamper', tx }]);
  await device.waitForAck(s);
  await device.close();
}

const user = (login: string) => seed.users.find((u) => u.login === login)!;
const db = () => tc.center.database.db;

/** The operator's sessions' last activity, ms since the epoch (one per open session). */
async function lastSeen(): Promise<number[]> {
  const rows = await db()
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select('sessions.last_seen_at')
    .where('users.login', '=', 'demo.operator')
    .execute();
  return rows.map((r) => new Date(r.last_seen_at).getTime());
}

/** Moves the operator's session's last activity `minutes` back: as if nobody touched the console. */
async function quietFor(minutes: number) {
  const ids = await db().selectFrom('users').select('id').where('login', '=', 'demo.operator').execute();
  await db()
    .updateTable('sessions')
    .set({ last_seen_at: new Date(Date.now() - minutes * 60_000) })
    .where('user_id', '=', ids[0]!.id)
    .execute();
}

async function alarmOf(sid: string) {
  for (const end = Date.now() + 15_000; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) {
    const r = await tc.api<{ alarms: { id: string; rule: string; status: string }[] }>(
      'GET',
      `/api/v1/alarms?supervisionId=${sid}`,
    );
    const a = r.body.alarms.find((x) => x.rule === 'strap_tamper');
    if (a) return a;
  }
  throw new Error('no alarm');
}

beforeAll(async () => {
  if (!existsSync(DIST))
    throw new Error('the console is not built: run `npm run build -w @sde/console` first');
  mkdirSync(SHOTS, { recursive: true });
  tc = await startTestCenter('pglite', 'embedded', {
    SDE_SESSION_IDLE_MINUTES: String(IDLE_MINUTES),
    SDE_STREAM_CHECK_SECONDS: '5',
  });
  const fleet = [
    ...(await tc.provision(24, 'HU-DEMO-', 'home_unit')),
    ...(await tc.provision(8, 'PU-DEMO-', 'portable_unit')),
    ...(await tc.provision(2, 'PP-DEMO-', 'protected_unit')),
  ];
  for (const d of fleet) secrets.set(d.id, d.secret);
  seed = await seedDemo(tc.center, { deviceIds: fleet.map((d) => d.id) });
  tc.center.engine.configurationChanged();
  await Promise.race([tc.center.engine.idle(), new Promise((r) => setTimeout(r, 60_000))]);
  browser = await launchChromium();
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: 'pl-PL',
    timezoneId: 'Europe/Warsaw',
  });
  page = await context.newPage();
  page.setDefaultTimeout(15_000);
});

afterAll(async () => {
  await browser?.close();
  await tc?.close();
});

describe('an operator on a long shift', () => {
  it('watches a quiet queue past the idle limit, then acknowledges an arriving alarm with A', async () => {
    await page.goto(tc.center.httpUrl + '/');
    await page.locator('#login').fill('demo.operator');
    await page.locator('#password').fill(user('demo.operator').password);
    await page.locator('button[type=submit]').click();
    await page.waitForURL('**/alarms');
    await expect.poll(() => page.getByTestId('live-state').getAttribute('class')).toContain('live-live');

    // Three quiet spells of 10 minutes: twice the idle limit without a key press. The open live queue keeps
    // the session in use (the watch), so each spell ends with the session fresh again.
    for (let spell = 0; spell < 3; spell++) {
      await quietFor(10);
      await expect
        .poll(async () => Math.max(...(await lastSeen())), { timeout: 12_000 })
        .toBeGreaterThan(Date.now() - 20_000);
    }
    expect(3 * 10).toBeGreaterThan(IDLE_MINUTES);

    const { sid, unit, tx } = await devicesOf('II K 101/24');
    await tamper(unit, tx);
    const item = page.getByTestId('queue-item').filter({ hasText: 'II K 101/24' }).first();
    await item.waitFor({ timeout: 10_000 });
    await item.click();
    await page.getByTestId('alarm-detail').waitFor();
    await page.locator('body').press('a');
    await expect.poll(() => page.getByTestId('alarm-status').textContent()).toBe('potwierdzony');
    expect(await page.getByTestId('reauth').count()).toBe(0);
    expect((await alarmOf(sid)).status).toBe('acknowledged');
  });

  it('whose session is gone presses A, types the password in place and the alarm is acknowledged', async () => {
    const { sid, unit, tx } = await devicesOf('II K 102/24');
    await tamper(unit, tx);
    const item = page.getByTestId('queue-item').filter({ hasText: 'II K 102/24' }).first();
    await item.waitFor({ timeout: 10_000 });
    await item.click();
    await page.getByTestId('alarm-detail').waitFor();
    expect(await page.getByTestId('alarm-status').textContent()).toBe('nowy');

    // The session ends behind the console's back (as at the shift limit or a sign-out elsewhere), just as
    // the acknowledgement leaves: so it is the action, not the stream's next look, that meets the 401.
    const ack = '**/api/v1/alarms/*/acknowledge';
    let first = true;
    await page.route(ack, async (route) => {
      if (first) await db().deleteFrom('sessions').execute();
      first = false;
      await route.continue();
    });
    await page.locator('body').press('a');
    const dialog = page.getByTestId('reauth');
    await dialog.waitFor();
    expect(await dialog.locator('#reauth-login').inputValue()).toBe('demo.operator');
    // Nothing is carried out while the dialog waits.
    expect((await alarmOf(sid)).status).toBe('open');
    await page.getByTestId('reauth-password').fill(user('demo.operator').password);
    await shot('14-reauth-in-place');
    await page.getByTestId('reauth-submit').click();

    // A is not pressed again: the waiting acknowledgement is sent once the operator is signed in.
    await expect.poll(() => page.getByTestId('alarm-status').textContent()).toBe('potwierdzony');
    expect(await dialog.count()).toBe(0);
    const alarm = await alarmOf(sid);
    expect(alarm.status).toBe('acknowledged');
    const audit = await tc.api<{ records: { action: string; actorLogin: string }[] }>(
      'GET',
      `/api/v1/audit?entity=alarm&entityId=${alarm.id}`,
    );
    expect(JSON.stringify(audit.body.records)).toContain('demo.operator');
    // The live queue comes back on the new session.
    await expect
      .poll(() => page.getByTestId('live-state').getAttribute('class'), { timeout: 30_000 })
      .toContain('live-live');
  });

  it('cancelling the password dialog leads to the sign-in screen', async () => {
    await db().deleteFrom('sessions').execute();
    // Untouched, the console learns it from the live stream's end (its check runs every 5 s).
    await page.getByTestId('reauth').waitFor({ timeout: 20_000 });
    await page.getByTestId('reauth-cancel').click();
    await page.locator('#login').waitFor();
    expect(await page.locator('.notice').textContent()).toContain('Sesja wygasła');
  });
});

async function shot(name: string) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}
