/**
 * The live alarm stream (`GET /api/v1/stream`, Server-Sent Events). The browser's EventSource retries by
 * itself after a network drop but gives up after a non-200 answer, and a silent half-open connection is only
 * noticed by the missing 15-second pings; so this wrapper watches both and reconnects with backoff.
 * When the center ends the stream because its session ended (`event: end`, ADR 0404), it does not
 * reconnect: the session, not the network, is gone, and the caller leads the person to sign in again.
 */
import type { AlarmAnswer as AlarmView } from '@sde/api';

export type StreamState = 'connecting' | 'live' | 'lost' | 'ended';

/** Why the center ended a stream (its session ended). */
export type StreamEndReason = 'signed_out' | 'idle' | 'expired' | 'user_changed';

export interface StreamHandlers {
  onAlarm(a: AlarmView): void;
  onState(state: StreamState): void;
  /** Called on every (re)connection, so the caller can fetch what it missed. */
  onOpen(): void;
  /** The center ended the stream because its session ended; no reconnection follows. */
  onEnded(reason: StreamEndReason): void;
}

/** Opens the stream; returns a function that closes it. */
export function connectStream(h: StreamHandlers, url = '/api/v1/stream', silenceMs = 40_000): () => void {
  let es: EventSource | undefined;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let watchdog: ReturnType<typeof setInterval> | undefined;
  let lastSeen = Date.now();
  let attempt = 0;

  const open = () => {
    if (closed) return;
    h.onState(attempt === 0 ? 'connecting' : 'lost');
    es = new EventSource(url, { withCredentials: true });
    es.onopen = () => {
      attempt = 0;
      lastSeen = Date.now();
      h.onState('live');
      h.onOpen();
    };
    es.addEventListener('alarm', (ev) => {
      lastSeen = Date.now();
      try {
        h.onAlarm(JSON.parse((ev as MessageEvent<string>).data) as AlarmView);
      } catch {
        /* a malformed event is ignored; the next fetch repairs the list */
      }
    });
    es.addEventListener('ping', () => {
      lastSeen = Date.now();
    });
    es.addEventListener('end', (ev) => {
      let reason: StreamEndReason = 'signed_out';
      try {
        reason = (JSON.parse((ev as MessageEvent<string>).data) as { reason: StreamEndReason }).reason;
      } catch {
        /* the session ended all the same */
      }
      stop();
      h.onState('ended');
      h.onEnded(reason);
    });
    es.onerror = () => {
      h.onState('lost');
      if (es?.readyState === EventSource.CLOSED) schedule();
    };
  };
  const schedule = () => {
    es?.close();
    if (closed || retry) return;
    attempt++;
    const delay = Math.min(1000 * 2 ** Math.min(attempt - 1, 4), 15_000);
    retry = setTimeout(() => {
      retry = undefined;
      open();
    }, delay);
  };
  watchdog = setInterval(() => {
    if (es?.readyState === EventSource.OPEN && Date.now() - lastSeen > silenceMs) {
      h.onState('lost');
      schedule();
    }
  }, 5000);
  const stop = () => {
    closed = true;
    if (retry) clearTimeout(retry);
    if (watchdog) clearInterval(watchdog);
    watchdog = undefined;
    es?.close();
  };
  open();
  return stop;
}
