/** The offline map: zones, the track and positions as plain SVG over a neutral background (no tiles). */
import { useI18n } from '../i18n.js';
import { layoutMap, type MapExtras } from '../lib/geo.js';
import type { Obligation } from '@sde/api';

export function ZoneMap({ obligations, extras = {} }: { obligations: Obligation[]; extras?: MapExtras }) {
  const { t, num } = useI18n();
  const map = layoutMap(obligations, extras);
  if (!map) return <p className="muted">{t('map.nothing')}</p>;
  return (
    <figure className="map" data-testid="zone-map">
      <svg viewBox={`0 0 ${map.width} ${map.height}`} role="img" aria-label={t('map.label')}>
        <defs>
          <pattern id="grid" width="40" height="40" patternUnits="userSpaceOnUse">
            <path d="M 40 0 L 0 0 0 40" fill="none" stroke="#d9dde3" strokeWidth="1" />
          </pattern>
          <pattern
            id="hatch"
            width="8"
            height="8"
            patternUnits="userSpaceOnUse"
            patternTransform="rotate(45)"
          >
            <line x1="0" y1="0" x2="0" y2="8" stroke="#b3261e" strokeWidth="2" opacity="0.35" />
          </pattern>
        </defs>
        <rect width={map.width} height={map.height} fill="#f3f4f6" />
        <rect width={map.width} height={map.height} fill="url(#grid)" />
        {map.shapes.map((s) => {
          switch (s.kind) {
            case 'circle':
              return (
                <g key={s.id}>
                  <circle
                    cx={s.cx}
                    cy={s.cy}
                    r={s.r}
                    className={`zone zone-${s.role}`}
                    fill={s.role === 'exclusion' ? 'url(#hatch)' : undefined}
                  >
                    <title>{s.label}</title>
                  </circle>
                  <text x={s.cx} y={s.cy - s.r - 4} textAnchor="middle" className="zone-label">
                    {s.label}
                  </text>
                </g>
              );
            case 'polygon':
              return (
                <g key={s.id}>
                  <polygon
                    points={s.points}
                    className={`zone zone-${s.role}`}
                    fill={s.role === 'exclusion' ? 'url(#hatch)' : undefined}
                  >
                    <title>{s.label}</title>
                  </polygon>
                </g>
              );
            case 'track':
              return <polyline key={s.id} points={s.points} className="track" data-testid="track" />;
            case 'accuracy':
              return <circle key={s.id} cx={s.cx} cy={s.cy} r={s.r} className="accuracy" />;
            case 'point':
              return (
                <circle key={s.id} cx={s.cx} cy={s.cy} r={6} className={`pt pt-${s.role}`}>
                  <title>{s.role === 'person' ? t('map.person') : t('map.protected')}</title>
                </circle>
              );
          }
        })}
        <g transform={`translate(16 ${map.height - 16})`}>
          <line x1="0" y1="0" x2={map.scale.units} y2="0" stroke="#1f2933" strokeWidth="3" />
          <text x="0" y="-6" className="scale-label">
            {num(map.scale.meters)} m
          </text>
        </g>
        <text x={map.width - 12} y="20" textAnchor="end" className="north">
          N ↑
        </text>
      </svg>
      <figcaption className="legend">
        <span className="swatch swatch-exclusion" /> {t('map.exclusion')}{' '}
        <span className="swatch swatch-inclusion" /> {t('map.inclusion')}{' '}
        <span className="swatch swatch-track" /> {t('map.track')} <span className="swatch swatch-person" />{' '}
        {t('map.person')} <span className="swatch swatch-protected" /> {t('map.protected')}
      </figcaption>
    </figure>
  );
}
