/** The alarms API (docs/api-alarms.md): the queue, the operator workflow, incidents and the live stream. */
import { ALARM_ROUTES } from '@sde/api';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { AuthService } from '../auth/auth.service.js';
import type { DB } from '../db/schema.js';
import { registerTable, type Handlers } from '../http/route-table.js';
import type { AlarmService } from './alarm.service.js';
import type { LiveBus } from './live-bus.js';
import { createLiveStreams, type StreamRegistry } from './live-stream.js';

const SEVERITY_DB = { critical: 'critical', serious: 'serious', info: 'informational' } as const;

/** Registers the routes; returns the registry of open streams. */
export function registerAlarmRoutes(
  app: FastifyInstance,
  deps: {
    alarms: AlarmService;
    bus: LiveBus;
    /** Sessions: a stream closes when its session ends. */
    auth: Pick<AuthService, 'liveSession' | 'onSessionEnd'>;
    /** Milliseconds between a stream's looks at its session (SDE_STREAM_CHECK_SECONDS). */
    streamCheckMs: number;
    db: Kysely<DB>;
    /** A write to supervisions, orders or devices succeeded: the engine reloads what it reads. */
    onConfigurationChange?: () => void;
  },
): StreamRegistry {
  const { alarms, bus } = deps;
  const streams = createLiveStreams({
    bus,
    auth: deps.auth,
    checkMs: deps.streamCheckMs,
    // Each alarm exactly as the alarm list shows this caller (ADR 0403).
    present: async (actor, alarm) => (await alarms.presentFor(actor, [alarm]))[0],
  });

  if (deps.onConfigurationChange) {
    const notify = deps.onConfigurationChange;
    app.addHook('onResponse', async (req, reply) => {
      if (req.method === 'GET' || reply.statusCode >= 300) return;
      const path = req.url.split('?')[0]!;
      if (/^\/api\/v1\/(supervisions|orders|applications|devices)\b/.test(path)) notify();
    });
  }

  const handlers: Handlers<typeof ALARM_ROUTES> = {
    listAlarms: async ({ actor, query: q }) => {
      const offset = q.cursor ? Number(Buffer.from(q.cursor, 'base64url').toString()) : 0;
      const r = await alarms.list(actor, {
        status: q.status,
        severity: q.severity ? SEVERITY_DB[q.severity] : undefined,
        rule: q.rule,
        supervisionId: q.supervisionId,
        from: q.from ? new Date(q.from) : undefined,
        to: q.to ? new Date(q.to) : undefined,
        limit: q.limit,
        offset,
      });
      return {
        alarms: r.alarms,
        next: r.more ? Buffer.from(String(offset + q.limit)).toString('base64url') : null,
      };
    },
    getAlarm: (c) => alarms.get(c.actor, c.params.id),
    acknowledge: (c) => alarms.acknowledge(c.actor, c.params.id, c.requestId),
    note: (c) => alarms.note(c.actor, c.params.id, c.body.text, c.requestId),
    call: (c) => alarms.call(c.actor, c.params.id, c.body, c.requestId),
    patrol: (c) => alarms.patrol(c.actor, c.params.id, c.body, c.requestId),
    excuse: (c) => alarms.excuse(c.actor, c.params.id, c.body.text, c.requestId),
    qualify: (c) => alarms.qualify(c.actor, c.params.id, c.body, c.requestId),
    close: (c) => alarms.close(c.actor, c.params.id, c.body.note, c.requestId),
    incidents: (c) => alarms.incidents(c.actor, c.query.active),
    // Server-Sent Events: every alarm change within the caller's scope, as it is committed (live-stream.ts).
    stream: ({ req, reply }) => streams.open(req, reply),
  };
  registerTable(app, ALARM_ROUTES, handlers, deps);

  return streams;
}
