/** The unit's service interface (T2.6): an offline read-out file of its memory, for a technician to upload. */
import { writeFile } from 'node:fs/promises';
import { encodeReadout } from '@sde/protocol';
import { Journal } from './journal.js';

/** What a read-out file holds. */
export interface ReadoutSummary {
  device: string;
  events: number;
  /** First and last seq in the file (0 and 0 when the memory is empty). */
  from: number;
  to: number;
  /** Events in the file the center has not acknowledged. */
  unacked: number;
}

/**
 * Writes the read-out file of `deviceId` from the journal in `stateDir`: every event the unit still keeps,
 * acknowledged or not (at least 72 h / 24 h of them), signed with the unit's key. The journal may be in use
 * by a running fleet.
 */
export async function writeReadout(
  stateDir: string,
  deviceId: string,
  outPath: string,
): Promise<ReadoutSummary> {
  const devices = await Journal.read(stateDir);
  const memory = devices.get(deviceId);
  if (!memory) throw new Error(`device ${deviceId} has no memory in ${stateDir}`);
  const events = memory.events;
  await writeFile(outPath, encodeReadout(memory.id, memory.secret, events), { mode: 0o600 });
  return {
    device: deviceId,
    events: events.length,
    from: events[0]?.seq ?? 0,
    to: events.at(-1)?.seq ?? 0,
    unacked: events.filter((e) => e.seq > memory.acked).length,
  };
}
