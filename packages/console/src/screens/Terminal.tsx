/**
 * The terminal of a judge or a probation officer (T4.2, T4.3): violations awaiting their attention (with
 * excuses to qualify, R10), their tasks and deadlines, and their own caseload.
 */
import { useMemo, useState } from 'react';
import { useAlarms } from '../alarm-store.js';
import { AlarmDetail, type AlarmPanel } from '../components/AlarmDetail.js';
import { Link } from '../components/Link.js';
import { TaskName, TaskStateTag } from '../components/TaskTags.js';
import { ErrorText, Loading, StatusChip } from '../components/Status.js';
import { useI18n } from '../i18n.js';
import { allPages } from '../lib/api.js';
import { ruleName, type MessageKey } from '../lib/messages.js';
import type { TaskAnswer as Task } from '@sde/api';
import type { Actor } from '../lib/session.js';
import { useAsync } from '../lib/useAsync.js';
import { loadCaseRows } from './CaseList.js';

const ACTIVE = [
  'installed',
  'activated',
  'in_execution',
  'readiness_reported',
  'granted',
  'application_filed',
];

export function Terminal({ user }: { user: Actor }) {
  const { t, pick, dateTime, day, lang } = useI18n();
  const store = useAlarms();
  const rows = useAsync(loadCaseRows, []);
  const tasks = useAsync(() => allPages<Task>('/api/v1/tasks', 200), []);
  const [open, setOpen] = useState<string | null>(null);
  const [panel, setPanel] = useState<AlarmPanel>(null);

  const attention = useMemo(
    () =>
      store.alarms
        // An undecided alarm is not (yet) a violation: the judge and the officer hear of it once decided.
        .filter((a) => !a.undecided)
        .filter((a) => a.status !== 'closed' || (a.excuse !== null && a.excuse.qualification === null))
        .sort(
          (a, b) =>
            Number(b.excuse?.qualification === null) - Number(a.excuse?.qualification === null) ||
            Date.parse(b.startedAt) - Date.parse(a.startedAt),
        ),
    [store.alarms],
  );
  const caseload = useMemo(
    () =>
      (rows.data ?? [])
        .slice()
        .sort(
          (a, b) =>
            Number(ACTIVE.indexOf(b.s?.status ?? '') >= 0) - Number(ACTIVE.indexOf(a.s?.status ?? '') >= 0),
        ),
    [rows.data],
  );
  const current = attention.find((a) => a.id === open) ?? store.alarms.find((a) => a.id === open);

  return (
    <div className="terminal">
      <h1>{t(user.role === 'judge' ? 'terminal.titleJudge' : 'terminal.titleOfficer')}</h1>
      <p className="muted">{t(`scope.${user.role}` as MessageKey)}</p>

      <section aria-labelledby="h-attention" className="block">
        <h2 id="h-attention">
          {t('terminal.attention')} <span className="count">{attention.length}</span>
        </h2>
        {store.api === 'unavailable' ? <p className="notice">{t('alarms.unavailable')}</p> : null}
        {store.api === 'ok' && attention.length === 0 ? (
          <p className="muted">{t('terminal.nothing')}</p>
        ) : null}
        {attention.length > 0 ? (
          <ul className="attention" data-testid="attention">
            {attention.map((a) => (
              <li key={a.id} className={`sev-${a.severity}`}>
                <button
                  type="button"
                  onClick={() => setOpen(open === a.id ? null : a.id)}
                  aria-expanded={open === a.id}
                  data-testid="attention-item"
                >
                  <span className={`sev sev-${a.severity}`}>{t(`severity.${a.severity}`)}</span>{' '}
                  {ruleName(a.rule, lang)} — {a.caseNumber} · {a.personName} · {dateTime(a.startedAt)}
                  {a.excuse && a.excuse.qualification === null ? (
                    <strong className="tag"> {t('terminal.excuseWaiting')}</strong>
                  ) : null}
                </button>
                <p className="small">{pick(a.explanation)}</p>
              </li>
            ))}
          </ul>
        ) : null}
        {current ? (
          <AlarmDetail alarm={current} user={user} onChanged={store.put} panel={panel} setPanel={setPanel} />
        ) : null}
      </section>

      <section aria-labelledby="h-tasks" className="block">
        <h2 id="h-tasks">{t('terminal.tasks')}</h2>
        {tasks.loading ? <Loading /> : null}
        <ErrorText error={tasks.error} />
        {tasks.data && tasks.data.length === 0 ? <p className="muted">{t('tasks.none')}</p> : null}
        {tasks.data && tasks.data.length > 0 ? (
          <table data-testid="tasks">
            <thead>
              <tr>
                <th scope="col">{t('tasks.due')}</th>
                <th scope="col">{t('cases.number')}</th>
                <th scope="col">{t('tasks.what')}</th>
              </tr>
            </thead>
            <tbody>
              {tasks.data.map((k) => (
                <tr key={k.id} className={k.overdue ? 'overdue' : k.dueSoon ? 'due-soon' : ''}>
                  <td>
                    {k.dueAt ? dateTime(k.dueAt) : null} <TaskStateTag task={k} />
                  </td>
                  <td>{k.caseId ? <Link href={`/cases/${k.caseId}`}>{k.caseNumber}</Link> : k.caseNumber}</td>
                  <td>
                    <TaskName task={k} />
                    <br />
                    <span className="small">{pick(k)}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>

      <section aria-labelledby="h-caseload" className="block">
        <h2 id="h-caseload">{t('terminal.caseload')}</h2>
        {rows.loading ? <Loading /> : null}
        <ErrorText error={rows.error} />
        {rows.data ? (
          <table data-testid="caseload">
            <thead>
              <tr>
                <th scope="col">{t('cases.number')}</th>
                <th scope="col">{t('cases.person')}</th>
                <th scope="col">{t('cases.status')}</th>
                <th scope="col">{t('cases.kinds')}</th>
                <th scope="col">{t('cases.sentenceEnd')}</th>
              </tr>
            </thead>
            <tbody>
              {caseload.map((r) => (
                <tr key={r.c.id}>
                  <td>
                    <Link href={`/cases/${r.c.id}`}>{r.c.caseNumber}</Link>
                  </td>
                  <td>{r.name}</td>
                  <td>{r.s ? <StatusChip status={r.s.status} name={r.s.statusName} /> : '—'}</td>
                  <td>{r.s?.kinds.map((k) => t(`kind.${k}`)).join(', ')}</td>
                  <td>{day(r.s?.sentenceLastDay)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>
    </div>
  );
}
