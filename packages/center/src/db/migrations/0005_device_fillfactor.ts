/**
 * The ledger updates every reporting device's row in each group commit (acknowledged and highest sequence
 * number, last contact, clock offset). None of those columns is indexed, so with room left on each page
 * PostgreSQL updates the row in place (a heap-only tuple) instead of writing new index entries: measured on
 * this project's machine, 5,000 rows in 20 ms instead of 50–73 ms. New pages keep half their room free.
 */
export const sql = /* sql */ `
alter table devices set (fillfactor = 50);
`;
