/**
 * Alarm truth (issue 19, ADR 0501): an alarm is announced when the engine decides it, which may be after it
 * was stored as undecided (`decided_at`, from which escalation counts); a withdrawn episode leaves the
 * operators' queue by itself (status closed) and keeps why (`withdrawn_at`, `withdrawn_reason`, Polish and
 * English) for the history and the alarm detail.
 */
export const sql = /* sql */ `
alter table alarm_episodes
  add column decided_at timestamptz,
  add column withdrawn_at timestamptz,
  add column withdrawn_reason jsonb;
update alarm_episodes set decided_at = created_at where not undecided;
-- Withdrawn before this migration, they stayed open in the queue: out of it now, with the reason they had.
update alarm_episodes
  set status = 'closed',
      closed_at = coalesce(closed_at, updated_at),
      withdrawn_at = updated_at,
      withdrawn_reason = '{"pl": "wycofany: dane otrzymane później pokazały, że do tego nie doszło", "en": "withdrawn: data received later showed it did not happen"}'::jsonb
  where condition = 'withdrawn';
`;
