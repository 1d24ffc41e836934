/**
 * Notification channels (T4.3: "over the network, incl. the phone network"): e-mail through a real SMTP
 * client, SMS through a pluggable provider. No channel calls a third party unless configured.
 */
import nodemailer from 'nodemailer';

/** One message to deliver. */
export interface OutgoingMessage {
  /** Outbox id: also the idempotency key given to the provider. */
  id: number;
  to: string;
  subject: string;
  body: string;
}

/** A delivery channel. */
export interface NotificationChannel {
  readonly name: 'email' | 'sms';
  /** Delivers, resolving with the provider's receipt; rejects on failure (the dispatcher retries). */
  send(message: OutgoingMessage): Promise<{ receipt: string }>;
  close(): Promise<void>;
}

/** E-mail over SMTP (nodemailer). `url`: smtp[s]://user:pass@host:port[?options]. */
export function createEmailChannel(opts: {
  url: string;
  from: string;
  hostName?: string;
}): NotificationChannel {
  const transport = nodemailer.createTransport(opts.url);
  return {
    name: 'email',
    async send(m) {
      const info = await transport.sendMail({
        from: opts.from,
        to: m.to,
        subject: m.subject,
        text: m.body,
        // A stable id per outbox row: a receiving system can recognise a message it already has.
        messageId: `<sde-outbox-${m.id}@${opts.hostName ?? 'sde.local'}>`,
      });
      if (info.rejected.length > 0) throw new Error(`rejected: ${info.rejected.join(', ')}`);
      return { receipt: `${info.messageId} ${info.response}` };
    },
    async close() {
      transport.close();
    },
  };
}

/**
 * SMS through a generic HTTP gateway: POST `url` with JSON `{ to, text, id }` (and a bearer token when
 * given); any 2xx answer is the receipt. Most SMS providers, or a small adapter in front of one, take this.
 */
export function createHttpSmsChannel(opts: {
  url: string;
  token?: string | undefined;
  timeoutMs?: number;
}): NotificationChannel {
  return {
    name: 'sms',
    async send(m) {
      const res = await fetch(opts.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        },
        body: JSON.stringify({ to: m.to, text: m.body, id: `sde-outbox-${m.id}` }),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
      const text = (await res.text()).slice(0, 500);
      if (!res.ok) throw new Error(`SMS gateway answered ${res.status}: ${text}`);
      return { receipt: `${res.status} ${text}` };
    },
    async close() {},
  };
}
