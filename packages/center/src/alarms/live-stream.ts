/**
 * The live alarm stream's connections (ADR 0404). A stream belongs to a session: it needs `alarm.read`
 * (like the alarm list), sends each alarm as the caller's presenter shapes it, and closes when the session
 * ends — sign-out, idle or absolute expiry, or its user deactivated or moved to another role, region or
 * court. Sign-out and user changes arrive at once from the auth service; expiry (and anything changed in the
 * database behind the service's back) is caught by a look at the session every SDE_STREAM_CHECK_SECONDS.
 * A watching operator's stream keeps the session in use (the monitoring room is not a shared kiosk), up to
 * the absolute limit SDE_SESSION_MAX_HOURS.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../auth/actor.js';
import { can, inScope, requirePermission } from '../auth/actor.js';
import type { AuthService, SessionEndReason } from '../auth/auth.service.js';
import { tokenHash } from '../auth/auth.service.js';
import { SESSION_COOKIE } from '../auth/authenticate.js';
import type { AlarmView } from '@sde/api';
import type { LiveBus } from './live-bus.js';

/** Milliseconds between keep-alive pings on the stream. */
export const STREAM_PING_MS = 15_000;

/** Shapes an alarm for one caller, exactly as the alarm list shows it to them; undefined: not theirs to see. */
export type AlarmPresenter = (
  actor: Actor,
  alarm: AlarmView,
) => AlarmView | undefined | Promise<AlarmView | undefined>;

/** Open SSE streams, so the center can end them before the HTTP server closes. */
export interface StreamRegistry {
  /** Answers `GET /api/v1/stream` (403 without `alarm.read`). */
  open(req: FastifyRequest, reply: FastifyReply): void;
  closeAll(): void;
  count(): number;
}

/**
 * Whether a session with an open stream stays in use without a key press: a role that handles the alarm
 * queue (operators) watches it for a whole shift; judges' and officers' terminals keep the idle timeout.
 */
export function watchesQueue(actor: Pick<Actor, 'role'>): boolean {
  return actor.role !== 'system' && can(actor, 'alarm.handle');
}

interface Stream {
  actor: Actor;
  tokenHash: string | undefined;
  /** The session ended: tell the terminal why, then close. */
  end(reason: SessionEndReason): void;
  /** The center stops: close without a reason, so the terminal reconnects to the next center. */
  close(): void;
}

/** Creates the registry of live streams. */
export function createLiveStreams(deps: {
  bus: LiveBus;
  auth: Pick<AuthService, 'liveSession' | 'onSessionEnd'>;
  present: AlarmPresenter;
  /** Milliseconds between looks at each stream's session. */
  checkMs: number;
}): StreamRegistry {
  const { bus, auth, present } = deps;
  const all = new Set<Stream>();
  const byToken = new Map<string, Set<Stream>>();
  const byUser = new Map<string, Set<Stream>>();
  const add = (m: Map<string, Set<Stream>>, k: string, s: Stream) => {
    const set = m.get(k) ?? new Set();
    set.add(s);
    m.set(k, set);
  };
  const remove = (m: Map<string, Set<Stream>>, k: string, s: Stream) => {
    const set = m.get(k);
    set?.delete(s);
    if (set?.size === 0) m.delete(k);
  };

  auth.onSessionEnd((e) => {
    const hit = e.tokenHash !== undefined ? byToken.get(e.tokenHash) : byUser.get(e.userId);
    for (const s of [...(hit ?? [])]) s.end(e.reason);
  });

  return {
    open(req, reply) {
      // Before the answer starts, so a refusal is the usual JSON 403.
      requirePermission(req.actor, 'alarm.read');
      const actor = req.actor;
      const cookie = req.cookies[SESSION_COOKIE];
      // The admin token has no session; only people's streams are bound to one.
      const h = actor.userId !== null && cookie ? tokenHash(cookie) : undefined;
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      res.write(`retry: 3000\n: connected\n\n`);

      let over = false;
      // Alarms leave in the order they were published even when the presenter waits for the database.
      let queue: Promise<void> = Promise.resolve();
      const unsubscribe = bus.subscribe((m) => {
        if (m.type !== 'alarm' || !inScope(actor, m.owners)) return;
        queue = queue.then(async () => {
          const shown = await present(actor, m.alarm);
          if (!over && shown) res.write(`event: alarm\nid: ${shown.id}\ndata: ${JSON.stringify(shown)}\n\n`);
        });
        queue = queue.catch(() => undefined);
      });
      const ping = setInterval(() => res.write(`event: ping\ndata: {}\n\n`), STREAM_PING_MS);
      ping.unref();
      const keepAlive = watchesQueue(actor);
      let checking = false;
      const check = setInterval(() => {
        if (!h || checking) return;
        checking = true;
        auth
          .liveSession(h, keepAlive)
          .then((r) => {
            if (r.reason) stream.end(r.reason);
            else if (
              r.user.role !== actor.role ||
              r.user.regionId !== actor.regionId ||
              r.user.courtId !== actor.courtId
            )
              stream.end('user_changed');
          })
          .catch(() => undefined) // a database hiccup: look again next time
          .finally(() => (checking = false));
      }, deps.checkMs);
      check.unref();

      const done = () => {
        over = true;
        clearInterval(ping);
        clearInterval(check);
        unsubscribe();
        all.delete(stream);
        if (h) remove(byToken, h, stream);
        if (actor.userId) remove(byUser, actor.userId, stream);
      };
      const stream: Stream = {
        actor,
        tokenHash: h,
        end(reason) {
          if (over) return;
          // The terminal reads this and stops reconnecting: the session, not the network, ended.
          res.write(`event: end\ndata: ${JSON.stringify({ reason })}\n\n`);
          done();
          res.end();
        },
        close() {
          done();
          res.end();
        },
      };
      all.add(stream);
      if (h) add(byToken, h, stream);
      if (actor.userId) add(byUser, actor.userId, stream);
      res.on('close', done);
    },
    closeAll() {
      for (const s of [...all]) s.close();
    },
    count: () => all.size,
  };
}
