/** A small client for the running center's API, used by the CLI commands. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the running center is and how to authenticate to it. */
export interface CenterEndpoint {
  url: string;
  token: string;
}

/** Finds the center from flags and environment: --url / SDE_URL, --token / SDE_ADMIN_TOKEN / data-dir file. */
export function endpointFrom(
  flags: { url?: string; token?: string },
  env: NodeJS.ProcessEnv,
): CenterEndpoint {
  const url = flags.url ?? env.SDE_URL ?? `http://127.0.0.1:${env.SDE_HTTP_PORT ?? '8080'}`;
  let token = flags.token ?? env.SDE_ADMIN_TOKEN;
  if (!token) {
    const file = join(env.SDE_DATA_DIR ?? './data', 'admin-token');
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch {
      throw new Error(`no admin token: pass --token, set SDE_ADMIN_TOKEN, or run where ${file} exists`);
    }
  }
  return { url: url.replace(/\/$/, ''), token };
}

/** Calls the API; a non-2xx answer becomes an Error carrying the center's message. */
export async function callApi<T>(
  endpoint: CenterEndpoint,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${endpoint.url}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${endpoint.token}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch (err) {
    // fetch says only "fetch failed"; the reason (refused, certificate not trusted…) is in its cause.
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.message ? `${(err as Error).message}: ${cause.message}` : (err as Error).message;
    const untrusted = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY/.test(cause?.code ?? '');
    throw new Error(
      `cannot reach the center at ${endpoint.url}: ${why}` +
        (untrusted ? ' (a self-signed certificate: NODE_EXTRA_CA_CERTS=<its PEM file> sde …)' : ''),
    );
  }
  const text = await res.text();
  if (!res.ok) {
    let message = text;
    try {
      message = (JSON.parse(text) as { message?: string }).message ?? text;
    } catch {
      /* keep the raw text */
    }
    throw new Error(`${method} ${path}: ${res.status} ${message}`);
  }
  return JSON.parse(text) as T;
}
