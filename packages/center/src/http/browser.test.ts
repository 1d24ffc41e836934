/** The Origin rule of state-changing requests, over the space of origins a page can have. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { originAllowed } from './browser.js';

const OWN = 'https://sde.example.org:8443';
const PROXY = 'https://monitoring.example.gov';
const allowed = new Set([PROXY]);

const scheme = fc.constantFrom('http', 'https');
const host = fc.constantFrom('sde.example.org', 'evil.example.org', '127.0.0.1', 'localhost', 'example.org');
const port = fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined });
/** Any origin a page could be served from. */
const origin = fc
  .tuple(scheme, host, port)
  .map(([s, h, p]) => new URL(`${s}://${h}${p === undefined ? '' : `:${p}`}`).origin);
const site = fc.option(fc.constantFrom('same-origin', 'same-site', 'cross-site', 'none'), { nil: undefined });

describe('originAllowed', () => {
  it('lets a write through only from the own origin or an allowed one', () => {
    fc.assert(
      fc.property(fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'), origin, site, (method, o, s) => {
        const verdict = originAllowed(
          { method, headers: { origin: o, ...(s ? { 'sec-fetch-site': s } : {}) } },
          OWN,
          allowed,
        );
        expect(verdict.ok).toBe(o === OWN || o === PROXY);
      }),
    );
  });

  it('never stands in the way of a read', () => {
    fc.assert(
      fc.property(fc.constantFrom('GET', 'HEAD', 'OPTIONS'), origin, site, (method, o, s) => {
        expect(
          originAllowed(
            { method, headers: { origin: o, ...(s ? { 'sec-fetch-site': s } : {}) } },
            OWN,
            allowed,
          ).ok,
        ).toBe(true);
      }),
    );
  });

  it('without a usable Origin, trusts only the browser’s same-origin, and tools that send neither header', () => {
    const verdict = (headers: Record<string, string>) =>
      originAllowed({ method: 'POST', headers }, OWN, allowed).ok;
    expect(verdict({})).toBe(true);
    expect(verdict({ 'sec-fetch-site': 'same-origin' })).toBe(true);
    expect(verdict({ origin: 'null', 'sec-fetch-site': 'same-origin' })).toBe(true);
    expect(verdict({ 'sec-fetch-site': 'same-site' })).toBe(false);
    expect(verdict({ 'sec-fetch-site': 'cross-site' })).toBe(false);
    expect(verdict({ origin: 'null' })).toBe(false);
    expect(verdict({ origin: 'null', 'sec-fetch-site': 'none' })).toBe(false);
    expect(verdict({ origin: 'not a url' })).toBe(false);
    // No Host header: no own origin, so only the allowed list.
    expect(originAllowed({ method: 'POST', headers: { origin: OWN } }, undefined, allowed).ok).toBe(false);
  });
});
