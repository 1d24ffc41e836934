/**
 * Protocol v1.1 delivery cases (ADR 0504): a unit whose clock was wrong uploads events recorded before its
 * clock sync, and a unit that reuses a sequence number. The engine sees center times only; played live, the
 * units stamp and number their frames as described (scenarios.live.test.ts).
 */
import type { Scenario } from './model.js';
import { HOUR, MIN, SEC, beats, devices, leaves, returns, stationary, warsaw, weekly } from './build.js';

/** Monday 2 March 2026, 00:00 in Warsaw. */
const MONDAY = warsaw('2026-03-02 00:00');
const at = (text: string): number => warsaw(text) - MONDAY;
const WORK = weekly({
  mon: [{ start: '08:00', end: '16:00', label: 'praca' }],
  tue: [{ start: '08:00', end: '16:00', label: 'praca' }],
});

const clockSyncWithBuffer: Scenario = (() => {
  const id = 'protocol-clock-sync-buffer';
  const d = devices(id);
  const outageFrom = at('2026-03-02 21:00');
  const upload = at('2026-03-03 01:00');
  return {
    id,
    title: {
      pl: 'Rejestrator ze zegarem spóźnionym o 2 godziny, bez sieci; po synchronizacji zegara przesyła zapisane zdarzenia — nocne wyjście datowane poprawnie',
      en: 'Home unit with a clock 2 hours slow, without network; after its clock sync it uploads its buffer — the night out is dated right',
    },
    covers: ['presence', 'communication_loss'],
    startUtcMs: MONDAY,
    durationMs: at('2026-03-03 02:00'),
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [stationary(id, WORK)] }],
    events: [leaves(id, at('2026-03-02 22:30')), returns(id, at('2026-03-02 23:30'))],
    heartbeats: [beats(d.hu, 0, at('2026-03-03 02:00'))],
    offline: [{ deviceId: d.hu, from: outageFrom, to: upload, uploadAt: upload }],
    // Slow by 2 h until it reconnects and syncs: dated as stamped, the night out would fall at 20:30–21:30.
    clocks: [{ deviceId: d.hu, offsetMs: -2 * HOUR, syncAt: upload }],
    expect: [
      {
        supervisionId: id,
        rule: 'presence',
        openedAt: at('2026-03-02 22:33'),
        resolvedAt: at('2026-03-02 23:30'),
        toleranceMs: SEC,
        late: true,
        cause: 'left_when_required',
      },
      {
        supervisionId: id,
        rule: 'communication_loss',
        openedAt: outageFrom - 5 * MIN + SEC + 10 * MIN + 30 * SEC,
        resolvedAt: upload,
        toleranceMs: SEC,
        cause: 'link_down_unit_recording',
      },
    ],
    forbid: [
      {
        supervisionId: id,
        rule: 'presence',
        from: at('2026-03-02 20:00'),
        to: at('2026-03-02 22:00'),
        why: 'the events recorded before the sync happened two hours after their stamps',
      },
    ],
    exhaustive: true,
  };
})();

const reusedSeq: Scenario = (() => {
  const id = 'protocol-reused-seq';
  const d = devices(id);
  return {
    id,
    title: {
      pl: 'Rejestrator wysyła powrót pod numerem już użytym: centrum go odrzuca; ponumerowany na nowo zamyka alarm',
      en: 'A unit sends the return under a number already used: the center refuses it; renumbered, it ends the alarm',
    },
    covers: ['presence'],
    startUtcMs: MONDAY,
    durationMs: 24 * HOUR,
    supervisions: [{ supervisionId: id, regionId: 'PL-MZ', versions: [stationary(id, WORK)] }],
    events: [
      leaves(id, at('2026-03-02 22:30')),
      // Sent under the number of the unit's previous event (a heartbeat): refused, never seen by the engine.
      { ...returns(id, at('2026-03-02 23:30')), reusesSeq: true },
      // The unit numbers it anew and sends it again five minutes later.
      { ...returns(id, at('2026-03-02 23:30')), receivedAt: at('2026-03-02 23:35') },
    ],
    heartbeats: [beats(d.hu, 0, 24 * HOUR)],
    expect: [
      {
        supervisionId: id,
        rule: 'presence',
        openedAt: at('2026-03-02 22:33'),
        resolvedAt: at('2026-03-02 23:30'),
        toleranceMs: SEC,
        cause: 'left_when_required',
      },
    ],
    forbid: [],
    exhaustive: true,
  };
})();

export const protocolScenarios: readonly Scenario[] = [clockSyncWithBuffer, reusedSeq];
