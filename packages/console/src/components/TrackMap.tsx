/**
 * The map of a mobile or proximity supervision: the zones of the order, the monitored person's track over a
 * chosen period — a preset up to now or from – to in Warsaw time (`GET /api/v1/supervisions/:id/positions`), their latest fix and the protected person's
 * latest position, optionally with the accuracy of each fix.
 */
import { useState } from 'react';
import { useI18n } from '../i18n.js';
import { api } from '../lib/api.js';
import type { MapExtras } from '../lib/geo.js';
import { periodQuery, type PeriodChoice } from '../lib/period.js';
import type { Obligation, PositionsAnswer as PositionsView } from '@sde/api';
import { useAsync } from '../lib/useAsync.js';
import { PeriodPicker, type PeriodPreset } from './PeriodPicker.js';
import { ErrorText } from './Status.js';
import { ZoneMap } from './ZoneMap.js';

const HOUR = 3_600_000;
const PERIODS: PeriodPreset[] = [
  { key: 'map.last6h', ms: 6 * HOUR },
  { key: 'map.last24h', ms: 24 * HOUR },
  { key: 'map.last3d', ms: 72 * HOUR },
  { key: 'map.last7d', ms: 7 * 24 * HOUR },
];
/** The longest period the positions API answers (MAX_POSITIONS_SPAN_MS in the center). */
const MAX_DAYS = 31;

export function TrackMap({
  supervisionId,
  obligations,
  base,
  withTrack = true,
}: {
  supervisionId: string;
  obligations: Obligation[];
  base: MapExtras;
  /** False for a role the center answers no positions (installers): the map shows the order only. */
  withTrack?: boolean;
}) {
  const { t, dateTime } = useI18n();
  const [period, setPeriod] = useState<PeriodChoice>({ kind: 'last', ms: 24 * HOUR });
  const [accuracy, setAccuracy] = useState(false);
  const pos = useAsync(
    async () =>
      withTrack
        ? api<PositionsView>('GET', `/api/v1/supervisions/${supervisionId}/positions?${periodQuery(period)}`)
        : undefined,
    [supervisionId, period, withTrack],
  );
  if (!withTrack) {
    return (
      <div data-testid="track-map">
        <ZoneMap obligations={obligations} extras={base} />
      </div>
    );
  }

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
        <PeriodPicker
          label={t('map.period')}
          presets={PERIODS}
          value={period}
          onChange={setPeriod}
          maxDays={MAX_DAYS}
          testId="track-period"
        />
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
          ) : data.restricted?.includes('protected_person') ? (
            <p className="muted" data-testid="protected-positions-hidden">
              {t('policy.protectedPositionsHidden')}
            </p>
          ) : data.devices.some((d) => d.role === 'protected_person') ||
            obligations.some((o) => o.kind === 'keep_distance') ? (
            <p className="muted">{t('map.noProtected')}</p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
