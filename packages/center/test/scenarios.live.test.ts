/**
 * The engine's scenario corpus played LIVE against a running center: simulated units speak protocol v1
 * over MQTT, sending each scenario's events with their past device times; the center stores them, the
 * engine runner evaluates, and the alarms stored are checked against the scenario's must / must-not lists.
 *
 * A replay differs from the original run in arrival times only: every event reaches the center now, long
 * after it happened. So (1) every alarm is rightly marked `late` (the scenario's `late` expectations are
 * about real-time delivery and are not checked here), and (2) communication loss — the one rule decided
 * on arrival time — sees a unit silent from the scenario's start until the replay, so its episodes are
 * left out of the comparison. Supervisions are written straight into the cases tables (the API does not
 * take court orders dated months back) and end when the scenario ends.
 */
import { randomUUID } from 'node:crypto';
import type { AlarmEpisode, CorrelationResult, Scenario, ScenarioSupervision } from '@sde/domain';
import { checkScenario, expandScenarioEvents, SCENARIOS } from '@sde/domain';
import type { DeviceEvent } from '@sde/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCaseRepository } from '../src/cases/case.repository.js';
import { startTestCenter, TestDevice, type TestCenter } from './harness.js';

/** Scenarios played live (the rest need per-order settings or device swaps the cases tables do not hold). */
const LIVE = [
  'presence-absent-when-curfew-begins',
  'presence-late-return',
  'presence-compliant-day',
  'presence-dst-spring',
  'presence-dst-autumn',
  'presence-midnight-night-shift',
  'equipment-all',
  'zone-exclusion-entry',
  'zone-gps-noise-border',
  'proximity-heard',
  'proximity-same-tram',
  'late-upload-30h',
  'regional-power-cut',
];

/** Rules whose episodes only an operator closes (no "repaired" event): they stay open after the end. */
const OPERATOR_CLOSED = new Set(['strap_tamper', 'case_tamper', 'unit_moved', 'device_fault']);

function kindsOf(sup: ScenarioSupervision): Map<string, string> {
  const m = new Map<string, string>();
  for (const v of sup.versions) {
    m.set(v.devices.transmitterId, 'transmitter');
    if (v.devices.homeUnit) m.set(v.devices.homeUnit.deviceId, 'home_unit');
    if (v.devices.portableUnit) m.set(v.devices.portableUnit.deviceId, 'portable_unit');
    if (v.devices.protectedUnit) m.set(v.devices.protectedUnit.deviceId, 'protected_unit');
  }
  return m;
}

describe('the scenario corpus, live through MQTT', () => {
  let tc: TestCenter;
  const tag = Date.now().toString(36).toUpperCase();
  let n = 0;

  beforeAll(async () => {
    tc = await startTestCenter('pglite', 'embedded');
    for (const r of ['PL-MZ', 'PL-ZP']) {
      await tc.api('PUT', `/api/v1/regions/${r}`, { name: r });
      await tc.api('PUT', `/api/v1/courts/SR-${r}`, { name: `Sąd ${r}`, regionId: r });
    }
  }, 30_000);
  afterAll(async () => {
    await tc?.close();
  });

  async function play(s: Scenario) {
    const repo = createCaseRepository(tc.center.database.db);
    const db = tc.center.database.db;
    const devMap = new Map<string, string>();
    const kinds = new Map<string, string>();
    for (const sup of s.supervisions) for (const [id, k] of kindsOf(sup)) kinds.set(id, k);
    for (const id of kinds.keys()) devMap.set(id, `L${tag}-${++n}`);
    const creds = new Map<string, string>();
    for (const k of new Set(kinds.values())) {
      const ids = [...kinds].filter(([, kk]) => kk === k).map(([id]) => devMap.get(id)!);
      const r = await tc.api<{ devices: { id: string; secret: string }[] }>('POST', '/api/v1/devices', {
        kind: k,
        ids,
      });
      for (const d of r.body.devices) creds.set(d.id, d.secret);
    }
    const supMap = new Map<string, string>();
    const end = s.startUtcMs + s.durationMs;
    for (const sup of s.supervisions) {
      const personId = randomUUID();
      const caseId = randomUUID();
      const supervisionId = randomUUID();
      const applicationId = randomUUID();
      const orderId = randomUUID();
      supMap.set(supervisionId, sup.supervisionId);
      await db.transaction().execute(async (trx) => {
        await repo.insertPerson(
          { id: personId, givenName: 'Jan', familyName: `Scenariusz-${n}`, birthDate: '1980-01-01' },
          trx,
        );
        await repo.insertCase(
          {
            id: caseId,
            caseNumber: `III Kow ${sup.supervisionId}`,
            courtId: `SR-${sup.regionId}`,
            regionId: sup.regionId,
            judgmentDate: '2025-01-01',
            personId,
            judgeId: null,
            probationOfficerId: null,
            monitoringAddress: null,
            protectedPersonId: null,
          },
          trx,
        );
        await trx
          .insertInto('applications')
          .values({
            id: applicationId,
            case_id: caseId,
            filer_kind: 'convict',
            filer_name: 'Jan',
            received_on: '2025-01-01',
            justification: 'scenario',
            co_residents: '[]',
            technician_phone: '+48 600 000 000',
            sentences: '[]',
            credited_days: 0,
            has_permanent_address: true,
            recidivist_art64_2: false,
            decision_last_day: '2025-01-31',
            decision_due_at: new Date('2025-01-31'),
            created_by: 'test',
          } as never)
          .execute();
        await repo.insertSupervision(
          {
            id: supervisionId,
            caseId,
            applicationId,
            personId,
            lifecycle: {
              status: 'ended_served',
              history: [{ type: 'end_served', atUtcMs: end, by: 'test' }],
            } as never,
          },
          trx,
        );
        await repo.insertOrder(
          { id: orderId, supervisionId, caseNumber: `III Kow ${sup.supervisionId}` },
          trx,
        );
        for (const [i, v] of sup.versions.entries()) {
          await repo.insertOrderVersion(
            orderId,
            {
              version: i + 1,
              validFromUtcMs: s.startUtcMs + v.validFrom,
              decidedBy: 'SSR Test',
              decidedOn: '2025-01-01',
              reason: 'scenario',
              supervisionKinds: v.supervisionKinds,
              obligations: v.obligations,
              devices: [],
              readinessDeadlineHours: 24,
            } as never,
            'test',
            trx,
          );
        }
        const from = new Date(s.startUtcMs + Math.min(...sup.versions.map((v) => v.validFrom)));
        for (const id of kindsOf(sup).keys()) {
          const d = await repo.device(devMap.get(id)!, trx);
          await repo.insertAssignment(
            { id: randomUUID(), deviceNo: d!.no, supervisionId, from, installedBy: 'test' },
            trx,
          );
        }
      });
    }
    tc.center.engine.configurationChanged();
    await tc.center.engine.idle();

    // Each unit uploads its events in arrival order, 500 per batch, with the device times of the script.
    const events = expandScenarioEvents(s).filter((e) => e.delivered);
    const byDevice = new Map<string, typeof events>();
    for (const e of events) byDevice.set(e.deviceId, [...(byDevice.get(e.deviceId) ?? []), e]);
    await Promise.all(
      [...byDevice].map(async ([scenarioId, list]) => {
        const id = devMap.get(scenarioId)!;
        const device = await TestDevice.connect(tc.center.mqttUrl, id, creds.get(id)!);
        list.sort((a, b) => a.receivedAt - b.receivedAt || a.seq - b.seq);
        let top = 0;
        for (let i = 0; i < list.length; i += 500) {
          const chunk = list.slice(i, i + 500).map((e) => {
            const body: Record<string, unknown> = { ...e.body };
            if (typeof body.tx === 'string') body.tx = devMap.get(body.tx) ?? body.tx;
            top = Math.max(top, e.seq);
            return { seq: e.seq, t: e.time, kind: e.kind, ...body } as DeviceEvent;
          });
          await device.sendEvents(chunk);
          const last = chunk.at(-1)!.seq;
          await device
            .waitFor((m): m is never => m.type === 'ack' && (m.through >= last || m.through >= top), {
              timeoutMs: 20_000,
            })
            .catch(() => undefined);
        }
        await device.close();
      }),
    );
    await new Promise((r) => setTimeout(r, 200));
    await tc.center.engine.idle();

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
    const result: CorrelationResult = {
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
        now: Date.now(),
        episodes: episodes.filter(
          (e) => e.supervisionId === sup.supervisionId && e.rule !== 'communication_loss',
        ),
        nextDueAt: undefined,
        awaiting: [],
        suppressedFixes: [],
      })),
    };
    const replay: Scenario = {
      ...s,
      expect: s.expect
        .filter((x) => x.rule !== 'communication_loss')
        // The replayed supervision ends with the scenario, so what is still open then ends there.
        .map(({ late: _l, undecided: _u, ...x }) =>
          x.resolvedAt === null && !OPERATOR_CLOSED.has(x.rule) ? { ...x, resolvedAt: s.durationMs } : x,
        ),
      forbid: s.forbid.filter((f) => f.rule !== 'communication_loss'),
    };
    return { failures: checkScenario(replay, result), episodes };
  }

  for (const id of LIVE) {
    const s = SCENARIOS.find((x) => x.id === id);
    it.skipIf(!s)(
      `${id}`,
      async () => {
        const { failures, episodes } = await play(s!);
        expect(
          failures,
          JSON.stringify(
            episodes.map(
              (e) =>
                `${e.rule} ${new Date(e.openedAt).toISOString()} ${e.resolvedAt ? new Date(e.resolvedAt).toISOString() : 'open'}`,
            ),
          ),
        ).toEqual([]);
      },
      60_000,
    );
  }
});
