/**
 * The offline map: zones, a track and positions projected onto a plain SVG (equirectangular around the
 * centre, which is exact enough at city scale). No tiles, so it works in a monitoring room without internet.
 */
import type { LatLon, Obligation } from '@sde/api';

const M_PER_DEG_LAT = 111_320;

/** A shape ready for SVG, in view-box units. */
export type MapShape =
  | {
      kind: 'circle';
      id: string;
      label: string;
      role: 'exclusion' | 'inclusion' | 'home';
      cx: number;
      cy: number;
      r: number;
    }
  | { kind: 'polygon'; id: string; label: string; role: 'exclusion' | 'inclusion'; points: string }
  | { kind: 'track'; id: string; points: string }
  | { kind: 'accuracy'; id: string; cx: number; cy: number; r: number }
  | { kind: 'point'; id: string; label: string; role: 'person' | 'protected'; cx: number; cy: number };

export interface MapLayout {
  width: number;
  height: number;
  shapes: MapShape[];
  /** A scale bar: its length in view-box units and in metres. */
  scale: { units: number; meters: number };
}

/** Extra geometry besides the order's zones. */
export interface MapExtras {
  home?: { at: LatLon; rangeMeters: number; label: string };
  track?: LatLon[];
  /** Fixes drawn with their accuracy radius (metres). */
  accuracy?: { at: LatLon; meters: number }[];
  person?: LatLon;
  protectedPerson?: LatLon;
}

/** Lays out the zones of `obligations` and `extras` in a `width`×`height` view box with a margin. */
export function layoutMap(
  obligations: readonly Obligation[],
  extras: MapExtras = {},
  width = 600,
  height = 400,
): MapLayout | null {
  const pts: LatLon[] = [];
  const circles: { c: LatLon; r: number }[] = [];
  for (const o of obligations) {
    if (o.kind !== 'exclusion_zone' && o.kind !== 'inclusion_zone') continue;
    if (o.zone.kind === 'circle') circles.push({ c: o.zone.center, r: o.zone.radiusMeters });
    else pts.push(...o.zone.ring);
  }
  if (extras.home) circles.push({ c: extras.home.at, r: extras.home.rangeMeters });
  pts.push(...(extras.track ?? []));
  if (extras.person) pts.push(extras.person);
  if (extras.protectedPerson) pts.push(extras.protectedPerson);
  if (pts.length === 0 && circles.length === 0) return null;

  const all = [...pts, ...circles.map((c) => c.c)];
  const lat0 = all.reduce((s, p) => s + p.lat, 0) / all.length;
  const mPerDegLon = M_PER_DEG_LAT * Math.cos((lat0 * Math.PI) / 180);
  // Local metres east (x) and north (y) of an arbitrary origin.
  const toXY = (p: LatLon) => ({ x: p.lon * mPerDegLon, y: p.lat * M_PER_DEG_LAT });
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  const grow = (x: number, y: number, r = 0) => {
    minX = Math.min(minX, x - r);
    maxX = Math.max(maxX, x + r);
    minY = Math.min(minY, y - r);
    maxY = Math.max(maxY, y + r);
  };
  for (const p of pts) {
    const q = toXY(p);
    grow(q.x, q.y);
  }
  for (const c of circles) {
    const q = toXY(c.c);
    grow(q.x, q.y, c.r);
  }
  const spanX = Math.max(maxX - minX, 200);
  const spanY = Math.max(maxY - minY, 200);
  const margin = 24;
  const k = Math.min((width - 2 * margin) / spanX, (height - 2 * margin) / spanY);
  const cx0 = (minX + maxX) / 2;
  const cy0 = (minY + maxY) / 2;
  const px = (p: LatLon) => {
    const q = toXY(p);
    return { x: round(width / 2 + (q.x - cx0) * k), y: round(height / 2 - (q.y - cy0) * k) };
  };
  const line = (ring: readonly LatLon[]) =>
    ring
      .map(px)
      .map((q) => `${q.x},${q.y}`)
      .join(' ');

  const shapes: MapShape[] = [];
  for (const o of obligations) {
    if (o.kind !== 'exclusion_zone' && o.kind !== 'inclusion_zone') continue;
    const role = o.kind === 'exclusion_zone' ? 'exclusion' : 'inclusion';
    if (o.zone.kind === 'circle') {
      const c = px(o.zone.center);
      shapes.push({
        kind: 'circle',
        id: o.id,
        label: o.name,
        role,
        cx: c.x,
        cy: c.y,
        r: round(o.zone.radiusMeters * k),
      });
    } else {
      shapes.push({ kind: 'polygon', id: o.id, label: o.name, role, points: line(o.zone.ring) });
    }
  }
  if (extras.home) {
    const c = px(extras.home.at);
    shapes.push({
      kind: 'circle',
      id: 'home',
      label: extras.home.label,
      role: 'home',
      cx: c.x,
      cy: c.y,
      r: round(Math.max(extras.home.rangeMeters * k, 3)),
    });
  }
  for (const [i, a] of (extras.accuracy ?? []).entries()) {
    const c = px(a.at);
    shapes.push({ kind: 'accuracy', id: `acc-${i}`, cx: c.x, cy: c.y, r: round(Math.max(a.meters * k, 1)) });
  }
  if (extras.track && extras.track.length > 1)
    shapes.push({ kind: 'track', id: 'track', points: line(extras.track) });
  if (extras.person)
    shapes.push({ kind: 'point', id: 'person', label: '', role: 'person', ...xy(px(extras.person)) });
  if (extras.protectedPerson)
    shapes.push({
      kind: 'point',
      id: 'protected',
      label: '',
      role: 'protected',
      ...xy(px(extras.protectedPerson)),
    });

  const meters = niceMeters(spanX / 4);
  return { width, height, shapes, scale: { units: round(meters * k), meters } };
}

function xy(p: { x: number; y: number }) {
  return { cx: p.x, cy: p.y };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** 1, 2 or 5 times a power of ten, at most `m`. */
export function niceMeters(m: number): number {
  const p = 10 ** Math.floor(Math.log10(Math.max(m, 1)));
  for (const f of [5, 2, 1]) if (f * p <= m) return f * p;
  return p;
}
