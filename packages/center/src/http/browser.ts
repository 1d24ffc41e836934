/**
 * Browser protections of every answer (ADR 0406): security headers, `Cache-Control: no-store` on the API, and
 * the refusal of state-changing requests that a page of another origin makes a browser send.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.js';

/**
 * The console's Content-Security-Policy: only its own scripts, styles, images and connections; no inline
 * script (the Vite build has none), no plugins, no `<base>`, and no page may frame it (click-jacking).
 * React's `style` props are set through the CSSOM, which `style-src` does not govern.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** One year: the center's own HTTPS is not switched off again, and browsers must not fall back to HTTP. */
const HSTS = 'max-age=31536000';

/** Headers every answer carries, the console's files, API answers, errors and the event stream alike. */
const COMMON: Record<string, string> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  // `same-origin` rather than `no-referrer`: no URL (they name cases and alarms) leaves the center, and the
  // browser keeps sending the real Origin on the console's own writes, which the check below relies on
  // (under `no-referrer` the Fetch standard sends `Origin: null` on them).
  'referrer-policy': 'same-origin',
  // For browsers older than frame-ancestors.
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=(), usb=()',
};

/** Methods that change state: the ones a foreign page must not make a signed-in browser send. */
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Paths whose answers carry personal data or credentials and must never be stored by a browser or proxy. */
const NO_STORE = /^\/api\//;

/** A state-changing request came from a page of another origin. */
export class ForeignOriginError extends AppError {
  constructor(origin: string) {
    super(
      'foreign_origin',
      `refused: this request came from a page of another origin (${origin}). Use the console served by the ` +
        'center; behind a reverse proxy, add its address to SDE_ALLOWED_ORIGINS.',
      403,
      undefined,
      `Odmowa: żądanie wysłała strona innego pochodzenia (${origin}). Korzystaj z konsoli udostępnianej przez ` +
        'centralę; za serwerem pośredniczącym dopisz jego adres do SDE_ALLOWED_ORIGINS.',
    );
  }
}

/** `scheme://host[:port]` of `url` as a browser writes it in Origin, or undefined when it is not one. */
export function originOf(url: string): string | undefined {
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return undefined;
    return u.origin;
  } catch {
    return undefined;
  }
}

/** Settings of the protections. */
export interface BrowserProtections {
  /** The center itself serves HTTPS: its own origin is https://, and HSTS is sent. */
  tls: boolean;
  /** Origins besides the center's own allowed to write (a reverse proxy's public address). */
  allowedOrigins: readonly string[];
}

/**
 * Decides whether a state-changing request may proceed. Browsers send Origin on every such request (and
 * Sec-Fetch-Site, which no page can forge); a request with neither comes from a tool (the CLI, curl), which
 * carries no ambient cookie of a person, so it is let through to authentication.
 */
export function originAllowed(
  req: Pick<FastifyRequest, 'method' | 'headers'>,
  own: string | undefined,
  allowed: ReadonlySet<string>,
): { ok: true } | { ok: false; origin: string } {
  if (!UNSAFE_METHODS.has(req.method)) return { ok: true };
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if (origin !== undefined && origin !== 'null') {
    const o = originOf(origin);
    return o !== undefined && (o === own || allowed.has(o)) ? { ok: true } : { ok: false, origin };
  }
  // `Origin: null` (a sandboxed frame, a redirect chain, a no-referrer page) or no Origin: only the browser's
  // own word that the page is ours lets it through; same-site is not enough (another port of the same host).
  if (site === undefined) return origin === 'null' ? { ok: false, origin } : { ok: true };
  return site === 'same-origin' || (site === 'none' && origin === undefined)
    ? { ok: true }
    : { ok: false, origin: origin ?? `Sec-Fetch-Site: ${site}` };
}

/**
 * Installs the protections as the first onRequest hook. Headers go onto the raw response, so they reach every
 * answer: routes, the error handler, 404s, and the hijacked event stream (whose own headers are merged in).
 */
export function installBrowserProtections(app: FastifyInstance, opts: BrowserProtections): void {
  const allowed = new Set(opts.allowedOrigins.map((o) => originOf(o) ?? o));
  const scheme = opts.tls ? 'https' : 'http';
  const headers = opts.tls ? { ...COMMON, 'strict-transport-security': HSTS } : COMMON;
  app.addHook('onRequest', async (req, reply) => {
    for (const [name, value] of Object.entries(headers)) reply.raw.setHeader(name, value);
    if (NO_STORE.test(req.url)) reply.raw.setHeader('cache-control', 'no-store');
    const host = req.headers.host;
    const verdict = originAllowed(req, host ? originOf(`${scheme}://${host}`) : undefined, allowed);
    if (!verdict.ok) {
      req.log.warn({ requestId: req.id, method: req.method }, 'a write from a foreign origin was refused');
      throw new ForeignOriginError(verdict.origin.slice(0, 200));
    }
  });
}
