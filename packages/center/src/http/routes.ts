/** Routes of the foundation: health, metrics, devices, commands, offline read-outs and the ledger check. */
import { CommandBody, parseReadout, openFrame, type EventsMessage } from '@sde/protocol';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { DeviceService } from '../devices/device.service.js';
import type { CommandRepository } from '../commands/command.repository.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Gateway } from '../ingest/gateway.js';
import type { Ledger } from '../ledger/ledger.service.js';
import type { Metrics } from '../metrics.js';
import { requirePermission, scopeOf, type Actor } from '../auth/actor.js';
import { recordAudit } from '../audit/audit.repository.js';
import type { Database } from '../db/database.js';
import { presentCommandsFor } from '../monitoring/monitoring.presenters.js';
import { parse } from './server.js';

const ProvisionBody = z
  .object({
    kind: z.enum(['transmitter', 'home_unit', 'portable_unit', 'protected_unit']),
    count: z.number().int().min(1).max(10_000).optional(),
    prefix: z.string().max(40).optional(),
    ids: z.array(z.string()).min(1).max(10_000).optional(),
  })
  .refine((b) => (b.ids === undefined) !== (b.count === undefined), 'give either ids or count');

const DeviceParams = z.object({ id: z.string().min(1).max(64) });

/**
 * What the audit keeps of a command: its kind and settings, and of a text message only its length — the
 * text may say something personal and is kept with the command itself, for those who may read it.
 */
function commandSummary(body: CommandBody): Record<string, unknown> {
  switch (body.cmd) {
    case 'message':
      return { command: 'message', length: body.text.length };
    case 'set_range':
      return { command: 'set_range', meters: body.meters };
    case 'set_interval':
      return { command: 'set_interval', seconds: body.seconds };
  }
}

/** Registers the routes. */
export function registerRoutes(
  app: FastifyInstance,
  deps: {
    devices: DeviceService;
    commands: CommandRepository;
    gateway: Gateway;
    ledger: Ledger;
    metrics: Metrics;
    health: () => Promise<{ storage: boolean; broker: boolean }>;
    /** Where the audit records of device writes go. */
    db: Database;
  },
): void {
  app.get('/healthz', async (_req, reply) => {
    const h = await deps.health();
    const ok = h.storage && h.broker;
    return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', ...h });
  });

  app.get('/metrics', async (_req, reply) => {
    reply.header('content-type', deps.metrics.registry.contentType);
    return deps.metrics.registry.metrics();
  });

  app.post('/api/v1/devices', async (req, reply) => {
    requirePermission(req.actor, 'device.manage');
    const body = parse(ProvisionBody, req.body);
    const created = await deps.devices.provision(body, (trx, devices) =>
      recordAudit(trx, req.actor, {
        action: 'device.provision',
        entity: 'device',
        entityId: devices.length === 1 ? devices[0]!.id : `${devices[0]!.id}…${devices.at(-1)!.id}`,
        // The ids and kind; never the secrets, which the answer hands out once.
        changes: { kind: body.kind, count: devices.length, ids: devices.map((d) => d.id) },
        personId: null,
        requestId: req.id,
      }),
    );
    return reply.status(201).send({ devices: created });
  });

  /** A device outside the caller's scope answers 404, as an unknown one does, so existence does not leak. */
  async function requireDeviceInScope(actor: Actor, id: string): Promise<void> {
    if (!(await deps.devices.visibleTo(scopeOf(actor), id)))
      throw new NotFoundError(`device ${id}`, `urządzenie ${id}`);
  }

  app.get('/api/v1/devices/:id', async (req) => {
    requirePermission(req.actor, 'device.read');
    const { id } = parse(DeviceParams, req.params);
    await requireDeviceInScope(req.actor, id);
    const status = await deps.devices.status(id);
    if (!status) throw new NotFoundError(`device ${id}`, `urządzenie ${id}`);
    return status;
  });

  app.post('/api/v1/devices/:id/commands', async (req, reply) => {
    requirePermission(req.actor, 'message.send');
    const { id } = parse(DeviceParams, req.params);
    const body = parse(CommandBody, req.body);
    await requireDeviceInScope(req.actor, id);
    const command = await deps.gateway.enqueueCommand(id, body, req.actor.login, (trx, stored) =>
      recordAudit(trx, req.actor, {
        action: body.cmd === 'message' ? 'device.message' : 'device.command',
        entity: 'device',
        entityId: id,
        changes: { commandId: stored.id, ...commandSummary(body) },
        requestId: req.id,
      }),
    );
    return reply.status(201).send(command);
  });

  app.get('/api/v1/devices/:id/commands', async (req) => {
    requirePermission(req.actor, 'device.read');
    const { id } = parse(DeviceParams, req.params);
    await requireDeviceInScope(req.actor, id);
    const device = await deps.devices.lookup(id);
    if (!device) throw new NotFoundError(`device ${id}`, `urządzenie ${id}`);
    return { commands: presentCommandsFor(req.actor, await deps.commands.list(device.no, 100)) };
  });

  app.post('/api/v1/readouts', { bodyLimit: 64 * 1024 * 1024 }, async (req) => {
    requirePermission(req.actor, 'device.manage');
    if (typeof req.body !== 'string') {
      throw new ValidationError('send the read-out file as text/plain or application/octet-stream');
    }
    const text = req.body;
    const secrets = new Map<string, string>();
    const first = openFrame(text.slice(0, Math.max(0, text.indexOf('\n'))) || text);
    if (first.ok) {
      const device = await deps.devices.lookup(first.value.dev);
      if (device) secrets.set(device.id, device.secret);
    }
    const readout = parseReadout(text, (dev) => secrets.get(dev));
    if (!readout.ok) {
      deps.metrics.refused.inc({ reason: readout.error.code });
      // A refused file changes nothing but is an attempt worth seeing (a forged or foreign read-out).
      await recordAudit(deps.db, req.actor, {
        action: 'readout.refused',
        entity: 'device',
        entityId: first.ok ? first.value.dev.slice(0, 64) : 'unknown',
        changes: { code: readout.error.code, bytes: Buffer.byteLength(text) },
        requestId: req.id,
      });
      throw new ValidationError(
        `read-out file refused: ${readout.error.message}`,
        undefined,
        readout.error.code,
      );
    }
    const device = (await deps.devices.lookup(readout.value.header.dev))!;
    const lines = text.split('\n');
    // Frames keep their raw text: line 0 is the header, the batches follow in order.
    const batches = readout.value.batches.map((message: EventsMessage, i) => ({
      message,
      frame: lines[i + 1]!,
    }));
    const outcome = await deps.gateway.ingestReadout(device, batches);
    // The ledger stores read-outs through its group commit (no transaction of this request's own), so the
    // record follows the stored batches; counts and the sequence range, not the events' contents.
    await recordAudit(deps.db, req.actor, {
      action: 'readout.upload',
      entity: 'device',
      entityId: device.id,
      changes: {
        from: readout.value.header.from,
        to: readout.value.header.to,
        complete: readout.value.complete,
        batches: batches.length,
        stored: outcome.stored,
        duplicates: outcome.duplicates,
      },
      requestId: req.id,
    });
    return {
      device: device.id,
      complete: readout.value.complete,
      ...(readout.value.problem ? { problem: readout.value.problem } : {}),
      events: batches.reduce((n, b) => n + b.message.events.length, 0),
      ...outcome,
    };
  });

  app.get('/api/v1/ledger/verify', async (req) => {
    requirePermission(req.actor, 'ledger.verify');
    return deps.ledger.verify();
  });

  // Frames refused for implausible sequence numbers (ADR 0408): which units, which numbers, how often.
  app.get('/api/v1/ledger/quarantine', async (req) => {
    requirePermission(req.actor, 'ledger.verify');
    return { frames: await deps.ledger.quarantined() };
  });
}
