/**
 * Protocol v1.1 (ADR 0504).
 * - The device's sequence-number conflicts (a number reused with other content): how many, the last
 *   number and when, for its status.
 * - `clock_offset_at`: when the stored clock offset was measured (the frame's arrival), so that a hello
 *   written after a newer measurement does not overwrite it.
 * - `device_commands.sent_at` now means "published to a connected unit"; nothing to migrate.
 */
export const sql = /* sql */ `
alter table devices
  add column seq_conflicts int8 not null default 0,
  add column seq_conflict_last_seq int8,
  add column seq_conflict_at timestamptz,
  add column clock_offset_at timestamptz;
`;
