/**
 * The devices of a supervision with their state (online, last contact, clock offset) and, for units that
 * show messages, writing a message to the person (T4.4, T2.5) with its delivery and read times.
 */
import { useEffect, useState } from 'react';
import { useI18n } from '../i18n.js';
import { api, ApiError } from '../lib/api.js';
import type { MessageKey } from '../lib/messages.js';
import { can } from '../lib/permissions.js';
import type { DeviceAssignmentAnswer as DeviceAssignment, DeviceCommand, DeviceStatus } from '@sde/api';
import type { Actor } from '../lib/session.js';
import { ErrorText } from './Status.js';

/** A unit counts as online when it spoke in the last ten minutes (twice the reporting interval, as the center). */
export const ONLINE_MS = 10 * 60_000;

export function DevicePanel({ user, devices }: { user: Actor; devices: DeviceAssignment[] }) {
  const { t, dateTime, num } = useI18n();
  // Every role reads the devices of the cases it sees (the center answers 404 outside the scope).
  const manage = can(user, 'device.read');
  const [status, setStatus] = useState<Record<string, DeviceStatus | null>>({});
  const current = devices.filter((d) => d.to === null);
  const past = devices.filter((d) => d.to !== null);

  useEffect(() => {
    if (!manage) return;
    let live = true;
    void Promise.all(
      current.map((d) =>
        api<DeviceStatus>('GET', `/api/v1/devices/${encodeURIComponent(d.deviceId)}`).then(
          (s) => [d.deviceId, s] as const,
          () => [d.deviceId, null] as const,
        ),
      ),
    ).then((pairs) => live && setStatus(Object.fromEntries(pairs)));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [manage, devices]);

  if (devices.length === 0) return <p className="muted">{t('devices.none')}</p>;
  return (
    <div>
      <div className="table-wrap">
        <table data-testid="device-table">
          <thead>
            <tr>
              <th scope="col">{t('devices.device')}</th>
              <th scope="col">{t('devices.kind')}</th>
              <th scope="col">{t('devices.since')}</th>
              <th scope="col">{t('devices.state')}</th>
              <th scope="col">{t('devices.lastContact')}</th>
              <th scope="col">{t('devices.clockOffset')}</th>
              <th scope="col">{t('devices.battery')}</th>
            </tr>
          </thead>
          <tbody>
            {current.map((d) => {
              const s = status[d.deviceId];
              const online = s?.lastContactAt ? Date.now() - Date.parse(s.lastContactAt) < ONLINE_MS : false;
              const radioOnly = d.kind === 'transmitter';
              return (
                <tr key={d.deviceId}>
                  <td>{d.deviceId}</td>
                  <td>{t(`deviceKind.${d.kind}` as MessageKey)}</td>
                  <td>{dateTime(d.from, { zone: false })}</td>
                  <td>
                    {!manage ? (
                      <span className="muted">{t('devices.noAccess')}</span>
                    ) : radioOnly ? (
                      <span className="muted">{t('devices.viaUnit')}</span>
                    ) : s === undefined ? (
                      '…'
                    ) : (
                      <span className={`chip ${online ? 'chip-online' : 'chip-offline'}`}>
                        {online ? t('devices.online') : t('devices.offline')}
                      </span>
                    )}
                  </td>
                  <td>{s?.lastContactAt ? dateTime(s.lastContactAt, { zone: false }) : '—'}</td>
                  <td>
                    {s?.clockOffsetMs !== null && s?.clockOffsetMs !== undefined
                      ? `${num(s.clockOffsetMs / 1000, 1)} s`
                      : '—'}
                  </td>
                  <td data-testid="battery">
                    {s?.battery !== null && s?.battery !== undefined
                      ? `${num(s.battery)}%${s.power ? ` (${t(`devices.power.${s.power}`)})` : ''}`
                      : '—'}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {current.map((d) => {
        const conflicts = status[d.deviceId]?.seqConflicts;
        return conflicts ? (
          <p key={d.deviceId} className="notice small" data-testid="seq-conflicts">
            {d.deviceId}:{' '}
            {t('devices.seqConflicts', {
              count: num(conflicts.count),
              seq: String(conflicts.lastSeq),
              at: dateTime(conflicts.lastAt, { zone: false }),
            })}
          </p>
        ) : null;
      })}
      {past.length ? (
        <p className="muted small">
          {t('devices.past')}:{' '}
          {past
            .map(
              (d) =>
                `${d.deviceId} (${dateTime(d.from, { zone: false })} – ${dateTime(d.to, { zone: false })})`,
            )
            .join(', ')}
        </p>
      ) : null}
      {current
        .filter((d) => d.kind === 'home_unit' || d.kind === 'portable_unit')
        .map((d) => (
          <Messages key={d.deviceId} user={user} deviceId={d.deviceId} />
        ))}
    </div>
  );
}

/** Messages to one unit: write one, see delivered and read times. */
export function Messages({ user, deviceId }: { user: Actor; deviceId: string }) {
  const { t, dateTime } = useI18n();
  const [text, setText] = useState('');
  const [list, setList] = useState<DeviceCommand[] | null>(null);
  const [range, setRange] = useState<DeviceCommand | null>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const canList = can(user, 'device.read');
  const canSend = can(user, 'message.send');

  const load = () => {
    if (!canList) return;
    api<{ commands: DeviceCommand[] }>(
      'GET',
      `/api/v1/devices/${encodeURIComponent(deviceId)}/commands`,
    ).then(
      (r) => {
        setList(r.commands.filter((c) => c.body.cmd === 'message'));
        // Newest first: the range the unit was last told, from the order (ADR 0604).
        setRange(r.commands.find((c) => c.body.cmd === 'set_range') ?? null);
      },
      (e: unknown) => setError(e),
    );
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(load, [deviceId, canList]);
  useEffect(() => {
    if (!canList) return;
    const i = setInterval(load, 10_000);
    return () => clearInterval(i);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [deviceId, canList]);

  if (!canSend && !canList) return null;
  return (
    <section className="messages" aria-labelledby={`msg-${deviceId}`} data-testid="messages">
      <h3 id={`msg-${deviceId}`}>{t('messages.title', { device: deviceId })}</h3>
      {range && typeof range.body.meters === 'number' ? (
        <p data-testid="unit-range">
          {t('devices.range', { meters: range.body.meters })}{' '}
          {t(`devices.range.${range.state}` as MessageKey, {
            at: dateTime(range.confirmedAt ?? range.sentAt ?? range.createdAt, { zone: false }),
          })}
        </p>
      ) : null}
      {canSend ? (
        <form
          className="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            setBusy(true);
            setError(undefined);
            api<DeviceCommand>('POST', `/api/v1/devices/${encodeURIComponent(deviceId)}/commands`, {
              cmd: 'message',
              text: text.trim(),
            })
              .then((c) => {
                setText('');
                setList((l) => [c, ...(l ?? [])]);
                load();
              })
              .catch((e: unknown) => setError(e))
              .finally(() => setBusy(false));
          }}
        >
          <label>
            {t('messages.text')}
            <textarea
              value={text}
              onChange={(e) => setText(e.target.value)}
              rows={2}
              maxLength={500}
              required
            />
          </label>
          <button type="submit" className="primary" disabled={busy || !text.trim()}>
            {t('messages.send')}
          </button>
        </form>
      ) : null}
      <ErrorText error={error instanceof ApiError && error.status === 403 ? null : error} />
      {list && list.length > 0 ? (
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">{t('messages.text')}</th>
              <th scope="col">{t('messages.state')}</th>
              <th scope="col">{t('messages.sentAt')}</th>
              <th scope="col">{t('messages.deliveredAt')}</th>
              <th scope="col">{t('messages.readAt')}</th>
            </tr>
          </thead>
          <tbody>
            {list.map((c) => (
              <tr key={c.id}>
                <td>{c.body.text ?? '—'}</td>
                <td data-testid="message-state">
                  {t(`messages.state.${c.state ?? 'queued'}` as MessageKey)}
                </td>
                <td>
                  {c.sentAt ? (
                    dateTime(c.sentAt, { zone: false })
                  ) : (
                    <span className="muted">{t('messages.notYet')}</span>
                  )}
                </td>
                <td>
                  {c.confirmedAt ? (
                    dateTime(c.confirmedAt, { zone: false })
                  ) : (
                    <span className="muted">{t('messages.notYet')}</span>
                  )}
                </td>
                <td>
                  {c.readAt ? (
                    dateTime(c.readAt, { zone: false })
                  ) : (
                    <span className="muted">{t('messages.notYet')}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : list ? (
        <p className="muted small">{t('messages.none')}</p>
      ) : !canList ? (
        <p className="muted small">{t('messages.noStatusAccess')}</p>
      ) : null}
    </section>
  );
}
