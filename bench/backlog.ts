/**
 * A 72-hour backlog uploaded by 1,000 units at once (issue 4): after a network outage every home unit has
 * three days of events in its memory (T2.6 keeps at least 72 h) and uploads them when the link is back.
 * The engine must judge that past in event time: each unit's communication-loss alarm (open while it was
 * silent) is resolved and explained, and a late return recorded during the outage is raised, marked late.
 *
 * Per unit: a heartbeat every 5 minutes and, on each workday in the span, leaving for work after 08:00 and
 * coming back before 16:00 (Europe/Warsaw), as the order allows; every tenth unit comes back at 16:40 on
 * its last workday — one late return each. The units are supervised from 80 h ago (packages/center/test/supervision.fixtures.ts)
 * and silent until the upload starts; the clock starts when all units publish at once (500 events per
 * batch, the next batch after the acknowledgement, as a unit does), and the figures are the time until
 * every event is acknowledged and until the engine has re-evaluated every supervision and stored its alarms.
 *
 * usage: npx tsx bench/backlog.ts [--units 1000] [--hours 72] [--runs 3] [--setup embedded|servers]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Temporal } from '@js-temporal/polyfill';
import mqtt from 'mqtt';
import pg from 'pg';
import { createLogger, loadConfig, startCenter, type Center } from '@sde/center';
import { downlinkTopic, encodeFrame, uplinkTopic, type DeviceEvent } from '@sde/protocol';
import {
  installSupervisions,
  type InstalledSupervision,
} from '../packages/center/test/supervision.fixtures.js';

const { values } = parseArgs({
  options: {
    units: { type: 'string', default: '1000' },
    hours: { type: 'string', default: '72' },
    runs: { type: 'string', default: '3' },
    setup: { type: 'string', default: 'embedded' },
  },
});
const UNITS = Number(values.units);
const HOURS = Number(values.hours);
const HEARTBEAT_MS = 5 * 60_000;
const BATCH = 500;
const PG_URL = process.env.SDE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const MQTT_URL = process.env.SDE_BENCH_MQTT_URL ?? 'mqtt://127.0.0.1:1883';

/** A Warsaw wall-clock time on the day of `day` (a PlainDate). */
function warsawAt(day: Temporal.PlainDate, hhmm: string): number {
  return day.toPlainDateTime(Temporal.PlainTime.from(hhmm)).toZonedDateTime('Europe/Warsaw')
    .epochMilliseconds;
}

/** The unit's buffered events over [from, to): heartbeats and the workday comings and goings. */
function backlogOf(s: InstalledSupervision, index: number, from: number, to: number): DeviceEvent[] {
  const timed: { t: number; body: Record<string, unknown> }[] = [];
  for (let t = from; t < to; t += HEARTBEAT_MS) {
    timed.push({ t, body: { kind: 'heartbeat', battery: 90, signal: 70, power: 'mains' } });
  }
  const workdays: Temporal.PlainDate[] = [];
  let day = Temporal.Instant.fromEpochMilliseconds(from).toZonedDateTimeISO('Europe/Warsaw').toPlainDate();
  const last = Temporal.Instant.fromEpochMilliseconds(to).toZonedDateTimeISO('Europe/Warsaw').toPlainDate();
  for (; Temporal.PlainDate.compare(day, last) <= 0; day = day.add({ days: 1 })) {
    if (day.dayOfWeek <= 5) workdays.push(day);
  }
  const jitter = (index * 37) % 8;
  const late = index % 10 === 9;
  workdays.forEach((d, i) => {
    const leave = warsawAt(d, `08:0${2 + (jitter % 7)}`);
    const back = late && i === workdays.length - 1 ? warsawAt(d, '16:40') : warsawAt(d, `15:4${jitter}`);
    if (leave < from || back >= to) return;
    timed.push({ t: leave, body: { kind: 'tx_out_of_range', tx: s.transmitterId, rssi: -95 } });
    timed.push({ t: back, body: { kind: 'tx_in_range', tx: s.transmitterId, rssi: -60 } });
  });
  timed.sort((a, b) => a.t - b.t);
  return timed.map((e, i) => ({ seq: i + 1, t: e.t, ...e.body }) as DeviceEvent);
}

/** Uploads one unit's backlog batch by batch, each after the previous one's acknowledgement. */
async function upload(mqttUrl: string, s: InstalledSupervision, events: DeviceEvent[]): Promise<void> {
  const client = await mqtt.connectAsync(mqttUrl, {
    clientId: s.unit.id,
    username: s.unit.id,
    password: s.unit.secret,
    reconnectPeriod: 1000,
  });
  try {
    (client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
    await client.subscribeAsync(downlinkTopic(s.unit.id), { qos: 1 });
    let acked = 0;
    let wake: (() => void) | undefined;
    client.on('message', (_topic, payload) => {
      const text = payload.toString();
      const json = JSON.parse(text.slice(0, text.lastIndexOf('\t'))) as { type: string; through?: number };
      if (json.type === 'ack' && json.through !== undefined && json.through > acked) {
        acked = json.through;
        wake?.();
      }
    });
    for (let i = 0; i < events.length; i += BATCH) {
      const chunk = events.slice(i, i + BATCH);
      const top = chunk.at(-1)!.seq;
      for (let attempt = 0; acked < top; attempt++) {
        const ts = Date.now();
        await client.publishAsync(
          uplinkTopic(s.unit.id),
          encodeFrame({ v: 1, type: 'events', dev: s.unit.id, ts, events: chunk }, s.unit.secret),
          { qos: 1 },
        );
        // A unit waits for the acknowledgement and sends again when none comes (protocol.md).
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 30_000 * (attempt + 1));
          wake = () => {
            if (acked >= top) {
              clearTimeout(timer);
              resolve();
            }
          };
        });
      }
    }
  } finally {
    await client.endAsync();
  }
}

async function runOnce(run: number) {
  const dir = mkdtempSync(join(tmpdir(), 'sde-backlog-bench-'));
  const env: Record<string, string> = {
    SDE_DATA_DIR: join(dir, 'data'),
    SDE_HTTP_PORT: '0',
    SDE_MQTT_PORT: '0',
    SDE_LOG_LEVEL: 'warn',
  };
  let dbName: string | undefined;
  if (values.setup === 'servers') {
    dbName = `sde_backlog_${process.pid}_${run}`;
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`create database ${dbName}`);
    await admin.end();
    env.SDE_DATABASE_URL = PG_URL.replace(/\/[^/]*$/, `/${dbName}`);
    env.SDE_MQTT_URL = MQTT_URL;
  }
  const center: Center = await startCenter(loadConfig(env), createLogger('warn'));
  try {
    const now = Date.now();
    const from = now - HOURS * 3_600_000;
    const sups = await installSupervisions(center, {
      count: UNITS,
      prefix: `BL${run}-`,
      since: now - (HOURS + 8) * 3_600_000,
    });
    const backlogs = sups.map((s, i) => backlogOf(s, i, from, now));
    const total = backlogs.reduce((n, b) => n + b.length, 0);
    const lateUnits = sups.filter((_, i) => i % 10 === 9).length;
    const before = center.engine.stats().evaluations;

    const t0 = performance.now();
    await Promise.all(sups.map((s, i) => upload(center.mqttUrl, s, backlogs[i]!)));
    const acked = performance.now() - t0;
    await center.engine.idle();
    const evaluated = performance.now() - t0;

    const rows = await center.database.db
      .selectFrom('alarm_episodes')
      .select(['rule', 'episode', 'condition'])
      .where('condition', '<>', 'withdrawn')
      .execute();
    const episodes = rows.map(
      (r) => JSON.parse(r.episode) as { rule: string; late?: boolean; cause?: string },
    );
    const presence = episodes.filter((e) => e.rule === 'presence');
    const comm = episodes.filter((e) => e.rule === 'communication_loss');
    return {
      run,
      setup: values.setup,
      units: UNITS,
      events: total,
      ackedSeconds: +(acked / 1000).toFixed(1),
      eventsPerSecond: Math.round(total / (acked / 1000)),
      evaluatedSeconds: +(evaluated / 1000).toFixed(1),
      evaluations: center.engine.stats().evaluations - before,
      presenceAlarms: presence.length,
      presenceLate: presence.filter((e) => e.late).length,
      expectedLateReturns: lateUnits,
      commLossExplained: comm.filter((e) => e.cause === 'link_down_unit_recording').length,
      commLossOpen: comm.filter((e) => e.cause === 'silent').length,
    };
  } finally {
    await center.stop();
    rmSync(dir, { recursive: true, force: true });
    if (dbName) {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
  }
}

console.log(
  `# backlog ${new Date().toISOString()}: ${UNITS} units × ${HOURS} h uploaded at once, ${values.setup}, ${values.runs} runs`,
);
const results = [];
for (let run = 1; run <= Number(values.runs); run++) {
  const r = await runOnce(run);
  results.push(r);
  console.log(JSON.stringify(r));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(
  `| ${values.setup} | ${UNITS} | ${results[0]!.events} | ${median(results.map((r) => r.ackedSeconds))} s | ${median(results.map((r) => r.evaluatedSeconds))} s |`,
);
process.exit(0);
