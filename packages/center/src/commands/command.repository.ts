/** SQL for commands to devices. */
import type { CommandBody } from '@sde/protocol';
import type { Transaction } from 'kysely';
import type { Database } from '../db/database.js';
import type { DB } from '../db/schema.js';

/**
 * Where a command is on its way (ADR 0504): `queued` (stored, not yet published to a connected unit),
 * `sent` (published to a connected unit, not confirmed), `confirmed` (`cmd_ack` done), `rejected`
 * (`cmd_ack` rejected), `read` (a message the person read: `message_read`).
 */
export type CommandState = 'queued' | 'sent' | 'confirmed' | 'rejected' | 'read';

/** A command as stored, with its delivery state. */
export interface StoredCommand {
  id: string;
  deviceNo: number;
  body: CommandBody;
  /** Where the command is on its way, from the fields below. */
  state: CommandState;
  status: 'queued' | 'sent' | 'done' | 'rejected';
  reason: string | null;
  createdBy: string;
  createdAt: Date;
  sentAt: Date | null;
  confirmedAt: Date | null;
  readAt: Date | null;
}

/** Creates the command repository. */
export function createCommandRepository(db: Database) {
  const columns = [
    'id',
    'device_no',
    'body',
    'status',
    'reason',
    'created_by',
    'created_at',
    'sent_at',
    'confirmed_at',
    'read_at',
  ] as const;
  return {
    /** Stores a command; `record` (the audit record) runs in the same transaction. */
    async insert(
      c: {
        id: string;
        deviceNo: number;
        body: CommandBody;
        createdBy: string;
      },
      record?: (trx: Transaction<DB>, command: StoredCommand) => Promise<void>,
    ): Promise<StoredCommand> {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .insertInto('device_commands')
          .values({ id: c.id, device_no: c.deviceNo, body: JSON.stringify(c.body), created_by: c.createdBy })
          .returning(columns)
          .executeTakeFirstOrThrow();
        const command = toCommand(row);
        await record?.(trx, command);
        return command;
      });
    },
    async byId(id: string): Promise<StoredCommand | undefined> {
      const row = await db
        .selectFrom('device_commands')
        .select(columns)
        .where('id', '=', id)
        .executeTakeFirst();
      return row && toCommand(row);
    },
    async open(deviceNo: number): Promise<StoredCommand[]> {
      const rows = await db
        .selectFrom('device_commands')
        .select(columns)
        .where('device_no', '=', deviceNo)
        .where('status', 'in', ['queued', 'sent'])
        .orderBy('created_at')
        .execute();
      return rows.map(toCommand);
    },
    /** Devices that have commands not yet confirmed. */
    async devicesWithOpen(): Promise<number[]> {
      const rows = await db
        .selectFrom('device_commands')
        .select('device_no')
        .distinct()
        .where('status', 'in', ['queued', 'sent'])
        .execute();
      return rows.map((r) => r.device_no);
    },
    async list(deviceNo: number, limit: number): Promise<StoredCommand[]> {
      const rows = await db
        .selectFrom('device_commands')
        .select(columns)
        .where('device_no', '=', deviceNo)
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute();
      return rows.map(toCommand);
    },
    async markSent(id: string, at: Date): Promise<void> {
      await db
        .updateTable('device_commands')
        .set({ status: 'sent', sent_at: at })
        .where('id', '=', id)
        .where('status', '=', 'queued')
        .execute();
    },
    /** Records the device's answer; only for a command of that device, and only once. */
    async confirm(
      id: string,
      deviceNo: number,
      status: 'done' | 'rejected',
      reason: string | null,
      at: Date,
    ) {
      const r = await db
        .updateTable('device_commands')
        .set({ status, reason, confirmed_at: at })
        .where('id', '=', id)
        .where('device_no', '=', deviceNo)
        .where('status', 'in', ['queued', 'sent'])
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
  };
}

export type CommandRepository = ReturnType<typeof createCommandRepository>;

function toCommand(r: {
  id: string;
  device_no: number;
  body: Record<string, unknown>;
  status: StoredCommand['status'];
  reason: string | null;
  created_by: string;
  created_at: Date;
  sent_at: Date | null;
  confirmed_at: Date | null;
  read_at: Date | null;
}): StoredCommand {
  return {
    id: r.id,
    deviceNo: r.device_no,
    body: r.body as CommandBody,
    state: r.read_at
      ? 'read'
      : r.status === 'done'
        ? 'confirmed'
        : r.status === 'rejected'
          ? 'rejected'
          : r.status,
    status: r.status,
    reason: r.reason,
    createdBy: r.created_by,
    createdAt: r.created_at,
    sentAt: r.sent_at,
    confirmedAt: r.confirmed_at,
    readAt: r.read_at,
  };
}
