/** Routes of the foundation: health, metrics, devices, commands, offline read-outs and the ledger check. */
import { FOUNDATION_ROUTES } from '@sde/api';
import { unitRangeProblems } from '@sde/domain';
import { parseReadout, openFrame, type CommandBody, type EventsMessage } from '@sde/protocol';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import type { DeviceService } from '../devices/device.service.js';
import type { CommandRepository } from '../commands/command.repository.js';
import { NotFoundError, ValidationError } from '../errors.js';
import type { Gateway } from '../ingest/gateway.js';
import type { ChainService } from '../chains/chain.service.js';
import type { Ledger } from '../ledger/ledger.service.js';
import type { Metrics } from '../metrics.js';
import { recordAudit } from '../audit/audit.repository.js';
import { DomainRuleError } from '../cases/domain-error.js';
import { ORDER_DEVICE_KIND } from '../cases/supervision.service.js';
import { presentCommandsFor } from '../monitoring/monitoring.presenters.js';
import { notFound, reachable, registerTable } from './route-table.js';

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
    /** The hash chains (ADR 0701), checked by `ledger verify` and `audit verify`. */
    chains: ChainService;
    metrics: Metrics;
    health: () => Promise<{ storage: boolean; broker: boolean }>;
    /** Scope checks, and where the audit records of device writes go. */
    db: Kysely<DB>;
  },
): void {
  registerTable(
    app,
    FOUNDATION_ROUTES,
    {
      healthz: async ({ reply }) => {
        const h = await deps.health();
        const ok = h.storage && h.broker;
        return reply.status(ok ? 200 : 503).send({ status: ok ? 'ok' : 'unavailable', ...h });
      },
      metrics: ({ reply }) => {
        reply.header('content-type', deps.metrics.registry.contentType);
        return deps.metrics.registry.metrics();
      },
      provisionDevices: async ({ actor, body, requestId }) => ({
        devices: await deps.devices.provision(body, (trx, devices) =>
          recordAudit(trx, actor, {
            action: 'device.provision',
            entity: 'device',
            entityId: devices.length === 1 ? devices[0]!.id : `${devices[0]!.id}…${devices.at(-1)!.id}`,
            // The ids and kind; never the secrets, which the answer hands out once.
            changes: { kind: body.kind, count: devices.length, ids: devices.map((d) => d.id) },
            personId: null,
            requestId,
          }),
        ),
      }),
      // The table has checked the device is in scope (a device outside it answers 404, as an unknown one).
      getDevice: async ({ params: { id } }) => {
        const status = await deps.devices.status(id);
        if (!status) throw new NotFoundError(`device ${id}`, `urządzenie ${id}`);
        return status;
      },
      sendCommand: async ({ actor, params, body, requestId }) => {
        if (body.cmd === 'set_range') {
          // A range the law does not allow is refused here, before it is queued, not by the unit days later.
          const device = await deps.devices.lookup(params.id);
          const kind = device && ORDER_DEVICE_KIND[device.kind];
          const problems = kind ? unitRangeProblems(kind, body.meters, 'meters') : [];
          if (problems.length > 0) throw new DomainRuleError(problems);
        }
        return deps.gateway.enqueueCommand(params.id, body, actor.login, (trx, stored) =>
          recordAudit(trx, actor, {
            action: body.cmd === 'message' ? 'device.message' : 'device.command',
            entity: 'device',
            entityId: params.id,
            changes: { commandId: stored.id, ...commandSummary(body) },
            requestId,
          }),
        );
      },
      listCommands: async ({ actor, params: { id } }) => {
        const device = await deps.devices.lookup(id);
        if (!device) throw new NotFoundError(`device ${id}`, `urządzenie ${id}`);
        return { commands: presentCommandsFor(actor, await deps.commands.list(device.no, 100)) };
      },
      uploadReadout: async ({ actor, req, requestId }) => {
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
          await recordAudit(deps.db, actor, {
            action: 'readout.refused',
            entity: 'device',
            entityId: first.ok ? first.value.dev.slice(0, 64) : 'unknown',
            changes: { code: readout.error.code, bytes: Buffer.byteLength(text) },
            requestId,
          });
          throw new ValidationError(
            `read-out file refused: ${readout.error.message}`,
            undefined,
            readout.error.code,
          );
        }
        const device = (await deps.devices.lookup(readout.value.header.dev))!;
        // The file names its device: one outside the caller's scope is refused as if unknown.
        if (!(await reachable(deps.db, actor, 'device', device.id))) throw notFound('device', device.id);
        const lines = text.split('\n');
        // Frames keep their raw text: line 0 is the header, the batches follow in order.
        const batches = readout.value.batches.map((message: EventsMessage, i) => ({
          message,
          frame: lines[i + 1]!,
        }));
        const outcome = await deps.gateway.ingestReadout(device, batches);
        // The ledger stores read-outs through its group commit (no transaction of this request's own), so the
        // record follows the stored batches; counts and the sequence range, not the events' contents.
        await recordAudit(deps.db, actor, {
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
          requestId,
        });
        return {
          device: device.id,
          complete: readout.value.complete,
          ...(readout.value.problem ? { problem: readout.value.problem } : {}),
          events: batches.reduce((n, b) => n + b.message.events.length, 0),
          ...outcome,
        };
      },
      verifyLedger: async () => ({
        ...(await deps.ledger.verify()),
        chains: await deps.chains.verifyLedger(),
      }),
      verifyAudit: () => deps.chains.verifyAudit(),
      // Frames refused for implausible sequence numbers (ADR 0408): which units, which numbers, how often.
      ledgerQuarantine: async () => ({ frames: await deps.ledger.quarantined() }),
    },
    deps,
  );
}
