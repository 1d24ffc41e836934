/**
 * The gateway: every uplink frame passes here. It authenticates the device, decodes and validates the
 * message, hands event batches to the ledger and acknowledges them once stored, answers clock requests,
 * delivers queued commands and records their confirmations. A bad frame is refused and counted; it never
 * throws, so one device cannot disturb another.
 */
import { randomUUID } from 'node:crypto';
import {
  MAX_EVENTS_PER_BATCH,
  deviceOfUplinkTopic,
  downlinkQos,
  downlinkTopic,
  encodeFrame,
  openFrame,
  parseUplink,
  PROTOCOL_VERSION,
  verifyFrame,
  type CommandBody,
  type DownlinkMessage,
  type EventsMessage,
  type ProtocolError,
  type RefusalCode,
} from '@sde/protocol';
import type { Transaction } from 'kysely';
import { systemClock, type Clock } from '../clock.js';
import type { CommandRepository, StoredCommand } from '../commands/command.repository.js';
import type { DB } from '../db/schema.js';
import type { DeviceRecord } from '../devices/device.repository.js';
import type { DeviceService } from '../devices/device.service.js';
import { NotFoundError } from '../errors.js';
import {
  OverloadedError,
  SeqOutOfRangeError,
  UnstorableBatchError,
  type Ledger,
  type LedgerOutcome,
} from '../ledger/ledger.service.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { DeviceTransport } from '../transport/transport.js';

/**
 * A unit counts as connected, where the transport cannot tell, for this long after its last frame: twice
 * the default reporting interval (5 min), as the console's "online" (ADR 0504).
 */
export const PRESENCE_MS = 10 * 60_000;

/** Creates the gateway between the transport and the ledger. */
export function createGateway(deps: {
  devices: DeviceService;
  ledger: Ledger;
  commands: CommandRepository;
  transport: Pick<DeviceTransport, 'publish'> & Partial<Pick<DeviceTransport, 'isConnected'>>;
  metrics: Metrics;
  logger: Logger;
  /** Devices with commands not yet confirmed, as stored at start. */
  devicesWithOpenCommands: number[];
  /** The center's clock: arrival times and the times the center puts on its messages (default: system). */
  clock?: Pick<Clock, 'now'>;
  /** A device confirmed a command: what it reports against may have changed (a reporting interval). */
  onCommandConfirmed?: (deviceId: string) => void;
}) {
  const { devices, ledger, commands, transport, metrics, logger } = deps;
  const clock = deps.clock ?? systemClock;
  // Devices that may have unconfirmed commands: a hello of any other device needs no read.
  const withOpenCommands = new Set(deps.devicesWithOpenCommands);
  let inFlight = 0;
  let idle: (() => void) | undefined;
  // When each device last sent an authentic frame: its presence where the transport cannot tell (ADR 0504).
  const lastHeard = new Map<number, number>();

  /**
   * Whether a command published now reaches the unit: the transport knows (the embedded broker: connected
   * and subscribed to its downlink); otherwise, a frame from it within the last `PRESENCE_MS`.
   */
  function connected(device: DeviceRecord): boolean {
    const known = transport.isConnected?.(device.id);
    if (known !== undefined) return known;
    return clock.now() - (lastHeard.get(device.no) ?? -Infinity) < PRESENCE_MS;
  }

  function refuse(code: RefusalCode, detail: { topicDevice?: string | undefined; message?: string }): void {
    metrics.refused.inc({ reason: code });
    logger.debug({ device: detail.topicDevice, reason: code }, 'uplink refused');
  }

  async function send(device: DeviceRecord, message: DownlinkMessage): Promise<void> {
    await transport.publish(
      downlinkTopic(device.id),
      encodeFrame(message, device.secret),
      downlinkQos(message.type),
    );
  }

  async function sendRefusal(device: DeviceRecord, error: ProtocolError): Promise<void> {
    await send(device, {
      v: PROTOCOL_VERSION,
      type: 'refusal',
      dev: device.id,
      ts: clock.now(),
      code: error.code,
      message: error.message,
    });
  }

  async function sendCommand(device: DeviceRecord, command: StoredCommand): Promise<void> {
    await send(device, {
      v: PROTOCOL_VERSION,
      type: 'cmd',
      dev: device.id,
      ts: clock.now(),
      id: command.id,
      ...command.body,
    });
    metrics.commandsSent.inc();
    // Sent means published to a connected unit; only the first such publication is recorded.
    if (command.status === 'queued') await commands.markSent(command.id, new Date(clock.now()));
  }

  /** Authenticates and validates a frame; answers a refusal to a known device, counts every refusal. */
  async function admit(topicDevice: string | undefined, frame: Buffer) {
    const opened = openFrame(frame);
    if (!opened.ok) {
      refuse(opened.error.code, { topicDevice });
      // Only a registered device named by the topic hears why; the refusal is signed with its secret.
      const device = topicDevice ? await devices.lookup(topicDevice) : undefined;
      if (device && opened.error.code === 'unsupported_version') await sendRefusal(device, opened.error);
      return undefined;
    }
    const device = await devices.lookup(opened.value.dev);
    if (!device) return refuse('unknown_device', { topicDevice });
    if (topicDevice !== undefined && topicDevice !== device.id)
      return refuse('topic_mismatch', { topicDevice });
    if (!verifyFrame(opened.value, device.secret)) return refuse('bad_signature', { topicDevice });
    if (device.status !== 'active') return refuse('device_disabled', { topicDevice });
    const message = parseUplink(opened.value.body);
    if (!message.ok) {
      refuse(message.error.code, { topicDevice });
      await sendRefusal(device, message.error);
      return undefined;
    }
    return { device, message: message.value, text: opened.value.text };
  }

  async function handle(topic: string, frame: Buffer, receivedAt: Date): Promise<void> {
    metrics.messagesReceived.inc({ source: 'mqtt' });
    const topicDevice = deviceOfUplinkTopic(topic);
    if (topicDevice === undefined) return refuse('topic_mismatch', {});
    const admitted = await admit(topicDevice, frame);
    if (!admitted) return;
    const { device, message, text } = admitted;
    lastHeard.set(device.no, receivedAt.getTime());
    switch (message.type) {
      case 'events': {
        metrics.eventsReceived.inc(message.events.length);
        let outcome: LedgerOutcome;
        try {
          outcome = await ledger.submit({
            deviceNo: device.no,
            message,
            frame: text,
            receivedAt,
            source: 'mqtt',
          });
        } catch (err) {
          // Not stored, not acknowledged: the device keeps the events and retransmits.
          if (err instanceof OverloadedError) return refuse('overloaded', { topicDevice });
          // Numbers far above the mark: the frame is quarantined; the unit hears why (ADR 0408).
          if (err instanceof SeqOutOfRangeError) {
            refuse('seq_out_of_range', { topicDevice });
            return sendRefusal(device, { code: 'seq_out_of_range', message: err.message });
          }
          if (err instanceof UnstorableBatchError) {
            refuse('invalid_message', { topicDevice });
            return sendRefusal(device, { code: 'invalid_message', message: err.message });
          }
          throw err;
        }
        if (outcome.reused) {
          // Numbers the center holds with other content: refused with the numbers, and no `ack` for this
          // frame — its `through` would tell the unit to free events that are not stored (ADR 0504).
          refuse('seq_reused', { topicDevice });
          return send(device, {
            v: PROTOCOL_VERSION,
            type: 'refusal',
            dev: device.id,
            ts: clock.now(),
            code: 'seq_reused',
            message:
              `sequence numbers already stored with other content: ${describeSeqs(outcome.reused)}; ` +
              `these events are not stored: number them above ${outcome.through} and send them again`,
            seqs: outcome.reused.slice(0, MAX_EVENTS_PER_BATCH),
          });
        }
        await send(device, { v: 1, type: 'ack', dev: device.id, ts: clock.now(), through: outcome.through });
        return;
      }
      case 'hello': {
        devices.noteHello(
          device.no,
          message.model,
          message.fw,
          receivedAt,
          receivedAt.getTime() - message.ts,
        );
        const through = await ledger.through(device.no);
        await send(device, { v: 1, type: 'ack', dev: device.id, ts: clock.now(), through });
        if (withOpenCommands.has(device.no)) {
          const open = await commands.open(device.no);
          if (open.length === 0) withOpenCommands.delete(device.no);
          for (const command of open) await sendCommand(device, command);
        }
        return;
      }
      case 'time_req':
        await send(device, {
          v: 1,
          type: 'time',
          dev: device.id,
          req: message.ts,
          recv: receivedAt.getTime(),
          ts: clock.now(),
        });
        return;
      case 'cmd_ack': {
        const known = await commands.confirm(
          message.id,
          device.no,
          message.status,
          message.reason ?? null,
          receivedAt,
        );
        if (!known)
          logger.debug(
            { device: device.id, command: message.id },
            'confirmation of an unknown or closed command',
          );
        else if (message.status === 'done') deps.onCommandConfirmed?.(device.id);
        return;
      }
    }
  }

  return {
    /**
     * The transport's uplink handler, called as the frame arrives: the arrival time (`receivedAt`, which
     * communication loss and lateness are decided on) is read from the clock here. Never throws; errors
     * are logged with the device id only.
     */
    onUplink(topic: string, frame: Buffer): void {
      const receivedAt = new Date(clock.now());
      inFlight++;
      handle(topic, frame, receivedAt)
        .catch((err: unknown) => {
          metrics.refused.inc({ reason: 'internal_error' });
          logger.error(
            { topic, err: err instanceof Error ? err.message : String(err) },
            'uplink handling failed',
          );
        })
        .finally(() => {
          inFlight--;
          if (inFlight === 0) idle?.();
        });
    },

    /** Stores the batches of an offline read-out, through the same ledger as live data (T2.6). */
    async ingestReadout(device: DeviceRecord, batches: { message: EventsMessage; frame: string }[]) {
      const receivedAt = new Date(clock.now());
      let stored = 0;
      let duplicates = 0;
      let through = 0;
      // Events of batches numbered implausibly far above the unit's mark: refused, their frames quarantined
      // (ADR 0408); the rest of the file is stored.
      let quarantined = 0;
      let reused = 0;
      for (const b of batches) {
        metrics.messagesReceived.inc({ source: 'readout' });
        metrics.eventsReceived.inc(b.message.events.length);
        let outcome: LedgerOutcome;
        try {
          outcome = await ledger.submit({
            deviceNo: device.no,
            message: b.message,
            frame: b.frame,
            receivedAt,
            source: 'readout',
          });
        } catch (err) {
          if (!(err instanceof SeqOutOfRangeError)) throw err;
          metrics.refused.inc({ reason: 'seq_out_of_range' });
          quarantined += b.message.events.length;
          through = err.through;
          continue;
        }
        stored += outcome.stored;
        duplicates += outcome.duplicates;
        reused += outcome.reused?.length ?? 0;
        through = outcome.through;
      }
      if (reused > 0) metrics.refused.inc({ reason: 'seq_reused' });
      return {
        stored,
        duplicates,
        through,
        ...(quarantined > 0 ? { quarantined } : {}),
        // Events whose numbers the center holds with other content: left out (ADR 0504).
        ...(reused > 0 ? { reused } : {}),
      };
    },

    /**
     * Queues a command for a device and sends it at once; a device offline gets it on its next hello.
     * `record` (the audit record) is written in the transaction that stores the command.
     */
    async enqueueCommand(
      deviceId: string,
      body: CommandBody,
      createdBy: string,
      record?: (trx: Transaction<DB>, command: StoredCommand) => Promise<void>,
    ): Promise<StoredCommand> {
      const device = await devices.lookup(deviceId);
      if (!device) throw new NotFoundError(`device ${deviceId}`);
      const command = await commands.insert(
        { id: randomUUID(), deviceNo: device.no, body, createdBy },
        record,
      );
      withOpenCommands.add(device.no);
      // A unit not connected gets it after its next hello; publishing now would reach nobody (a clean
      // session keeps nothing) and "sent" would be untrue (ADR 0504).
      if (connected(device))
        await sendCommand(device, command).catch((err: unknown) =>
          logger.warn({ device: device.id, err: String(err) }, 'command queued; sending now failed'),
        );
      return (await commands.byId(command.id)) ?? command;
    },

    /** Resolves when no uplink is being handled (graceful shutdown). */
    async drain(): Promise<void> {
      if (inFlight === 0) return;
      await new Promise<void>((resolve) => (idle = resolve));
    },
  };
}

export type Gateway = ReturnType<typeof createGateway>;

/** `3, 7–9, 12` and how many more: the numbers a refusal names, short enough for a log line. */
function describeSeqs(seqs: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < seqs.length && parts.length < 10;) {
    let j = i;
    while (j + 1 < seqs.length && seqs[j + 1] === seqs[j]! + 1) j++;
    parts.push(i === j ? String(seqs[i]) : `${seqs[i]}–${seqs[j]}`);
    i = j + 1;
  }
  const shown = parts.join(', ');
  return parts.length === 10 && seqs.length > 0 ? `${shown} (of ${seqs.length})` : shown;
}
