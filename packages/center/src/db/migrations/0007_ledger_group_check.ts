/**
 * The check that ends the ledger's group statement (ADR 0013). The statement updates each device's row only
 * where none of the group's sequence numbers for it is stored yet; when another process has stored some, the
 * count of rows updated falls short of the devices in the group, and this raises `SDE01`, which rolls the
 * whole statement back. The caller then learns which devices those were and writes the group without them.
 * With the check the frames and events are inserted without a join to the devices written, so the
 * statement's plan is the same for any group size and can be made once (a generic plan).
 */
export const sql = /* sql */ `
create function ledger_group_check(written bigint, expected int) returns int
language plpgsql as $$
begin
  if written <> expected then
    raise exception 'another writer stored % of this group''s % devices first', expected - written, expected
      using errcode = 'SDE01';
  end if;
  return expected;
end $$;
comment on function ledger_group_check(bigint, int) is
  'raises SDE01 (rolling the ledger''s group statement back) when not every device of the group was written';
`;
