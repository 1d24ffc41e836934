/**
 * The operator's alarm console: the live queue (open first, then by severity and age), filters, the selected
 * alarm with its actions, keyboard shortcuts, and a banner whenever the live connection drops or comes back.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { useAlarms } from '../alarm-store.js';
import { AlarmDetail, type AlarmPanel } from '../components/AlarmDetail.js';
import { useI18n } from '../i18n.js';
import { DEFAULT_FILTER, filterAlarms, splitQueue, type AlarmFilter } from '../lib/alarms.js';
import { ruleName } from '../lib/messages.js';
import { can } from '../lib/permissions.js';
import type { Actor } from '../lib/session.js';

export function AlarmConsole({ user }: { user: Actor }) {
  const { t, lang, time, duration } = useI18n();
  const store = useAlarms();
  const [filter, setFilter] = useState<AlarmFilter>(DEFAULT_FILTER);
  const [selected, setSelected] = useState<string | null>(null);
  const [panel, setPanel] = useState<AlarmPanel>(null);
  const [help, setHelp] = useState(false);
  const [, tick] = useState(0);
  const search = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);

  // Ages in the queue advance every few seconds.
  useEffect(() => {
    const i = setInterval(() => tick((n) => n + 1), 5000);
    return () => clearInterval(i);
  }, []);

  // Decided alarms first; the undecided ones apart below, in the same keyboard order (ADR 0501).
  const parts = useMemo(() => splitQueue(filterAlarms(store.alarms, filter)), [store.alarms, filter]);
  const visible = useMemo(() => [...parts.decided, ...parts.undecided], [parts]);
  const rules = useMemo(() => [...new Set(store.alarms.map((a) => a.rule))].sort(), [store.alarms]);
  const current =
    visible.find((a) => a.id === selected) ?? store.alarms.find((a) => a.id === selected) ?? null;

  const item = (a: (typeof visible)[number]) => (
    <button
      type="button"
      data-id={a.id}
      data-testid="queue-item"
      className={`queue-item sev-${a.severity} st-${a.status} ${a.undecided ? 'undecided' : ''} ${a.id === selected ? 'selected' : ''} ${store.fresh.has(a.id) ? 'fresh' : ''}`}
      aria-pressed={a.id === selected}
      onClick={() => {
        setSelected(a.id);
        setPanel(null);
      }}
    >
      <span className={`sev sev-${a.severity}`}>{t(`severity.${a.severity}`)}</span>
      <span className="q-rule">{ruleName(a.rule, lang)}</span>
      <span className="q-case">
        {a.caseNumber} · {a.personName}
      </span>
      <span className="q-status">{t(`alarmStatus.${a.status}`)}</span>
      <span className="q-age" title={a.startedAt}>
        {duration(Date.now() - Date.parse(a.startedAt))}
      </span>
    </button>
  );

  // Shortcuts work anywhere on the screen except while typing.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const el = e.target as HTMLElement;
      if (el.closest('input, textarea, select') || e.ctrlKey || e.metaKey || e.altKey) {
        if (e.key === 'Escape') {
          (el as HTMLInputElement).blur?.();
          setPanel(null);
        }
        return;
      }
      const idx = visible.findIndex((a) => a.id === selected);
      const pick = (i: number) => {
        const a = visible[Math.max(0, Math.min(visible.length - 1, i))];
        if (a) {
          setSelected(a.id);
          setPanel(null);
          listRef.current?.querySelector<HTMLElement>(`[data-id="${a.id}"]`)?.focus();
        }
      };
      const handle = can(user, 'alarm.handle');
      switch (e.key) {
        case 'j':
        case 'ArrowDown':
          pick(idx + 1);
          break;
        case 'k':
        case 'ArrowUp':
          pick(idx - 1);
          break;
        case '/':
          search.current?.focus();
          break;
        case 'a':
        case 'A':
          if (handle && current?.status === 'open')
            document.querySelector<HTMLButtonElement>('[data-testid="ack"]')?.click();
          break;
        case 'n':
        case 'N':
          if (current) setPanel('note');
          break;
        case 'c':
        case 'C':
          if (handle && current) setPanel('call');
          break;
        case 'p':
        case 'P':
          if (handle && current) setPanel('patrol');
          break;
        case 'x':
        case 'X':
          if (handle && current && current.status !== 'closed') setPanel('close');
          break;
        case 'm':
        case 'M':
          store.setMuted(!store.muted);
          break;
        case '?':
          setHelp((h) => !h);
          break;
        case 'Escape':
          setPanel(null);
          break;
        default:
          return;
      }
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [visible, selected, current, user.role, store]);

  const lost = store.stream === 'lost' || store.lostAt !== null;
  const justBack = store.reconnectedAt !== null && Date.now() - store.reconnectedAt < 15_000;

  return (
    <div className="alarm-console">
      <div aria-live="assertive" className="banner-slot">
        {store.stream === 'ended' ? (
          <div className="banner banner-lost" role="alert" data-testid="banner-ended">
            {t('session.streamEnded')}
          </div>
        ) : lost && store.api !== 'unavailable' ? (
          <div className="banner banner-lost" role="alert" data-testid="banner-lost">
            {t('stream.lost', { since: store.lostAt ? time(store.lostAt) : '' })}
          </div>
        ) : justBack ? (
          <div className="banner banner-back" role="status" data-testid="banner-back">
            {t('stream.back', { at: time(store.reconnectedAt!) })}
          </div>
        ) : null}
      </div>
      <div className="alarm-toolbar">
        <h1>{t('alarms.title')}</h1>
        <span className={`live live-${store.stream}`} data-testid="live-state">
          <span className="dot" aria-hidden="true" /> {t(`stream.state.${store.stream}`)}
        </span>
        <button
          type="button"
          onClick={() => store.setMuted(!store.muted)}
          aria-pressed={store.muted}
          title="M"
        >
          {store.muted ? t('alarms.soundOff') : t('alarms.soundOn')} <kbd>M</kbd>
        </button>
        <button type="button" onClick={() => setHelp((h) => !h)} aria-expanded={help} title="?">
          {t('alarms.shortcuts')} <kbd>?</kbd>
        </button>
      </div>
      {help ? (
        <dl className="shortcuts" aria-label={t('alarms.shortcuts')}>
          <dt>
            <kbd>J</kbd>/<kbd>↓</kbd> <kbd>K</kbd>/<kbd>↑</kbd>
          </dt>
          <dd>{t('keys.move')}</dd>
          <dt>
            <kbd>A</kbd>
          </dt>
          <dd>{t('alarms.acknowledge')}</dd>
          <dt>
            <kbd>N</kbd>
          </dt>
          <dd>{t('alarms.addNote')}</dd>
          <dt>
            <kbd>C</kbd>
          </dt>
          <dd>{t('alarms.logCall')}</dd>
          <dt>
            <kbd>P</kbd>
          </dt>
          <dd>{t('alarms.patrol')}</dd>
          <dt>
            <kbd>X</kbd>
          </dt>
          <dd>{t('alarms.close')}</dd>
          <dt>
            <kbd>/</kbd>
          </dt>
          <dd>{t('keys.search')}</dd>
          <dt>
            <kbd>M</kbd>
          </dt>
          <dd>{t('keys.mute')}</dd>
          <dt>
            <kbd>Esc</kbd>
          </dt>
          <dd>{t('keys.escape')}</dd>
        </dl>
      ) : null}
      <form
        className="filters"
        role="search"
        onSubmit={(e) => e.preventDefault()}
        aria-label={t('alarms.filters')}
      >
        <label>
          {t('alarms.filterStatus')}
          <select
            value={filter.status}
            onChange={(e) => setFilter({ ...filter, status: e.target.value as AlarmFilter['status'] })}
          >
            <option value="active">{t('alarms.statusActive')}</option>
            <option value="open">{t('alarmStatus.open')}</option>
            <option value="acknowledged">{t('alarmStatus.acknowledged')}</option>
            <option value="closed">{t('alarmStatus.closed')}</option>
            <option value="all">{t('common.all')}</option>
          </select>
        </label>
        <label>
          {t('alarms.filterSeverity')}
          <select
            value={filter.severity}
            onChange={(e) => setFilter({ ...filter, severity: e.target.value as AlarmFilter['severity'] })}
          >
            <option value="all">{t('common.all')}</option>
            <option value="critical">{t('severity.critical')}</option>
            <option value="serious">{t('severity.serious')}</option>
            <option value="info">{t('severity.info')}</option>
          </select>
        </label>
        <label>
          {t('alarms.filterRule')}
          <select value={filter.rule} onChange={(e) => setFilter({ ...filter, rule: e.target.value })}>
            <option value="all">{t('common.all')}</option>
            {rules.map((r) => (
              <option key={r} value={r}>
                {ruleName(r, lang)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('alarms.search')}
          <input
            ref={search}
            type="search"
            value={filter.text}
            onChange={(e) => setFilter({ ...filter, text: e.target.value })}
            placeholder={t('alarms.searchHint')}
          />
        </label>
      </form>
      <div className="alarm-split">
        <section className="queue" aria-label={t('alarms.queue')}>
          {store.api === 'unavailable' ? (
            <p className="notice" data-testid="alarms-unavailable">
              {t('alarms.unavailable')}
            </p>
          ) : store.api === 'error' ? (
            <p className="error">{t('alarms.loadFailed')}</p>
          ) : visible.length === 0 ? (
            <p className="muted empty" data-testid="queue-empty">
              {store.api === 'loading' ? t('common.loading') : t('alarms.empty')}
            </p>
          ) : (
            <div ref={listRef}>
              {parts.decided.length > 0 ? (
                <ol className="queue-list" data-testid="queue">
                  {parts.decided.map((a) => (
                    <li key={a.id}>{item(a)}</li>
                  ))}
                </ol>
              ) : null}
              {parts.undecided.length > 0 ? (
                <section className="queue-undecided" data-testid="queue-undecided">
                  <h3>{t('alarms.undecidedSection', { n: parts.undecided.length })}</h3>
                  <p className="muted small">{t('alarms.undecidedHint')}</p>
                  <ol className="queue-list quiet">
                    {parts.undecided.map((a) => (
                      <li key={a.id}>{item(a)}</li>
                    ))}
                  </ol>
                </section>
              ) : null}
            </div>
          )}
          <p className="muted small">
            {t('alarms.count', { shown: visible.length, total: store.alarms.length })}
          </p>
        </section>
        <section className="detail" aria-label={t('alarms.detail')}>
          {current ? (
            <AlarmDetail
              alarm={current}
              user={user}
              onChanged={store.put}
              panel={panel}
              setPanel={setPanel}
            />
          ) : (
            <p className="muted">{t('alarms.selectHint')}</p>
          )}
        </section>
      </div>
    </div>
  );
}
