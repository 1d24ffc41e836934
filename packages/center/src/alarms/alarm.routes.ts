/** The alarms API (docs/api-alarms.md): the queue, the operator workflow, incidents and the live stream. */
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/auth.service.js';
import { parse } from '../http/server.js';
import {
  AlarmIdParams,
  AlarmListQuery,
  CallBody,
  CloseBody,
  ExcuseBody,
  IncidentQuery,
  NoteBody,
  PatrolBody,
  QualifyBody,
} from './alarm.schemas.js';
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

  app.get('/api/v1/alarms', async (req) => {
    const q = parse(AlarmListQuery, req.query);
    const offset = q.cursor ? Number(Buffer.from(q.cursor, 'base64url').toString()) || 0 : 0;
    const r = await alarms.list(req.actor, {
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
  });

  app.get('/api/v1/alarms/:id', async (req) => {
    const { id } = parse(AlarmIdParams, req.params);
    return alarms.get(req.actor, id);
  });

  app.post('/api/v1/alarms/:id/acknowledge', async (req) => {
    const { id } = parse(AlarmIdParams, req.params);
    return alarms.acknowledge(req.actor, id, req.id);
  });
  app.post('/api/v1/alarms/:id/notes', async (req, reply) => {
    const { id } = parse(AlarmIdParams, req.params);
    const { text } = parse(NoteBody, req.body);
    return reply.status(201).send(await alarms.note(req.actor, id, text, req.id));
  });
  app.post('/api/v1/alarms/:id/calls', async (req, reply) => {
    const { id } = parse(AlarmIdParams, req.params);
    return reply.status(201).send(await alarms.call(req.actor, id, parse(CallBody, req.body), req.id));
  });
  app.post('/api/v1/alarms/:id/patrols', async (req, reply) => {
    const { id } = parse(AlarmIdParams, req.params);
    return reply.status(201).send(await alarms.patrol(req.actor, id, parse(PatrolBody, req.body), req.id));
  });
  app.post('/api/v1/alarms/:id/excuse', async (req) => {
    const { id } = parse(AlarmIdParams, req.params);
    const { text } = parse(ExcuseBody, req.body);
    return alarms.excuse(req.actor, id, text, req.id);
  });
  app.post('/api/v1/alarms/:id/qualify', async (req) => {
    const { id } = parse(AlarmIdParams, req.params);
    return alarms.qualify(req.actor, id, parse(QualifyBody, req.body), req.id);
  });
  app.post('/api/v1/alarms/:id/close', async (req) => {
    const { id } = parse(AlarmIdParams, req.params);
    const { note } = parse(CloseBody, req.body ?? {});
    return alarms.close(req.actor, id, note, req.id);
  });

  app.get('/api/v1/incidents', async (req) => {
    const { active } = parse(IncidentQuery, req.query);
    return alarms.incidents(req.actor, active);
  });

  // Server-Sent Events: every alarm change within the caller's scope, as it is committed (live-stream.ts).
  app.get('/api/v1/stream', (req, reply) => streams.open(req, reply));

  return streams;
}
