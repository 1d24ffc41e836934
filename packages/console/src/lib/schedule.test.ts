import { describe, expect, it } from 'vitest';
import { changedDays, formatDay, parseDay, toMinutes, weekGrid } from './schedule.js';
import type { WeeklySchedule } from './schedule.js';

const empty = (): WeeklySchedule => ({ mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] });

describe('week grid', () => {
  it('places a day window in its column with percentages of the day', () => {
    const w = empty();
    w.mon = [{ start: '06:00', end: '18:00', label: 'praca' }];
    const grid = weekGrid(w);
    expect(grid.map((d) => d.day)).toEqual(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun']);
    expect(grid[0]!.blocks).toEqual([
      expect.objectContaining({
        startMin: 360,
        endMin: 1080,
        topPct: 25,
        heightPct: 50,
        fromPreviousDay: false,
        intoNextDay: false,
      }),
    ]);
    expect(grid[0]!.awayMinutes).toBe(720);
  });

  it('splits a night shift at midnight into the next column, and Sunday night into Monday', () => {
    const w = empty();
    w.wed = [{ start: '21:30', end: '06:30', endsNextDay: true, label: 'zmiana nocna' }];
    w.sun = [{ start: '22:00', end: '02:00', endsNextDay: true, label: 'zmiana' }];
    const grid = weekGrid(w);
    const wed = grid[2]!.blocks;
    const thu = grid[3]!.blocks;
    expect(wed).toEqual([
      expect.objectContaining({ startMin: 21 * 60 + 30, endMin: 1440, intoNextDay: true }),
    ]);
    expect(thu).toEqual([
      expect.objectContaining({ startMin: 0, endMin: 390, fromPreviousDay: true, label: 'zmiana nocna' }),
    ]);
    expect(grid[0]!.blocks).toEqual([
      expect.objectContaining({ day: 'mon', startMin: 0, endMin: 120, fromPreviousDay: true }),
    ]);
  });

  it('treats an end before the start as the next day even without the flag, and sorts blocks', () => {
    const w = empty();
    w.fri = [
      { start: '18:00', end: '19:00', label: 'b' },
      { start: '07:00', end: '08:00', label: 'a' },
      { start: '23:00', end: '01:00', label: 'c' },
    ];
    const grid = weekGrid(w);
    expect(grid[4]!.blocks.map((b) => b.label)).toEqual(['a', 'b', 'c']);
    expect(grid[5]!.blocks.map((b) => [b.label, b.endMin])).toEqual([['c', 60]]);
  });

  it('handles a window to 24:00 in one day', () => {
    const w = empty();
    w.sat = [{ start: '20:00', end: '24:00', label: 'x' }];
    const grid = weekGrid(w);
    expect(grid[5]!.blocks).toEqual([
      expect.objectContaining({ startMin: 1200, endMin: 1440, intoNextDay: false }),
    ]);
    expect(grid[6]!.blocks).toEqual([]);
  });

  it('refuses times that are not HH:MM', () => {
    expect(() => toMinutes('25:00')).toThrow();
    expect(() => toMinutes('7')).toThrow();
    expect(toMinutes('24:00')).toBe(1440);
  });
});

describe('editing a day', () => {
  it('parses what it formats', () => {
    const day = [
      { start: '07:00', end: '16:00', label: 'praca' },
      { start: '21:30', end: '06:30', endsNextDay: true, label: 'zmiana nocna' },
    ];
    expect(parseDay(formatDay(day))).toEqual(day);
  });
  it('accepts short hours and dashes and an empty day', () => {
    expect(parseDay('7:00–15:00 praca')).toEqual([{ start: '07:00', end: '15:00', label: 'praca' }]);
    expect(parseDay('  ')).toEqual([]);
  });
  it('rejects what it cannot read', () => {
    expect(() => parseDay('rano praca')).toThrow('rano praca');
    expect(() => parseDay('07:00-25:00 x')).toThrow();
  });
  it('lists the days that changed between versions', () => {
    const a = empty();
    const b = empty();
    b.tue = [{ start: '08:00', end: '12:00', label: 'x' }];
    expect(changedDays(a, b)).toEqual(['tue']);
  });
});
