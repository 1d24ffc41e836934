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
