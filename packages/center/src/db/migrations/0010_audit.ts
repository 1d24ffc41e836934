/**
 * Audit queries (ADR 0407): the address the request came from, taken from the connection, in its own column
 * (the old `terminal` text mixed it with what the client claims); a nullable reference to the monitored or
 * protected person a record is about; and indexes for the auditor's filters, each ending in (at, id) so the
 * newest-first keyset pages (`(at, id) < cursor order by at desc, id desc`) read a filter's index in order
 * and stop after one page, also within a period.
 */
export const sql = /* sql */ `
alter table audit_log add column address text;
alter table audit_log add column person_id uuid;

create index audit_log_person on audit_log (person_id, at, id) where person_id is not null;
create index audit_log_actor_at on audit_log (actor_login, at, id);
-- text_pattern_ops: a prefix filter ('alarm.%') uses the index whatever the database's collation.
create index audit_log_action on audit_log (action text_pattern_ops, at, id);
create index audit_log_at on audit_log (at, id);
create index audit_log_address on audit_log (address, at, id) where address is not null;
-- (actor_login, at) of migration 0002 is covered by audit_log_actor_at.
drop index audit_log_actor;
`;
