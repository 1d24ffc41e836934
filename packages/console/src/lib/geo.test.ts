import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.js';
import { layoutMap, niceMeters } from './geo.js';
import { formatDay, warsawMidnight } from './format.js';

describe('offline map layout', () => {
  it('fits a circle zone and a polygon inside the view box, north up', () => {
    const map = layoutMap([
      {
        kind: 'exclusion_zone',
        id: 'a',
        name: 'A',
        zone: { kind: 'circle', center: { lat: 52.2395, lon: 21.0458 }, radiusMeters: 800 },
      },
      {
        kind: 'exclusion_zone',
        id: 'b',
        name: 'B',
        zone: {
          kind: 'polygon',
          ring: [
            { lat: 52.2301, lon: 21.0102 },
            { lat: 52.2309, lon: 21.0102 },
            { lat: 52.2309, lon: 21.0121 },
          ],
        },
      },
    ])!;
    const circle = map.shapes.find((s) => s.kind === 'circle')!;
    expect(circle.kind === 'circle' && circle.cx - circle.r >= 0 && circle.cx + circle.r <= map.width).toBe(
      true,
    );
    const poly = map.shapes.find((s) => s.kind === 'polygon')!;
    const pts = poly.kind === 'polygon' ? poly.points.split(' ').map((p) => p.split(',').map(Number)) : [];
    // The polygon is south-west of the stadium: left of it and lower on the screen.
    expect(
      pts.every(([x, y]) => x! < (circle as { cx: number }).cx && y! > (circle as { cy: number }).cy),
    ).toBe(true);
    expect(map.scale.meters).toBeGreaterThan(0);
  });
  it('has nothing to draw without geometry', () => {
    expect(layoutMap([{ kind: 'keep_distance', protectedPersonId: 'x', minDistanceMeters: 200 }])).toBeNull();
  });
  it('picks round scale lengths', () => {
    expect(niceMeters(730)).toBe(500);
    expect(niceMeters(2100)).toBe(2000);
    expect(niceMeters(140)).toBe(100);
  });
});

describe('CSV and Warsaw dates', () => {
  it('quotes cells that need it and starts with a BOM', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          [1, null],
        ],
      ),
    ).toBe('\uFEFFa,b\r\n"x,y","say ""hi"""\r\n1,\r\n');
  });
  it('finds Warsaw midnight in winter and summer', () => {
    expect(warsawMidnight('2026-01-15')).toBe('2026-01-15T00:00:00+01:00');
    expect(warsawMidnight('2026-07-15')).toBe('2026-07-15T00:00:00+02:00');
  });
  it('formats a calendar day without shifting it', () => {
    expect(formatDay('2027-05-26', 'pl')).toBe('26.05.2027');
    expect(formatDay('2027-05-26', 'en')).toBe('26/05/2027');
  });
});
