/**
 * Audit queries (ADR 0407): the address the request came from, taken from the connection, in its own column
 * (the old `terminal` text mixed it with what the client claims); a nullable reference to the monitored or
 * protected person a record is about; and indexes for the auditor's filters, each ending in `id` so the
 * newest-first keyset pages (`id < cursor order by id desc`) read the index in order.
 */
export const sql = /* sql */ `
alter table audit_log add column address text;
alter table audit_log add column person_id uuid;

create index audit_log_person on audit_log (person_id, id) where person_id is not null;
create index audit_log_actor_id on audit_log (actor_login, id);
-- text_pattern_ops: a prefix filter ('alarm.%') uses the index whatever the database's collation.
create index audit_log_action on audit_log (action text_pattern_ops, id);
create index audit_log_at on audit_log (at);
create index audit_log_address on audit_log (address, id) where address is not null;
`;
