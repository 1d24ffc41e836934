/**
 * End-to-end: the data-class policy (docs/security.md, ADR 0403) in the BUILT console (run
 * `npm run build -w @sde/console` first) against a real center with the demo seed, in Debian's Chromium.
 * The installer opens the proximity case and sees the installation address, the technicians' phone and the
 * devices — and neither the protected person's name, phone, the label of the zone around her home nor any of
 * her positions, not on the page and not in any answer the browser received. The judge of the case, for
 * contrast, sees her. Takes docs/screenshots/13-installer-proximity-case.png.
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
/** What names or locates the protected person of the demo's proximity case (IV K 204/24). */
const HERS = [
  'Katarzyna',
  'Kaczmareka',
  '602 404 505',
  'Kawęczyńska',
  'pokrzywdzonej',
  '52.26111',
  '21.05222',
];

let tc: TestCenter;
let browser: Browser;
let seed: DemoSeed;
let caseId: string;

async function newPage(): Promise<{ page: Page; answers: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 900 },
    locale: 'pl-PL',
    timezoneId: 'Europe/Warsaw',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  // Every API answer the browser receives: the policy is the server's, not the console's hiding.
  const answers: string[] = [];
  page.on('response', (r) => {
    if (r.url().includes('/api/'))
      void r.text().then(
        (t) => answers.push(t),
        () => undefined,
      );
  });
  return { page, answers };
}

async function signIn(page: Page, login: string) {
  await page.goto(tc.center.httpUrl + '/');
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(seed.users.find((u) => u.login === login)!.password);
  await page.locator('button[type=submit]').click();
  await page.getByTestId('user').waitFor();
}

beforeAll(async () => {
  if (!existsSync(DIST))
    throw new Error('the console is not built: run `npm run build -w @sde/console` first');
  mkdirSync(SHOTS, { recursive: true });
  tc = await startTestCenter('pglite', 'embedded');
  const secrets = new Map<string, string>();
  for (const [n, prefix, kind] of [
    [24, 'HU-DEMO-', 'home_unit'],
    [8, 'PU-DEMO-', 'portable_unit'],
    [2, 'PP-DEMO-', 'protected_unit'],
  ] as const)
    for (const d of await tc.provision(n, prefix, kind)) secrets.set(d.id, d.secret);
  seed = await seedDemo(tc.center);
  const sid = seed.supervisions['IV K 204/24']!;
  const d = await tc.api<{
    caseId: string;
    devices: { deviceId: string; kind: string; to: string | null }[];
  }>('GET', `/api/v1/supervisions/${sid}`);
  caseId = d.body.caseId;
  // Her unit reports where she is (after the installation, which the seed dates 3 minutes ago).
  const pp = d.body.devices.find((x) => x.kind === 'protected_unit' && x.to === null)!.deviceId;
  const unit = await TestDevice.connect(tc.center.mqttUrl, pp, secrets.get(pp)!);
  const now = Date.now();
  await unit.sendEvents([
    { seq: 1, t: now - 50_000, kind: 'location', lat: 52.26111, lon: 21.05222, acc: 12, src: 'gps' },
    { seq: 2, t: now - 40_000, kind: 'location', lat: 52.26111, lon: 21.05222, acc: 12, src: 'gps' },
  ]);
  await unit.waitForAck(2);
  await unit.close();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await tc?.close();
});

describe('the data-class policy in a real browser', () => {
  it('shows the installer the proximity case without the protected person', async () => {
    const { page, answers } = await newPage();
    await signIn(page, 'demo.installer');
    await page.goto(`${tc.center.httpUrl}/cases/${caseId}`);
    await page.getByTestId('case-title').waitFor();
    await expect.poll(() => page.getByTestId('case-title').textContent()).toContain('IV K 204/24');
    await page.getByTestId('technician-phone').waitFor();
    expect(await page.getByTestId('technician-phone').textContent()).toContain('+48 601 200 300');
    await page.getByTestId('protected-hidden').waitFor();
    await page.getByTestId('track-map').waitFor();
    await page.getByTestId('track-hidden').waitFor();
    const text = await page.locator('body').innerText();
    expect(text).toContain('ul. Targowa 15');
    expect(text).toMatch(/dane osoby chronionej niedostępne dla Twojej roli/);
    expect(text).toMatch(/PP-DEMO-/); // her unit is a device the installer handles
    const html = await page.content();
    for (const s of HERS) {
      expect(text, s).not.toContain(s);
      expect(html, s).not.toContain(s);
      expect(answers.join('\n'), s).not.toContain(s);
    }
    await page.screenshot({ path: join(SHOTS, '13-installer-proximity-case.png'), fullPage: true });
    await page.context().close();
  });

  it('shows the judge of the case the protected person', async () => {
    const { page } = await newPage();
    await signIn(page, 'demo.judge');
    await page.goto(`${tc.center.httpUrl}/cases/${caseId}`);
    await page.getByTestId('case-title').waitFor();
    await expect.poll(() => page.locator('body').innerText()).toContain('Katarzyna Kaczmareka');
    await expect.poll(() => page.locator('body').innerText()).toContain('Kawęczyńska');
    await page.context().close();
  });
});
