/**
 * The Bureau's dashboard (B2): people under supervision now by kind, region and state; alarms by type with
 * their handling times; devices online and offline; charts, and every table exportable as CSV.
 */
import { useMemo } from 'react';
import { useAlarms } from '../alarm-store.js';
import { BarChart, type Bar } from '../components/BarChart.js';
import { ONLINE_MS } from '../components/DevicePanel.js';
import { ErrorText, Loading } from '../components/Status.js';
import { useI18n } from '../i18n.js';
import { handlingTimeMs } from '../lib/alarms.js';
import { allPages, api } from '../lib/api.js';
import { toCsv } from '../lib/csv.js';
import { ruleName, type MessageKey } from '../lib/messages.js';
import { can } from '../lib/permissions.js';
import type {
  Actor,
  CaseSummary,
  DeviceStatus,
  SupervisionDetail,
  SupervisionSummary,
} from '../lib/types.js';
import { mapLimit, useAsync } from '../lib/useAsync.js';

const NOW_STATUSES = ['activated', 'in_execution'];

interface Stats {
  sups: SupervisionSummary[];
  cases: CaseSummary[];
  devices: { id: string; kind: string; online: boolean }[] | null;
}

async function loadStats(deviceAccess: boolean): Promise<Stats> {
  const [sups, cases] = await Promise.all([
    allPages<SupervisionSummary>('/api/v1/supervisions', 5000),
    allPages<CaseSummary>('/api/v1/cases', 5000),
  ]);
  let devices: Stats['devices'] = null;
  if (deviceAccess) {
    const live = sups.filter((s) => ['installed', ...NOW_STATUSES].includes(s.status)).slice(0, 300);
    const details = await mapLimit(live, 6, (s) =>
      api<SupervisionDetail>('GET', `/api/v1/supervisions/${s.id}`).catch(() => null),
    );
    const ids = details.flatMap(
      (d) => d?.devices.filter((x) => x.to === null && x.kind !== 'transmitter') ?? [],
    );
    devices = await mapLimit(ids, 8, async (d) => {
      const st = await api<DeviceStatus>('GET', `/api/v1/devices/${encodeURIComponent(d.deviceId)}`).catch(
        () => null,
      );
      return {
        id: d.deviceId,
        kind: d.kind,
        online: !!st?.lastContactAt && Date.now() - Date.parse(st.lastContactAt) < ONLINE_MS,
      };
    });
  }
  return { sups, cases, devices };
}

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

function count<T>(items: readonly T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

export function Dashboard({ user }: { user: Actor }) {
  const { t, lang, num, duration, dateTime } = useI18n();
  const stats = useAsync(() => loadStats(can(user.role, 'device.manage')), [user.role]);
  const store = useAlarms();

  const view = useMemo(() => {
    if (!stats.data) return null;
    const { sups, cases } = stats.data;
    const regionOf = new Map(cases.map((c) => [c.id, c.regionId]));
    const now = sups.filter((s) => NOW_STATUSES.includes(s.status));
    const byKind = count(
      now.flatMap((s) => s.kinds),
      (k) => k,
    );
    const byRegion = count(now, (s) => regionOf.get(s.caseId) ?? '?');
    const byStatus = count(sups, (s) => s.status);
    return { now, byKind, byRegion, byStatus };
  }, [stats.data]);

  const alarmView = useMemo(() => {
    const a = store.alarms;
    const byRule = count(a, (x) => x.rule);
    const bySeverity = count(a, (x) => x.severity);
    const ack = a.map((x) => handlingTimeMs(x, 'acknowledge')).filter((x): x is number => x !== null);
    const close = a.map((x) => handlingTimeMs(x, 'close')).filter((x): x is number => x !== null);
    const median = (xs: number[]) =>
      xs.length ? xs.slice().sort((p, q) => p - q)[Math.floor(xs.length / 2)]! : null;
    return {
      byRule,
      bySeverity,
      ackMedian: median(ack),
      closeMedian: median(close),
      ackN: ack.length,
      closeN: close.length,
    };
  }, [store.alarms]);

  if (stats.loading && !stats.data) return <Loading />;
  if (!view) return <ErrorText error={stats.error} />;
  const toBars = (
    m: Map<string, number>,
    label: (k: string) => string,
    tone?: (k: string) => string,
  ): Bar[] =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => ({ label: label(k), value: v, ...(tone ? { tone: tone(k) } : {}) }));
  const devices = stats.data?.devices ?? null;
  const online = devices?.filter((d) => d.online).length ?? 0;
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-');

  return (
    <div className="dashboard">
      <div className="row-between">
        <h1>{t('dashboard.title')}</h1>
        <p className="muted small">
          {t('dashboard.asOf', { at: dateTime(Date.now()) })}{' '}
          <button type="button" onClick={stats.reload}>
            {t('common.refresh')}
          </button>
        </p>
      </div>
      <div className="kpis">
        <div className="kpi" data-testid="kpi-now">
          <span className="kpi-n">{num(view.now.length)}</span>
          <span>{t('dashboard.underSupervision')}</span>
        </div>
        <div className="kpi">
          <span className="kpi-n">{num(store.alarms.filter((a) => a.status !== 'closed').length)}</span>
          <span>{t('dashboard.alarmsActive')}</span>
        </div>
        <div className="kpi">
          <span className="kpi-n">{alarmView.ackMedian === null ? '—' : duration(alarmView.ackMedian)}</span>
          <span>{t('dashboard.ackMedian', { n: alarmView.ackN })}</span>
        </div>
        <div className="kpi">
          <span className="kpi-n">
            {alarmView.closeMedian === null ? '—' : duration(alarmView.closeMedian)}
          </span>
          <span>{t('dashboard.closeMedian', { n: alarmView.closeN })}</span>
        </div>
        <div className="kpi">
          <span className="kpi-n">{devices ? `${num(online)} / ${num(devices.length)}` : '—'}</span>
          <span>{t('dashboard.devicesOnline')}</span>
        </div>
      </div>
      <div className="charts">
        <BarChart
          title={t('dashboard.byKind')}
          bars={toBars(view.byKind, (k) => t(`kind.${k}` as MessageKey))}
          testId="chart-kind"
        />
        <BarChart title={t('dashboard.byRegion')} bars={toBars(view.byRegion, (k) => k)} />
        <BarChart
          title={t('dashboard.byStatus')}
          bars={toBars(view.byStatus, (k) => t(`status.${k}` as MessageKey))}
        />
        <BarChart
          title={t('dashboard.alarmsByRule')}
          bars={toBars(alarmView.byRule, (k) => ruleName(k, lang))}
        />
        <BarChart
          title={t('dashboard.alarmsBySeverity')}
          bars={toBars(
            alarmView.bySeverity,
            (k) => t(`severity.${k}` as MessageKey),
            (k) => k,
          )}
        />
        {devices ? (
          <BarChart
            title={t('dashboard.devices')}
            bars={[
              { label: t('devices.online'), value: online, tone: 'ok' },
              { label: t('devices.offline'), value: devices.length - online, tone: 'critical' },
            ]}
          />
        ) : (
          <p className="muted">{t('dashboard.noDeviceAccess')}</p>
        )}
      </div>
      {store.api === 'unavailable' ? <p className="notice">{t('alarms.unavailable')}</p> : null}
      <section className="block">
        <h2>{t('dashboard.export')}</h2>
        <div className="actions">
          <button
            type="button"
            onClick={() =>
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
                  stats.data!.sups.map((s) => [
                    s.id,
                    s.caseNumber,
                    stats.data!.cases.find((c) => c.id === s.caseId)?.regionId ?? '',
                    s.status,
                    s.kinds.join(' '),
                    s.activatedAt,
                    s.sentenceLastDay,
                  ]),
                ),
              )
            }
          >
            {t('dashboard.csvSupervisions')}
          </button>
          <button
            type="button"
            onClick={() =>
              download(
                `sde-alarmy-${stamp}.csv`,
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
                  store.alarms.map((a) => {
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
              )
            }
          >
            {t('dashboard.csvAlarms')}
          </button>
          {devices ? (
            <button
              type="button"
              onClick={() =>
                download(
                  `sde-urzadzenia-${stamp}.csv`,
                  toCsv(
                    ['device_id', 'kind', 'online'],
                    devices.map((d) => [d.id, d.kind, d.online ? 1 : 0]),
                  ),
                )
              }
            >
              {t('dashboard.csvDevices')}
            </button>
          ) : null}
        </div>
      </section>
    </div>
  );
}
