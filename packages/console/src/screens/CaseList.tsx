/** Cases in the person's scope (the API decides the scope: region, court or caseload). */
import { useMemo, useState } from 'react';
import { Link } from '../components/Link.js';
import { ErrorText, Loading, StatusChip } from '../components/Status.js';
import { useI18n } from '../i18n.js';
import { allPages, api } from '../lib/api.js';
import type { MessageKey } from '../lib/messages.js';
import type { CaseDetail, CaseSummary, SupervisionSummary } from '@sde/api';
import type { Actor } from '../lib/session.js';
import { mapLimit, useAsync } from '../lib/useAsync.js';

/** A case row: the case, its person and its latest supervision. */
export interface CaseRow {
  c: CaseSummary;
  name: string;
  s: SupervisionSummary | undefined;
}

/** Loads the caseload with names (one detail call per case, a few at a time). */
export async function loadCaseRows(): Promise<CaseRow[]> {
  const [cases, sups] = await Promise.all([
    allPages<CaseSummary>('/api/v1/cases'),
    allPages<SupervisionSummary>('/api/v1/supervisions'),
  ]);
  const details = await mapLimit(cases.slice(0, 200), 6, (c) =>
    api<CaseDetail>('GET', `/api/v1/cases/${c.id}`).catch(() => undefined),
  );
  return cases.map((c, i) => {
    const p = details[i]?.person;
    return { c, name: p ? `${p.familyName} ${p.givenName}` : '—', s: sups.find((s) => s.caseId === c.id) };
  });
}

export function CaseList({ user }: { user: Actor }) {
  const { t, day } = useI18n();
  const { data, error, loading } = useAsync(loadCaseRows, []);
  const [text, setText] = useState('');
  const [status, setStatus] = useState('all');
  const rows = useMemo(() => {
    const q = text.trim().toLocaleLowerCase('pl');
    return (data ?? []).filter(
      (r) =>
        (status === 'all' || r.s?.status === status) &&
        (!q ||
          r.c.caseNumber.toLocaleLowerCase('pl').includes(q) ||
          r.name.toLocaleLowerCase('pl').includes(q) ||
          (r.c.monitoringAddress?.city ?? '').toLocaleLowerCase('pl').includes(q)),
    );
  }, [data, text, status]);
  const statuses = [
    ...new Set((data ?? []).map((r) => r.s?.status).filter((s): s is NonNullable<typeof s> => !!s)),
  ];

  return (
    <div>
      <h1>{t('cases.title')}</h1>
      <p className="muted">{t(`scope.${user.role}` as MessageKey)}</p>
      <form className="filters" role="search" onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('alarms.search')}
          <input
            type="search"
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={t('cases.searchHint')}
          />
        </label>
        <label>
          {t('cases.status')}
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="all">{t('common.all')}</option>
            {statuses.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
      </form>
      {loading ? <Loading /> : null}
      <ErrorText error={error} />
      {data ? (
        <div className="table-wrap">
          <table data-testid="case-table">
            <caption className="sr-only">{t('cases.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('cases.number')}</th>
                <th scope="col">{t('cases.person')}</th>
                <th scope="col">{t('cases.status')}</th>
                <th scope="col">{t('cases.kinds')}</th>
                <th scope="col">{t('cases.city')}</th>
                <th scope="col">{t('cases.sentenceEnd')}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.c.id}>
                  <td>
                    <Link href={`/cases/${r.c.id}`}>{r.c.caseNumber}</Link>
                  </td>
                  <td>{r.name}</td>
                  <td>{r.s ? <StatusChip status={r.s.status} name={r.s.statusName} /> : '—'}</td>
                  <td>{r.s?.kinds.map((k) => t(`kind.${k}`)).join(', ')}</td>
                  <td>{r.c.monitoringAddress?.city ?? '—'}</td>
                  <td>{day(r.s?.sentenceLastDay)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <p className="muted small">{t('cases.count', { n: rows.length })}</p>
        </div>
      ) : null}
    </div>
  );
}
