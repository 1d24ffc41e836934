/**
 * The live-push seam (architecture: "live push"): alarm changes fan out to every connected terminal.
 * The in-process bus serves one center process. For several processes, implement `LiveBus` over NATS
 * JetStream (publish to a subject per region, e.g. `sde.live.<region>`, each process subscribing with an
 * ephemeral consumer and filtering by the caller's scope exactly as the SSE route does); nothing else changes.
 */
import type { AlarmView } from '@sde/api';

/** Who owns the record a message is about, for per-terminal scope checks. */
export interface LiveOwners {
  regionId: string;
  courtId: string | null;
  probationOfficerId: string | null;
}

/** One message on the live stream. */
export interface LiveMessage {
  type: 'alarm';
  owners: LiveOwners;
  alarm: AlarmView;
}

/** Publish/subscribe of live messages. */
export interface LiveBus {
  /** Hands `message` to every subscriber (never throws). */
  publish(message: LiveMessage): void;
  /** Subscribes; returns the unsubscribe function. */
  subscribe(listener: (message: LiveMessage) => void): () => void;
  /** Number of subscribers (for metrics and tests). */
  subscribers(): number;
}

/** The embedded default: synchronous fan-out inside the process. */
export function createInProcessLiveBus(): LiveBus {
  const listeners = new Set<(m: LiveMessage) => void>();
  return {
    publish(message) {
      for (const l of listeners) {
        try {
          l(message);
        } catch {
          /* one broken terminal must not stop the others */
        }
      }
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    subscribers: () => listeners.size,
  };
}
