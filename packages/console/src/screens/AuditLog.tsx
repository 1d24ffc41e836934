/**
 * The auditor's screen (ADR 0407): the audit log filtered by person, user, kind of action and period, newest
 * first, page by page, in words and Warsaw time; "Eksport CSV" downloads the server's CSV of the same filter
 * (the whole filter, not the page shown), which the center records as an export.
 */
import { useState, type FormEvent } from 'react';
import { PeriodPicker, type PeriodPreset } from '../components/PeriodPicker.js';
import { ErrorText, Loading } from '../components/Status.js';
import { useI18n } from '../i18n.js';
import { api } from '../lib/api.js';
import {
  ACTION_GROUPS,
  actionName,
  auditQuery,
  entityName,
  type AuditFilterChoice,
  type AuditPage,
  type AuditRecordView,
} from '../lib/audit.js';
import { TIME_ZONE } from '../lib/format.js';
import type { MessageKey } from '../lib/messages.js';
import type { Actor } from '../lib/session.js';
import { useAsync } from '../lib/useAsync.js';

const HOUR = 3_600_000;
const PERIODS: PeriodPreset[] = [
  { key: 'audit.last24h', ms: 24 * HOUR },
  { key: 'audit.last7d', ms: 7 * 24 * HOUR },
  { key: 'audit.last30d', ms: 30 * 24 * HOUR },
  { key: 'audit.last365d', ms: 365 * 24 * HOUR },
];
const PAGE_SIZE = 50;
/** A chosen range may span ten years: the log is kept for as long as the law asks. */
const MAX_DAYS = 3660;

const EMPTY: AuditFilterChoice = {
  person: '',
  user: '',
  action: '',
  period: { kind: 'last', ms: 7 * 24 * HOUR },
};

export function AuditLog(_props: { user: Actor }) {
  const { t } = useI18n();
  const [filter, setFilter] = useState<AuditFilterChoice>(EMPTY);
  // The form's text fields apply on "Filtruj", not on every key.
  const [draft, setDraft] = useState({ person: '', user: '' });
  // Keyset pages: the `before` cursor of each page shown so far (the first has none).
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  // A "last N hours" period is resolved when the filter is applied, so pages and export agree.
  const [now, setNow] = useState(() => Date.now());
  const query = auditQuery(filter, now);
  const before = cursors.at(-1) ?? null;
  const page = useAsync(
    () =>
      api<AuditPage>(
        'GET',
        `/api/v1/audit?${query}&limit=${PAGE_SIZE}${before !== null ? `&before=${encodeURIComponent(before)}` : ''}`,
      ),
    [query, before],
  );

  const apply = (next: AuditFilterChoice) => {
    setFilter(next);
    setCursors([null]);
    setNow(Date.now());
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    apply({ ...filter, ...draft });
  };

  return (
    <div className="audit">
      <h1>{t('audit.title')}</h1>
      <p className="muted">{t('audit.intro')}</p>
      <form className="filters inline-form" onSubmit={submit} data-testid="audit-filters">
        <label>
          {t('audit.user')}
          <input
            value={draft.user}
            onChange={(e) => setDraft({ ...draft, user: e.target.value })}
            autoComplete="off"
            data-testid="audit-user"
          />
        </label>
        <label>
          {t('audit.person')}
          <input
            value={draft.person}
            onChange={(e) => setDraft({ ...draft, person: e.target.value })}
            placeholder={t('audit.personHint')}
            autoComplete="off"
            size={38}
            data-testid="audit-person"
          />
        </label>
        <label>
          {t('audit.action')}
          <select
            value={filter.action}
            onChange={(e) => apply({ ...filter, ...draft, action: e.target.value })}
            data-testid="audit-action"
          >
            <option value="">{t('audit.allActions')}</option>
            {ACTION_GROUPS.map((g) => (
              <option key={g} value={g}>
                {t(`auditGroup.${g}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        <button type="submit" data-testid="audit-apply">
          {t('audit.apply')}
        </button>
        <button
          type="button"
          onClick={() => {
            setDraft({ person: '', user: '' });
            apply(EMPTY);
          }}
        >
          {t('audit.clear')}
        </button>
      </form>
      <div className="track-controls">
        <PeriodPicker
          label={t('audit.period')}
          presets={PERIODS}
          value={filter.period}
          onChange={(period) => apply({ ...filter, ...draft, period })}
          maxDays={MAX_DAYS}
          testId="audit-period"
        />
        <a
          className="button"
          href={`/api/v1/audit/export?${query}`}
          download
          title={t('audit.exportHint')}
          data-testid="audit-export"
        >
          {t('audit.export')}
        </a>
      </div>

      <ErrorText error={page.error} />
      {page.loading && !page.data ? <Loading /> : null}
      {page.data && page.data.records.length === 0 ? (
        <p className="muted" data-testid="audit-none">
          {t('audit.none')}
        </p>
      ) : null}
      {page.data && page.data.records.length > 0 ? (
        <AuditTable
          records={page.data.records}
          onPerson={(person) => {
            setDraft({ ...draft, person });
            apply({ ...filter, ...draft, person });
          }}
        />
      ) : null}
      <nav className="pager" aria-label={t('audit.page', { n: cursors.length })}>
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          {t('audit.newer')}
        </button>
        <span className="muted small" data-testid="audit-page">
          {t('audit.page', { n: cursors.length })}
        </span>
        <button
          type="button"
          disabled={!page.data?.next}
          onClick={() => page.data?.next && setCursors([...cursors, page.data.next])}
          data-testid="audit-older"
        >
          {t('audit.older')}
        </button>
      </nav>
    </div>
  );
}

function AuditTable({
  records,
  onPerson,
}: {
  records: AuditRecordView[];
  onPerson: (personId: string) => void;
}) {
  const { t, lang, dateTime } = useI18n();
  return (
    <div className="table-wrap">
      <table className="compact" data-testid="audit-table">
        <thead>
          <tr>
            <th scope="col">{t('audit.when', { zone: t('common.tzWarsaw') })}</th>
            <th scope="col">{t('audit.who')}</th>
            <th scope="col">{t('audit.role')}</th>
            <th scope="col">{t('audit.what')}</th>
            <th scope="col">{t('audit.subject')}</th>
            <th scope="col">{t('audit.from')}</th>
          </tr>
        </thead>
        <tbody>
          {records.map((r) => (
            <tr key={r.id} data-testid="audit-row" data-action={r.action} data-user={r.actorLogin}>
              <td>
                <time dateTime={r.at} title={TIME_ZONE}>
                  {dateTime(r.at, { zone: false, seconds: true })}
                </time>
              </td>
              <td>{r.actorLogin}</td>
              <td>{t(`role.${r.actorRole}` as MessageKey)}</td>
              <td>{actionName(r.action, lang)}</td>
              <td>
                {entityName(r.entity, lang)} <span className="muted small">{r.entityId}</span>
                {r.personId ? (
                  <>
                    {' '}
                    <button type="button" className="link small" onClick={() => onPerson(r.personId!)}>
                      {t('audit.onlyPerson')}
                    </button>
                  </>
                ) : null}
              </td>
              <td title={t('audit.claimed', { text: r.terminal })}>{r.address ?? t('audit.center')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
