import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LifecycleEvent, SupervisionLifecycle, SupervisionStatus } from './lifecycle.js';
import { openSupervision, openTasks, transition } from './lifecycle.js';
import type { Result } from './messages.js';

const at = (iso: string): number => Date.parse(iso);
function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.errors.map((e) => e.code).join(','));
  return r.value;
}
const errorCode = (r: Result<unknown>): string | undefined => (r.ok ? undefined : r.errors[0]?.code);

const opened = (): SupervisionLifecycle =>
  value(openSupervision({ applicationReceivedOn: '2025-04-01', term: { years: 0, months: 3, days: 0 } }));
const grant: LifecycleEvent = {
  type: 'grant',
  atUtcMs: at('2025-04-20T10:00+02:00'),
  by: 'sędzia-1',
  announcedOrDeliveredAtUtcMs: at('2025-04-22T09:00+02:00'),
  readinessDeadlineHours: 24,
};
const ready: LifecycleEvent = {
  type: 'report_readiness',
  atUtcMs: at('2025-04-22T18:00+02:00'),
  by: 'skazany',
};
const install: LifecycleEvent = {
  type: 'install',
  atUtcMs: at('2025-04-24T11:00+02:00'),
  by: 'technik-7',
  deviceIds: ['TX-1', 'HU-1'],
};
const activate: LifecycleEvent = {
  type: 'activate',
  atUtcMs: at('2025-04-24T11:30+02:00'),
  by: 'technik-7',
  protocolId: 'PU/2025/0042',
};
const run = (events: LifecycleEvent[]): SupervisionLifecycle =>
  events.reduce((s, e) => value(transition(s, e)), opened());

describe('supervision lifecycle (R3–R8)', () => {
  it('goes from application to a served sentence, computing every deadline on the way', () => {
    const s = run([grant, ready, install, activate]);
    expect(s.status).toBe('activated');
    expect(s.decisionDeadline.lastDay).toBe('2025-05-02'); // 1 May is a holiday
    expect(s.readinessDeadline?.dueUtcMs).toBe(at('2025-04-23T09:00+02:00'));
    expect(s.installationDeadline?.lastDay).toBe('2025-04-25');
    expect(s.sentenceEnd?.firstDay).toBe('2025-04-24');
    expect(s.sentenceEnd?.lastDay).toBe('2025-07-22'); // 90 days including 24 April
    const inExec = value(
      transition(s, { type: 'start_supervision', atUtcMs: at('2025-04-24T15:00+02:00'), by: 'kurator-3' }),
    );
    expect(inExec.status).toBe('in_execution');
    const early = transition(inExec, {
      type: 'end_served',
      atUtcMs: at('2025-07-22T23:00+02:00'),
      by: 'operator-1',
    });
    expect(errorCode(early)).toBe('sentence_not_yet_served');
    const done = value(
      transition(inExec, { type: 'end_served', atUtcMs: at('2025-07-23T00:00+02:00'), by: 'operator-1' }),
    );
    expect(done.status).toBe('ended_served');
    expect(done.history).toHaveLength(6);
    expect(openTasks(done, at('2025-07-23T01:00+02:00')).map((t) => [t.code, t.responsible])).toEqual([
      ['remove_devices', 'installer'],
    ]);
    const removed = value(
      transition(done, { type: 'remove_devices', atUtcMs: at('2025-07-23T10:00+02:00'), by: 'technik-7' }),
    );
    expect(openTasks(removed, at('2025-07-23T11:00+02:00'))).toEqual([]);
    expect(
      errorCode(transition(removed, { ...removed.history.at(-1)!, atUtcMs: at('2025-07-24T10:00+02:00') })),
    ).toBe('no_devices_to_remove');
  });

  it('at the end of the last day asks the judge to record the end and the installer to take the devices back', () => {
    const inExec = run([
      grant,
      ready,
      install,
      activate,
      { type: 'start_supervision', atUtcMs: at('2025-04-24T15:00+02:00'), by: 'kurator-3' },
    ]);
    const lastEvening = openTasks(inExec, at('2025-07-22T23:59+02:00'));
    expect(lastEvening.map((t) => [t.code, t.dueUtcMs])).toEqual([
      ['supervise_until_end', at('2025-07-23T00:00+02:00')],
    ]);
    const after = openTasks(inExec, at('2025-07-23T00:00+02:00'));
    expect(after.map((t) => [t.code, t.responsible, t.overdue])).toEqual([
      ['end_sentence', 'penitentiary_judge', false],
      ['remove_devices', 'installer', false],
    ]);
    expect(after[0]?.pl).toContain('22.07.2025');
    // Devices are not taken back during the sentence (a swap is not a removal), but may be once it is over.
    const early = transition(inExec, {
      type: 'remove_devices',
      atUtcMs: at('2025-06-01T10:00+02:00'),
      by: 't',
    });
    expect(errorCode(early)).toBe('removal_before_end');
    const removed = value(
      transition(inExec, { type: 'remove_devices', atUtcMs: at('2025-07-23T08:00+02:00'), by: 't' }),
    );
    expect(openTasks(removed, at('2025-07-23T09:00+02:00')).map((t) => t.code)).toEqual(['end_sentence']);
  });

  it('a revocation carries the escort order, at the person’s cost only where the law says so', () => {
    const revoke = (reason: 'evaded_installation' | 'violated_obligations' | 'readiness_deadline_missed') =>
      ({
        type: 'revoke',
        atUtcMs: at('2025-05-10T10:00+02:00'),
        by: 'sędzia-1',
        reason,
        note: 'opis',
      }) as const;
    const beforeInstall = value(transition(run([grant, ready]), revoke('evaded_installation')));
    expect(beforeInstall.revocation?.escortOrder).toEqual({
      orderedAtUtcMs: at('2025-05-10T10:00+02:00'),
      costsCharged: true,
    });
    expect(openTasks(beforeInstall, at('2025-05-10T11:00+02:00'))).toEqual([]);
    const during = value(
      transition(
        run([
          grant,
          ready,
          install,
          activate,
          { type: 'start_supervision', atUtcMs: at('2025-04-25T10:00+02:00'), by: 'k' },
        ]),
        revoke('violated_obligations'),
      ),
    );
    expect(during.revocation?.escortOrder?.costsCharged).toBe(false);
    expect(openTasks(during, at('2025-05-10T11:00+02:00')).map((t) => [t.code, t.responsible])).toEqual([
      ['remove_devices', 'installer'],
    ]);
  });

  it('refuses activation before installation, in words a clerk understands', () => {
    const r = transition(run([grant, ready]), activate);
    expect(errorCode(r)).toBe('activation_before_installation');
    expect(r.ok ? '' : r.errors[0]?.pl).toContain('przed ich zainstalowaniem');
  });

  it('refuses installation before the readiness report and any step after a refusal', () => {
    expect(errorCode(transition(run([grant]), install))).toBe('installation_before_readiness');
    const refused = value(
      transition(opened(), {
        type: 'refuse',
        atUtcMs: grant.atUtcMs,
        by: 'sędzia-1',
        reason: 'art. 64 § 2 KK',
      }),
    );
    const r = transition(refused, grant);
    expect(errorCode(r)).toBe('transition_not_allowed');
    expect(r.ok ? '' : r.errors[0]?.pl).toContain('odmowa udzielenia zezwolenia');
  });

  it('a late readiness report is refused; the judge must revoke (R5)', () => {
    const granted = run([grant]);
    const late = { ...ready, atUtcMs: at('2025-04-23T09:00+02:00') };
    expect(errorCode(transition(granted, late))).toBe('readiness_deadline_missed');
    const tasks = openTasks(granted, late.atUtcMs);
    expect(tasks.find((t) => t.code === 'report_readiness')?.overdue).toBe(true);
    expect(tasks.find((t) => t.code === 'revoke_for_missed_readiness')?.responsible).toBe(
      'penitentiary_judge',
    );
    const revoked = value(
      transition(granted, {
        type: 'revoke',
        atUtcMs: late.atUtcMs,
        by: 'sędzia-1',
        reason: 'readiness_deadline_missed',
        note: 'brak zgłoszenia',
      }),
    );
    expect(revoked.status).toBe('revoked');
    expect(openTasks(revoked, late.atUtcMs)).toEqual([]);
  });

  it('refuses revoking for a missed deadline before it has passed', () => {
    const r = transition(run([grant]), {
      type: 'revoke',
      atUtcMs: at('2025-04-22T20:00+02:00'),
      by: 'sędzia-1',
      reason: 'readiness_deadline_missed',
      note: 'x',
    });
    expect(errorCode(r)).toBe('readiness_deadline_not_missed');
  });

  it('refuses events dated before the previous one and steps without an actor', () => {
    expect(errorCode(transition(run([grant]), { ...ready, atUtcMs: grant.atUtcMs - 1 }))).toBe(
      'event_out_of_order',
    );
    expect(errorCode(transition(run([grant]), { ...ready, by: ' ' }))).toBe('actor_missing');
  });

  it('lists who must act, and by when, in each state', () => {
    const filed = openTasks(opened(), at('2025-04-02T12:00+02:00'));
    expect(filed.map((t) => [t.code, t.responsible, t.overdue])).toEqual([
      ['check_technical_conditions', 'installer', false],
      ['decide_application', 'penitentiary_judge', false],
    ]);
    expect(openTasks(opened(), at('2025-05-03T00:00+02:00')).every((t) => t.overdue)).toBe(true);
    const reported = openTasks(run([grant, ready]), at('2025-04-23T12:00+02:00'));
    expect(reported.map((t) => [t.code, t.responsible, t.dueUtcMs])).toEqual([
      ['install_devices', 'installer', at('2025-04-26T00:00+02:00')],
    ]);
    const lateInstall = openTasks(run([grant, ready]), at('2025-04-26T00:00+02:00'));
    expect(lateInstall.map((t) => [t.code, t.responsible, t.overdue])).toEqual([
      ['install_devices', 'installer', true],
      ['report_missed_installation', 'operator', false],
    ]);
    const activated = openTasks(run([grant, ready, install, activate]), at('2025-04-24T12:00+02:00'));
    expect(activated.map((t) => t.responsible)).toEqual(['operator', 'probation_officer']);
  });

  it('no sequence of events reaches a later stage while skipping an earlier one', () => {
    const order: SupervisionStatus[] = [
      'application_filed',
      'granted',
      'readiness_reported',
      'installed',
      'activated',
      'in_execution',
      'ended_served',
    ];
    const events: LifecycleEvent[] = [
      grant,
      ready,
      install,
      activate,
      { type: 'start_supervision', atUtcMs: at('2025-04-25T10:00+02:00'), by: 'kurator-3' },
      { type: 'end_served', atUtcMs: at('2025-08-01T10:00+02:00'), by: 'operator-1' },
      {
        type: 'revoke',
        atUtcMs: at('2025-05-10T10:00+02:00'),
        by: 'sędzia-1',
        reason: 'violated_obligations',
        note: 'opuszczenie miejsca',
      },
      { type: 'refuse', atUtcMs: grant.atUtcMs, by: 'sędzia-1', reason: 'cele kary' },
      { type: 'remove_devices', atUtcMs: at('2025-08-02T10:00+02:00'), by: 'technik-7' },
      { type: 'remove_devices', atUtcMs: at('2025-05-11T10:00+02:00'), by: 'technik-7' },
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...events), { maxLength: 10 }), (seq) => {
        let s = opened();
        const seen = new Set<SupervisionStatus>([s.status]);
        for (const e of [...seq].sort((a, b) => a.atUtcMs - b.atUtcMs)) {
          const r = transition(s, e);
          if (!r.ok) continue;
          s = r.value;
          seen.add(s.status);
        }
        const idx = order.indexOf(s.status);
        for (let i = 1; i < idx; i++) {
          if (order[i] === 'in_execution') continue; // a short sentence may end straight from "activated"
          expect(seen.has(order[i] as SupervisionStatus)).toBe(true);
        }
        if (s.status === 'activated' || s.status === 'in_execution' || s.status === 'ended_served') {
          expect(s.installedAtUtcMs).toBeLessThanOrEqual(s.activatedAtUtcMs ?? -1);
        }
        // Devices fitted and the sentence over or revoked: someone is always asked to take them back.
        const fitted = s.installedAtUtcMs !== undefined && s.devicesRemovedAtUtcMs === undefined;
        const over = s.status === 'ended_served' || s.status === 'revoked';
        const later = at('2025-09-01T00:00+02:00');
        expect(openTasks(s, later).some((t) => t.code === 'remove_devices')).toBe(
          fitted && (over || s.sentenceEnd !== undefined),
        );
      }),
    );
  });
});
