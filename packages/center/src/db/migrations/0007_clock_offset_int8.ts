/**
 * A unit's clock offset (center time − unit time at reception) was an int4 of milliseconds: ±24.8 days. A
 * unit whose clock was reset (to 1970, or to its build date) is off by years, and every frame it sent failed
 * to store ("out of range for type integer") and was refused for good, its alarms with it. The offset is
 * what the center corrects such a unit's event times by and flags them for (`clock_offset`), so it must
 * hold any offset a valid timestamp can have.
 */
export const sql = /* sql */ `
alter table devices alter column clock_offset_ms type int8;
`;
