/**
 * What the runner correlates into infrastructure incidents must not shrink as time passes. A windowed
 * evaluation (checkpoint `from`) leaves out episodes that ended before its window — they are final and
 * stay as stored — so an incident correlated over the latest windowed evaluations would lose its members
 * one by one as their supervisions are evaluated again, and be stored with fewer and fewer of them.
 */
import type { AlarmEpisode, AlarmRule, SupervisionEvaluation } from '@sde/domain';
import { ENGINE_LOOKBACK_MS } from '@sde/domain';

/** Rules whose episodes `correlateIncidents` groups. */
const CORRELATED: ReadonlySet<AlarmRule> = new Set<AlarmRule>(['unit_power', 'communication_loss']);

/**
 * `next` with the power and communication-loss episodes of `previous` that ended before `from` (outside
 * the window `next` covers, so final) and less than the engine's lookback before `next.now`; an episode
 * inside the window is as `next` says (present, changed or gone). Without a checkpoint `next` covers all.
 */
export function withSettledEpisodes(
  previous: SupervisionEvaluation | undefined,
  next: SupervisionEvaluation,
  from: number | undefined,
): SupervisionEvaluation {
  if (previous === undefined || from === undefined) return next;
  const keepFrom = next.now - ENGINE_LOOKBACK_MS;
  const returned = new Set(next.episodes.map((e) => e.id));
  const settled = previous.episodes.filter(
    (e) =>
      CORRELATED.has(e.rule) &&
      e.resolvedAt !== undefined &&
      e.resolvedAt < from &&
      e.resolvedAt >= keepFrom &&
      !returned.has(e.id),
  );
  if (settled.length === 0) return next;
  const episodes: AlarmEpisode[] = [...settled, ...next.episodes].sort(
    (a, b) => a.startedAt - b.startedAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  return { ...next, episodes };
}
