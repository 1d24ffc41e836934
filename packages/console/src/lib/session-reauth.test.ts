/**
 * The request layer's re-sign-in in place (ADR 0404): a 401 waits for the password dialog and then makes
 * the same request again; several calls share one dialog; cancel goes to the sign-in screen; a second 401
 * does not loop.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, setReauthHandler, setUnauthorizedHandler } from './api.js';

/** A fake center: answers from `answers` in order, recording each request. */
function center(answers: number[]) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  vi.stubGlobal('fetch', (path: string, init: { method: string; body?: string }) => {
    calls.push({ method: init.method, path, body: init.body ? JSON.parse(init.body) : undefined });
    const status = answers.shift() ?? 200;
    const body =
      status === 200 ? { ok: true, n: calls.length } : { error: 'unauthorized', message: 'sign in' };
    return Promise.resolve(new Response(JSON.stringify(body), { status }));
  });
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
  setReauthHandler(undefined);
  setUnauthorizedHandler(undefined);
});

describe('a request whose session ended', () => {
  it('is made again, with the same body, once the person signed in again', async () => {
    const calls = center([401, 200]);
    const reauth = vi.fn(() => Promise.resolve(true));
    const unauthorized = vi.fn();
    setReauthHandler(reauth);
    setUnauthorizedHandler(unauthorized);
    const r = await api<{ ok: boolean }>('POST', '/api/v1/alarms/x/acknowledge', { note: 'ok' });
    expect(r.ok).toBe(true);
    expect(calls.map((c) => [c.method, c.path, c.body])).toEqual([
      ['POST', '/api/v1/alarms/x/acknowledge', { note: 'ok' }],
      ['POST', '/api/v1/alarms/x/acknowledge', { note: 'ok' }],
    ]);
    expect(reauth).toHaveBeenCalledTimes(1);
    expect(unauthorized).not.toHaveBeenCalled();
  });

  it('shares one dialog among every call waiting', async () => {
    center([401, 401, 401, 200, 200, 200]);
    let release: (ok: boolean) => void = () => undefined;
    const reauth = vi.fn(() => new Promise<boolean>((r) => (release = r)));
    setReauthHandler(reauth);
    const all = Promise.all([api('GET', '/a'), api('GET', '/b'), api('GET', '/c')]);
    await vi.waitFor(() => expect(reauth).toHaveBeenCalled());
    release(true);
    expect(await all).toHaveLength(3);
    expect(reauth).toHaveBeenCalledTimes(1);
  });

  it('a call sent with the old session and refused after the person signed in again asks no second time', async () => {
    // The first call opens the dialog; the second leaves before the sign-in and is answered after it.
    let answerLate: (r: Response) => void = () => undefined;
    const refused = () =>
      new Response(JSON.stringify({ error: 'unauthorized', message: 'sign in' }), { status: 401 });
    const ok = () => new Response(JSON.stringify({ ok: true }), { status: 200 });
    const answers: (() => Promise<Response>)[] = [
      () => Promise.resolve(refused()),
      () => new Promise<Response>((r) => (answerLate = r)),
      () => Promise.resolve(ok()),
      () => Promise.resolve(ok()),
    ];
    vi.stubGlobal('fetch', () => answers.shift()!());
    let release: (ok: boolean) => void = () => undefined;
    const reauth = vi.fn(() => new Promise<boolean>((r) => (release = r)));
    setReauthHandler(reauth);
    const first = api('POST', '/api/v1/alarms/x/acknowledge');
    await vi.waitFor(() => expect(reauth).toHaveBeenCalled());
    const late = api('GET', '/api/v1/auth/me');
    release(true);
    await first;
    answerLate(refused());
    await expect(late).resolves.toEqual({ ok: true });
    expect(reauth).toHaveBeenCalledTimes(1);
  });

  it('cancelled, fails and leads to the sign-in screen', async () => {
    const calls = center([401]);
    const unauthorized = vi.fn();
    setReauthHandler(() => Promise.resolve(false));
    setUnauthorizedHandler(unauthorized);
    await expect(api('POST', '/api/v1/alarms/x/acknowledge')).rejects.toBeInstanceOf(ApiError);
    expect(calls).toHaveLength(1);
    expect(unauthorized).toHaveBeenCalledTimes(1);
  });

  it('refused again right after signing in, gives up instead of asking in a loop', async () => {
    const calls = center([401, 401]);
    const reauth = vi.fn(() => Promise.resolve(true));
    const unauthorized = vi.fn();
    setReauthHandler(reauth);
    setUnauthorizedHandler(unauthorized);
    await expect(api('GET', '/api/v1/alarms')).rejects.toMatchObject({ status: 401 });
    expect(calls).toHaveLength(2);
    expect(reauth).toHaveBeenCalledTimes(1);
    expect(unauthorized).toHaveBeenCalledTimes(1);
  });

  it('is not retried when the caller handles 401 itself (sign-in, the first look at the session)', async () => {
    center([401]);
    const reauth = vi.fn(() => Promise.resolve(true));
    setReauthHandler(reauth);
    await expect(api('GET', '/api/v1/auth/me', undefined, { quiet401: true })).rejects.toMatchObject({
      status: 401,
    });
    expect(reauth).not.toHaveBeenCalled();
  });
});
