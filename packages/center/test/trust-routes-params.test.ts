/**
 * Malformed path and query values on every GET route of the route table (ADR 0402, issue 18 item 9):
 * random text, huge and negative numbers, uuids with one wrong character, cursors that are not a page's
 * mark. The center answers with the bilingual error (4xx: `{error, message, messagePl}`) or a normal answer
 * for a value that happens to be valid — never 500.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { allRoutes } from '@sde/api';
import type { RouteSpec } from '@sde/api';
import { startTestCenter, type Storage, type TestCenter } from './harness.js';
import { hasPostgres } from './services.js';

const setups: [Storage, boolean][] = [
  ['pglite', true],
  ['postgres', hasPostgres],
];

/** Values a careless or hostile client might put in a path or a query. */
const malformed = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '-1',
    '0',
    '1e308',
    '99999999999999999999999',
    'NaN',
    'Infinity',
    'null',
    'true',
    '[]',
    '{}',
    "' or 1=1 --",
    '%',
    '..',
    '00000000-0000-0000-0000-00000000000g',
    '00000000-0000-0000-0000-0000000000000',
    'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz',
    Buffer.from('-5').toString('base64url'),
    Buffer.from('1e300').toString('base64url'),
    Buffer.from('abc').toString('base64url'),
    '!!!notbase64!!!',
    '2025-13-45T99:99:99Z',
    '2025-01-01',
  ),
  fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map(String),
  fc.uuid().map((u) => u.slice(0, -1)),
  fc.uuid().map((u) => `${u}x`),
  fc.string({ maxLength: 30 }).map((s) => Buffer.from(s).toString('base64url')),
);

function keysOf(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  const js = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, unknown>;
  };
  return Object.keys(js.properties ?? {});
}

const GETS = Object.entries(allRoutes()).filter(
  ([, s]) => s.method === 'GET' && !s.raw && s.access !== 'public' && (s.params || s.query),
) as [string, RouteSpec][];

describe.each(setups)('malformed path and query values on %s', (storage, available) => {
  let tc: TestCenter;
  beforeAll(async () => {
    if (available) tc = await startTestCenter(storage, 'embedded');
  }, 120_000);
  afterAll(() => tc?.close());

  it.skipIf(!available)(
    'every GET route answers the bilingual error or a normal answer, never 500',
    async () => {
      const failures: string[] = [];
      for (const [name, s] of GETS) {
        const params = keysOf(s.params);
        const query = keysOf(s.query);
        await fc
          .assert(
            fc.asyncProperty(
              fc.record(Object.fromEntries(params.map((k) => [k, malformed]))),
              fc.dictionary(fc.constantFrom(...query, 'x'), malformed, { maxKeys: 3 }),
              async (p, q) => {
                const path = s.path.replace(/:(\w+)/g, (_m, k: string) =>
                  encodeURIComponent(String(p[k] ?? 'x')),
                );
                const qs = new URLSearchParams(q as Record<string, string>).toString();
                const r = await tc.api<{ error?: string; message?: string; messagePl?: string }>(
                  'GET',
                  qs ? `${path}?${qs}` : path,
                );
                const bilingual =
                  typeof r.body === 'object' &&
                  typeof r.body.error === 'string' &&
                  typeof r.body.message === 'string' &&
                  typeof r.body.messagePl === 'string';
                const ok = r.status < 400 || (r.status < 500 && bilingual);
                if (!ok) failures.push(`${name} ${path}?${qs} → ${r.status} ${JSON.stringify(r.body)}`);
                return ok;
              },
            ),
            { numRuns: 25, endOnFailure: true },
          )
          .catch(() => undefined);
      }
      expect(failures.slice(0, 10)).toEqual([]);
    },
    300_000,
  );

  it.skipIf(!available)('a NUL character in a path, a query or a JSON body is a clear 400', async () => {
    const cases: [string, string, unknown][] = [
      ['GET', `/api/v1/devices/${encodeURIComponent('HU-\u0000')}`, undefined],
      ['GET', `/api/v1/audit?userId=${encodeURIComponent('a\u0000b')}`, undefined],
      ['POST', '/api/v1/persons', { firstName: 'Jan\u0000', lastName: 'Kowalski' }],
    ];
    for (const [method, path, body] of cases) {
      const r = await tc.api<{ error: string; messagePl: string }>(method, path, body);
      expect([path, r.status, r.body.error]).toEqual([path, 400, 'nul_character']);
      expect(r.body.messagePl).toContain('NUL');
    }
  });
});
