/**
 * Who registered a person (ADR 0402): a monitored or protected person with no case yet is in the scope of
 * the court (and region) that registered them, so a judge can open the case for the person their court just
 * registered, and nobody else's. Persons registered before this migration, or by the Bureau, carry none:
 * they are reachable through their cases only (and by callers who see everything).
 */
export const sql = /* sql */ `
alter table monitored_persons
  add column registered_court_id text references courts (id),
  add column registered_region_id text references regions (id);
alter table protected_persons
  add column registered_court_id text references courts (id),
  add column registered_region_id text references regions (id);
`;
