/**
 * End-to-end: the Bureau's user screen (issue 20 item 4, ADR 0603) in the BUILT console (run `npm run build
 * -w @sde/console` first), in Debian's Chromium. The Bureau creates a probation officer (the server's
 * refusal of a wrong phone shown beside the field), hands her the one-time password, and she enrols her
 * second factor at the first sign-in as the sign-in flow expects; the Bureau changes her phone, resets her
 * password (the old one stops working) and deactivates her, after which she cannot sign in. Takes
 * docs/screenshots/30-bureau-users.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Secret, TOTP } from 'otpauth';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCenter, type TestCenter } from '../../center/test/harness.js';
import { launchChromium, openPage } from './chromium.js';

const here = dirname(fileURLToPath(import.meta.url));
const DIST = resolve(here, '../dist/index.html');
const SHOTS = resolve(here, '../../../docs/screenshots');
const ADMIN_PASSWORD = 'biuro haslo bardzo dlugie';

let tc: TestCenter;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(DIST))
    throw new Error('the console is not built: run `npm run build -w @sde/console` first');
  mkdirSync(SHOTS, { recursive: true });
  // Probation officers must have a second factor: the new officer enrols it at her first sign-in.
  tc = await startTestCenter('pglite', 'embedded', { SDE_TOTP_REQUIRED_ROLES: 'probation_officer' });
  await tc.api('PUT', '/api/v1/regions/PL-MZ', { name: 'Region mazowiecki' });
  await tc.api('PUT', '/api/v1/regions/PL-ZP', { name: 'Region zachodniopomorski' });
  await tc.api('PUT', '/api/v1/courts/SR-WAW', {
    name: 'Sąd Rejonowy dla Warszawy-Mokotowa',
    regionId: 'PL-MZ',
  });
  const r = await tc.api('POST', '/api/v1/users', {
    login: 'biuro.e2e',
    displayName: 'Ewa Biurowa',
    role: 'bureau_admin',
    password: ADMIN_PASSWORD,
  });
  if (r.status !== 201) throw new Error(`user: ${JSON.stringify(r.body)}`);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await tc?.close();
});

const codeOf = (secret: string, at: number) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at });

const newPage = () => openPage(browser, { width: 1366, height: 900 });

async function signIn(page: Page, login: string, password: string) {
  await page.goto(tc.center.httpUrl + '/');
  await page.locator('#login').fill(login);
  await page.locator('#password').fill(password);
  await page.locator('button[type=submit]').click();
}

describe('the Bureau manages users', () => {
  it('creates an officer, changes her phone, resets her password and deactivates her', async () => {
    const admin = await newPage();
    await signIn(admin, 'biuro.e2e', ADMIN_PASSWORD);
    await admin.getByRole('link', { name: 'Użytkownicy' }).click();
    await admin.waitForURL('**/users');
    await admin.getByTestId('users-table').waitFor();

    // A phone the center refuses: its words appear beside the phone field, nothing is created.
    const form = admin.getByTestId('user-create-form');
    await form.locator('#new-login').fill('anna.kuratorska');
    await form.locator('#new-displayName').fill('Anna Kuratorska');
    await form.locator('#new-role').selectOption({ label: 'kurator sądowy' });
    await form.locator('#new-regionId').selectOption({ label: 'Region mazowiecki' });
    await form.locator('#new-email').fill('anna.kuratorska@sad.gov.pl');
    await form.locator('#new-phone').fill('zadzwoń');
    await admin.getByTestId('user-create').click();
    await admin.getByTestId('new-phone-error').waitFor();
    expect(await admin.getByTestId('new-phone-error').innerText()).toMatch(/telefonu/);
    expect(await admin.getByTestId('user-anna.kuratorska').count()).toBe(0);

    await form.locator('#new-phone').fill('+48 600 100 200');
    await admin.getByTestId('user-create').click();
    const first = await admin.getByTestId('one-time-password').innerText();
    expect(first).toMatch(/^[A-Za-z2-9]{16}$/);
    const row = admin.getByTestId('user-anna.kuratorska');
    await row.waitFor();
    const rowText = await row.innerText();
    expect(rowText).toContain('kurator sądowy');
    expect(rowText).toContain('Region mazowiecki');
    expect(rowText).not.toContain('PL-MZ');
    expect(rowText).not.toContain('probation_officer');
    expect(await row.getByTestId('user-state').innerText()).toBe('aktywne');
    // Shown once: hidden, it is nowhere on the page.
    await admin.getByTestId('one-time-done').click();
    expect(await admin.locator('body').innerText()).not.toContain(first);

    // Her first sign-in: the password handed over, then the second factor her role requires.
    const officer = await newPage();
    await signIn(officer, 'anna.kuratorska', first);
    await officer.getByTestId('totp-qr').waitFor();
    const secret = (await officer.getByTestId('totp-secret').innerText()).replace(/\s/g, '');
    const enrolledAt = Date.now();
    await officer.locator('#totp').fill(codeOf(secret, enrolledAt));
    await officer.locator('button[type=submit]').click();
    await officer.getByTestId('user').waitFor();
    expect(await officer.getByTestId('user').innerText()).toContain('Anna Kuratorska');

    // A new phone, which alarm notices go to.
    await row.getByTestId('user-edit').click();
    const edit = admin.getByTestId('user-edit-form');
    await edit.locator('#edit-phone').fill('+48 600 999 888');
    await edit.getByTestId('user-save').click();
    await admin.getByTestId('users-done').waitFor();
    await expect.poll(() => row.getByTestId('user-phone').innerText()).toBe('+48 600 999 888');

    // A new password, shown once; the old one no longer signs her in.
    await row.getByTestId('user-password').click();
    const second = await admin.getByTestId('one-time-password').innerText();
    expect(second).not.toBe(first);
    await admin.getByTestId('one-time-done').click();
    const again = await newPage();
    await signIn(again, 'anna.kuratorska', first);
    await again.getByText('Nieprawidłowy login lub hasło').waitFor();
    await signIn(again, 'anna.kuratorska', second);
    await again.locator('#totp').waitFor();
    await again.locator('#totp').fill(codeOf(secret, enrolledAt + 30_000));
    await again.locator('button[type=submit]').click();
    await again.getByTestId('user').waitFor();

    // Deactivated: the state says so, and she cannot sign in with the right password.
    await row.getByTestId('user-active').click();
    await expect.poll(() => row.getByTestId('user-state').innerText()).toBe('nieaktywne');
    expect(await row.getByTestId('user-active').innerText()).toBe('Aktywuj ponownie');
    await admin.screenshot({ path: join(SHOTS, '30-bureau-users.png'), fullPage: true });
    const after = await newPage();
    await signIn(after, 'anna.kuratorska', second);
    await after.getByText('Nieprawidłowy login lub hasło').waitFor();
    expect(await after.getByTestId('user').count()).toBe(0);

    // In English on request, still without codes.
    await admin.getByTestId('lang-switch').click();
    await admin.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    expect(await row.getByTestId('user-state').innerText()).toBe('inactive');
    expect(await row.innerText()).toContain('probation officer');
  });
});
