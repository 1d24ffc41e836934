/**
 * The installer's screen: supervisions waiting for installation or activation (with the protocols), the
 * devices in use in the person's scope with their state, a device lookup, and the offline read-out upload
 * (T2.6) for a unit whose place has no network.
 */
import { useState } from 'react';
import { Messages } from '../components/DevicePanel.js';
import { Link } from '../components/Link.js';
import { ErrorText, Loading, StatusChip } from '../components/Status.js';
import { TaskName, TaskStateTag } from '../components/TaskTags.js';
import { useI18n } from '../i18n.js';
import { allPages, api } from '../lib/api.js';
import type { MessageKey } from '../lib/messages.js';
import { can } from '../lib/permissions.js';
import type {
  DeviceListItem,
  DeviceStatus,
  SupervisionDetail,
  SupervisionSummary,
  TaskAnswer as Task,
} from '@sde/api';
import type { Actor } from '../lib/session.js';
import { mapLimit, useAsync } from '../lib/useAsync.js';

/** Supervisions with devices or waiting for them, with their details. */
async function loadWork(): Promise<SupervisionDetail[]> {
  const all = await allPages<SupervisionSummary>('/api/v1/supervisions');
  const wanted = all.filter((s) =>
    ['readiness_reported', 'installed', 'activated', 'in_execution'].includes(s.status),
  );
  return mapLimit(wanted, 6, (s) => api<SupervisionDetail>('GET', `/api/v1/supervisions/${s.id}`));
}

export function Devices({ user }: { user: Actor }) {
  const { t, dateTime, pick, day } = useI18n();
  const work = useAsync(loadWork, []);
  const tasks = useAsync(() => allPages<Task>('/api/v1/tasks', 200), []);
  const sups = work.data ?? [];
  const pending = sups.filter((s) => s.status === 'readiness_reported' || s.status === 'installed');
  const list = useAsync(() => allPages<DeviceListItem>('/api/v1/devices', 5000), [work.data]);
  const inUse = (list.data ?? []).filter((d) => d.assignment !== null);
  const stock = (list.data ?? []).filter((d) => d.assignment === null);
  const write = can(user, 'installation.write');

  return (
    <div>
      <h1>{t('devices.screenTitle')}</h1>
      {work.loading ? <Loading /> : null}
      <ErrorText error={work.error} />

      <section className="block" aria-labelledby="h-pending">
        <h2 id="h-pending">{t('devices.pending')}</h2>
        {pending.length === 0 && !work.loading ? <p className="muted">{t('devices.noPending')}</p> : null}
        {pending.map((s) => (
          <div key={s.id} className="card pending" data-testid="pending">
            <h3>
              <Link href={`/cases/${s.caseId}`}>{s.caseNumber}</Link>{' '}
              <StatusChip status={s.status} name={s.statusName} />
            </h3>
            {s.deadlines.installation && s.status === 'readiness_reported' ? (
              <p className={Date.now() > s.deadlines.installation.dueUtcMs ? 'error' : ''}>
                {t('devices.installBy', { day: day(s.deadlines.installation.lastDay) })}
              </p>
            ) : null}
            <p className="small muted">
              {t('devices.orderDevices')}:{' '}
              {(s.order?.versions.at(-1)?.devices ?? [])
                .map((d) => t(`orderDevice.${d}` as MessageKey))
                .join(', ')}
            </p>
            {write ? <ProtocolForm s={s} onDone={work.reload} /> : null}
          </div>
        ))}
      </section>

      <section className="block" aria-labelledby="h-inuse">
        <h2 id="h-inuse">{t('devices.inUse')}</h2>
        <p className="muted small">{t('devices.listScope')}</p>
        <ErrorText error={list.error} />
        <DeviceTable devices={inUse} testId="inventory" withCase />
      </section>

      <section className="block" aria-labelledby="h-stock">
        <h2 id="h-stock">{t('devices.stock')}</h2>
        {list.data && stock.length === 0 ? <p className="muted">{t('devices.noStock')}</p> : null}
        {stock.length ? <DeviceTable devices={stock} testId="stock" /> : null}
      </section>

      <Lookup user={user} />
      <Readout />

      <section className="block" aria-labelledby="h-itasks">
        <h2 id="h-itasks">{t('terminal.tasks')}</h2>
        {tasks.data?.length === 0 ? <p className="muted">{t('tasks.none')}</p> : null}
        <ul className="tasks">
          {(tasks.data ?? []).map((k) => (
            <li key={k.id} className={k.overdue ? 'overdue' : k.dueSoon ? 'due-soon' : ''}>
              {k.caseId ? <Link href={`/cases/${k.caseId}`}>{k.caseNumber}</Link> : null}{' '}
              <TaskName task={k} /> {k.dueAt ? <span className="muted">{dateTime(k.dueAt)}</span> : null}{' '}
              <TaskStateTag task={k} />
              <br />
              <span className="small">{pick(k)}</span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

/** Devices with their state, battery and power source (from the latest heartbeat). */
function DeviceTable({
  devices,
  testId,
  withCase = false,
}: {
  devices: DeviceListItem[];
  testId: string;
  withCase?: boolean;
}) {
  const { t, dateTime, num } = useI18n();
  return (
    <div className="table-wrap">
      <table data-testid={testId}>
        <thead>
          <tr>
            <th scope="col">{t('devices.device')}</th>
            <th scope="col">{t('devices.kind')}</th>
            {withCase ? <th scope="col">{t('cases.number')}</th> : null}
            <th scope="col">{t('devices.state')}</th>
            <th scope="col">{t('devices.battery')}</th>
            <th scope="col">{t('devices.power')}</th>
            <th scope="col">{t('devices.lastContact')}</th>
            <th scope="col">{t('devices.clockOffset')}</th>
            <th scope="col">{t('devices.acked')}</th>
            <th scope="col">{t('devices.firmware')}</th>
          </tr>
        </thead>
        <tbody>
          {devices.map((d) => (
            <tr key={d.id} data-device={d.id}>
              <td>{d.id}</td>
              <td>{t(`deviceKind.${d.kind}` as MessageKey)}</td>
              {withCase ? (
                <td>
                  {d.assignment ? (
                    <Link href={`/cases/${d.assignment.caseId}`}>{d.assignment.caseNumber}</Link>
                  ) : (
                    '—'
                  )}
                </td>
              ) : null}
              <td>
                {d.online === null ? (
                  <span className="muted">{t('devices.viaUnit')}</span>
                ) : (
                  <span className={`chip ${d.online ? 'chip-online' : 'chip-offline'}`}>
                    {d.online ? t('devices.online') : t('devices.offline')}
                  </span>
                )}
              </td>
              <td data-testid="battery">
                {d.battery !== null && d.battery !== undefined ? `${num(d.battery)}%` : '—'}
              </td>
              <td>{d.power ? t(`devices.power.${d.power}`) : '—'}</td>
              <td>{d.lastContactAt ? dateTime(d.lastContactAt, { zone: false }) : '—'}</td>
              <td>{d.clockOffsetMs !== null ? `${num(d.clockOffsetMs / 1000, 1)} s` : '—'}</td>
              <td>
                {d.ackedSeq} / {d.maxSeq}
              </td>
              <td>{d.firmware ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ProtocolForm({ s, onDone }: { s: SupervisionDetail; onDone: () => void }) {
  const { t } = useI18n();
  const install = s.status === 'readiness_reported';
  const [ids, setIds] = useState('');
  const [number, setNumber] = useState('');
  const [notes, setNotes] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        setError(undefined);
        const body = install
          ? { deviceIds: ids.split(/[\s,;]+/).filter(Boolean), protocolNumber: number.trim(), notes }
          : { protocolNumber: number.trim(), notes };
        api('POST', `/api/v1/supervisions/${s.id}/${install ? 'installation' : 'activation'}`, body)
          .then(onDone)
          .catch((err: unknown) => setError(err))
          .finally(() => setBusy(false));
      }}
    >
      {install ? (
        <label>
          {t('devices.deviceIds')}
          <input value={ids} onChange={(e) => setIds(e.target.value)} required placeholder="TX-… HU-…" />
        </label>
      ) : null}
      <label>
        {install ? t('devices.installProtocol') : t('devices.activationProtocol')}
        <input value={number} onChange={(e) => setNumber(e.target.value)} required />
      </label>
      <label>
        {t('devices.notes')}
        <input value={notes} onChange={(e) => setNotes(e.target.value)} />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {install ? t('devices.install') : t('devices.activate')}
      </button>
      <ErrorText error={error} />
    </form>
  );
}

function Lookup({ user }: { user: Actor }) {
  const { t, dateTime, num } = useI18n();
  const [id, setId] = useState('');
  const [dev, setDev] = useState<DeviceStatus | null>(null);
  const [error, setError] = useState<unknown>();
  return (
    <section className="block" aria-labelledby="h-lookup">
      <h2 id="h-lookup">{t('devices.lookup')}</h2>
      <form
        className="inline-form"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          setDev(null);
          api<DeviceStatus>('GET', `/api/v1/devices/${encodeURIComponent(id.trim())}`).then(
            setDev,
            (err: unknown) => setError(err),
          );
        }}
      >
        <label>
          {t('devices.device')}
          <input value={id} onChange={(e) => setId(e.target.value)} required placeholder="HU-DEMO-000001" />
        </label>
        <button type="submit">{t('devices.find')}</button>
      </form>
      <ErrorText error={error} />
      {dev ? (
        <>
          <dl className="facts" data-testid="device-status">
            <dt>{t('devices.kind')}</dt>
            <dd>{t(`deviceKind.${dev.kind}` as MessageKey)}</dd>
            <dt>{t('devices.state')}</dt>
            <dd>{dev.status}</dd>
            <dt>{t('devices.lastContact')}</dt>
            <dd>{dateTime(dev.lastContactAt)}</dd>
            <dt>{t('devices.clockOffset')}</dt>
            <dd>{dev.clockOffsetMs === null ? '—' : `${num(dev.clockOffsetMs / 1000, 1)} s`}</dd>
            <dt>{t('devices.acked')}</dt>
            <dd>
              {dev.ackedSeq} / {dev.maxSeq}
            </dd>
          </dl>
          {dev.kind === 'home_unit' || dev.kind === 'portable_unit' ? (
            <Messages user={user} deviceId={dev.id} />
          ) : null}
        </>
      ) : null}
    </section>
  );
}

function Readout() {
  const { t } = useI18n();
  const [result, setResult] = useState<Record<string, unknown> | null>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  return (
    <section className="block" aria-labelledby="h-readout">
      <h2 id="h-readout">{t('readout.title')}</h2>
      <p className="muted small">{t('readout.help')}</p>
      <label>
        {t('readout.file')}
        <input
          type="file"
          accept=".sde,.txt,text/plain"
          data-testid="readout-file"
          disabled={busy}
          onChange={(e) => {
            const f = e.target.files?.[0];
            if (!f) return;
            setBusy(true);
            setError(undefined);
            setResult(null);
            void f
              .text()
              .then((text) =>
                api<Record<string, unknown>>('POST', '/api/v1/readouts', text, { contentType: 'text/plain' }),
              )
              .then(setResult, (err: unknown) => setError(err))
              .finally(() => setBusy(false));
          }}
        />
      </label>
      <ErrorText error={error} />
      {result ? (
        <p className="ok" role="status" data-testid="readout-result">
          {t('readout.done', {
            device: String(result.device),
            events: String(result.events),
            complete: result.complete ? t('common.yes') : t('common.no'),
          })}
        </p>
      ) : null}
    </section>
  );
}
