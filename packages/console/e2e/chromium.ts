/**
 * Debian's Chromium for the end-to-end tests, launched as this machine needs it: headless, no sandbox (root),
 * and with every background connection off — the closed network refuses them, many at a time.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Where the browser is (`SDE_E2E_CHROMIUM` overrides Debian's path). */
export const CHROMIUM = process.env.SDE_E2E_CHROMIUM ?? '/usr/bin/chromium';

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Starts the browser; a machine without it gets the command that installs it. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
}

/** A page in a new context as a Polish terminal in Warsaw sees the console (15 s for each step). */
export async function openPage(browser: Browser, viewport = { width: 1366, height: 768 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'pl-PL', timezoneId: 'Europe/Warsaw' });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  return page;
}
