/**
 * The OpenAPI 3.1 description of the cases API, generated from the zod schemas that validate its
 * requests. docs/openapi.json is this document; a test fails when the two differ
 * (`npx tsx packages/center/scripts/write-openapi.ts` rewrites it).
 */
import { z } from 'zod';
import { MONITORING_ROUTES } from '../monitoring/monitoring.routes.js';
import { CASE_ROUTES, type RouteSpec } from './case.routes.js';
import { ErrorResponse } from './case.schemas.js';

type Json = Record<string, unknown>;

function jsonSchema(schema: z.ZodType): Json {
  const s = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Json;
  delete s.$schema;
  return s;
}

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): Json[] {
  if (!schema) return [];
  const s = jsonSchema(schema) as { properties?: Record<string, Json>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, prop]) => ({
    name,
    in: where,
    required: where === 'path' || (s.required ?? []).includes(name),
    ...(typeof prop.description === 'string' ? { description: prop.description } : {}),
    schema: prop,
  }));
}

const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** Builds the document. */
export function buildOpenApi(): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const schemas: Record<string, Json> = { Error: jsonSchema(ErrorResponse) };
  const routes = { ...CASE_ROUTES, ...MONITORING_ROUTES };
  for (const [name, s] of Object.entries(routes) as [string, RouteSpec][]) {
    const path = s.path.replace(/:(\w+)/g, '{$1}');
    const op: Json = {
      operationId: name,
      summary: s.summary,
      tags: [s.tag],
      ...(s.permission
        ? { description: `Permission: \`${s.permission}\`; records outside your scope answer 404.` }
        : {}),
      parameters: [...parameters(s.params, 'path'), ...parameters(s.query, 'query')],
      responses: {
        [String(s.status ?? 200)]: {
          description: 'Done',
          content: { 'application/json': { schema: { type: 'object' } } },
        },
        '400': { $ref: '#/components/responses/Error' },
        '401': { $ref: '#/components/responses/Error' },
        '403': { $ref: '#/components/responses/Error' },
        '404': { $ref: '#/components/responses/Error' },
        '409': { $ref: '#/components/responses/Error' },
      },
    };
    if (s.body) {
      const ref = `${capital(name)}Body`;
      schemas[ref] = jsonSchema(s.body);
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
      };
    }
    (paths[path] ??= {})[s.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'SDE monitoring center — cases and court orders',
      version: '1',
      description:
        'Cases, applications, decisions, supervisions and their lifecycle, court orders with versions, ' +
        'device assignments and tasks. Errors answer `{ error, message, messagePl, requestId, details }`: ' +
        '`error` is a stable code, `message` English, `messagePl` Polish.',
    },
    servers: [{ url: '/' }],
    security: [{ session: [] }, { adminToken: [] }],
    paths,
    components: {
      schemas,
      responses: {
        Error: {
          description: 'Refused, with a stable code and messages in English and Polish',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'sde_session' },
        adminToken: { type: 'http', scheme: 'bearer' },
      },
    },
  };
}
