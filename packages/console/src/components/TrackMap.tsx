/**
 * The map of a mobile or proximity supervision: the zones of the order, the monitored person's track over a
 * chosen period (`GET /api/v1/supervisions/:id/positions`), their latest fix and the protected person's
 * latest position, optionally with the accuracy of each fix.
 */
import { useState } from 'react';
import { useI18n } from '../i18n.js';
import { api } from '../lib/api.js';
import type { MapExtras } from '../lib/geo.js';
import type { MessageKey } from '../lib/messages.js';
import type { Obligation, PositionsView } from '../lib/types.js';
import { useAsync } from '../lib/useAsync.js';
import { ErrorText } from './Status.js';
import { ZoneMap } from './ZoneMap.js';

const HOUR = 3_600_000;
const PERIODS: { key: MessageKey; ms: number }[] = [
  { key: 'map.last6h', ms: 6 * HOUR },
  { key: 'map.last24h', ms: 24 * HOUR },
  { key: 'map.last3d', ms: 72 * HOUR },
  { key: 'map.last7d', ms: 7 * 24 * HOUR },
];

export function TrackMap({
  supervisionId,
  obligations,
  base,
}: {
  supervisionId: string;
  obligations: Obligation[];
  base: MapExtras;
}) {
  const { t, dateTime } = useI18n();
  const [span, setSpan] = useState(24 * HOUR);
  const [accuracy, setAccuracy] = useState(false);
  const pos = useAsync(() => {
    const to = new Date();
    const from = new Date(to.getTime() - span);
    return api<PositionsView>(
      'GET',
      `/api/v1/supervisions/${supervisionId}/positions?from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(to.toISOString())}`,
    );
  }, [supervisionId, span]);

  const data = pos.data;
  const person = data?.devices.filter((d) => d.role === 'monitored_person') ?? [];
  const prot = data?.devices.find((d) => d.role === 'protected_person' && d.latest);
  const track = person.flatMap((d) => d.points);
  const lastFix = person
    .map((d) => d.latest)
    .filter((x) => x !== null)
    .sort((a, b) => Date.parse(b.t) - Date.parse(a.t))[0];
  const extras: MapExtras = {
    ...base,
    ...(track.length ? { track: track.map((p) => ({ lat: p.lat, lon: p.lon })) } : {}),
    ...(accuracy
      ? {
          accuracy: track
            .filter((p) => p.acc !== null)
            .map((p) => ({ at: { lat: p.lat, lon: p.lon }, meters: p.acc! })),
        }
      : {}),
    ...(lastFix ? { person: { lat: lastFix.lat, lon: lastFix.lon } } : {}),
    ...(prot?.latest ? { protectedPerson: { lat: prot.latest.lat, lon: prot.latest.lon } } : {}),
  };
  const total = person.reduce((n, d) => n + d.total, 0);

  return (
    <div data-testid="track-map">
      <div className="track-controls">
        <label>
          {t('map.period')}{' '}
          <select value={span} onChange={(e) => setSpan(Number(e.target.value))} data-testid="track-period">
            {PERIODS.map((p) => (
              <option key={p.ms} value={p.ms}>
                {t(p.key)}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input type="checkbox" checked={accuracy} onChange={(e) => setAccuracy(e.target.checked)} />{' '}
          {t('map.accuracy')}
        </label>
      </div>
      <ErrorText error={pos.error} />
      <ZoneMap obligations={obligations} extras={extras} />
      {data ? (
        <div className="small" data-testid="track-summary">
          <p>
            {track.length
              ? t('map.fixes', {
                  n: track.length,
                  total,
                  from: dateTime(data.from, { zone: false }),
                  to: dateTime(data.to),
                })
              : t('map.noFixes')}{' '}
            {data.downsampled ? t('map.downsampled') : null}
          </p>
          {lastFix ? <p>{t('map.lastFix', { at: dateTime(lastFix.t) })}</p> : null}
          {prot?.latest ? (
            <p>{t('map.protectedAt', { at: dateTime(prot.latest.t) })}</p>
          ) : data.devices.some((d) => d.role === 'protected_person') ||
            obligations.some((o) => o.kind === 'keep_distance') ? (
            <p className="muted">{t('map.noProtected')}</p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
