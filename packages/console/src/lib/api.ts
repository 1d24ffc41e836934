/**
 * Calls to the center's API with the session cookie. A 401 means the session ended (sign-out elsewhere or
 * the idle timeout); the app registers a handler that returns to the sign-in screen with a message.
 */

/** An error answer of the API, `{ error, message, messagePl?, requestId }`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly messagePl: string | undefined,
    readonly requestId: string | undefined,
  ) {
    super(message);
  }
}

let onUnauthorized: (() => void) | undefined;

/** Sets what happens when any call answers 401. */
export function setUnauthorizedHandler(fn: (() => void) | undefined): void {
  onUnauthorized = fn;
}

/** Calls `path` under the center; parses JSON; throws ApiError on a non-2xx answer. */
export async function api<T>(
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  opts: { contentType?: string; quiet401?: boolean } = {},
): Promise<T> {
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
    const e = (parsed ?? {}) as { error?: string; message?: string; messagePl?: string; requestId?: string };
    if (res.status === 401 && !opts.quiet401) onUnauthorized?.();
    throw new ApiError(
      res.status,
      e.error ?? 'http_' + res.status,
      e.message ?? res.statusText,
      e.messagePl,
      e.requestId,
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
