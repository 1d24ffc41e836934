/**
 * The planner's statistics of the ledger's partitions come from a sample of 300 rows per unit of their
 * columns' statistics target (PostgreSQL's default, 100: 30,000 rows). On the embedded store, whose one
 * connection waits while ANALYZE runs (ADR 0014), that sample cost 150–425 ms on a partition of a million
 * events; with targets of 10 (3,000 rows), 20–25 ms. The ledger is read by unit and time ranges through its
 * indexes, for which a coarse histogram is enough. The bodies, flags and raw frames are never compared by
 * value and get no statistics at all. Setting a target on a partitioned table sets it on its partitions;
 * partitions created later copy their parent's (database.ts, ensurePartitions).
 */
export const sql = /* sql */ `
alter table events
  alter column id set statistics 10,
  alter column received_at set statistics 10,
  alter column device_no set statistics 10,
  alter column seq set statistics 10,
  alter column kind set statistics 10,
  alter column device_time set statistics 10,
  alter column time set statistics 10,
  alter column raw_id set statistics 10,
  alter column source set statistics 10,
  alter column body set statistics 0,
  alter column flags set statistics 0;
alter table raw_messages
  alter column id set statistics 10,
  alter column received_at set statistics 10,
  alter column device_no set statistics 10,
  alter column source set statistics 10,
  alter column frame set statistics 0;
`;
