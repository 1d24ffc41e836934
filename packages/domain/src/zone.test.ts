import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { LatLon, Zone } from './zone.js';
import { containsPoint, distanceToBorderMeters, haversineMeters, validateZone } from './zone.js';

const PKIN: LatLon = { lat: 52.2318, lon: 21.0059 };
/** A point `north` and `east` metres from `o` (small offsets). */
const offset = (o: LatLon, north: number, east: number): LatLon => ({
  lat: o.lat + north / 111_195,
  lon: o.lon + east / (111_195 * Math.cos((o.lat * Math.PI) / 180)),
});
const square = (o: LatLon, half: number): LatLon[] => [
  offset(o, -half, -half),
  offset(o, -half, half),
  offset(o, half, half),
  offset(o, half, -half),
];
const codes = (z: Zone): string[] => {
  const r = validateZone(z);
  return r.ok ? [] : r.errors.map((e) => e.code);
};

describe('zone validation', () => {
  it('accepts a square and closes the ring itself', () => {
    const ring = square(PKIN, 100);
    const r = validateZone({ kind: 'polygon', ring: [...ring, ring[0] as LatLon] });
    expect(r.ok && r.value.kind === 'polygon' ? r.value.ring : []).toEqual(ring);
  });

  it('rejects a bow-tie (self-intersecting) polygon', () => {
    const [a, b, c, d] = square(PKIN, 100) as [LatLon, LatLon, LatLon, LatLon];
    expect(codes({ kind: 'polygon', ring: [a, c, b, d] })).toEqual(['zone_polygon_self_intersecting']);
  });

  it('rejects a ring that touches itself at a vertex or folds back', () => {
    const [a, b, c, d] = square(PKIN, 100) as [LatLon, LatLon, LatLon, LatLon];
    expect(codes({ kind: 'polygon', ring: [a, b, PKIN, c, d, PKIN] })).toEqual([
      'zone_polygon_self_intersecting',
    ]);
    expect(codes({ kind: 'polygon', ring: [a, b, c, offset(PKIN, 0, 100)] })).toEqual([
      'zone_polygon_self_intersecting',
    ]);
  });

  it('needs three distinct points and an area', () => {
    expect(codes({ kind: 'polygon', ring: [PKIN, offset(PKIN, 10, 0), PKIN, PKIN] })).toEqual([
      'zone_polygon_too_few_points',
    ]);
    expect(codes({ kind: 'polygon', ring: [PKIN, offset(PKIN, 10, 0), offset(PKIN, 20, 0)] })).toEqual([
      'zone_polygon_degenerate',
    ]);
  });

  it('catches swapped latitude and longitude and impossible coordinates', () => {
    const swapped = square(PKIN, 100).map((p) => ({ lat: p.lon, lon: p.lat }));
    expect(codes({ kind: 'polygon', ring: swapped })[0]).toBe('zone_coordinate_implausible');
    expect(codes({ kind: 'circle', center: { lat: 95, lon: 21 }, radiusMeters: 100 })).toEqual([
      'zone_coordinate_invalid',
    ]);
  });

  it('requires a positive, not absurd circle radius', () => {
    expect(codes({ kind: 'circle', center: PKIN, radiusMeters: 0 })).toEqual(['zone_radius_invalid']);
    expect(codes({ kind: 'circle', center: PKIN, radiusMeters: Number.NaN })).toEqual([
      'zone_radius_invalid',
    ]);
    expect(codes({ kind: 'circle', center: PKIN, radiusMeters: 60_000 })).toEqual(['zone_too_large']);
    expect(codes({ kind: 'circle', center: PKIN, radiusMeters: 200 })).toEqual([]);
  });
});

describe('zone geometry', () => {
  const sq: Zone = { kind: 'polygon', ring: square(PKIN, 100) };

  it('tells inside from outside and measures the distance to the border', () => {
    expect(containsPoint(sq, PKIN.lat, PKIN.lon)).toBe(true);
    const out = offset(PKIN, 0, 150);
    expect(containsPoint(sq, out.lat, out.lon)).toBe(false);
    expect(distanceToBorderMeters(sq, PKIN.lat, PKIN.lon)).toBeCloseTo(100, 0);
    expect(distanceToBorderMeters(sq, out.lat, out.lon)).toBeCloseTo(50, 0);
  });

  it('handles a concave (L-shaped) zone', () => {
    const l: Zone = {
      kind: 'polygon',
      ring: [
        offset(PKIN, 0, 0),
        offset(PKIN, 0, 200),
        offset(PKIN, 100, 200),
        offset(PKIN, 100, 100),
        offset(PKIN, 200, 100),
        offset(PKIN, 200, 0),
      ],
    };
    expect(validateZone(l).ok).toBe(true);
    const notch = offset(PKIN, 150, 150);
    expect(containsPoint(l, notch.lat, notch.lon)).toBe(false);
    const arm = offset(PKIN, 150, 50);
    expect(containsPoint(l, arm.lat, arm.lon)).toBe(true);
  });

  it('circle: the centre is one radius from the border', () => {
    const c: Zone = { kind: 'circle', center: PKIN, radiusMeters: 200 };
    expect(distanceToBorderMeters(c, PKIN.lat, PKIN.lon)).toBeCloseTo(200, 6);
    const p = offset(PKIN, 199, 0);
    expect(containsPoint(c, p.lat, p.lon)).toBe(true);
  });

  const center = fc.record({
    lat: fc.double({ min: 49.2, max: 54.7, noNaN: true }),
    lon: fc.double({ min: 14.3, max: 24.0, noNaN: true }),
  });

  it('a regular polygon agrees with the circle it approximates (within 0.1 % of its radius)', () => {
    fc.assert(
      fc.property(
        center,
        fc.integer({ min: 50, max: 10_000 }),
        fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }),
        fc.double({ min: 0, max: 1.5, noNaN: true }),
        (o, r, bearing, frac) => {
          const n = 720;
          const ring = Array.from({ length: n }, (_, k) =>
            offset(o, r * Math.cos((2 * Math.PI * k) / n), r * Math.sin((2 * Math.PI * k) / n)),
          );
          const poly: Zone = { kind: 'polygon', ring };
          const p = offset(o, r * frac * Math.cos(bearing), r * frac * Math.sin(bearing));
          const d = haversineMeters(o, p);
          const tolerance = 0.5 + r * (1 - Math.cos(Math.PI / n)) + r * 0.001;
          if (d < r - tolerance) expect(containsPoint(poly, p.lat, p.lon)).toBe(true);
          if (d > r + tolerance) expect(containsPoint(poly, p.lat, p.lon)).toBe(false);
          expect(Math.abs(distanceToBorderMeters(poly, p.lat, p.lon) - Math.abs(d - r))).toBeLessThan(
            tolerance,
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('star-shaped random rings are valid and containment ignores where the ring starts or its direction', () => {
    fc.assert(
      fc.property(
        center,
        fc.uniqueArray(fc.integer({ min: 0, max: 359 }), { minLength: 3, maxLength: 12 }),
        fc.integer({ min: 100, max: 2000 }),
        fc.integer({ min: 0, max: 11 }),
        fc.record({
          north: fc.integer({ min: -2500, max: 2500 }),
          east: fc.integer({ min: -2500, max: 2500 }),
        }),
        (o, degrees, r, rot, q) => {
          const angles = [...degrees].sort((a, b) => a - b);
          // Needs the centre strictly inside: no gap of 180° or more between consecutive angles.
          const gaps = angles.map((a, i) => ((angles[(i + 1) % angles.length] ?? 0) - a + 360) % 360 || 360);
          fc.pre(Math.max(...gaps) < 180);
          const ring = angles.map((a, i) =>
            offset(
              o,
              (r + 37 * i) * Math.cos((a * Math.PI) / 180),
              (r + 37 * i) * Math.sin((a * Math.PI) / 180),
            ),
          );
          expect(validateZone({ kind: 'polygon', ring }).ok).toBe(true);
          expect(containsPoint({ kind: 'polygon', ring }, o.lat, o.lon)).toBe(true);
          const k = rot % ring.length;
          const rotated = [...ring.slice(k), ...ring.slice(0, k)].reverse();
          const p = offset(o, q.north, q.east);
          if (distanceToBorderMeters({ kind: 'polygon', ring }, p.lat, p.lon) > 0.01) {
            expect(containsPoint({ kind: 'polygon', ring: rotated }, p.lat, p.lon)).toBe(
              containsPoint({ kind: 'polygon', ring }, p.lat, p.lon),
            );
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
