/**
 * One alarm: what happened and why it is a violation (the engine's explanation and the order's clause), the
 * evidence, the workflow log, and the actions the person's role allows.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n.js';
import { api, ApiError } from '../lib/api.js';
import { ruleName } from '../lib/messages.js';
import { can } from '../lib/permissions.js';
import type { AlarmAnswer as AlarmView } from '@sde/api';
import type { Actor } from '../lib/session.js';
import { Link } from './Link.js';

export type AlarmPanel = 'note' | 'call' | 'patrol' | 'excuse' | 'close' | 'qualify' | null;

export function AlarmDetail({
  alarm,
  user,
  onChanged,
  panel,
  setPanel,
}: {
  alarm: AlarmView;
  user: Actor;
  onChanged: (a: AlarmView) => void;
  panel: AlarmPanel;
  setPanel: (p: AlarmPanel) => void;
}) {
  const { t, pick, dateTime, duration, lang } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const handle = can(user, 'alarm.handle');
  const officer = can(user, 'supervision.officer');

  const act = async (path: string, body?: unknown) => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/api/v1/alarms/${alarm.id}/${path}`, body ?? {});
      const fresh = await api<AlarmView>('GET', `/api/v1/alarms/${alarm.id}`);
      onChanged(fresh);
      setPanel(null);
      return true;
    } catch (e) {
      setError(e instanceof ApiError ? (lang === 'pl' ? (e.messagePl ?? e.message) : e.message) : String(e));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const open = alarm.status !== 'closed';
  return (
    <article
      className={`alarm-detail sev-${alarm.severity}`}
      aria-labelledby="alarm-title"
      data-testid="alarm-detail"
    >
      <header>
        <h2 id="alarm-title">
          <span className={`sev sev-${alarm.severity}`}>{t(`severity.${alarm.severity}`)}</span>{' '}
          {ruleName(alarm.rule, lang)}
        </h2>
        <p className="meta">
          <Link href={`/cases/${alarm.caseId}`}>{alarm.caseNumber}</Link> · {alarm.personName} ·{' '}
          {alarm.regionId}
        </p>
        <p className="meta">
          <span className={`status status-${alarm.status}`} data-testid="alarm-status">
            {t(`alarmStatus.${alarm.status}`)}
          </span>{' '}
          · {t(`condition.${alarm.condition}`)}
          {alarm.late ? <> · {t('alarms.late')}</> : null}
          {alarm.undecided ? <> · {t('alarms.undecided')}</> : null}
          {alarm.incidentId ? <> · {t('alarms.incident')}</> : null}
        </p>
        {alarm.withdrawal ? (
          <p className="notice" data-testid="alarm-withdrawal">
            {t('alarms.withdrawn', {
              time: dateTime(alarm.withdrawal.at),
              reason: alarm.withdrawal.reason[lang],
            })}
          </p>
        ) : null}
      </header>
      <dl className="facts">
        <dt>{t('alarms.startedAt')}</dt>
        <dd>{dateTime(alarm.startedAt, { seconds: true })}</dd>
        <dt>{t('alarms.detectedAt')}</dt>
        <dd>
          {dateTime(alarm.detectedAt, { seconds: true })}{' '}
          <span className="muted">
            ({t('alarms.ago', { d: duration(Date.now() - Date.parse(alarm.detectedAt)) })})
          </span>
        </dd>
        {alarm.endedAt ? (
          <>
            <dt>{t('alarms.endedAt')}</dt>
            <dd>{dateTime(alarm.endedAt, { seconds: true })}</dd>
          </>
        ) : null}
      </dl>
      <section>
        <h3>{t('alarms.why')}</h3>
        <p className="explanation">{pick(alarm.explanation)}</p>
        {alarm.restricted?.includes('protected_zones') ? (
          <p className="muted small">{t('policy.restrictedAlarm')}</p>
        ) : null}
        {alarm.clause ? (
          <blockquote className="clause">
            <strong>{t('alarms.clause')}:</strong> {pick(alarm.clause)}
          </blockquote>
        ) : null}
      </section>
      {alarm.evidence.length > 0 ? (
        <details>
          <summary>
            {t('alarms.evidence')} ({alarm.evidence.length})
          </summary>
          <table className="compact">
            <thead>
              <tr>
                <th>{t('devices.device')}</th>
                <th>{t('alarms.seq')}</th>
                <th>{t('alarms.eventKind')}</th>
                <th>{t('alarms.time')}</th>
              </tr>
            </thead>
            <tbody>
              {alarm.evidence.map((e) => (
                <tr key={`${e.deviceId}-${e.seq}`}>
                  <td>{e.deviceId}</td>
                  <td>{e.seq}</td>
                  <td>{e.kind}</td>
                  <td>{dateTime(e.time, { seconds: true })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
      {alarm.excuse ? (
        <section className="excuse" data-testid="excuse">
          <h3>{t('alarms.excuse')}</h3>
          <p>{alarm.excuse.text}</p>
          <p className="muted">
            {alarm.excuse.recordedBy} · {dateTime(alarm.excuse.at)}
          </p>
          <p data-testid="qualification">
            {alarm.excuse.qualification
              ? `${t(`qualification.${alarm.excuse.qualification}`)} (${alarm.excuse.qualifiedBy ?? ''})${alarm.excuse.note ? ` — ${alarm.excuse.note}` : ''}`
              : t('alarms.awaitingQualification')}
          </p>
        </section>
      ) : null}

      <div className="actions" role="toolbar" aria-label={t('alarms.actions')}>
        {handle && alarm.status === 'open' ? (
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => void act('acknowledge')}
            data-testid="ack"
            title="A"
          >
            {t('alarms.acknowledge')} <kbd>A</kbd>
          </button>
        ) : null}
        <button
          type="button"
          onClick={() => setPanel(panel === 'note' ? null : 'note')}
          aria-expanded={panel === 'note'}
          title="N"
        >
          {t('alarms.addNote')} <kbd>N</kbd>
        </button>
        {handle && open ? (
          <>
            <button
              type="button"
              onClick={() => setPanel(panel === 'call' ? null : 'call')}
              aria-expanded={panel === 'call'}
              title="C"
            >
              {t('alarms.logCall')} <kbd>C</kbd>
            </button>
            <button
              type="button"
              onClick={() => setPanel(panel === 'patrol' ? null : 'patrol')}
              aria-expanded={panel === 'patrol'}
              title="P"
            >
              {t('alarms.patrol')} <kbd>P</kbd>
            </button>
            <button
              type="button"
              onClick={() => setPanel(panel === 'excuse' ? null : 'excuse')}
              aria-expanded={panel === 'excuse'}
            >
              {t('alarms.recordExcuse')}
            </button>
            <button
              type="button"
              onClick={() => setPanel(panel === 'close' ? null : 'close')}
              aria-expanded={panel === 'close'}
              data-testid="close"
              title="X"
            >
              {t('alarms.close')} <kbd>X</kbd>
            </button>
          </>
        ) : null}
        {officer && alarm.excuse && alarm.excuse.qualification === null ? (
          <button
            type="button"
            className="primary"
            onClick={() => setPanel('qualify')}
            aria-expanded={panel === 'qualify'}
            data-testid="qualify"
          >
            {t('alarms.qualify')}
          </button>
        ) : null}
      </div>
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
      {panel === 'note' ? (
        <TextForm
          label={t('alarms.noteText')}
          submit={t('alarms.addNote')}
          busy={busy}
          onSubmit={(text) => act('notes', { text })}
        />
      ) : null}
      {panel === 'close' ? (
        <TextForm
          label={t('alarms.closeNote')}
          submit={t('alarms.close')}
          busy={busy}
          onSubmit={(note) => act('close', { note })}
          testId="close-form"
        />
      ) : null}
      {panel === 'excuse' ? (
        <TextForm
          label={t('alarms.excuseText')}
          submit={t('alarms.recordExcuse')}
          busy={busy}
          onSubmit={(text) => act('excuse', { text })}
        />
      ) : null}
      {panel === 'patrol' ? (
        <PatrolForm
          busy={busy}
          onSubmit={(unit, note) => act('patrols', { unit, ...(note ? { note } : {}) })}
        />
      ) : null}
      {panel === 'call' ? (
        <CallForm
          busy={busy}
          onSubmit={(outcome, note) => act('calls', { outcome, ...(note ? { note } : {}) })}
        />
      ) : null}
      {panel === 'qualify' ? (
        <QualifyForm
          busy={busy}
          onSubmit={(qualification, note) => act('qualify', { qualification, note })}
        />
      ) : null}

      <section>
        <h3>{t('alarms.log')}</h3>
        {alarm.actions.length === 0 ? (
          <p className="muted">{t('alarms.noActions')}</p>
        ) : (
          <ol className="log" data-testid="alarm-log">
            {alarm.actions.map((a, i) => (
              <li key={i}>
                <time dateTime={a.at}>{dateTime(a.at, { seconds: true, zone: false })}</time>{' '}
                <strong>{t(`action.${a.kind}`)}</strong> · {a.by}
                {a.text ? <> — {a.text}</> : null}
              </li>
            ))}
          </ol>
        )}
      </section>
    </article>
  );
}

function TextForm({
  label,
  submit,
  busy,
  onSubmit,
  testId,
}: {
  label: string;
  submit: string;
  busy: boolean;
  onSubmit: (text: string) => Promise<boolean>;
  testId?: string;
}) {
  const [text, setText] = useState('');
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => ref.current?.focus(), []);
  return (
    <form
      className="inline-form"
      data-testid={testId}
      onSubmit={(e: FormEvent) => {
        e.preventDefault();
        if (text.trim()) void onSubmit(text.trim()).then((ok) => ok && setText(''));
      }}
    >
      <label>
        {label}
        <textarea ref={ref} value={text} onChange={(e) => setText(e.target.value)} rows={2} required />
      </label>
      <button type="submit" className="primary" disabled={busy || !text.trim()}>
        {submit}
      </button>
    </form>
  );
}

function PatrolForm({
  busy,
  onSubmit,
}: {
  busy: boolean;
  onSubmit: (unit: string, note: string) => Promise<boolean>;
}) {
  const { t } = useI18n();
  const [unit, setUnit] = useState('');
  const [note, setNote] = useState('');
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit(unit.trim(), note.trim());
      }}
    >
      <label>
        {t('alarms.patrolUnit')}
        <input
          value={unit}
          onChange={(e) => setUnit(e.target.value)}
          required
          autoFocus
          placeholder="KRP I — 0123"
        />
      </label>
      <label>
        {t('alarms.noteOptional')}
        <input value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <button type="submit" className="primary" disabled={busy || !unit.trim()}>
        {t('alarms.dispatch')}
      </button>
    </form>
  );
}

function CallForm({
  busy,
  onSubmit,
}: {
  busy: boolean;
  onSubmit: (outcome: string, note: string) => Promise<boolean>;
}) {
  const { t } = useI18n();
  const [outcome, setOutcome] = useState('reached');
  const [note, setNote] = useState('');
  return (
    <form
      className="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit(outcome, note.trim());
      }}
    >
      <label>
        {t('alarms.callOutcome')}
        <select value={outcome} onChange={(e) => setOutcome(e.target.value)} autoFocus>
          <option value="reached">{t('call.reached')}</option>
          <option value="no_answer">{t('call.no_answer')}</option>
          <option value="refused">{t('call.refused')}</option>
        </select>
      </label>
      <label>
        {t('alarms.noteOptional')}
        <input value={note} onChange={(e) => setNote(e.target.value)} />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {t('alarms.logCall')}
      </button>
    </form>
  );
}

function QualifyForm({
  busy,
  onSubmit,
}: {
  busy: boolean;
  onSubmit: (q: 'justified' | 'unjustified', note: string) => Promise<boolean>;
}) {
  const { t } = useI18n();
  const [q, setQ] = useState<'justified' | 'unjustified'>('justified');
  const [note, setNote] = useState('');
  return (
    <form
      className="inline-form"
      data-testid="qualify-form"
      onSubmit={(e) => {
        e.preventDefault();
        void onSubmit(q, note.trim());
      }}
    >
      <fieldset>
        <legend>{t('alarms.qualification')}</legend>
        <label className="radio">
          <input type="radio" name="q" checked={q === 'justified'} onChange={() => setQ('justified')} />{' '}
          {t('qualification.justified')}
        </label>
        <label className="radio">
          <input type="radio" name="q" checked={q === 'unjustified'} onChange={() => setQ('unjustified')} />{' '}
          {t('qualification.unjustified')}
        </label>
      </fieldset>
      <label>
        {t('alarms.qualifyNote')}
        <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={2} required />
      </label>
      <button type="submit" className="primary" disabled={busy || !note.trim()}>
        {t('alarms.saveQualification')}
      </button>
    </form>
  );
}
