/**
 * Exclusion and inclusion zones (WGS84). Polygon geometry is computed in an equirectangular
 * projection centred on the zone: the error is below 0.1 % of the distance from the zone's centre
 * (under 1 m for a 2 km zone, tens of metres only near the {@link MAX_ZONE_EXTENT_METERS} limit).
 */
import type { DomainMessage, Result } from './messages.js';
import { fail, message, ok } from './messages.js';

/** A WGS84 position in decimal degrees. */
export interface LatLon {
  /** Latitude, −90…90. */
  readonly lat: number;
  /** Longitude, −180…180. */
  readonly lon: number;
}

/** A polygon (a simple ring; closing the ring is optional) or a circle. */
export type Zone =
  | { readonly kind: 'polygon'; readonly ring: readonly LatLon[] }
  | { readonly kind: 'circle'; readonly center: LatLon; readonly radiusMeters: number };

/** A latitude/longitude box that coordinates must fall in to be plausible. */
export interface GeoBounds {
  /** Southern edge. */
  readonly minLat: number;
  /** Northern edge. */
  readonly maxLat: number;
  /** Western edge. */
  readonly minLon: number;
  /** Eastern edge. */
  readonly maxLon: number;
}

/** Poland with a margin of about 50 km: catches swapped latitude/longitude and typos. */
export const POLAND_PLAUSIBLE_BOUNDS: GeoBounds = { minLat: 48.5, maxLat: 55.4, minLon: 13.6, maxLon: 24.7 };
/** Largest zone, in metres across, that the flat projection handles accurately. */
export const MAX_ZONE_EXTENT_METERS = 100_000;
/** Most vertices in one polygon. */
export const MAX_POLYGON_VERTICES = 2_000;
/** Mean Earth radius (IUGG), metres. */
export const EARTH_RADIUS_METERS = 6_371_008.8;

const RAD = Math.PI / 180;

/** Great-circle distance in metres (haversine). */
export function haversineMeters(a: LatLon, b: LatLon): number {
  const dLat = (b.lat - a.lat) * RAD;
  const dLon = (b.lon - a.lon) * RAD;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * RAD) * Math.cos(b.lat * RAD) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_METERS * Math.asin(Math.min(1, Math.sqrt(h)));
}

interface XY {
  readonly x: number;
  readonly y: number;
}

/** Equirectangular projection around `origin`: metres east (x) and north (y). */
function project(origin: LatLon, p: LatLon): XY {
  return {
    x: (p.lon - origin.lon) * RAD * EARTH_RADIUS_METERS * Math.cos(origin.lat * RAD),
    y: (p.lat - origin.lat) * RAD * EARTH_RADIUS_METERS,
  };
}

/** The centre of the ring's bounding box: the projection origin that keeps distortion smallest. */
function ringOrigin(ring: readonly LatLon[]): LatLon | undefined {
  if (ring.length === 0) return undefined;
  const lats = ring.map((p) => p.lat);
  const lons = ring.map((p) => p.lon);
  return {
    lat: (Math.min(...lats) + Math.max(...lats)) / 2,
    lon: (Math.min(...lons) + Math.max(...lons)) / 2,
  };
}

function samePoint(a: LatLon, b: LatLon): boolean {
  return a.lat === b.lat && a.lon === b.lon;
}

/** The ring without consecutive duplicates and without the closing point. */
function openRing(ring: readonly LatLon[]): LatLon[] {
  const out: LatLon[] = [];
  for (const p of ring) {
    const last = out[out.length - 1];
    if (last === undefined || !samePoint(last, p)) out.push(p);
  }
  while (out.length > 1 && samePoint(out[0] as LatLon, out[out.length - 1] as LatLon)) out.pop();
  return out;
}

function orientation(a: XY, b: XY, c: XY): number {
  const v = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
  return Math.abs(v) < 1e-9 ? 0 : Math.sign(v);
}

function onSegment(a: XY, b: XY, p: XY): boolean {
  return (
    Math.min(a.x, b.x) <= p.x &&
    p.x <= Math.max(a.x, b.x) &&
    Math.min(a.y, b.y) <= p.y &&
    p.y <= Math.max(a.y, b.y)
  );
}

/** True when segments ab and cd share any point (crossing, touching or overlapping). */
function segmentsIntersect(a: XY, b: XY, c: XY, d: XY): boolean {
  const o1 = orientation(a, b, c);
  const o2 = orientation(a, b, d);
  const o3 = orientation(c, d, a);
  const o4 = orientation(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  return (
    (o1 === 0 && onSegment(a, b, c)) ||
    (o2 === 0 && onSegment(a, b, d)) ||
    (o3 === 0 && onSegment(c, d, a)) ||
    (o4 === 0 && onSegment(c, d, b))
  );
}

function checkPoint(p: LatLon, bounds: GeoBounds, path: string): DomainMessage[] {
  if (!Number.isFinite(p.lat) || !Number.isFinite(p.lon) || Math.abs(p.lat) > 90 || Math.abs(p.lon) > 180) {
    return [
      message(
        'zone_coordinate_invalid',
        `Niepoprawne współrzędne (${p.lat}, ${p.lon}).`,
        `Invalid coordinates (${p.lat}, ${p.lon}).`,
        path,
      ),
    ];
  }
  if (p.lat < bounds.minLat || p.lat > bounds.maxLat || p.lon < bounds.minLon || p.lon > bounds.maxLon) {
    return [
      message(
        'zone_coordinate_implausible',
        `Punkt (${p.lat}, ${p.lon}) leży poza obszarem kraju — sprawdź, czy szerokość i długość geograficzna nie zostały zamienione.`,
        `Point (${p.lat}, ${p.lon}) lies outside the country — check that latitude and longitude are not swapped.`,
        path,
      ),
    ];
  }
  return [];
}

/**
 * Validates a zone and returns it normalised (a polygon's ring open, without repeated points).
 * A polygon needs ≥3 distinct points, a non-zero area and no self-intersection; a circle a radius > 0.
 * Both must fit in {@link MAX_ZONE_EXTENT_METERS} and lie within `bounds`.
 */
export function validateZone(zone: Zone, bounds: GeoBounds = POLAND_PLAUSIBLE_BOUNDS): Result<Zone> {
  if (zone.kind === 'circle') {
    const errors = checkPoint(zone.center, bounds, 'center');
    const r = zone.radiusMeters;
    if (!Number.isFinite(r) || r <= 0) {
      errors.push(
        message(
          'zone_radius_invalid',
          'Promień strefy musi być większy od zera.',
          'The zone radius must be greater than zero.',
          'radiusMeters',
        ),
      );
    } else if (2 * r > MAX_ZONE_EXTENT_METERS) {
      errors.push(
        message(
          'zone_too_large',
          `Strefa o promieniu ${r} m jest zbyt duża (średnica najwyżej ${MAX_ZONE_EXTENT_METERS / 1000} km).`,
          `A zone of radius ${r} m is too large (diameter at most ${MAX_ZONE_EXTENT_METERS / 1000} km).`,
          'radiusMeters',
        ),
      );
    }
    return errors.length > 0 ? fail(errors) : ok(zone);
  }
  const errors: DomainMessage[] = [];
  zone.ring.forEach((p, i) => errors.push(...checkPoint(p, bounds, `ring[${i}]`)));
  if (errors.length > 0) return fail(errors);
  const ring = openRing(zone.ring);
  if (ring.length < 3) {
    return fail([
      message(
        'zone_polygon_too_few_points',
        'Wielokąt strefy musi mieć co najmniej 3 różne punkty.',
        'A zone polygon needs at least 3 distinct points.',
        'ring',
      ),
    ]);
  }
  if (ring.length > MAX_POLYGON_VERTICES) {
    return fail([
      message(
        'zone_polygon_too_many_points',
        `Wielokąt może mieć najwyżej ${MAX_POLYGON_VERTICES} punktów.`,
        `A polygon may have at most ${MAX_POLYGON_VERTICES} points.`,
        'ring',
      ),
    ]);
  }
  const origin = ringOrigin(ring) as LatLon;
  const pts = ring.map((p) => project(origin, p));
  for (let i = 0; i < pts.length; i++) {
    for (let j = i + 1; j < pts.length; j++) {
      if (
        Math.hypot((pts[i] as XY).x - (pts[j] as XY).x, (pts[i] as XY).y - (pts[j] as XY).y) >
        MAX_ZONE_EXTENT_METERS
      ) {
        return fail([
          message(
            'zone_too_large',
            `Strefa jest zbyt duża (najwyżej ${MAX_ZONE_EXTENT_METERS / 1000} km).`,
            `The zone is too large (at most ${MAX_ZONE_EXTENT_METERS / 1000} km across).`,
            'ring',
          ),
        ]);
      }
    }
  }
  const degenerate = message(
    'zone_polygon_degenerate',
    'Punkty wielokąta leżą na jednej linii — strefa nie ma powierzchni.',
    'The polygon points lie on one line — the zone has no area.',
    'ring',
  );
  const [p0, p1] = pts as [XY, XY];
  if (
    pts.every(
      (q) =>
        Math.abs((p1.x - p0.x) * (q.y - p0.y) - (p1.y - p0.y) * (q.x - p0.x)) <
        1e-6 * (1 + Math.hypot(p1.x - p0.x, p1.y - p0.y) * Math.hypot(q.x - p0.x, q.y - p0.y)),
    )
  ) {
    return fail([degenerate]);
  }
  const n = pts.length;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const adjacent = j === i + 1 || (i === 0 && j === n - 1);
      const a = pts[i] as XY;
      const b = pts[(i + 1) % n] as XY;
      const c = pts[j] as XY;
      const d = pts[(j + 1) % n] as XY;
      // Adjacent edges share one vertex; they are wrong only if they fold back onto each other.
      const bad = adjacent
        ? orientation(a, b, j === i + 1 ? d : c) === 0 && foldsBack(a, b, j === i + 1 ? d : c, j === i + 1)
        : segmentsIntersect(a, b, c, d);
      if (bad) {
        return fail([
          message(
            'zone_polygon_self_intersecting',
            `Boki wielokąta przecinają się (bok ${i + 1} i bok ${j + 1}); narysuj granicę strefy bez przecięć.`,
            `The polygon's edges cross (edge ${i + 1} and edge ${j + 1}); draw the zone's border without crossings.`,
            'ring',
          ),
        ]);
      }
    }
  }
  if (Math.abs(signedArea(pts)) < 1) return fail([degenerate]);
  return ok({ kind: 'polygon', ring });
}

/** For collinear adjacent edges, true when the second turns back along the first (a spike). */
function foldsBack(a: XY, b: XY, far: XY, sharedIsB: boolean): boolean {
  const [p, q] = sharedIsB ? [a, b] : [b, a];
  // Shared vertex q; edges q→p and q→far point the same way when folding back.
  return (p.x - q.x) * (far.x - q.x) + (p.y - q.y) * (far.y - q.y) > 0;
}

function signedArea(pts: readonly XY[]): number {
  let s = 0;
  for (let i = 0; i < pts.length; i++) {
    const a = pts[i] as XY;
    const b = pts[(i + 1) % pts.length] as XY;
    s += a.x * b.y - b.x * a.y;
  }
  return s / 2;
}

/**
 * True when the point is inside the zone (even–odd rule for polygons). A point exactly on the border
 * may fall either way; callers that care use {@link distanceToBorderMeters} with a tolerance.
 */
export function containsPoint(zone: Zone, lat: number, lon: number): boolean {
  if (zone.kind === 'circle') return haversineMeters(zone.center, { lat, lon }) <= zone.radiusMeters;
  const ring = openRing(zone.ring);
  const origin = ringOrigin(ring);
  if (origin === undefined) return false;
  const p = project(origin, { lat, lon });
  const pts = ring.map((q) => project(origin, q));
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const a = pts[i] as XY;
    const b = pts[j] as XY;
    if (a.y > p.y !== b.y > p.y && p.x < ((b.x - a.x) * (p.y - a.y)) / (b.y - a.y) + a.x) inside = !inside;
  }
  return inside;
}

/** Distance in metres from the point to the zone's border, whether the point is inside or outside. */
export function distanceToBorderMeters(zone: Zone, lat: number, lon: number): number {
  if (zone.kind === 'circle') return Math.abs(haversineMeters(zone.center, { lat, lon }) - zone.radiusMeters);
  const ring = openRing(zone.ring);
  const origin = ringOrigin(ring);
  if (origin === undefined) return Number.POSITIVE_INFINITY;
  const p = project(origin, { lat, lon });
  const pts = ring.map((q) => project(origin, q));
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < pts.length; i++) {
    const a = pts[i] as XY;
    const b = pts[(i + 1) % pts.length] as XY;
    const dx = b.x - a.x;
    const dy = b.y - a.y;
    const len2 = dx * dx + dy * dy;
    const t = len2 === 0 ? 0 : Math.max(0, Math.min(1, ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2));
    best = Math.min(best, Math.hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy)));
  }
  return best;
}
