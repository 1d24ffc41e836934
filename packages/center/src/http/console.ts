/**
 * Serves the built web console (`packages/console/dist`) at `/`, with the SPA fallback: a GET for a path
 * that is neither an API route nor a file answers `index.html`, so a reload on `/cases/…` works. When the
 * console has not been built, `/` answers a short page saying how to build it. Checked per request, so a
 * console built while the center runs is served without a restart.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { DECLARED } from './server.js';

/** Where `npm run build -w @sde/console` writes the console. */
export const CONSOLE_DIST = resolve(dirname(fileURLToPath(import.meta.url)), '../../../console/dist');

/** Paths that belong to the server and must keep their own 404s. */
const SERVER_PATHS = /^\/(api|healthz|metrics)(\/|$|\?)/;

// Plain: the Content-Security-Policy of every answer (ADR 0406) allows no inline style.
const NOT_BUILT = `<!doctype html>
<html lang="pl"><head><meta charset="utf-8"><title>SDE — konsola niezbudowana / console not built</title></head>
<body>
<h1>SDE</h1>
<p>Konsola nie jest zbudowana. Zbuduj ją poleceniem:</p>
<p>The console is not built. Build it with:</p>
<pre>npm run build -w @sde/console</pre>
<p>API: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>, <a href="/healthz">/healthz</a></p>
</body></html>`;

/** Registers the console routes on `app`. */
export function registerConsole(app: FastifyInstance, opts: { dir?: string } = {}): void {
  const root = opts.dir ?? CONSOLE_DIST;
  // serve: false — only `reply.sendFile`; our catch-all decides what each path gets.
  void app.register(fastifyStatic, { root, serve: false, cacheControl: false });

  // Files of the web console, not an API: declared as such for the route inventory (ADR 0402).
  app.get('/*', { config: { [DECLARED]: 'console' } }, async (req, reply) => {
    const path = decodeURIComponent(req.url.split('?')[0]!);
    if (SERVER_PATHS.test(path)) return reply.callNotFound();
    if (!existsSync(join(root, 'index.html'))) {
      return reply
        .status(200)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(NOT_BUILT);
    }
    const rel = normalize(path).replace(/^[/\\]+/, '');
    const file = join(root, rel);
    if (rel !== '' && file.startsWith(root + sep) && existsSync(file) && statSync(file).isFile()) {
      // Vite names built assets by content hash, so they never change.
      const immutable = rel.startsWith(`assets${sep}`);
      return reply
        .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .sendFile(rel, root);
    }
    if (/\.[a-z0-9]+$/i.test(path)) return reply.callNotFound();
    return reply.header('cache-control', 'no-cache').sendFile('index.html', root);
  });
}
