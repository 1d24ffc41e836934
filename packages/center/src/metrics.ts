/** Prometheus metrics of the center, on their own registry (no globals, so tests can run two centers). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Creates the registry and every metric the center exports at GET /metrics. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'sde_process_' });
  const m = {
    registry,
    messagesReceived: new Counter({
      name: 'sde_messages_received_total',
      help: 'Device frames received, by source (mqtt, readout)',
      labelNames: ['source'] as const,
      registers: [registry],
    }),
    refused: new Counter({
      name: 'sde_messages_refused_total',
      help: 'Device frames or messages refused, by reason',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    connectionsRefused: new Counter({
      name: 'sde_mqtt_connections_refused_total',
      help: 'Device connections to the embedded broker refused for an unknown device or a wrong secret',
      registers: [registry],
    }),
    eventsReceived: new Counter({
      name: 'sde_events_received_total',
      help: 'Events received in valid, authenticated batches',
      registers: [registry],
    }),
    eventsStored: new Counter({
      name: 'sde_events_stored_total',
      help: 'Events durably stored for the first time',
      registers: [registry],
    }),
    eventsDuplicate: new Counter({
      name: 'sde_events_duplicate_total',
      help: 'Events received again after being stored (retransmissions, replays); not stored twice',
      registers: [registry],
    }),
    eventsImplausible: new Counter({
      name: 'sde_events_implausible_total',
      help:
        'Events whose unit numbered or dated them implausibly (ADR 0408), by reason: seq_out_of_range (refused, ' +
        'frame quarantined), future_time (stored at arrival time, flagged, never a latest state), seq_reused ' +
        '(a number already stored with other content: refused, noted on the device; ADR 0504)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    ingestLatency: new Histogram({
      name: 'sde_ingest_latency_seconds',
      help: 'Time from receiving a batch to its durable commit, just before the acknowledgement is sent',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    ledgerGroupSize: new Histogram({
      name: 'sde_ledger_group_events',
      help: 'Events written per ledger transaction (group commit)',
      buckets: [1, 10, 50, 100, 500, 1000, 2500, 5000, 10000],
      registers: [registry],
    }),
    storeCheckpoint: new Histogram({
      name: 'sde_store_checkpoint_seconds',
      help: 'Checkpoints of the embedded store (PGlite), which stop its writes while they run',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    storeMaintenance: new Histogram({
      name: 'sde_store_maintenance_seconds',
      help: 'Vacuums and analyzes the embedded store (PGlite) runs on its own, each holding its one connection',
      labelNames: ['op'] as const,
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    ledgerQueued: new Gauge({
      name: 'sde_ledger_queued_events',
      help: 'Events waiting for the ledger to store them',
      registers: [registry],
    }),
    devicesConnected: new Gauge({
      name: 'sde_devices_connected',
      help: 'Devices connected to the embedded broker (with an external broker: devices heard in the last 5 minutes)',
      registers: [registry],
    }),
    commandsSent: new Counter({
      name: 'sde_commands_sent_total',
      help: 'Commands published to devices (including resends)',
      registers: [registry],
    }),
  };
  return m;
}

export type Metrics = ReturnType<typeof createMetrics>;

/** What the engine and notification metrics are read from at each scrape. */
export interface AlarmPipelineSources {
  engine: {
    stats(): { evaluations: number; pending: number; timers: number; nextDueAt: number | undefined };
  };
  dispatcher: { stats(): { sent: number; failed: number; retried: number; escalated: number } };
  /** Alarms not closed by an operator yet, by severity. */
  openAlarms(): Promise<{ severity: string; count: number }[]>;
}

/**
 * The compliance engine's and the notification dispatcher's metrics, read from their own counters when
 * Prometheus scrapes (so neither depends on the metrics registry).
 */
export function registerAlarmPipelineMetrics(registry: Registry, src: AlarmPipelineSources): void {
  let evaluations = 0;
  new Counter({
    name: 'sde_engine_evaluations_total',
    help: 'Supervisions evaluated by the compliance engine',
    registers: [registry],
    collect() {
      const n = src.engine.stats().evaluations;
      if (n > evaluations) this.inc(n - evaluations);
      evaluations = n;
    },
  });
  new Gauge({
    name: 'sde_engine_pending_supervisions',
    help: 'Supervisions with new events waiting for evaluation',
    registers: [registry],
    collect() {
      this.set(src.engine.stats().pending);
    },
  });
  new Gauge({
    name: 'sde_engine_timers',
    help: 'Supervisions with a timer (a grace period, a report or a window due)',
    registers: [registry],
    collect() {
      this.set(src.engine.stats().timers);
    },
  });
  new Gauge({
    name: 'sde_engine_next_due_seconds',
    help: 'Seconds until the engine timer fires next (negative: late)',
    registers: [registry],
    collect() {
      const due = src.engine.stats().nextDueAt;
      this.set(due === undefined ? 0 : (due - Date.now()) / 1000);
    },
  });
  const seen = { sent: 0, failed: 0, retried: 0, escalated: 0 };
  new Counter({
    name: 'sde_notifications_total',
    help: 'Alarm notifications by outcome: sent, failed (for good), retried, escalated (alarms)',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      const now = src.dispatcher.stats();
      for (const k of Object.keys(seen) as (keyof typeof seen)[]) {
        if (now[k] > seen[k]) this.inc({ outcome: k }, now[k] - seen[k]);
        seen[k] = now[k];
      }
    },
  });
  new Gauge({
    name: 'sde_alarms_open',
    help: 'Alarms not closed by an operator, by severity',
    labelNames: ['severity'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const r of await src.openAlarms()) this.set({ severity: r.severity }, r.count);
    },
  });
}
