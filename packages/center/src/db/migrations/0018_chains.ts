/**
 * Tamper-evident records (ADR 0701).
 * - Every raw frame and event is a link of its device's hash chain: `chain_pos` (1, 2, … per device, frames
 *   and events in the order written) and `hash` = SHA-256(hex of the previous hash ‖ canonical record), computed by the
 *   ledger in the group before its insert. The device row keeps the chain's length and head, updated by the
 *   group statement that already updates it (its lock orders a device's writers).
 * - Every audit record is a link of one of the audit lanes: a trigger takes the lowest lane no other open
 *   transaction holds (`for update skip locked`, a new lane when all are held), so audited transactions never
 *   wait on each other, and computes the hash in the database (`sha256`, built in), as the center does:
 *   SHA-256 of the previous hash in hex followed by the record's text.
 * - `chain_checkpoints`: the heads of every chain, signed by the center's Ed25519 key.
 * - `chain_anchors`: where a chain now starts once retention dropped its oldest records (ADR 0701, 0702).
 * - The audit log, the checkpoints and the anchors refuse UPDATE, DELETE and TRUNCATE: rows are only added.
 *   Dropping or detaching a whole partition fires no row trigger: that is retention's only way (ADR 0701).
 * Rows stored before this migration have no chain (null): the verifier counts them apart.
 */
export const sql = /* sql */ `
alter table devices
  add column chain_len int8 not null default 0,
  add column chain_head bytea;
alter table raw_messages add column chain_pos int8, add column hash bytea;
alter table events add column chain_pos int8, add column hash bytea;

create sequence audit_chain_lane_seq as int4;
create table audit_chain_lanes (
  lane int4 primary key,
  len int8 not null,
  head bytea not null
);
alter table audit_log
  add column chain_lane int4,
  add column chain_pos int8,
  add column hash bytea;

-- The record as hashed: a JSON array of its columns (jsonb text is canonical: keys ordered, one spelling per
-- value), its time in microseconds. The verifier computes the same text in its own query.
create function audit_chain_link() returns trigger language plpgsql as $$
declare
  l record;
begin
  select lane, len, head into l from audit_chain_lanes order by lane limit 1 for update skip locked;
  if not found then
    insert into audit_chain_lanes (lane, len, head)
      values (nextval('audit_chain_lane_seq'), 0, '\\x0000000000000000000000000000000000000000000000000000000000000000')
      returning lane, len, head into l;
  end if;
  new.chain_lane := l.lane;
  new.chain_pos := l.len + 1;
  new.hash := sha256(convert_to(encode(l.head, 'hex') || jsonb_build_array(new.id,
    (extract(epoch from new.at) * 1000000)::int8, new.actor_user_id, new.actor_login, new.actor_role,
    new.terminal, new.address, new.request_id, new.action, new.entity, new.entity_id, new.person_id,
    new.changes)::text, 'UTF8'));
  update audit_chain_lanes set len = new.chain_pos, head = new.hash where lane = l.lane;
  return new;
end $$;
create index audit_log_chain on audit_log (chain_lane, chain_pos);
create trigger audit_log_chain before insert on audit_log for each row execute function audit_chain_link();

create function refuse_change() returns trigger language plpgsql as $$
begin
  raise exception '% is append-only: % refused', tg_table_name, tg_op using errcode = '42501';
end $$;
create trigger audit_log_append_only before update or delete on audit_log
  for each row execute function refuse_change();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function refuse_change();

create table chain_checkpoints (
  id int8 generated always as identity primary key,
  at timestamptz not null,
  key_id text not null,
  -- every chain's head: {"devices":[[no,len,head]…],"audit":[[lane,len,head]…]}
  heads text not null,
  -- the signed text, exactly: {"v","at","key","prev","heads"}, "heads" the SHA-256 of the column above and
  -- "prev" that of the previous checkpoint's signature (a removed checkpoint breaks the sequence)
  signed text not null,
  signature bytea not null
);
create trigger chain_checkpoints_append_only before update or delete on chain_checkpoints
  for each row execute function refuse_change();
create trigger chain_checkpoints_no_truncate before truncate on chain_checkpoints
  for each statement execute function refuse_change();

create table chain_anchors (
  chain text not null check (chain in ('device', 'audit')),
  chain_no int4 not null,
  -- the records up to pos were removed; the one after it links to hash
  pos int8 not null,
  hash bytea not null,
  at timestamptz not null default now(),
  reason text not null,
  primary key (chain, chain_no, pos)
);
create trigger chain_anchors_append_only before update or delete on chain_anchors
  for each row execute function refuse_change();
create trigger chain_anchors_no_truncate before truncate on chain_anchors
  for each statement execute function refuse_change();
`;
