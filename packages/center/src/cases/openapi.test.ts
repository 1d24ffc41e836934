import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { allRoutes } from '@sde/api';
import { buildOpenApi } from './openapi.js';

describe('OpenAPI document', () => {
  it('in docs/ is the one the schemas generate (run npx tsx packages/center/scripts/write-openapi.ts after changing a route)', () => {
    const committed = JSON.parse(
      readFileSync(new URL('../../../../docs/openapi.json', import.meta.url), 'utf8'),
    );
    expect(committed).toEqual(JSON.parse(JSON.stringify(buildOpenApi())));
  });

  it('describes every route, with a request schema for every body', () => {
    const doc = buildOpenApi() as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string; requestBody?: unknown }>>;
    };
    expect(doc.openapi).toBe('3.1.0');
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p));
    const routes = allRoutes();
    expect(ops.map((o) => o.operationId).sort()).toEqual(Object.keys(routes).sort());
    for (const [name, s] of Object.entries(routes)) {
      const op = ops.find((o) => o.operationId === name)!;
      expect(op.requestBody !== undefined, name).toBe(s.body !== undefined);
    }
  });
});
