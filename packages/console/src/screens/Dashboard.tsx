/**
 * The Bureau's dashboard (B2): people under supervision now by kind, region and state; alarms by type and
 * severity with their handling times (median and p90) over a chosen period; devices online and offline —
 * all computed by the center (`GET /api/v1/stats?from=&to=`) within the viewer's scope; charts, and every
 * table exportable as CSV (the statistics and the alarms of the same period).
 */
import { useState } from 'react';
import { BarChart, type Bar } from '../components/BarChart.js';
import { PeriodPicker, type PeriodPreset } from '../components/PeriodPicker.js';
import { ErrorText, Loading } from '../components/Status.js';
import { useI18n } from '../i18n.js';
import { useAlarms } from '../alarm-store.js';
import { handlingTimeMs } from '../lib/alarms.js';
import { allPages, api } from '../lib/api.js';
import { toCsv } from '../lib/csv.js';
import { toWarsawInput } from '../lib/format.js';
import { ruleName, type MessageKey } from '../lib/messages.js';
import { periodQuery, type PeriodChoice } from '../lib/period.js';
import { can } from '../lib/permissions.js';
import type {
  AlarmAnswer as AlarmView,
  CaseSummary,
  DeviceListItem,
  StatsAnswer as StatsView,
  SupervisionSummary,
} from '@sde/api';
import type { Actor } from '../lib/session.js';
import { useAsync } from '../lib/useAsync.js';

function download(name: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const HOUR = 3_600_000;
const PERIODS: PeriodPreset[] = [
  { key: 'dashboard.last24h', ms: 24 * HOUR },
  { key: 'dashboard.last7d', ms: 7 * 24 * HOUR },
  { key: 'dashboard.last30d', ms: 30 * 24 * HOUR },
];
/** The longest alarm period the statistics answer (`GET /api/v1/stats`). */
const MAX_DAYS = 366;

/** Every alarm that started in the period, in the viewer's scope (the same alarms the statistics count). */
async function alarmsOfPeriod(period: { from: string; to: string }): Promise<AlarmView[]> {
  const out: AlarmView[] = [];
  let cursor: string | null = null;
  do {
    const r: { alarms: AlarmView[]; next: string | null } = await api(
      'GET',
      `/api/v1/alarms?${periodQuery({ kind: 'range', ...period })}&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
    );
    out.push(...r.alarms);
    cursor = r.next;
  } while (cursor && out.length < 50_000);
  return out;
}

export function Dashboard({ user }: { user: Actor }) {
  const { t, lang, num, duration, dateTime } = useI18n();
  const [period, setPeriod] = useState<PeriodChoice>({ kind: 'last', ms: 30 * 24 * HOUR });
  const stats = useAsync(
    () => api<StatsView>('GET', `/api/v1/stats?${periodQuery(period)}`),
    [user.role, period],
  );
  const store = useAlarms();
  const [exportError, setExportError] = useState<unknown>();

  if (stats.loading && !stats.data) return <Loading />;
  const s = stats.data;
  if (!s) return <ErrorText error={stats.error} />;
  const bars = <T,>(
    xs: T[],
    label: (x: T) => string,
    value: (x: T) => number,
    tone?: (x: T) => string,
  ): Bar[] => xs.map((x) => ({ label: label(x), value: value(x), ...(tone ? { tone: tone(x) } : {}) }));
  const ms = (v: number | null) => (v === null ? '—' : duration(v));
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');
  // Files of the alarm period are named by its Warsaw days.
  const periodStamp = `${toWarsawInput(s.period.from).slice(0, 10)}_${toWarsawInput(s.period.to).slice(0, 10)}`;
  const deviceAccess = can(user, 'device.manage');

  const statsCsv = () =>
    toCsv(
      ['section', 'key', 'severity', 'n', 'open'],
      [
        ['period_from', s.period.from, null, null, null],
        ['period_to', s.period.to, null, null, null],
        ...s.supervisions.byStatus.map((r) => ['supervisions_by_status', r.status, null, r.n, null]),
        ...s.supervisions.nowByKind.map((r) => ['under_supervision_by_kind', r.kind, null, r.n, null]),
        ...s.supervisions.nowByRegion.map((r) => [
          'under_supervision_by_region',
          r.regionId,
          null,
          r.n,
          null,
        ]),
        ...s.alarms.byRuleAndSeverity.map((r) => ['alarms', r.rule, r.severity, r.n, r.open]),
        [
          'alarm_ack_median_s',
          null,
          null,
          s.alarms.acknowledge.medianMs === null ? null : Math.round(s.alarms.acknowledge.medianMs / 1000),
          s.alarms.acknowledge.n,
        ],
        [
          'alarm_ack_p90_s',
          null,
          null,
          s.alarms.acknowledge.p90Ms === null ? null : Math.round(s.alarms.acknowledge.p90Ms / 1000),
          s.alarms.acknowledge.n,
        ],
        [
          'alarm_close_median_s',
          null,
          null,
          s.alarms.close.medianMs === null ? null : Math.round(s.alarms.close.medianMs / 1000),
          s.alarms.close.n,
        ],
        [
          'alarm_close_p90_s',
          null,
          null,
          s.alarms.close.p90Ms === null ? null : Math.round(s.alarms.close.p90Ms / 1000),
          s.alarms.close.n,
        ],
        ...s.devices.byKind.flatMap((r) => [
          ['devices_online', r.kind, null, r.online, null],
          ['devices_offline', r.kind, null, r.offline, null],
        ]),
      ],
    );

  return (
    <div className="dashboard">
      <div className="row-between">
        <h1>{t('dashboard.title')}</h1>
        <p className="muted small">
          {t('dashboard.asOf', { at: dateTime(s.at) })}{' '}
          {s.scope.regionId ? t('dashboard.scopeRegion', { region: s.scope.regionId }) : null}{' '}
          <button type="button" onClick={stats.reload}>
            {t('common.refresh')}
          </button>
        </p>
      </div>
      <div className="track-controls" data-testid="stats-period-controls">
        <PeriodPicker
          label={t('dashboard.periodPick')}
          presets={PERIODS}
          value={period}
          onChange={setPeriod}
          maxDays={MAX_DAYS}
          testId="stats-period"
        />
      </div>
      {stats.data ? <ErrorText error={stats.error} /> : null}
      <p className="muted small" data-testid="stats-period-shown">
        {t('dashboard.period', { from: dateTime(s.period.from, { zone: false }), to: dateTime(s.period.to) })}
      </p>
      <div className="kpis">
        <div className="kpi" data-testid="kpi-now">
          <span className="kpi-n">{num(s.supervisions.now)}</span>
          <span>{t('dashboard.underSupervision')}</span>
        </div>
        <div className="kpi" data-testid="kpi-alarms">
          <span className="kpi-n">{num(s.alarms.total)}</span>
          <span>{t('dashboard.alarmsInPeriod', { open: num(s.alarms.open) })}</span>
        </div>
        <div className="kpi" data-testid="kpi-ack">
          <span className="kpi-n">{ms(s.alarms.acknowledge.medianMs)}</span>
          <span>
            {t('dashboard.ackMedian', { n: s.alarms.acknowledge.n, p90: ms(s.alarms.acknowledge.p90Ms) })}
          </span>
        </div>
        <div className="kpi" data-testid="kpi-close">
          <span className="kpi-n">{ms(s.alarms.close.medianMs)}</span>
          <span>{t('dashboard.closeMedian', { n: s.alarms.close.n, p90: ms(s.alarms.close.p90Ms) })}</span>
        </div>
        <div className="kpi" data-testid="kpi-devices">
          <span className="kpi-n">
            {num(s.devices.online)} / {num(s.devices.online + s.devices.offline)}
          </span>
          <span>{t('dashboard.devicesOnline')}</span>
        </div>
      </div>
      <div className="charts">
        <BarChart
          title={t('dashboard.byKind')}
          bars={bars(
            s.supervisions.nowByKind,
            (r) => t(`kind.${r.kind}` as MessageKey),
            (r) => r.n,
          )}
          testId="chart-kind"
        />
        <BarChart
          title={t('dashboard.byRegion')}
          bars={bars(
            s.supervisions.nowByRegion,
            (r) => r.regionId,
            (r) => r.n,
          )}
          testId="chart-region"
        />
        <BarChart
          title={t('dashboard.byStatus')}
          bars={bars(
            s.supervisions.byStatus,
            (r) => t(`status.${r.status}` as MessageKey),
            (r) => r.n,
          )}
        />
        <BarChart
          title={t('dashboard.alarmsByRule')}
          bars={bars(
            s.alarms.byRule,
            (r) => ruleName(r.rule, lang),
            (r) => r.n,
          )}
          testId="chart-rule"
        />
        <BarChart
          title={t('dashboard.alarmsBySeverity')}
          bars={bars(
            s.alarms.bySeverity,
            (r) => t(`severity.${r.severity}` as MessageKey),
            (r) => r.n,
            (r) => r.severity,
          )}
        />
        <BarChart
          title={t('dashboard.devices')}
          bars={[
            { label: t('devices.online'), value: s.devices.online, tone: 'ok' },
            { label: t('devices.offline'), value: s.devices.offline, tone: 'critical' },
          ]}
          testId="chart-devices"
        />
      </div>
      {store.api === 'unavailable' ? <p className="notice">{t('alarms.unavailable')}</p> : null}
      <section className="block">
        <h2>{t('dashboard.export')}</h2>
        <div className="actions">
          <button
            type="button"
            onClick={() => download(`sde-statystyki-${periodStamp}.csv`, statsCsv())}
            data-testid="csv-stats"
          >
            {t('dashboard.csvStats')}
          </button>
          <button
            type="button"
            onClick={() =>
              void Promise.all([
                allPages<SupervisionSummary>('/api/v1/supervisions', 5000),
                allPages<CaseSummary>('/api/v1/cases', 5000),
              ]).then(([sups, cases]) => {
                const regionOf = new Map(cases.map((c) => [c.id, c.regionId]));
                download(
                  `sde-nadzory-${stamp}.csv`,
                  toCsv(
                    [
                      'supervision_id',
                      'case_number',
                      'region',
                      'status',
                      'kinds',
                      'activated_at',
                      'sentence_last_day',
                    ],
                    sups.map((x) => [
                      x.id,
                      x.caseNumber,
                      regionOf.get(x.caseId) ?? '',
                      x.status,
                      x.kinds.join(' '),
                      x.activatedAt,
                      x.sentenceLastDay,
                    ]),
                  ),
                );
              })
            }
          >
            {t('dashboard.csvSupervisions')}
          </button>
          <button
            type="button"
            data-testid="csv-alarms"
            onClick={() =>
              void alarmsOfPeriod(s.period).then(
                (alarms) =>
                  download(
                    `sde-alarmy-${periodStamp}.csv`,
                    toCsv(
                      [
                        'alarm_id',
                        'case_number',
                        'region',
                        'rule',
                        'severity',
                        'status',
                        'started_at',
                        'detected_at',
                        'ack_seconds',
                        'close_seconds',
                      ],
                      alarms.map((a) => {
                        const ack = handlingTimeMs(a, 'acknowledge');
                        const cl = handlingTimeMs(a, 'close');
                        return [
                          a.id,
                          a.caseNumber,
                          a.regionId,
                          a.rule,
                          a.severity,
                          a.status,
                          a.startedAt,
                          a.detectedAt,
                          ack === null ? null : Math.round(ack / 1000),
                          cl === null ? null : Math.round(cl / 1000),
                        ];
                      }),
                    ),
                  ),
                (e: unknown) => setExportError(e),
              )
            }
          >
            {t('dashboard.csvAlarms')}
          </button>
          {deviceAccess ? (
            <button
              type="button"
              onClick={() =>
                void allPages<DeviceListItem>('/api/v1/devices', 10_000).then((ds) =>
                  download(
                    `sde-urzadzenia-${stamp}.csv`,
                    toCsv(
                      [
                        'device_id',
                        'kind',
                        'online',
                        'battery',
                        'power',
                        'last_contact_at',
                        'case_number',
                        'region',
                      ],
                      ds.map((d) => [
                        d.id,
                        d.kind,
                        d.online === null ? null : d.online ? 1 : 0,
                        d.battery ?? null,
                        d.power ?? null,
                        d.lastContactAt,
                        d.assignment?.caseNumber ?? null,
                        d.assignment?.regionId ?? null,
                      ]),
                    ),
                  ),
                )
              }
            >
              {t('dashboard.csvDevices')}
            </button>
          ) : null}
        </div>
        <ErrorText error={exportError} />
      </section>
    </div>
  );
}
