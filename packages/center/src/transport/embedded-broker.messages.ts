/** Messages between the center and the embedded broker's thread (embedded-broker.ts ↔ embedded-broker.worker.ts). */

/** What the broker's thread starts with (its workerData). */
export interface BrokerOptions {
  host: string;
  port: number;
  explicitPort: boolean;
  tls?: { certFile: string; keyFile: string } | undefined;
}

/** Center → broker. */
export type ToBroker =
  | { type: 'authResult'; id: number; ok: boolean }
  /** The center has handled uplink batch `batch`: its devices may send more. */
  | { type: 'taken'; batch: number }
  /** Downlinks, payloads packed in `data` (payload i ends at ends[i]). */
  | { type: 'publish'; batch: number; topics: string[]; qos: (0 | 1)[]; ends: number[]; data: ArrayBuffer }
  | { type: 'stop' };

/** Broker → center. */
export type ToCenter =
  | { type: 'listening'; port: number; fellBack: boolean }
  /** Listening failed; `portInUse` carries what rebuilds the PortInUseError the CLI explains. */
  | { type: 'failed'; message: string; portInUse?: { port: number; what: string; hint: string } }
  | { type: 'auth'; id: number; deviceId: string; secret: string }
  /** A connection refused before asking the center (no id, no secret, client id ≠ user name). */
  | { type: 'authRefused' }
  | { type: 'clientError'; device: string; error: string }
  /** Uplink frames, payloads packed in `data` (payload i ends at ends[i]). */
  | { type: 'uplinks'; batch: number; topics: string[]; ends: number[]; data: ArrayBuffer }
  | { type: 'published'; batch: number; failed: number[] }
  | { type: 'clients'; clients: number }
  /** A device started or stopped listening to its downlink (connected and subscribed, or gone). */
  | { type: 'presence'; device: string; online: boolean }
  | { type: 'stopped' };

/** Packs buffers into one transferable buffer and the end offset of each. */
export function pack(buffers: readonly Uint8Array[]): { data: ArrayBuffer; ends: number[] } {
  let size = 0;
  for (const b of buffers) size += b.length;
  const data = new ArrayBuffer(size);
  const view = new Uint8Array(data);
  const ends: number[] = [];
  let at = 0;
  for (const b of buffers) {
    view.set(b, at);
    at += b.length;
    ends.push(at);
  }
  return { data, ends };
}

/** The i-th buffer of a pack, without copying. */
export function unpacked(data: ArrayBuffer, ends: readonly number[], i: number): Buffer {
  const start = i === 0 ? 0 : ends[i - 1]!;
  return Buffer.from(data, start, ends[i]! - start);
}

/**
 * Items gathered during one turn of the event loop and sent to the other thread as one batch; the batch's
 * items wait here until the other side answers for it (`settle`). Both directions use it: frames to the
 * center (released when taken), downlinks to the broker (settled when published).
 */
export class TurnBatches<T> {
  private gathering: T[] = [];
  private readonly sent = new Map<number, T[]>();
  private next = 0;

  constructor(private readonly send: (batch: number, items: T[]) => void) {}

  add(item: T): void {
    if (this.gathering.length === 0) setImmediate(() => this.flush());
    this.gathering.push(item);
  }

  /** Sends what was gathered (at the end of the turn, or at once when stopping). */
  flush(): void {
    const items = this.gathering;
    if (items.length === 0) return;
    this.gathering = [];
    const batch = this.next++;
    this.sent.set(batch, items);
    this.send(batch, items);
  }

  /** The items of an answered batch, forgotten here. */
  settle(batch: number): T[] {
    const items = this.sent.get(batch) ?? [];
    this.sent.delete(batch);
    return items;
  }

  /** Every item sent and not answered, forgotten here (the other side is gone). */
  abandon(): T[] {
    const items = [...this.sent.values()].flat();
    this.sent.clear();
    return items;
  }
}
