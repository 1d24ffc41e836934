/**
 * End-to-end: the auditor's screen (ADR 0407) in the BUILT console (run `npm run build -w @sde/console`
 * first), served by a real center with the demo seed, in Debian's Chromium. An operator sends a unit a text
 * message and a setting; the auditor filters by that operator and a period, sees both in words without the
 * message's text, and downloads the server's CSV of the same filter. Takes docs/screenshots/15-auditor-screen.png.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo, type DemoSeed } from '../../center/src/demo/seed.js';
import { toWarsawInput } from '../src/lib/format.js';
import { startTestCenter, type TestCenter } from '../../center/test/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(here, '../dist/index.html');
const SHOTS = resolve(here, '../../../docs/screenshots');
const MESSAGE = 'Proszę o kontakt z kuratorem Anną Nowak';

let tc: TestCenter;
let browser: Browser;
let seed: DemoSeed;
let unit: string;

const user = (login: string) => seed.users.find((u) => u.login === login)!;

/** Signs `login` in through the API and calls `path` with the session, as a terminal would. */
async function asUser(login: string) {
  const res = await fetch(`${tc.center.httpUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password: user(login).password }),
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  return (method: string, path: string, body: unknown) =>
    fetch(`${tc.center.httpUrl}${path}`, {
      method,
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
}

async function newPage(): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: 'pl-PL',
    timezoneId: 'Europe/Warsaw',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}

beforeAll(async () => {
  if (!existsSync(DIST))
    throw new Error('the console is not built: run `npm run build -w @sde/console` first');
  mkdirSync(SHOTS, { recursive: true });
  tc = await startTestCenter('pglite', 'embedded');
  const fleet = [
    ...(await tc.provision(24, 'HU-DEMO-', 'home_unit')),
    ...(await tc.provision(8, 'PU-DEMO-', 'portable_unit')),
    ...(await tc.provision(2, 'PP-DEMO-', 'protected_unit')),
  ];
  seed = await seedDemo(tc.center, { deviceIds: fleet.map((d) => d.id) });
  // A unit in stock: every operator may reach it, whatever the demo region.
  unit = (await tc.provision(1, 'AUDIT-HU-', 'home_unit'))[0]!.id;
  const operator = await asUser('demo.operator');
  expect(
    (await operator('POST', `/api/v1/devices/${unit}/commands`, { cmd: 'message', text: MESSAGE })).status,
  ).toBe(201);
  expect(
    (await operator('POST', `/api/v1/devices/${unit}/commands`, { cmd: 'set_interval', seconds: 300 }))
      .status,
  ).toBe(201);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await tc?.close();
});

describe('the auditor’s screen', () => {
  it('filters by user and period, shows the records in words and downloads the CSV', async () => {
    const page = await newPage();
    await page.goto(tc.center.httpUrl + '/');
    await page.locator('#login').fill('demo.auditor');
    await page.locator('#password').fill(user('demo.auditor').password);
    await page.locator('button[type=submit]').click();
    await page.waitForURL('**/audit');
    await page.getByTestId('audit-table').waitFor();

    await page.getByTestId('audit-user').fill('demo.operator');
    await page.getByTestId('audit-apply').click();
    // Devices only: the operator's sign-in and reads are in the log too.
    await page.getByTestId('audit-action').selectOption('device.');
    // The period: the last hour up to the next minute, chosen on Warsaw wall time.
    await page.getByTestId('audit-period').selectOption('custom');
    await page.getByTestId('audit-period-from').fill(toWarsawInput(Date.now() - 3_600_000));
    await page.getByTestId('audit-period-to').fill(toWarsawInput(Date.now() + 120_000));
    await page.getByTestId('audit-period-apply').click();

    const rows = page.getByTestId('audit-row');
    await expect.poll(() => rows.count()).toBe(2);
    expect(new Set(await rows.evaluateAll((r) => r.map((e) => e.getAttribute('data-user'))))).toEqual(
      new Set(['demo.operator']),
    );
    const table = page.getByTestId('audit-table');
    const text = (await table.innerText()).toLowerCase();
    expect(text).toContain('wiadomość do urządzenia');
    expect(text).toContain('polecenie do urządzenia');
    expect(text).toContain('operator centrali');
    expect(text).toContain(unit.toLowerCase());
    // Words, not codes; the message's text is not in the log.
    expect(text).not.toContain('device.message');
    expect(text).not.toContain('nowak');
    expect(text).not.toMatch(/\d{4}-\d{2}-\d{2}t/);
    await page.screenshot({ path: join(SHOTS, '15-auditor-screen.png') });

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('audit-export').click(),
    ]);
    const file = readFileSync((await download.path())!);
    expect([...file.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = file.toString('utf8').slice(1).trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,at_utc,at_warsaw,actor_login,/);
    expect(lines.slice(1)).toHaveLength(2);
    expect(lines.slice(1).every((l) => l.includes(',demo.operator,operator,'))).toBe(true);
    expect(lines.join('\n')).not.toContain('Nowak');
    await page.context().close();
  });
});
