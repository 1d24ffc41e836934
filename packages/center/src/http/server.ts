/** The HTTP server: one error handler, request ids, browser protections, optionally HTTPS. */
import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { AppError, ValidationError } from '../errors.js';
import type { Logger } from '../logger.js';
import { installBrowserProtections } from './browser.js';

/** Settings of the HTTP server. */
export interface HttpServerOptions {
  logger: Logger;
  bodyLimit?: number;
  /** PEM certificate and key: the server speaks HTTPS only (ADR 0406). */
  tls?: { cert: Buffer; key: Buffer };
  /** Origins besides the center's own whose pages may send state-changing requests (a reverse proxy). */
  allowedOrigins?: readonly string[];
  /** Proxies whose X-Forwarded-For gives the client's address (SDE_TRUST_PROXY); none by default. */
  trustProxy?: string[];
}

/** Marks a Fastify route as declared in the route table (its config key; the value names the entry). */
export const DECLARED = 'sde.declared';

/** One registered HTTP route and the table entry that declares it (undefined: registered by hand). */
export interface RouteInventoryEntry {
  method: string;
  url: string;
  declared: string | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route registered so far, as the server saw it (ADR 0402: each must come from the route table). */
    routeInventory: RouteInventoryEntry[];
  }
}

/** Builds the Fastify instance with the shared error handling; routes are registered by the caller. */
export function createHttpServer(opts: HttpServerOptions): FastifyInstance {
  const app = Fastify({
    ...(opts.tls ? { https: { cert: opts.tls.cert, key: opts.tls.key } } : {}),
    // Without listed proxies `req.ip` is the connection's peer: the audit's address cannot be chosen by a client.
    trustProxy: opts.trustProxy && opts.trustProxy.length > 0 ? opts.trustProxy : false,
    loggerInstance: opts.logger,
    // Per-request lines would log URLs at every poll; errors are logged by the handler below.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
  });
  // First hook of all, so that every answer (errors from later hooks too) carries the headers.
  installBrowserProtections(app as unknown as FastifyInstance, {
    tls: opts.tls !== undefined,
    allowedOrigins: opts.allowedOrigins ?? [],
  });
  const inventory: RouteInventoryEntry[] = [];
  app.decorate('routeInventory', inventory);
  // Fastify tells every route as it is added, the HEAD twin of each GET included.
  app.addHook('onRoute', (r) => {
    const declared = (r.config as Record<string, unknown> | undefined)?.[DECLARED];
    for (const method of [r.method].flat()) {
      inventory.push({ method, url: r.url, declared: typeof declared === 'string' ? declared : undefined });
    }
  });
  void app.register(cookie);
  // PostgreSQL text and jsonb cannot hold U+0000; refused at the edge it is a clear 400, not a failed query.
  app.addHook('preValidation', async (req) => {
    const json = (req.headers['content-type'] ?? '').includes('json');
    if (holdsNul(req.params) || holdsNul(req.query) || (json && holdsNul(req.body))) {
      throw new ValidationError(
        'the request holds a NUL character (U+0000)',
        undefined,
        'nul_character',
        'Żądanie zawiera niedozwolony znak NUL (U+0000).',
      );
    }
  });
  app.addContentTypeParser(
    ['text/plain', 'application/octet-stream'],
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof AppError) {
      return reply.status(err.status).send({
        error: err.code,
        message: err.message,
        messagePl: err.messagePl ?? polish(err.status),
        requestId: req.id,
        ...(err.details !== undefined ? { details: err.details } : {}),
      });
    }
    const status = (err as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      const code = (err as { code?: string }).code ?? 'bad_request';
      return reply.status(status).send({
        error: code.toLowerCase(),
        message: (err as Error).message,
        messagePl: polish(status),
        requestId: req.id,
      });
    }
    req.log.error({ err, requestId: req.id }, 'unhandled error');
    return reply.status(500).send({
      error: 'internal',
      message: 'internal error',
      messagePl: polish(500),
      requestId: req.id,
    });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.status(404).send({
      error: 'not_found',
      message: `no route ${req.method} ${req.url}`,
      messagePl: polish(404),
      requestId: req.id,
    }),
  );
  // Fastify types the instance by its logger; routes only need the base instance.
  return app as unknown as FastifyInstance;
}

/** Whether any string in a parsed request part (params, query, JSON body) holds U+0000. */
function holdsNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (value === null || typeof value !== 'object' || depth > 64) return false;
  for (const [k, v] of Object.entries(value)) {
    if (k.includes('\u0000') || holdsNul(v, depth + 1)) return true;
  }
  return false;
}

/** The Polish message of a refusal that has none of its own: every error answer is bilingual. */
function polish(status: number): string {
  switch (status) {
    case 400:
      return 'Niepoprawne żądanie.';
    case 401:
      return 'Zaloguj się (sesja mogła wygasnąć po okresie bezczynności).';
    case 403:
      return 'Brak uprawnień do tej czynności.';
    case 404:
      return 'Nie znaleziono.';
    case 409:
      return 'Żądanie jest sprzeczne z bieżącym stanem.';
    case 413:
      return 'Przesłane dane są zbyt duże.';
    case 415:
      return 'Nieobsługiwany rodzaj przesłanych danych.';
    case 500:
      return 'Błąd wewnętrzny serwera.';
    default:
      return status >= 500 ? 'Błąd serwera.' : 'Żądanie odrzucone.';
  }
}

/** Parses `value` with `schema` or throws a ValidationError listing each wrong field. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw validationError(
    r.error.issues.flatMap((i) =>
      // Each unknown field by its own name, so the caller (and the Polish message) sees which one it was.
      i.code === 'unrecognized_keys'
        ? i.keys.map((k) => ({ path: [...i.path, k].join('.'), message: 'not a field of this request' }))
        : [{ path: i.path.join('.'), message: i.message }],
    ),
  );
}

/** The 400 of invalid input, each problem with its field's path, in English and Polish. */
export function validationError(details: { path: string; message: string }[]): ValidationError {
  return new ValidationError(
    details.map((d) => `${d.path || 'body'}: ${d.message}`).join('; '),
    details,
    undefined,
    `Niepoprawne dane w polach: ${[...new Set(details.map((d) => d.path || 'treść'))].join(', ')}.`,
  );
}
