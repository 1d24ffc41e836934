/**
 * The engine's whole scenario corpus (`SCENARIOS`) played LIVE against a running center on
 * PGlite with the embedded broker: simulated units speak protocol v1 over MQTT, and the alarms the center
 * stores are checked against each scenario's full expectations — must, must-not, exhaustive, incidents, and
 * the `late`, `undecided` and communication-loss ones — exactly as the pure unit tests check them.
 *
 * What is replayed, and how (ADR 0202): the center runs on a virtual clock (`VirtualClock`, passed to
 * `startCenter`), which the gateway stamps arrivals with and the engine runner reads `now` and sets its due
 * timer by. The player walks the scenario's arrival instants in order (`expandScenarioEvents`: each event's
 * `receivedAt`; withheld events are never sent). For each it advances the clock — firing every engine
 * timer due on the way at its own instant, once the batches sent so far are stored, and letting the engine
 * settle after each — then publishes the events arriving then: one batch per unit, in seq order, with the
 * device times of the script. The gateway stamps a frame before the broker's PUBACK, so every event is
 * stored with the scripted arrival and event times (checked) — also for a unit whose clock is wrong until a
 * sync (`clocks`: it stamps off by the offset and sends `adj`, protocol §3.1), while an event sent under a
 * reused number (`reusesSeq`) goes alone and must be refused with `seq_reused` (ADR 0504). The engine evaluates at once after any event
 * but a heartbeat or a location fix, and after at most `STEP_MS` (10 min) of script time of such routine
 * reports — grouping them turns 12,892 arrival instants into about 2,500 evaluation steps; the engine's
 * result does not depend on how arrivals are batched (ADR 0201), only its timers' instants would, and those
 * are kept. At the end the clock advances to start + duration and every batch must have been acknowledged.
 *
 * Supervisions are written straight into the cases tables (the API does not take court orders dated in the
 * past): every order version with its `validFrom` and its engine settings (`monitoringSettings`), and the
 * device assignments of each version (a swap closes one assignment and opens the next). After its check a
 * scenario's assignments are deleted, so its supervisions leave the runner before the next scenario moves
 * the clock (scenarios are unrelated and may go back in time).
 */
import type { Socket } from 'node:net';
import type {
  AlarmEpisode,
  CorrelationResult,
  DeviceKind as DeviceKindOfOrder,
  Scenario,
  ScenarioSupervision,
  ScriptedEvent,
} from '@sde/domain';
import { checkScenario, describeEpisodes, expandScenarioEvents, SCENARIOS } from '@sde/domain';
import { MAX_EVENTS_PER_BATCH, type DeviceEvent, type DownlinkMessage } from '@sde/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCenter, TestDevice, type TestCenter } from './harness.js';
import { insertSupervision } from './supervision.fixtures.js';
import { VirtualClock } from './virtual-clock.js';

/**
 * Script time one replay step of routine reports may span: the engine evaluates at least this often, at
 * once after any other event, and at each of its timers.
 */
const STEP_MS = 10 * 60_000;
/** Routine reports: heartbeats and location fixes. */
const ROUTINE: ReadonlySet<string> = new Set(['heartbeat', 'location']);

/** The center's reporting interval per unit kind (its defaults); other intervals are set as confirmed commands. */
const REPORT_INTERVAL_MS = 300_000;

type DeviceKind = 'transmitter' | 'home_unit' | 'portable_unit' | 'protected_unit';

/** Each device of the supervision's versions with its kind. */
function kindsOf(sup: ScenarioSupervision): Map<string, DeviceKind> {
  const m = new Map<string, DeviceKind>();
  for (const v of sup.versions) {
    m.set(v.devices.transmitterId, 'transmitter');
    for (const [unit, kind] of [
      [v.devices.homeUnit, 'home_unit'],
      [v.devices.portableUnit, 'portable_unit'],
      [v.devices.protectedUnit, 'protected_unit'],
    ] as const) {
      if (unit === undefined) continue;
      m.set(unit.deviceId, kind);
    }
  }
  return m;
}

/**
 * Units whose scenario interval is not the center's default: the interval each reports at, in force from
 * its first version, as if the unit had confirmed a `set_interval` command then (how the center learns it).
 */
function intervalsOf(
  s: Scenario,
  sup: ScenarioSupervision,
): { deviceId: string; from: number; ms: number }[] {
  const out = new Map<string, { deviceId: string; from: number; ms: number }>();
  for (const v of [...sup.versions].sort((a, b) => a.validFrom - b.validFrom)) {
    for (const unit of [v.devices.homeUnit, v.devices.portableUnit, v.devices.protectedUnit]) {
      if (unit === undefined || unit.reportIntervalMs === REPORT_INTERVAL_MS || out.has(unit.deviceId))
        continue;
      out.set(unit.deviceId, {
        deviceId: unit.deviceId,
        from: s.startUtcMs + v.validFrom,
        ms: unit.reportIntervalMs,
      });
    }
  }
  return [...out.values()];
}

/** The assignments that reproduce the versions' devices: each device from the first version naming it to the first that does not. */
function assignmentsOf(
  s: Scenario,
  sup: ScenarioSupervision,
): { deviceId: string; from: number; to: number | null }[] {
  const versions = [...sup.versions].sort((a, b) => a.validFrom - b.validFrom);
  const open = new Map<string, number>();
  const out: { deviceId: string; from: number; to: number | null }[] = [];
  for (const v of versions) {
    const at = s.startUtcMs + v.validFrom;
    const d = v.devices;
    const ids = new Set(
      [d.transmitterId, d.homeUnit?.deviceId, d.portableUnit?.deviceId, d.protectedUnit?.deviceId].filter(
        (x): x is string => x !== undefined,
      ),
    );
    for (const [id, from] of [...open]) {
      if (ids.has(id)) continue;
      out.push({ deviceId: id, from, to: at });
      open.delete(id);
    }
    for (const id of ids) if (!open.has(id)) open.set(id, at);
  }
  for (const [id, from] of open) out.push({ deviceId: id, from, to: null });
  return out;
}

/** The device kinds a court order names for the version's devices. */
function orderDevices(d: ScenarioSupervision['versions'][number]['devices']): DeviceKindOfOrder[] {
  return [
    'transmitter' as const,
    ...(d.homeUnit ? (['stationary_unit'] as const) : []),
    ...(d.portableUnit ? (['portable_unit'] as const) : []),
    ...(d.protectedUnit ? (['protected_person_unit'] as const) : []),
  ];
}

/** How many events each unit of the scenario sends under a reused number. */
function reusedPerUnit(s: Scenario): Map<string, number> {
  const m = new Map<string, number>();
  for (const e of expandScenarioEvents(s)) if (e.refused) m.set(e.deviceId, (m.get(e.deviceId) ?? 0) + 1);
  return m;
}

describe('the scenario corpus, live through MQTT on a virtual clock', () => {
  const clock = new VirtualClock(Date.parse('2026-01-01T00:00:00Z'));
  let tc: TestCenter;
  const tag = Date.now().toString(36).toUpperCase();
  let n = 0;
  const idle = () => tc.center.engine.idle();

  beforeAll(async () => {
    // Evaluations happen when the player lets the engine settle, not when a real-time debounce ends.
    tc = await startTestCenter('pglite', 'embedded', { SDE_ENGINE_DEBOUNCE_MS: '10000' }, { clock });
    for (const r of ['PL-MZ', 'PL-ZP']) {
      await tc.api('PUT', `/api/v1/regions/${r}`, { name: r });
      await tc.api('PUT', `/api/v1/courts/SR-${r}`, { name: `Sąd ${r}`, regionId: r });
    }
  }, 180_000);
  afterAll(async () => {
    await tc?.close();
  });

  /** Provisions the scenario's devices under fresh ids and writes its supervisions; returns the id maps. */
  async function setUp(s: Scenario) {
    const db = tc.center.database.db;
    const devMap = new Map<string, string>();
    const kinds = new Map<string, DeviceKind>();
    for (const sup of s.supervisions) for (const [id, k] of kindsOf(sup)) kinds.set(id, k);
    for (const id of kinds.keys()) devMap.set(id, `L${tag}-${++n}`);
    const secrets = new Map<string, string>();
    for (const k of new Set(kinds.values())) {
      const ids = [...kinds].filter(([, kk]) => kk === k).map(([id]) => devMap.get(id)!);
      const r = await tc.api<{ devices: { id: string; secret: string }[] }>('POST', '/api/v1/devices', {
        kind: k,
        ids,
      });
      for (const d of r.body.devices) secrets.set(d.id, d.secret);
    }
    for (const sup of s.supervisions) {
      for (const i of intervalsOf(s, sup)) {
        const dev = await db
          .selectFrom('devices')
          .select('no')
          .where('id', '=', devMap.get(i.deviceId)!)
          .executeTakeFirstOrThrow();
        await db
          .insertInto('device_commands')
          .values({
            id: `SET-${devMap.get(i.deviceId)!}`,
            device_no: dev.no,
            body: JSON.stringify({ cmd: 'set_interval', seconds: i.ms / 1000 }),
            status: 'done',
            created_by: 'scenario',
            confirmed_at: new Date(i.from),
          })
          .execute();
      }
    }
    const supMap = new Map<string, string>();
    for (const sup of s.supervisions) {
      const supervisionId = await insertSupervision(db, {
        regionId: sup.regionId,
        courtId: `SR-${sup.regionId}`,
        caseNumber: `III Kow ${sup.supervisionId}`,
        familyName: `Scenariusz-${n}`,
        versions: sup.versions.map((v) => ({
          validFromUtcMs: s.startUtcMs + v.validFrom,
          supervisionKinds: v.supervisionKinds,
          obligations: v.obligations,
          devices: orderDevices(v.devices),
          ...(v.settings ? { monitoringSettings: v.settings } : {}),
        })),
        assignments: assignmentsOf(s, sup).map((a) => ({ ...a, deviceId: devMap.get(a.deviceId)! })),
      });
      supMap.set(supervisionId, sup.supervisionId);
    }
    tc.center.engine.configurationChanged();
    await idle();
    return { devMap, secrets, supMap };
  }

  /**
   * A connected unit, how many event batches it has sent (each is answered by one ack) and how many it sent
   * under a reused number (each is answered by a `seq_reused` refusal instead, ADR 0504).
   */
  interface Unit {
    device: TestDevice;
    sent: number;
    reused: number;
  }

  /** Waits until every batch the units sent is acknowledged: stored by the ledger. */
  async function acknowledged(units: Iterable<Unit>): Promise<void> {
    for (const u of units) {
      for (;;) {
        const refusals = u.device.inbox.filter((m) => m.type === 'refusal');
        const other = refusals.find((m) => m.code !== 'seq_reused');
        if (other) throw new Error(`${u.device.id}: refused ${JSON.stringify(other)}`);
        if (u.device.inbox.filter((m) => m.type === 'ack').length >= u.sent && refusals.length >= u.reused)
          break;
        await u.device.waitFor((m): m is DownlinkMessage => m.type === 'ack' || m.type === 'refusal', {
          from: u.device.inbox.length,
          timeoutMs: 20_000,
        });
      }
    }
  }

  /**
   * Publishes the events arriving at the clock's instant: one batch per unit, in seq order. Each publish
   * returns at the broker's PUBACK, sent once the gateway has taken the frame and stamped its arrival, so
   * the clock may move on before the ledger's acknowledgement comes.
   */
  async function publish(
    s: Scenario,
    group: ScriptedEvent[],
    units: Map<string, Unit>,
    devMap: Map<string, string>,
  ) {
    const byUnit = new Map<string, ScriptedEvent[]>();
    for (const e of group) byUnit.set(e.deviceId, [...(byUnit.get(e.deviceId) ?? []), e]);
    await Promise.all(
      [...byUnit].map(async ([scenarioId, list]) => {
        const unit = units.get(scenarioId)!;
        list.sort((a, b) => a.seq - b.seq);
        // A unit's clock agrees with the center's, unless the scenario makes it wrong until a sync: then it
        // stamps events (and frames) off by the offset, and events stamped before the sync and sent after
        // it carry the step as `adj` (protocol §3.1). Either way, event times must be stored as scripted.
        const skew = s.clocks?.find((c) => c.deviceId === scenarioId);
        const syncAt = skew ? s.startUtcMs + skew.syncAt : Infinity;
        const now = clock.now();
        const ts = skew && now < syncAt ? now + skew.offsetMs : now;
        const toDevice = (e: ScriptedEvent): DeviceEvent => {
          const body: Record<string, unknown> = { ...e.body };
          if (typeof body.tx === 'string') body.tx = devMap.get(body.tx) ?? body.tx;
          if (Array.isArray(body.txs))
            body.txs = (body.txs as { tx: string }[]).map((x) => ({ ...x, tx: devMap.get(x.tx) ?? x.tx }));
          const stampedBeforeSync = skew !== undefined && e.time < syncAt;
          return {
            seq: e.seq,
            t: stampedBeforeSync ? e.time + skew.offsetMs : e.time,
            ...(stampedBeforeSync && now >= syncAt ? { adj: -skew.offsetMs } : {}),
            kind: e.kind,
            ...body,
          } as DeviceEvent;
        };
        // An event under a reused number goes in a frame of its own: the center refuses that frame.
        for (const e of list.filter((x) => x.refused)) {
          await unit.device.sendEvents([toDevice(e)], ts);
          unit.reused++;
        }
        const taken = list.filter((x) => !x.refused);
        for (let i = 0; i < taken.length; i += MAX_EVENTS_PER_BATCH) {
          await unit.device.sendEvents(taken.slice(i, i + MAX_EVENTS_PER_BATCH).map(toDevice), ts);
          unit.sent++;
        }
      }),
    );
  }

  /**
   * Plays the scenario's arrivals in time order on the virtual clock, up to its end. Each arrival instant
   * is published at its own time; the engine evaluates after at most `STEP_MS` of script time of routine
   * reports, at once after any other event, and whenever one of its timers falls due — each time after
   * every batch sent so far is stored.
   */
  async function replay(s: Scenario, devMap: Map<string, string>, secrets: Map<string, string>) {
    const events = expandScenarioEvents(s).filter((e) => e.delivered);
    const arrivals = new Map<number, ScriptedEvent[]>();
    for (const e of events) arrivals.set(e.receivedAt, [...(arrivals.get(e.receivedAt) ?? []), e]);
    const units = new Map<string, Unit>();
    for (const id of new Set(events.map((e) => e.deviceId))) {
      const deviceId = devMap.get(id)!;
      const device = await TestDevice.connect(tc.center.mqttUrl, deviceId, secrets.get(deviceId)!);
      // Small request/answer frames: without this each publish waits for a delayed TCP acknowledgement.
      (device.client.stream as Socket).setNoDelay(true);
      units.set(id, { device, sent: 0, reused: 0 });
    }
    // Every frame the gateway has taken is stored and acknowledged; then the engine catches up.
    const settle = async () => {
      await tc.center.gateway.drain();
      await idle();
    };
    try {
      let stepEnd = Number.NEGATIVE_INFINITY;
      for (const at of [...arrivals.keys()].sort((a, b) => a - b)) {
        if (at >= stepEnd) {
          await settle();
          stepEnd = at + STEP_MS;
        }
        await clock.advanceTo(at, settle);
        const group = arrivals.get(at)!;
        await publish(s, group, units, devMap);
        // Anything but routine reports is evaluated at its arrival, as the center does in real time.
        if (group.some((e) => !ROUTINE.has(e.kind))) {
          await settle();
          stepEnd = Number.NEGATIVE_INFINITY;
        }
      }
      await settle();
      await clock.advanceTo(s.startUtcMs + s.durationMs, settle);
      await acknowledged(units.values());
    } finally {
      await Promise.all([...units.values()].map((u) => u.device.close()));
    }
  }

  /** Every delivered event is stored with the arrival and event times of the script. */
  async function storedAsScripted(s: Scenario, devMap: Map<string, string>): Promise<string[]> {
    const db = tc.center.database.db;
    const rows = await db
      .selectFrom('events as e')
      .innerJoin('devices as d', 'd.no', 'e.device_no')
      .select(['d.id', 'e.seq', 'e.time', 'e.received_at'])
      .where('d.id', 'in', [...devMap.values()])
      .execute();
    // An event sent under a reused number is not stored; the one stored under that number is the first.
    const got = new Map(
      rows.map((r) => [
        `${r.id}#${Number(r.seq)}`,
        `${new Date(r.time).getTime()}/${new Date(r.received_at).getTime()}`,
      ]),
    );
    const delivered = expandScenarioEvents(s).filter((x) => x.delivered && !x.refused);
    const wrong =
      rows.length === delivered.length ? [] : [`stored ${rows.length} of ${delivered.length} events`];
    for (const e of delivered) {
      const key = `${devMap.get(e.deviceId)}#${e.seq}`;
      if (got.get(key) !== `${e.time}/${e.receivedAt}`)
        wrong.push(`${e.deviceId}#${e.seq}: want ${e.time}/${e.receivedAt}, stored ${got.get(key)}`);
    }
    return wrong;
  }

  /** What the center stored for the scenario's supervisions, in the shape `checkScenario` reads. */
  async function stored(s: Scenario, supMap: Map<string, string>): Promise<CorrelationResult> {
    const db = tc.center.database.db;
    const rows = await db
      .selectFrom('alarm_episodes')
      .select(['supervision_id', 'episode', 'condition'])
      .where('supervision_id', 'in', [...supMap.keys()])
      .execute();
    const episodes = rows
      .filter((r) => r.condition !== 'withdrawn')
      .map((r) => JSON.parse(r.episode) as AlarmEpisode)
      .map((e) => ({ ...e, supervisionId: supMap.get(e.supervisionId)! }));
    const incidents = await db.selectFrom('infrastructure_incidents').selectAll().execute();
    return {
      incidents: incidents.map((i) => ({
        id: i.id,
        regionId: i.region_id,
        kind: i.kind,
        startedAt: new Date(i.started_at).getTime(),
        supervisionIds: (i.supervision_ids as string[])
          .filter((x) => supMap.has(x))
          .map((x) => supMap.get(x)!),
        deviceIds: i.device_ids,
        episodeIds: i.episode_ids,
        explanation: i.explanation,
      })),
      evaluations: s.supervisions.map((sup) => ({
        supervisionId: sup.supervisionId,
        regionId: sup.regionId,
        now: clock.now(),
        episodes: episodes
          .filter((e) => e.supervisionId === sup.supervisionId)
          .sort((a, b) => a.startedAt - b.startedAt),
        nextDueAt: undefined,
        awaiting: [],
        suppressedFixes: [],
      })),
    };
  }

  /** Takes the scenario's supervisions out of the runner: without devices they have nothing to evaluate. */
  async function retire(supMap: Map<string, string>): Promise<void> {
    await tc.center.database.db
      .deleteFrom('device_assignments')
      .where('supervision_id', 'in', [...supMap.keys()])
      .execute();
    for (const id of supMap.keys()) tc.center.engine.configurationChanged(id);
    await idle();
  }

  for (const s of SCENARIOS) {
    it(
      s.id,
      async () => {
        const firstArrival = Math.min(...expandScenarioEvents(s).map((e) => e.receivedAt));
        clock.jumpTo(Math.min(s.startUtcMs, firstArrival));
        const { devMap, secrets, supMap } = await setUp(s);
        try {
          await replay(s, devMap, secrets);
          expect(await storedAsScripted(s, devMap)).toEqual([]);
          // A withdrawn alarm has left the operators' queue by itself and says why (ADR 0501).
          const lingering = await tc.center.database.db
            .selectFrom('alarm_episodes')
            .select(['episode_id', 'status', 'withdrawn_reason'])
            .where('supervision_id', 'in', [...supMap.keys()])
            .where('condition', '=', 'withdrawn')
            .execute();
          expect(lingering.filter((r) => r.status !== 'closed' || r.withdrawn_reason === null)).toEqual([]);
          // Each event sent under a reused number shows on its unit as a conflict.
          for (const [id, n] of reusedPerUnit(s)) {
            const r = await tc.api<{ seqConflicts: { count: number } | null }>(
              'GET',
              `/api/v1/devices/${devMap.get(id)}`,
            );
            expect(r.body.seqConflicts?.count).toBe(n);
          }
          const result = await stored(s, supMap);
          const failures = checkScenario(s, result);
          expect(failures, [...failures, '--- stored:', ...describeEpisodes(s, result)].join('\n')).toEqual(
            [],
          );
        } finally {
          await retire(supMap);
        }
      },
      180_000,
    );
  }
});
