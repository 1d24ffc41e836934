/** Helpers of the alarm suites: an SMTP server that records what it receives, an SSE reader, waiting. */
import { SMTPServer } from 'smtp-server';

/** One message the test SMTP server received. */
export interface ReceivedMail {
  from: string;
  to: string[];
  data: string;
}

/** Starts a real SMTP server on a free port; `mails` fills as messages arrive. */
export async function startSmtpServer(opts: { failFirst?: number } = {}) {
  const mails: ReceivedMail[] = [];
  let failures = opts.failFirst ?? 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (failures > 0) {
          failures--;
          const err = new Error('mailbox busy, try later') as Error & { responseCode: number };
          err.responseCode = 451;
          callback(err);
          return;
        }
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    mails,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `cond` until it holds. */
export async function until<T>(
  cond: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Reads a Server-Sent Events body: each event with data, parsed as JSON, to `onEvent`. Resolves when the
 * stream ends, closed by the center or aborted by the caller.
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  onEvent: (e: { event: string; data: unknown }) => void,
): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        let event = 'message';
        let data = '';
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data += line.slice(6);
        }
        if (data) onEvent({ event, data: JSON.parse(data) as unknown });
      }
    }
  } catch {
    /* aborted */
  }
}

/**
 * A terminal's live stream: connects with a session cookie and collects its events (`onEvent`, if given,
 * also sees each one as it arrives — the alarm-latency benchmark stops its clock there).
 */
export async function openStream(
  baseUrl: string,
  cookie: string,
  onEvent?: (e: { event: string; data: unknown }) => void,
) {
  const controller = new AbortController();
  const res = await fetch(`${baseUrl}/api/v1/stream`, { headers: { cookie }, signal: controller.signal });
  if (res.status !== 200 || !res.body) throw new Error(`stream: ${res.status}`);
  const events: { event: string; data: unknown; at: number }[] = [];
  void readSse(res.body, (e) => {
    const stamped = { ...e, at: Date.now() };
    events.push(stamped);
    onEvent?.(stamped);
  });
  return { events, close: () => controller.abort() };
}

/** Signs in and returns the session cookie. */
export async function sessionCookie(baseUrl: string, login: string, password = 'a long test password') {
  const res = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login, password }),
  });
  if (res.status !== 200) throw new Error(`sign-in of ${login}: ${res.status}`);
  return (res.headers.get('set-cookie') ?? '').split(';')[0]!;
}

/** Calls the API with a cookie. */
export async function call<T = Record<string, unknown>>(
  baseUrl: string,
  cookie: string,
  method: string,
  path: string,
  body?: unknown,
) {
  const r = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { cookie, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: r.status, body: (await r.json()) as T };
}
