/**
 * End-to-end, browser protections (issue 18 item 7, ADR 0406): the BUILT console (run
 * `npm run build -w @sde/console` first) works under the center's Content-Security-Policy with no violation,
 * and a page on another port of the same host cannot act on an alarm through the operator's session.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page, type Request } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo, type DemoSeed } from '../../center/src/demo/seed.js';
import { startTestCenter, TestDevice, type TestCenter } from '../../center/test/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(here, '../dist/index.html');

let tc: TestCenter;
let browser: Browser;
let seed: DemoSeed;
const secrets = new Map<string, string>();
const seqOf = new Map<string, number>();

interface AlarmRow {
  id: string;
  caseNumber: string;
  rule: string;
  status: 'open' | 'acknowledged' | 'closed';
}

/** The unit and transmitter installed in a demo case. */
async function devicesOf(caseNumber: string) {
  const sid = seed.supervisions[caseNumber]!;
  const r = await tc.api<{ devices: { deviceId: string; kind: string; to: string | null }[] }>(
    'GET',
    `/api/v1/supervisions/${sid}`,
  );
  const open = r.body.devices.filter((d) => d.to === null);
  return {
    unit: open.find((d) => d.kind !== 'transmitter')!.deviceId,
    tx: open.find((d) => d.kind === 'transmitter')!.deviceId,
  };
}

/** The unit of `caseNumber` reports that the strap of its transmitter was cut. */
async function tamper(caseNumber: string) {
  const { unit, tx } = await devicesOf(caseNumber);
  const device = await TestDevice.connect(tc.center.mqttUrl, unit, secrets.get(unit)!);
  const s = (seqOf.get(unit) ?? 0) + 1;
  seqOf.set(unit, s);
  await device.sendEvents([{ seq: s, t: Date.now() - 1000, kind: 'tx_strap_tamper', tx }]);
  await device.waitForAck(s);
  await device.close();
}

/** The open strap-tamper alarm of `caseNumber`, once the engine has raised it. */
async function tamperAlarm(caseNumber: string): Promise<AlarmRow> {
  const end = Date.now() + 15_000;
  for (;;) {
    const r = await tc.api<{ alarms: AlarmRow[] }>('GET', '/api/v1/alarms?limit=200');
    const a = r.body.alarms.find((x) => x.caseNumber === caseNumber && x.rule === 'strap_tamper');
    if (a) return a;
    if (Date.now() > end) throw new Error(`no tamper alarm for ${caseNumber}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** A page that records every CSP violation the browser reports, and every console error. */
async function watchedPage(): Promise<{ page: Page; violations: string[]; errors: string[] }> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: 'pl-PL',
    timezoneId: 'Europe/Warsaw',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const violations: string[] = [];
  const errors: string[] = [];
  // The browser's own report of each blocked load or inline code, gathered from the document.
  await page.exposeFunction('__cspViolation', (v: string) => violations.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      (window as unknown as { __cspViolation(v: string): void }).__cspViolation(
        `${e.violatedDirective} ${e.blockedURI}`,
      );
    });
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { page, violations, errors };
}

async function signIn(page: Page, login: string) {
  const u = seed.users.find((x) => x.login === login)!;
  await page.goto(tc.center.httpUrl + '/');
  await page.locator('#login').fill(u.login);
  await page.locator('#password').fill(u.password);
  await page.locator('button[type=submit]').click();
  await page.getByTestId('user').waitFor();
}

/** Serves `html` at http://127.0.0.1:<another port>/: same host as the center, so the same site. */
async function foreignSite(html: string): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(html);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, server };
}

beforeAll(async () => {
  if (!existsSync(DIST))
    throw new Error('the console is not built: run `npm run build -w @sde/console` first');
  tc = await startTestCenter('pglite', 'embedded');
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
});

afterAll(async () => {
  await browser?.close();
  await tc?.close();
});

describe('the console under the browser protections', () => {
  it('signs in, follows the live queue, acknowledges an alarm and opens a case with no CSP violation', async () => {
    const { page, violations, errors } = await watchedPage();
    const main = await page.goto(tc.center.httpUrl + '/');
    expect(main?.headers()['content-security-policy']).toContain("script-src 'self'");
    await signIn(page, 'demo.operator');
    await page.waitForURL('**/alarms');
    // The live stream (EventSource) is a connection the CSP must allow.
    await expect.poll(() => page.getByTestId('live-state').getAttribute('class')).toContain('live-live');

    await tamper('II K 101/24');
    const item = page.getByTestId('queue-item').filter({ hasText: 'II K 101/24' }).first();
    await item.waitFor();
    await item.click();
    await page.getByTestId('alarm-detail').waitFor();
    await page.locator('body').press('a');
    await expect.poll(() => page.getByTestId('alarm-status').textContent()).toBe('potwierdzony');

    // A case page: tables, the zone map (SVG, style props), the device boxes.
    const alarm = await tamperAlarm('II K 101/24');
    expect(alarm.status).toBe('acknowledged');
    const caseId = (await tc.api<{ caseId: string }>('GET', `/api/v1/alarms/${alarm.id}`)).body.caseId;
    await page.goto(`${tc.center.httpUrl}/cases/${caseId}`);
    await page.getByTestId('messages').first().waitFor();

    expect(violations).toEqual([]);
    expect(errors.filter((e) => /Content Security Policy|Refused to/i.test(e))).toEqual([]);

    // The watch is not blind: an inline script, as an injection would add, is blocked and reported.
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'document.title = "injected"';
      document.body.append(s);
    });
    await expect.poll(() => violations.length).toBe(1);
    expect(violations[0]).toMatch(/^script-src/);
    expect(await page.title()).not.toBe('injected');
    await page.context().close();
  });

  it('a page on another port of the same host cannot acknowledge an alarm with the operator’s session', async () => {
    await tamper('II K 102/24');
    const alarm = await tamperAlarm('II K 102/24');
    expect(alarm.status).toBe('open');

    const { page } = await watchedPage();
    await signIn(page, 'demo.operator');
    const target = `${tc.center.httpUrl}/api/v1/alarms/${alarm.id}/acknowledge`;
    // What the review's page did: a simple request (no preflight) that carries the SameSite=Strict cookie,
    // since another port of the same host is the same site; and the classic auto-submitted form.
    const attacker = await foreignSite(`<!doctype html><html><body>
<form id="f" method="post" action="${target}" enctype="text/plain"><input name="x" value="1"></form>
<script>
fetch(${JSON.stringify(target)}, { method: 'POST', mode: 'no-cors', credentials: 'include',
  headers: { 'content-type': 'text/plain' }, body: 'x' }).finally(() => document.getElementById('f').submit());
</script></body></html>`);
    try {
      const sent: Request[] = [];
      page.on('request', (r) => {
        if (r.url() === target) sent.push(r);
      });
      await page.goto(attacker.url);
      // The form's answer replaces the attacker's page: the center's refusal, in both languages.
      await page.waitForURL(target);
      expect(await page.locator('body').textContent()).toContain('foreign_origin');
      expect(await page.locator('body').textContent()).toContain('innego pochodzenia');
      expect(sent.map((r) => r.resourceType())).toEqual(['fetch', 'document']);
      // The form's request: the browser did send the operator's session (the same site), and the page's
      // origin; only the Origin check stood in the way. (The fetch's answer is withheld from the page by
      // Cross-Origin-Resource-Policy, so the browser reports no more of it.)
      const form = sent[1]!;
      const headers = await form.allHeaders();
      expect(headers.cookie).toMatch(/sde_session=/);
      expect(headers.origin).toBe(attacker.url.replace(/\/$/, ''));
      expect((await form.response())?.status()).toBe(403);
      const after = await tc.api<AlarmRow>('GET', `/api/v1/alarms/${alarm.id}`);
      expect(after.body.status).toBe('open');
      // The operator's own console still acts on it.
      await page.goto(tc.center.httpUrl + '/alarms');
      const item = page.getByTestId('queue-item').filter({ hasText: 'II K 102/24' }).first();
      await item.click();
      await page.getByTestId('alarm-detail').waitFor();
      await page.locator('body').press('a');
      await expect.poll(() => page.getByTestId('alarm-status').textContent()).toBe('potwierdzony');
    } finally {
      attacker.server.close();
      await page.context().close();
    }
  });
});
