/**
 * Dedupe on (device, seq) moves from one `ledger_keys` row per event to one multirange per device: the
 * sequence numbers stored for that device, `{[1,N+1)}` for a unit whose every event up to N is stored, a
 * few ranges more while a retransmission fills a hole. The group's statement updates each reporting device's
 * row anyway; the row's lock is what orders two writers of the same device, and a device whose offered
 * numbers meet its stored ones has nothing of its group written (ADR 0011). Each event cost a key row and an
 * index entry (5,000 units keep ~5,000 leaf pages of that index hot, each written in full after every
 * checkpoint); now it costs nothing beyond its event row.
 */
export const sql = /* sql */ `
alter table devices add column seqs int8multirange not null default '{}';
comment on column devices.seqs is 'every sequence number stored for this device (the dedupe key of the ledger)';
update devices d set seqs = k.seqs
from (select device_no, range_agg(int8range(seq, seq + 1)) as seqs from ledger_keys group by device_no) k
where d.no = k.device_no;
drop table ledger_keys;
`;
