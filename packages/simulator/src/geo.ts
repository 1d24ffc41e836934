/** Geography of the simulated city (Warsaw) and the noise of location fixes. */

/** A point on the earth, in degrees. */
export interface LatLon {
  lat: number;
  lon: number;
}

/** The centre of Warsaw (Pałac Kultury i Nauki). */
export const WARSAW_CENTER: LatLon = { lat: 52.2317, lon: 21.0062 };

/** Radius around the centre within which simulated people live and move, in metres. */
export const WARSAW_RADIUS_M = 9_000;

const EARTH_RADIUS_M = 6_371_000;
const M_PER_DEG_LAT = (Math.PI * EARTH_RADIUS_M) / 180;

/** Metres per degree of longitude at a latitude. */
function metresPerDegLon(lat: number): number {
  return M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180);
}

/** Great-circle distance in metres (haversine). */
export function distanceM(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The point `east` and `north` metres away from `from` (flat-earth approximation, fine within a city). */
export function offsetM(from: LatLon, east: number, north: number): LatLon {
  return { lat: from.lat + north / M_PER_DEG_LAT, lon: from.lon + east / metresPerDegLon(from.lat) };
}

/** The point a fraction `f` (0–1) of the way from `a` to `b`. */
export function interpolate(a: LatLon, b: LatLon, f: number): LatLon {
  return { lat: a.lat + (b.lat - a.lat) * f, lon: a.lon + (b.lon - a.lon) * f };
}

/** A standard normal random number (Box–Muller). */
export function gaussian(random: () => number = Math.random): number {
  const u = Math.max(Number.EPSILON, random());
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A uniformly random point within `radiusM` of `center`. */
export function randomPointNear(center: LatLon, radiusM: number, random: () => number = Math.random): LatLon {
  const r = radiusM * Math.sqrt(random());
  const angle = 2 * Math.PI * random();
  return offsetM(center, r * Math.cos(angle), r * Math.sin(angle));
}

/**
 * A location fix of `truth` as a receiver reports it: the true point displaced by a 2-D gaussian error whose
 * 68 % radius is roughly `accuracyM`, the accuracy the fix claims.
 */
export function noisyFix(truth: LatLon, accuracyM: number, random: () => number = Math.random): LatLon {
  const sigma = accuracyM / 1.5;
  const fix = offsetM(truth, gaussian(random) * sigma, gaussian(random) * sigma);
  return { lat: round6(fix.lat), lon: round6(fix.lon) };
}

function round6(v: number): number {
  return Math.round(v * 1e6) / 1e6;
}
