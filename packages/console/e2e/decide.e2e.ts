/**
 * End-to-end: the judge decides an application in the BUILT console (run `npm run build -w @sde/console`
 * first) against a real center with the demo seed, in Debian's Chromium (issue 20). The judge opens a case in
 * "application filed", sees the application (consents, the flat owner's permission, the day the judgment
 * became final), the statutory bar (a sentence over the limit) and the deadline as its last day; a grant
 * without a reason for overriding the bar is refused with the message next to that field; with a reason it
 * is granted, and the reason shows on the case with the decision. Takes docs/screenshots/16-judge-decides.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo, type DemoSeed } from '../../center/src/demo/seed.js';
import { startTestCenter, type TestCenter } from '../../center/test/harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(here, '../dist/index.html');
const SHOTS = resolve(here, '../../../docs/screenshots');
const OVERRIDE = 'Skazany odbył już część kary w areszcie; pozostała część mieści się w limicie.';

let tc: TestCenter;
let browser: Browser;
let seed: DemoSeed;
let caseId: string;
let supervisionId: string;

async function newPage(): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 1000 },
    locale: 'pl-PL',
    timezoneId: 'Europe/Warsaw',
  });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
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
  for (const [n, prefix, kind] of [
    [24, 'HU-DEMO-', 'home_unit'],
    [8, 'PU-DEMO-', 'portable_unit'],
    [2, 'PP-DEMO-', 'protected_unit'],
  ] as const)
    await tc.provision(n, prefix, kind);
  seed = await seedDemo(tc.center);
  const p = await tc.api<{ id: string }>('POST', '/api/v1/persons', {
    givenName: 'Tomasz',
    familyName: 'Wróblewski',
    birthDate: '1988-02-14',
  });
  const c = await tc.api<{ id: string }>('POST', '/api/v1/cases', {
    caseNumber: 'II K 301/24',
    courtId: 'SO-WAW',
    judgmentDate: '2024-10-01',
    personId: p.body.id,
    monitoringAddress: { street: 'ul. Grochowska 12 m. 4', postalCode: '04-301', city: 'Warszawa' },
  });
  caseId = c.body.id;
  const a = await tc.api<{ supervisionId: string }>('POST', `/api/v1/cases/${caseId}/applications`, {
    filerKind: 'defence_lawyer',
    filerName: 'adw. Barbara Szymańska',
    receivedOn: new Date().toISOString().slice(0, 10),
    justification: 'Stałe zatrudnienie; opieka nad małoletnim dzieckiem.',
    coResidents: [
      { name: 'Ewa Wróblewska', adult: true, consentInWritingOn: '2024-11-20' },
      { name: 'Kuba Wróblewski', adult: false },
    ],
    technicianContactPhone: '+48 601 300 400',
    judgmentFinalOn: '2024-11-15',
    flatOwner: { ownerIsPerson: false, ownerName: 'Ewa Wróblewska', permissionInWritingOn: '2024-11-20' },
    sentences: [{ kind: 'imprisonment', term: { years: 2 } }],
    hasPermanentAddress: true,
    recidivistArt64Par2: false,
  });
  if (a.status !== 201) throw new Error(`application: ${JSON.stringify(a.body)}`);
  supervisionId = a.body.supervisionId;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await tc?.close();
});

describe('the judge decides an application in the console', () => {
  it('sees the bar, is refused a grant without a reason next to the field, grants with one', async () => {
    const page = await newPage();
    await signIn(page, 'demo.judge');
    await page.goto(`${tc.center.httpUrl}/cases/${caseId}`);
    const application = page.getByTestId('application');
    await application.waitFor();

    // What was filed, in words and dates as a person reads them.
    expect(await page.getByTestId('judgment-final').textContent()).toBe('15.11.2024');
    expect(await page.getByTestId('flat-owner').textContent()).toBe(
      'Ewa Wróblewska — zezwolenie na piśmie z 20.11.2024',
    );
    expect(await page.getByTestId('co-residents').textContent()).toContain('małoletni — zgoda niewymagana');
    expect(await page.getByTestId('bars').textContent()).toContain('przekracza limit');
    expect(await page.getByTestId('decision-deadline').textContent()).toMatch(
      /Termin na wydanie postanowienia: do \d{2}\.\d{2}\.\d{4} włącznie/,
    );
    expect(await application.textContent()).not.toMatch(/\d{4}-\d{2}-\d{2}|application_filed|not_met/);

    // A grant with its order, but no reason for overriding the bar: refused, and said next to the field.
    const form = page.getByTestId('decision-form');
    await form.locator('input[name=outcome][value=granted]').check();
    expect(await page.getByTestId('next-step').textContent()).toContain('zgłasza gotowość');
    await page.getByTestId('grant-day-mon').fill('07:00-15:30 praca');
    await page.getByTestId('grant-day-fri').fill('07:00-15:30 praca');
    await form.locator('select[name=manner]').selectOption('phone');
    await form.locator('input[name=manner-details]').fill('tel. 22 123 45 67');
    await form.locator('textarea[name=reason]').fill('Dozór wystarczy dla osiągnięcia celów kary.');
    await page.getByTestId('decide').click();
    const refusal = page.getByTestId('override-error');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('wymaga pisemnego uzasadnienia');
    expect(await page.getByTestId('override-reason').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('override-reason').getAttribute('aria-describedby')).toBe('override-error');
    const still = await tc.api<{ status: string }>('GET', `/api/v1/supervisions/${supervisionId}`);
    expect(still.body.status).toBe('application_filed');
    await shot(page, '16-judge-decides-bar');

    // With the reason written, the grant goes through and the reason shows on the case with the decision.
    await page.getByTestId('override-reason').fill(OVERRIDE);
    await page.getByTestId('decide').click();
    const shown = page.getByTestId('override-shown');
    await shown.waitFor();
    expect(await shown.textContent()).toContain(OVERRIDE);
    expect(await shown.textContent()).toContain('przekracza limit');
    expect(await page.getByTestId('readiness-manner').textContent()).toContain(
      'telefonicznie do podmiotu prowadzącego centralę monitorowania (tel. 22 123 45 67)',
    );
    expect(await page.getByTestId('application').count()).toBe(0);
    const after = await tc.api<{ status: string; decisions: { barOverrideReason: string }[] }>(
      'GET',
      `/api/v1/supervisions/${supervisionId}`,
    );
    expect(after.body.status).toBe('granted');
    expect(after.body.decisions[0]?.barOverrideReason).toBe(OVERRIDE);
    await shot(page, '16-judge-decides-granted');

    // In English on request, with the same facts.
    await page.evaluate(() => localStorage.setItem('sde.lang', 'en'));
    await page.reload();
    await page.getByTestId('decision-record').waitFor();
    expect(await page.getByTestId('decision-record').textContent()).toContain(
      'Granted despite statutory bars:',
    );
    await page.close();
  });
});

async function shot(page: Page, name: string) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}
