/**
 * Calls to the center's API with the session cookie. A 401 means the session ended (sign-out elsewhere, the
 * idle timeout, the shift limit): the app's re-sign-in handler asks for the password in place (one dialog
 * however many calls are waiting), and the call is then made again, so an action the person took (an alarm
 * acknowledged) is carried out, not lost (ADR 0404). Cancelled, the unauthorized handler returns to the
 * sign-in screen.
 */

/** One refused field of an error answer: its path in the request and why, in English (and Polish). */
export interface FieldProblem {
  path: string;
  message: string;
  messagePl?: string;
}

/** An error answer of the API, `{ error, message, messagePl?, requestId, details? }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly messagePl: string | undefined,
    readonly requestId: string | undefined,
    /** The refused fields, when the center names them (a form shows each beside its field). */
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
  }
}

let onUnauthorized: (() => void) | undefined;
let onReauth: ((reason?: string) => Promise<boolean>) | undefined;
let pendingReauth: Promise<boolean> | undefined;
/** Counts successful re-sign-ins: a 401 to a call sent before the latest one is stale, not a new ending. */
let sessionGeneration = 0;

/** Sets what happens when any call answers 401 and the person does not sign in again. */
export function setUnauthorizedHandler(fn: (() => void) | undefined): void {
  onUnauthorized = fn;
}

/**
 * Sets how the console asks for the password in place: resolves true once signed in again, false when the
 * person cancels.
 */
export function setReauthHandler(fn: ((reason?: string) => Promise<boolean>) | undefined): void {
  onReauth = fn;
}

/**
 * Asks once for the password in place (every caller waiting shares the one dialog); true when signed in
 * again. Without a handler, or cancelled, the unauthorized handler runs (back to the sign-in screen).
 */
export function reauthenticate(reason?: string): Promise<boolean> {
  if (!onReauth) {
    onUnauthorized?.();
    return Promise.resolve(false);
  }
  pendingReauth ??= onReauth(reason)
    .catch(() => false)
    .then((ok) => {
      pendingReauth = undefined;
      if (ok) sessionGeneration += 1;
      else onUnauthorized?.();
      return ok;
    });
  return pendingReauth;
}

/** Calls `path` under the center; parses JSON; throws ApiError on a non-2xx answer. */
export async function api<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  opts: { contentType?: string; quiet401?: boolean; retried?: boolean } = {},
): Promise<T> {
  const generation = sessionGeneration;
  const headers: Record<string, string> = { accept: 'application/json' };
  let payload: string | undefined;
  if (body !== undefined) {
    headers['content-type'] = opts.contentType ?? 'application/json';
    payload = typeof body === 'string' ? body : JSON.stringify(body);
  }
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(payload !== undefined ? { body: payload } : {}),
  });
  const text = await res.text();
  let parsed: unknown = undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  if (!res.ok) {
    const e = (parsed ?? {}) as {
      error?: string;
      message?: string;
      messagePl?: string;
      requestId?: string;
      details?: unknown;
    };
    if (res.status === 401 && !opts.quiet401) {
      // Once: a second 401 right after signing in again is not a matter of the session. A call that left
      // with the old cookie and came back after the person signed in again is retried without asking twice.
      const stale = generation !== sessionGeneration;
      if (!opts.retried && (stale || (await reauthenticate())))
        return api<T>(method, path, body, { ...opts, retried: true });
      if (opts.retried) onUnauthorized?.();
    }
    throw new ApiError(
      res.status,
      e.error ?? 'http_' + res.status,
      e.message ?? res.statusText,
      e.messagePl,
      e.requestId,
      fieldProblems(e.details),
    );
  }
  return parsed as T;
}

/** Reads every page of a cursor-paged list, up to `max` items. */
export async function allPages<T>(path: string, max = 1000): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const url: string = `${path}${sep}limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page: { items: T[]; nextCursor: string | null } = await api('GET', url);
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && out.length < max);
  return out;
}

/** The `details` of an error answer when they name fields (`[{ path, message }]`); otherwise none. */
function fieldProblems(details: unknown): FieldProblem[] {
  if (!Array.isArray(details)) return [];
  return details.filter(
    (d): d is FieldProblem =>
      typeof d === 'object' && d !== null && typeof (d as FieldProblem).path === 'string',
  );
}
