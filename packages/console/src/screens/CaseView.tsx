/**
 * A case: the person, the order and its versions, the weekly schedule as a week grid, the map of zones, the
 * devices and messages, tasks and deadlines, and a timeline of the lifecycle, order changes and alarms.
 */
import { useEffect, useMemo, useState } from 'react';
import { useAlarms } from '../alarm-store.js';
import { AlarmDetail, type AlarmPanel } from '../components/AlarmDetail.js';
import { DevicePanel } from '../components/DevicePanel.js';
import { OrderEditor } from '../components/OrderEditor.js';
import { OrderSettings } from '../components/OrderSettings.js';
import { ErrorText, Loading, StatusChip } from '../components/Status.js';
import { WeekGrid } from '../components/WeekGrid.js';
import { TaskName, TaskStateTag, responsibleName } from '../components/TaskTags.js';
import { TrackMap } from '../components/TrackMap.js';
import { useI18n } from '../i18n.js';
import { api } from '../lib/api.js';
import { ruleName, type MessageKey } from '../lib/messages.js';
import { can } from '../lib/permissions.js';
import { changedDays } from '../lib/schedule.js';
import type { AlarmAnswer as AlarmView, CaseDetail, Obligation, SupervisionDetail } from '@sde/api';
import type { Actor } from '../lib/session.js';
import { useAsync } from '../lib/useAsync.js';

export function CaseView({ user, caseId }: { user: Actor; caseId: string }) {
  const { t, day, dateTime, pick } = useI18n();
  const kase = useAsync(() => api<CaseDetail>('GET', `/api/v1/cases/${caseId}`), [caseId]);
  const [supId, setSupId] = useState<string | null>(null);
  const sid = supId ?? kase.data?.supervisions.at(-1)?.id ?? null;
  const sup = useAsync(
    async () => (sid ? api<SupervisionDetail>('GET', `/api/v1/supervisions/${sid}`) : undefined),
    [sid],
  );
  const store = useAlarms();
  const [ownAlarms, setOwnAlarms] = useState<AlarmView[]>([]);
  const [editing, setEditing] = useState(false);
  const [shownVersion, setShownVersion] = useState<number | null>(null);
  const [openAlarm, setOpenAlarm] = useState<string | null>(null);
  const [panel, setPanel] = useState<AlarmPanel>(null);

  useEffect(() => {
    if (!sid || !can(user, 'alarm.read')) return;
    api<{ alarms: AlarmView[] }>('GET', `/api/v1/alarms?supervisionId=${sid}&limit=200`).then(
      (r) => setOwnAlarms(r.alarms),
      () => setOwnAlarms([]),
    );
  }, [sid, user.role]);
  // Live updates of this supervision's alarms come through the session's stream.
  const alarms = useMemo(() => {
    const m = new Map(ownAlarms.map((a) => [a.id, a]));
    for (const a of store.alarms) if (a.supervisionId === sid) m.set(a.id, a);
    return [...m.values()].sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  }, [ownAlarms, store.alarms, sid]);

  if (kase.loading && !kase.data) return <Loading />;
  if (kase.error || !kase.data) return <ErrorText error={kase.error} />;
  const c = kase.data;
  const s = sup.data;
  const order = s?.order ?? null;
  const versions = order?.versions ?? [];
  const inForce = versions.find((v) => v.version === order?.versionInForce) ?? versions.at(-1);
  const shown = versions.find((v) => v.version === shownVersion) ?? inForce;
  const prev = shown ? versions.find((v) => v.version === shown.version - 1) : undefined;
  const stay = shown?.obligations.find(
    (o): o is Extract<Obligation, { kind: 'stay_at_place' }> => o.kind === 'stay_at_place',
  );
  const prevStay = prev?.obligations.find(
    (o): o is Extract<Obligation, { kind: 'stay_at_place' }> => o.kind === 'stay_at_place',
  );
  const zones =
    shown?.obligations.filter((o) => o.kind === 'exclusion_zone' || o.kind === 'inclusion_zone') ?? [];
  const keepDistance = shown?.obligations.find((o) => o.kind === 'keep_distance');
  const showMap = !!s && (s.kinds.includes('mobile') || s.kinds.includes('proximity') || zones.length > 0);
  // The center answers positions only to roles with track.read (installers verify a unit by its status).
  const trackAllowed = can(user, 'track.read');
  const restricted = new Set([...(c.restricted ?? []), ...(s?.restricted ?? [])]);
  const technicianPhone = c.applications.find((a) => a.technicianContactPhone)?.technicianContactPhone;

  return (
    <div className="case-view">
      <header className="case-head">
        <h1 data-testid="case-title">
          {c.caseNumber} — {c.person ? `${c.person.givenName} ${c.person.familyName}` : '—'}
        </h1>
        {s ? (
          <p>
            <StatusChip status={s.status} name={s.statusName} />{' '}
            {s.kinds.map((k) => t(`kind.${k}`)).join(', ')}
          </p>
        ) : null}
        {c.supervisions.length > 1 ? (
          <label>
            {t('case.supervision')}{' '}
            <select value={sid ?? ''} onChange={(e) => setSupId(e.target.value)}>
              {c.supervisions.map((x) => (
                <option key={x.id} value={x.id}>
                  {t(`status.${x.status}` as MessageKey)} ({x.id.slice(0, 8)})
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </header>

      <div className="cards">
        <section className="card" aria-labelledby="h-person">
          <h2 id="h-person">{t('case.person')}</h2>
          <dl className="facts">
            <dt>{t('case.name')}</dt>
            <dd>{c.person ? `${c.person.givenName} ${c.person.familyName}` : '—'}</dd>
            <dt>{t('case.birthDate')}</dt>
            <dd>{day(c.person?.birthDate)}</dd>
            <dt>{t('case.address')}</dt>
            <dd>
              {c.monitoringAddress
                ? `${c.monitoringAddress.street}, ${c.monitoringAddress.postalCode} ${c.monitoringAddress.city}`
                : '—'}
            </dd>
            <dt>{t('case.phone')}</dt>
            <dd>
              {c.person?.phone ? (
                <a href={`tel:${c.person.phone.replace(/\s/g, '')}`}>{c.person.phone}</a>
              ) : (
                '—'
              )}
            </dd>
            {technicianPhone ? (
              <>
                <dt>{t('case.technicianPhone')}</dt>
                <dd data-testid="technician-phone">
                  <a href={`tel:${technicianPhone.replace(/\s/g, '')}`}>{technicianPhone}</a>
                </dd>
              </>
            ) : null}
            <dt>{t('case.court')}</dt>
            <dd>{c.courtId}</dd>
            {c.protectedPerson ? (
              <>
                <dt>{t('case.protectedPerson')}</dt>
                <dd>
                  {c.protectedPerson.givenName} {c.protectedPerson.familyName}
                </dd>
                <dt>{t('case.protectedPhone')}</dt>
                <dd>{c.protectedPerson.phone ?? '—'}</dd>
              </>
            ) : restricted.has('protected_person') ? (
              <>
                <dt>{t('case.protectedPerson')}</dt>
                <dd className="muted" data-testid="protected-hidden">
                  {t('policy.protectedHidden')}
                </dd>
              </>
            ) : null}
          </dl>
        </section>
        {s ? (
          <section className="card" aria-labelledby="h-sentence">
            <h2 id="h-sentence">{t('case.sentence')}</h2>
            <dl className="facts">
              <dt>{t('case.term')}</dt>
              <dd>{t('case.termValue', { y: s.term.years, m: s.term.months, d: s.term.days })}</dd>
              <dt>{t('case.activatedAt')}</dt>
              <dd>{dateTime(s.activatedAt)}</dd>
              <dt>{t('case.lastDay')}</dt>
              <dd>{s.sentenceEnd ? day(s.sentenceEnd.lastDay) : '—'}</dd>
            </dl>
            {s.sentenceEnd ? <p className="explanation small">{pick(s.sentenceEnd.explanation)}</p> : null}
            <Revocation revocation={s.revocation} />
          </section>
        ) : null}
        {s ? (
          <section className="card" aria-labelledby="h-tasks">
            <h2 id="h-tasks">{t('case.tasks')}</h2>
            {s.tasks.length === 0 ? <p className="muted">{t('tasks.none')}</p> : null}
            <ul className="tasks">
              {s.tasks.map((k) => (
                <li key={k.id} className={k.overdue ? 'overdue' : k.dueSoon ? 'due-soon' : ''}>
                  <TaskName task={k} /> <span className="muted">({responsibleName(t, k.responsible)})</span>{' '}
                  {k.dueAt ? <span className="muted">{dateTime(k.dueAt)}</span> : null}{' '}
                  <TaskStateTag task={k} />
                  <br />
                  <span className="small">{pick(k)}</span>
                </li>
              ))}
            </ul>
            {Object.entries(s.deadlines).map(([k, d]) =>
              d ? (
                <details key={k}>
                  <summary>
                    {t(`deadline.${k}` as MessageKey)}: {day(d.lastDay)}
                  </summary>
                  <p className="small">{pick(d.explanation)}</p>
                </details>
              ) : null,
            )}
          </section>
        ) : null}
      </div>

      {sup.loading && !s ? <Loading /> : null}
      <ErrorText error={sup.error} />

      {order && shown ? (
        <section aria-labelledby="h-order" className="block">
          <div className="row-between">
            <h2 id="h-order">
              {t('order.title')} {order.caseNumber ?? ''}
            </h2>
            {can(user, 'case.write') && inForce && !editing ? (
              <button
                type="button"
                className="primary"
                onClick={() => setEditing(true)}
                data-testid="change-order"
              >
                {t('order.change')}
              </button>
            ) : null}
          </div>
          {editing && inForce ? (
            <OrderEditor
              orderId={order.id}
              base={inForce}
              onCancel={() => setEditing(false)}
              onSaved={() => {
                setEditing(false);
                setShownVersion(null);
                sup.reload();
              }}
            />
          ) : null}
          <div className="table-wrap">
            <table data-testid="versions">
              <caption>{t('order.versions')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('order.version')}</th>
                  <th scope="col">{t('order.validFrom')}</th>
                  <th scope="col">{t('order.decided')}</th>
                  <th scope="col">{t('order.reason')}</th>
                  <th scope="col">{t('order.recorded')}</th>
                  <th scope="col" />
                </tr>
              </thead>
              <tbody>
                {[...versions].reverse().map((v) => (
                  <tr
                    key={v.version}
                    className={v.version === shown.version ? 'selected' : ''}
                    data-testid={`version-${v.version}`}
                  >
                    <td>
                      {v.version}
                      {v.version === order.versionInForce ? (
                        <span className="chip chip-in_execution"> {t('order.inForce')}</span>
                      ) : null}
                    </td>
                    <td>{dateTime(v.validFrom)}</td>
                    <td>
                      {day(v.decidedOn)} · {v.decidedBy}
                    </td>
                    <td>{v.reason ?? '—'}</td>
                    <td>
                      {v.recordedBy} · {dateTime(v.recordedAt, { zone: false })}
                    </td>
                    <td>
                      <button
                        type="button"
                        onClick={() => setShownVersion(v.version)}
                        aria-pressed={v.version === shown.version}
                      >
                        {t('order.show')}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Obligations obligations={shown.obligations} />
          {restricted.has('protected_zones') ? (
            <p className="muted small" data-testid="zones-hidden">
              {t('policy.protectedZonesHidden')}
            </p>
          ) : null}
          {restricted.has('zones') ? (
            <p className="muted small" data-testid="zones-hidden">
              {t('policy.zonesHidden')}
            </p>
          ) : null}
          <OrderSettings settings={shown.monitoringSettings} />
          {stay ? (
            <WeekGrid
              weekly={stay.schedule.weekly}
              changed={prevStay ? changedDays(prevStay.schedule.weekly, stay.schedule.weekly) : []}
              caption={t('schedule.captionVersion', { n: shown.version })}
            />
          ) : null}
          {s && s.scheduleExceptions.length > 0 ? (
            <div>
              <h3>{t('schedule.exceptions')}</h3>
              <ul>
                {s.scheduleExceptions.map((e) => (
                  <li key={e.id}>
                    {day(e.date)} {e.window.start}–{e.window.end} {e.window.label}
                    {e.reason ? ` — ${e.reason}` : ''} <span className="muted">({e.approvedBy})</span>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {s && can(user, 'supervision.officer') && stay ? (
            <ExceptionForm supervisionId={s.id} onSaved={sup.reload} />
          ) : null}
        </section>
      ) : null}

      {showMap && shown && s ? (
        <section aria-labelledby="h-map" className="block">
          <h2 id="h-map">{t('map.title')}</h2>
          {keepDistance?.kind === 'keep_distance' ? (
            <p>{t('map.keepDistance', { m: keepDistance.minDistanceMeters })}</p>
          ) : null}
          {trackAllowed ? null : (
            <p className="muted small" data-testid="track-hidden">
              {t('policy.trackHidden')}
            </p>
          )}
          <TrackMap
            supervisionId={s.id}
            obligations={shown.obligations}
            withTrack={trackAllowed}
            base={
              stay?.place.location
                ? {
                    home: {
                      at: stay.place.location,
                      rangeMeters: stay.place.rangeMeters ?? 50,
                      label: t('map.home'),
                    },
                  }
                : {}
            }
          />
        </section>
      ) : null}

      {s ? (
        <section aria-labelledby="h-devices" className="block">
          <h2 id="h-devices">{t('devices.title')}</h2>
          <DevicePanel user={user} devices={s.devices} />
        </section>
      ) : null}

      {s ? (
        <section aria-labelledby="h-timeline" className="block">
          <h2 id="h-timeline">{t('timeline.title')}</h2>
          <Timeline s={s} alarms={alarms} onOpen={(id) => setOpenAlarm(openAlarm === id ? null : id)} />
          {openAlarm && alarms.find((a) => a.id === openAlarm) ? (
            <AlarmDetail
              alarm={alarms.find((a) => a.id === openAlarm)!}
              user={user}
              onChanged={(a) => {
                store.put(a);
                setOwnAlarms((l) => l.map((x) => (x.id === a.id ? a : x)));
              }}
              panel={panel}
              setPanel={setPanel}
            />
          ) : null}
        </section>
      ) : null}
    </div>
  );
}

function Obligations({ obligations }: { obligations: Obligation[] }) {
  const { t } = useI18n();
  return (
    <ul className="obligations">
      {obligations.map((o, i) => (
        <li key={i}>
          <strong>{t(`obligation.${o.kind}`)}</strong>
          {o.kind === 'stay_at_place'
            ? `: ${o.place.address.street}, ${o.place.address.city}${o.place.rangeMeters ? ` (${t('order.range', { m: o.place.rangeMeters })})` : ''}`
            : o.kind === 'keep_distance'
              ? `: ≥ ${o.minDistanceMeters} m`
              : `: ${o.name}`}
        </li>
      ))}
    </ul>
  );
}

interface TimelineItem {
  at: number;
  kind: string;
  title: string;
  text: string;
  alarmId?: string;
  tone?: string;
}

function Timeline({
  s,
  alarms,
  onOpen,
}: {
  s: SupervisionDetail;
  alarms: AlarmView[];
  onOpen: (id: string) => void;
}) {
  const { t, dateTime, pick, lang } = useI18n();
  const items: TimelineItem[] = [];
  for (const h of s.history) {
    const key = `history.${h.type}` as MessageKey;
    const title = t(key) === key ? h.type : t(key);
    items.push({ at: h.atUtcMs, kind: 'lifecycle', title, text: h.by });
  }
  for (const p of s.protocols)
    items.push({
      at: Date.parse(p.at),
      kind: 'protocol',
      title: `${t('timeline.protocol')} ${p.number}`,
      text: `${p.deviceIds.join(', ')} · ${p.by}`,
    });
  for (const v of s.order?.versions ?? [])
    if (v.version > 1)
      items.push({
        at: Date.parse(v.recordedAt),
        kind: 'order',
        title: t('timeline.orderVersion', { n: v.version }),
        text: v.reason ? `${v.reason} · ${v.recordedBy}` : v.recordedBy,
      });
  for (const e of s.scheduleExceptions)
    items.push({
      at: Date.parse(e.approvedAt),
      kind: 'exception',
      title: t('timeline.exception'),
      text: `${e.date} ${e.window.start}–${e.window.end} ${e.window.label}${e.reason ? ` — ${e.reason}` : ''}`,
    });
  for (const a of alarms) {
    items.push({
      at: Date.parse(a.startedAt),
      kind: 'alarm',
      title: `${t(`severity.${a.severity}`)}: ${ruleName(a.rule, lang)}`,
      text: pick(a.explanation),
      alarmId: a.id,
      tone: a.severity,
    });
    for (const x of a.actions)
      items.push({
        at: Date.parse(x.at),
        kind: 'action',
        title: `${t(`action.${x.kind}`)} (${ruleName(a.rule, lang)})`,
        text: `${x.by}${x.text ? ` — ${x.text}` : ''}`,
      });
  }
  items.sort((a, b) => b.at - a.at);
  return (
    <ol className="timeline" data-testid="timeline">
      {items.map((i, n) => (
        <li key={n} className={`tl tl-${i.kind} ${i.tone ? `sev-${i.tone}` : ''}`}>
          <time dateTime={new Date(i.at).toISOString()}>{dateTime(i.at)}</time>
          <div>
            <strong>{i.title}</strong>
            <p>{i.text}</p>
            {i.alarmId ? (
              <button type="button" onClick={() => onOpen(i.alarmId!)}>
                {t('timeline.openAlarm')}
              </button>
            ) : null}
          </div>
        </li>
      ))}
    </ol>
  );
}

function ExceptionForm({ supervisionId, onSaved }: { supervisionId: string; onSaved: () => void }) {
  const { t } = useI18n();
  const [date, setDate] = useState('');
  const [start, setStart] = useState('');
  const [end, setEnd] = useState('');
  const [label, setLabel] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  return (
    <details className="exception-form">
      <summary>{t('schedule.approveException')}</summary>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault();
          setError(undefined);
          api('POST', `/api/v1/supervisions/${supervisionId}/schedule-exceptions`, {
            date,
            window: { start, end, label },
            reason,
          })
            .then(() => {
              setDate('');
              setReason('');
              onSaved();
            })
            .catch((err: unknown) => setError(err));
        }}
      >
        <label>
          {t('schedule.date')}
          <input type="date" value={date} onChange={(e) => setDate(e.target.value)} required />
        </label>
        <label>
          {t('schedule.from')}
          <input type="time" value={start} onChange={(e) => setStart(e.target.value)} required />
        </label>
        <label>
          {t('schedule.to')}
          <input type="time" value={end} onChange={(e) => setEnd(e.target.value)} required />
        </label>
        <label>
          {t('schedule.label')}
          <input value={label} onChange={(e) => setLabel(e.target.value)} required />
        </label>
        <label>
          {t('order.reason')}
          <input value={reason} onChange={(e) => setReason(e.target.value)} required />
        </label>
        <button type="submit" className="primary">
          {t('schedule.approve')}
        </button>
        <ErrorText error={error} />
      </form>
    </details>
  );
}

/** What a revocation decided (R5): its ground and the escort order that goes with it (ADR 0604). */
function Revocation({ revocation }: { revocation: SupervisionDetail['revocation'] }) {
  const { t, dateTime } = useI18n();
  if (!revocation) return null;
  const reason = typeof revocation.reason === 'string' ? revocation.reason : null;
  const escort = revocation.escortOrder as { orderedAtUtcMs?: unknown; costsCharged?: unknown } | undefined;
  return (
    <dl className="facts" data-testid="revocation">
      <dt>{t('revocation.title')}</dt>
      <dd>{reason ? t(`revocation.reason.${reason}` as MessageKey) : '—'}</dd>
      {escort && typeof escort.orderedAtUtcMs === 'number' ? (
        <>
          <dt>{t('revocation.escort')}</dt>
          <dd>
            {t('revocation.escortOrdered', { at: dateTime(escort.orderedAtUtcMs) })}{' '}
            {escort.costsCharged === true ? t('revocation.costsCharged') : t('revocation.costsNotCharged')}
          </dd>
        </>
      ) : null}
    </dl>
  );
}
