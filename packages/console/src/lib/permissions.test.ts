import { describe, expect, it } from 'vitest';
import { can } from './permissions.js';

describe('permissions in the console', () => {
  it('follow the list the center answered for the signed-in person, not a table of roles', () => {
    const officer = { role: 'probation_officer', permissions: ['case.read', 'device.read', 'message.send'] };
    expect(can(officer, 'device.read')).toBe(true);
    expect(can(officer, 'message.send')).toBe(true);
    expect(can(officer, 'alarm.handle')).toBe(false);
    // The same role with another list (the center changed its table) shows what the center says.
    expect(can({ ...officer, permissions: ['case.read'] }, 'device.read')).toBe(false);
    const nobody = { role: 'system', permissions: [] };
    expect(can(nobody, 'case.read')).toBe(false);
  });
});
