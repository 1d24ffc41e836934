/**
 * Frames refused because their sequence numbers lie implausibly far above the unit's acknowledged mark
 * (ADR 0408), kept as received for the Bureau to inspect: a broken counter, a forged unit or a unit moved
 * from another center. Their events are not in `events`, so they never become a unit's state and never
 * count as gaps in `ledger verify`. One row per device, reason and range of numbers; a retransmission of
 * the same range counts on the row (`refusals`) instead of adding one.
 */
export const sql = /* sql */ `
create table quarantined_frames (
  id bigint generated always as identity primary key,
  device_no int4 not null references devices (no),
  reason text not null,
  source text not null,
  first_seq int8 not null,
  last_seq int8 not null,
  events int4 not null,
  first_received_at timestamptz not null,
  last_received_at timestamptz not null,
  refusals int4 not null default 1,
  frame text not null,
  unique (device_no, reason, first_seq, last_seq)
);
`;
