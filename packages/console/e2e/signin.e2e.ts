/**
 * End-to-end: the second factor as a person meets it in the BUILT console (run `npm run build -w
 * @sde/console` first), in Debian's Chromium. A user of a role that must have TOTP is led to enrol at sign-in
 * (QR code and secret on screen), then is asked for the code at the next sign-in, and a used code is refused.
 */
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCenter, type TestCenter } from '../../center/test/harness.js';

let tc: TestCenter;
let browser: Browser;

beforeAll(async () => {
  tc = await startTestCenter('pglite', 'embedded', { SDE_TOTP_REQUIRED_ROLES: 'auditor' });
  const r = await tc.api('POST', '/api/v1/users', {
    login: 'audytor.e2e',
    displayName: 'Audytor Testowy',
    role: 'auditor',
    password: 'audytor haslo dlugie',
  });
  if (r.status !== 201) throw new Error(`user: ${JSON.stringify(r.body)}`);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await tc?.close();
});

const codeOf = (secret: string, at = Date.now()) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at });

async function credentials(page: Page) {
  await page.goto(tc.center.httpUrl + '/');
  await page.locator('#login').fill('audytor.e2e');
  await page.locator('#password').fill('audytor haslo dlugie');
  await page.locator('button[type=submit]').click();
}

describe('TOTP at sign-in', () => {
  it('leads the user to enrol with a QR code, then asks for the code and refuses a used one', async () => {
    const context = await browser.newContext({ locale: 'pl-PL', timezoneId: 'Europe/Warsaw' });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);

    await credentials(page);
    await page.getByTestId('totp-qr').waitFor();
    await expect(page.getByText('Twoja rola wymaga kodu jednorazowego').isVisible()).resolves.toBe(true);
    // The secret as the person reads it off the screen (groups of four) into the authenticator.
    const secret = (await page.getByTestId('totp-secret').innerText()).replace(/\s/g, '');
    const now = Date.now();
    await page.locator('#totp').fill(codeOf(secret, now));
    await page.locator('button[type=submit]').click();
    await page.getByTestId('user').waitFor();
    expect(await page.getByTestId('user').innerText()).toContain('Audytor Testowy');

    await page.getByRole('button', { name: 'Wyloguj' }).click();
    await credentials(page);
    await page.locator('#totp').waitFor();
    // The code spent on the enrolment is refused, in words.
    await page.locator('#totp').fill(codeOf(secret, now));
    await page.locator('button[type=submit]').click();
    await page.getByText('Kod jest błędny albo został już użyty').waitFor();
    await page.locator('#totp').fill(codeOf(secret, now + 30_000));
    await page.locator('button[type=submit]').click();
    await page.getByTestId('user').waitFor();
    await context.close();
  });
});
