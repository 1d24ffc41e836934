/**
 * The application and the decision as the law asks for them (issue 20, ADR 0602).
 * - `applications.judgment_final_on`: the day the judgment became final (an application is filed from it on).
 * - `applications.flat_owner`: who owns the flat and the day of their written permission.
 *   Both are null on applications filed before they were recorded; the decision then treats the owner's
 *   permission as missing (a bar the judge may override with a written reason).
 * - `decisions.overridden_bars` / `bar_override_reason`: the statutory bars a grant went past and the judge's
 *   written reason for overriding them, kept with the decision.
 */
export const sql = /* sql */ `
alter table applications
  add column judgment_final_on text check (judgment_final_on ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}$'),
  add column flat_owner jsonb;
alter table decisions
  add column overridden_bars jsonb not null default '[]',
  add column bar_override_reason text;
`;
