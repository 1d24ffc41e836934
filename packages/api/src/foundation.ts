/** The foundation's routes: health, metrics, devices, commands, offline read-outs and the ledger check. */
// The command's wire schema is the protocol's own (one definition, zod only): the HTTP body is what goes
// to the unit (ADR 0402, "Shared @sde/api package").
import { CommandBody } from '@sde/protocol/messages';
import { z } from 'zod';
import { DeviceParams, RestrictedClass, Stamp } from './cases.js';
import { DeviceKind, DeviceStatus } from './monitoring.js';
import { spec, type RouteSpec } from './route-spec.js';

export { CommandBody };

export const ProvisionBody = z
  .object({
    kind: DeviceKind,
    count: z.number().int().min(1).max(10_000).optional(),
    prefix: z.string().max(40).optional(),
    ids: z.array(z.string()).min(1).max(10_000).optional(),
  })
  .refine((b) => (b.ids === undefined) !== (b.count === undefined), 'give either ids or count');

/** A command queued for a unit, with its delivery and read times; installers get a message without its text. */
export const DeviceCommand = z
  .object({
    id: z.string(),
    deviceNo: z.number(),
    body: z.object({ cmd: z.string(), text: z.string().optional() }).loose(),
    /** Where the command is on its way (docs/protocol.md, `cmd`; ADR 0504). */
    state: z.enum(['queued', 'sent', 'confirmed', 'rejected', 'read']),
    status: z.enum(['queued', 'sent', 'done', 'rejected']),
    reason: z.string().nullable(),
    createdBy: z.string(),
    createdAt: Stamp,
    sentAt: Stamp.nullable(),
    confirmedAt: Stamp.nullable(),
    readAt: Stamp.nullable(),
    restricted: z.array(RestrictedClass).optional(),
  })
  // Loose: the message text is the presenter's matter.
  .loose();

/** The first problem of a hash chain or of the checkpoints (ADR 0701), naming the record. */
export const ChainProblem = z.strictObject({
  kind: z.enum([
    'altered',
    'missing',
    'inserted',
    'head',
    'checkpoint_head',
    'checkpoint_signature',
    'checkpoint_sequence',
  ]),
  chain: z.enum(['device', 'audit', 'checkpoint']),
  device: z.string().optional(),
  lane: z.number().optional(),
  pos: z.number().optional(),
  record: z.enum(['raw', 'event', 'audit', 'checkpoint']).optional(),
  id: z.number().optional(),
  seq: z.number().optional(),
  message: z.string(),
});

/** What a check of the hash chains against the signed checkpoints found (ADR 0701). */
export const ChainVerification = z.strictObject({
  intact: z.boolean(),
  chains: z.number(),
  links: z.number(),
  unchained: z.number(),
  checkpoints: z.number(),
  checkpoint: z.strictObject({ id: z.number(), at: Stamp, keyId: z.string() }).nullable(),
  problems: z.array(ChainProblem),
});

/** What `ledger verify` reports (ADR 0408, 0701); loose, the ledger may report more. */
export const LedgerVerification = z
  .object({
    events: z.number(),
    devices: z.number(),
    duplicates: z.number(),
    gaps: z.number(),
    chains: ChainVerification,
  })
  .loose();

/** A frame refused for implausible sequence numbers (without its events). */
export const QuarantinedFrame = z
  .object({
    device: z.string(),
    reason: z.string(),
    source: z.enum(['mqtt', 'readout']),
    firstSeq: z.number(),
    lastSeq: z.number(),
    events: z.number(),
    firstReceivedAt: Stamp,
    lastReceivedAt: Stamp,
    refusals: z.number(),
  })
  .loose();

/** The foundation's routes: health, metrics, devices, commands, read-outs, the ledger check. */
export const FOUNDATION_ROUTES = {
  healthz: spec({
    method: 'GET',
    path: '/healthz',
    summary: 'Whether storage and broker answer (503 when not)',
    tag: 'meta',
    access: 'public',
    response: z.strictObject({
      status: z.enum(['ok', 'unavailable']),
      storage: z.boolean(),
      broker: z.boolean(),
    }),
  }),
  metrics: spec({
    method: 'GET',
    path: '/metrics',
    summary: 'Prometheus metrics (text)',
    tag: 'meta',
    access: 'public',
  }),
  provisionDevices: spec({
    method: 'POST',
    path: '/api/v1/devices',
    summary: 'Register devices (by ids or a count with a prefix); answers their secrets once',
    tag: 'devices',
    permission: 'device.manage',
    body: ProvisionBody,
    response: z.strictObject({
      devices: z.array(z.strictObject({ id: z.string(), kind: DeviceKind, secret: z.string() })),
    }),
    status: 201,
  }),
  getDevice: spec({
    method: 'GET',
    path: '/api/v1/devices/:id',
    summary: "A device's state: last contact, seq marks, clock offset",
    tag: 'devices',
    permission: 'device.read',
    params: DeviceParams,
    response: DeviceStatus,
    scope: { param: 'id', kind: 'device' },
  }),
  sendCommand: spec({
    method: 'POST',
    path: '/api/v1/devices/:id/commands',
    summary: 'Queue a command or a message to the unit (T4.4)',
    tag: 'devices',
    permission: 'message.send',
    params: DeviceParams,
    body: CommandBody,
    response: DeviceCommand,
    scope: { param: 'id', kind: 'device' },
    status: 201,
  }),
  listCommands: spec({
    method: 'GET',
    path: '/api/v1/devices/:id/commands',
    summary: "The device's last 100 commands and their state",
    tag: 'devices',
    permission: 'device.read',
    params: DeviceParams,
    response: z.strictObject({ commands: z.array(DeviceCommand) }),
    scope: { param: 'id', kind: 'device' },
  }),
  uploadReadout: spec({
    method: 'POST',
    path: '/api/v1/readouts',
    summary:
      "Upload a unit's offline read-out file (text/plain or application/octet-stream); a device outside " +
      'your scope answers 404',
    tag: 'devices',
    permission: 'device.manage',
    response: z
      .object({
        device: z.string(),
        complete: z.boolean(),
        problem: z.string().optional(),
        events: z.number(),
        stored: z.number(),
        duplicates: z.number(),
      })
      .loose(),
    bodyLimit: 64 * 1024 * 1024,
  }),
  verifyLedger: spec({
    method: 'GET',
    path: '/api/v1/ledger/verify',
    summary: "Check the ledger's integrity: chains, gaps, duplicates",
    tag: 'meta',
    permission: 'ledger.verify',
    response: LedgerVerification,
  }),
  verifyAudit: spec({
    method: 'GET',
    path: '/api/v1/audit/verify',
    summary:
      "Check the audit log's hash chains against the signed checkpoints; names the first record of each " +
      'chain that does not match (ADR 0701)',
    tag: 'audit',
    permission: 'audit.read',
    response: ChainVerification,
  }),
  ledgerQuarantine: spec({
    method: 'GET',
    path: '/api/v1/ledger/quarantine',
    summary:
      'The latest 100 frames refused for implausible sequence numbers: unit, numbers, first and last ' +
      'refusal, repeats (not their events; ADR 0408)',
    tag: 'meta',
    permission: 'ledger.verify',
    response: z.strictObject({ frames: z.array(QuarantinedFrame) }),
  }),
} as const satisfies Record<string, RouteSpec>;

export type DeviceCommand = z.output<typeof DeviceCommand>;
export type LedgerVerification = z.output<typeof LedgerVerification>;
export type ChainVerification = z.output<typeof ChainVerification>;
export type QuarantinedFrame = z.output<typeof QuarantinedFrame>;
