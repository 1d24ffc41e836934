/**
 * The OpenAPI 3.1 description of every route, generated from the route tables of `@sde/api` (ADR 0402)
 * and the zod schemas that validate its requests and describe its answers. docs/openapi.json is this document; a test fails when the two differ
 * (`npm run docs:openapi` rewrites it).
 */
import { allRoutes, ErrorResponse, type RouteSpec } from '@sde/api';
import { z } from 'zod';

type Json = Record<string, unknown>;

/** A schema as JSON Schema: requests as a caller writes them (`input`), answers as the center sends them. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Json {
  const s = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
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

/** The route's rules in words: who may call it, its scope rule, the ids it checks and its audit. */
function describe(s: RouteSpec): string {
  const parts = [
    s.permission
      ? `Permission: \`${s.permission}\`.`
      : s.access === 'public'
        ? 'Public: no sign-in.'
        : 'Any signed-in user.',
  ];
  if (s.scope) {
    parts.push(
      `Scope: the ${s.scope.kind.replace('_', ' ')} \`${s.scope.param}\` must be in your scope; otherwise 404, as if it did not exist.`,
    );
  }
  if (s.target) parts.push(`\`${s.target.field}\` must be your court or region (403 otherwise).`);
  if (s.refs?.length) {
    parts.push(
      `References checked against your scope (404 when outside): ${s.refs
        .map((r) => `\`${r.field}\` (${r.kind.replace('_', ' ')})`)
        .join(', ')}.`,
    );
  }
  if (s.audit) parts.push(`A successful answer is recorded in the audit log as \`${s.audit.action}\`.`);
  return parts.join(' ');
}

const capital = (s: string) => s[0]!.toUpperCase() + s.slice(1);

/** Builds the document. */
export function buildOpenApi(): Json {
  const paths: Record<string, Record<string, Json>> = {};
  const schemas: Record<string, Json> = { Error: jsonSchema(ErrorResponse) };
  const routes = allRoutes();
  const answers = new Map<z.ZodType, string>();
  for (const [name, s] of Object.entries(routes) as [string, RouteSpec][]) {
    const path = s.path.replace(/:(\w+)/g, '{$1}');
    let answer: Json = { type: 'object' };
    if (s.response) {
      // Routes that answer with the same view (every lifecycle step: the supervision) share one component.
      let ref = answers.get(s.response);
      if (ref === undefined) {
        ref = `${capital(name)}Answer`;
        answers.set(s.response, ref);
        schemas[ref] = jsonSchema(s.response, 'output');
      }
      answer = { $ref: `#/components/schemas/${ref}` };
    }
    const op: Json = {
      operationId: name,
      summary: s.summary,
      tags: [s.tag],
      description: describe(s),
      ...(s.access === 'public' ? { security: [] } : {}),
      parameters: [...parameters(s.params, 'path'), ...parameters(s.query, 'query')],
      responses: {
        [String(s.status ?? 200)]: {
          description: 'Done',
          content: { 'application/json': { schema: answer } },
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
      title: 'SDE monitoring center',
      version: '1',
      description:
        'Every HTTP route of the center, generated from its route table (ADR 0402): identity, cases, ' +
        'applications, decisions, supervisions, court orders, devices, alarms, the live stream and monitoring. Errors answer `{ error, message, messagePl, requestId, details }`: ' +
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
