/**
 * The application and the decision on it (issue 20): what was filed (consents, the flat owner's permission,
 * the day the judgment became final), the technical survey and the eligibility check in words, the statutory
 * bars to a grant, and the judge's decision with the deadline it runs against and what happens next. A grant
 * past a bar needs the judge's written reason; the center refuses it otherwise and the console shows why
 * next to the field. The decision, with any reason for overriding a bar, is shown on the case afterwards.
 */
import { useState } from 'react';
import { useI18n } from '../i18n.js';
import { ApiError, api } from '../lib/api.js';
import type { MessageKey } from '../lib/messages.js';
import { can } from '../lib/permissions.js';
import { WEEKDAYS, parseDay, type Weekday } from '../lib/schedule.js';
import type { Actor } from '../lib/session.js';
import { useAsync } from '../lib/useAsync.js';
import type { ApplicationAnswer, CaseDetail, SupervisionDetail } from '@sde/api';
import { ErrorText, Loading } from './Status.js';
import { WeeklyDaysFields } from './WeeklyDaysFields.js';

type Outcome = 'granted' | 'refused' | 'left_unexamined_technical';
const OUTCOMES: readonly Outcome[] = ['granted', 'refused', 'left_unexamined_technical'];
const MANNERS = ['phone', 'in_person', 'in_writing', 'email'] as const;
const SURVEY_OUTCOMES = ['feasible', 'not_feasible', 'pending'] as const;

/** The application of a supervision, with the survey, the eligibility check and (while undecided) the decision. */
export function ApplicationPanel({
  user,
  kase,
  supervision,
  onDecided,
}: {
  user: Actor;
  kase: CaseDetail;
  supervision: SupervisionDetail;
  onDecided: () => void;
}) {
  const { t, day, dateTime, pick } = useI18n();
  const app = useAsync(
    () => api<ApplicationAnswer>('GET', `/api/v1/applications/${supervision.applicationId}`),
    [supervision.applicationId, supervision.status],
  );
  const [checking, setChecking] = useState(false);
  const [checkError, setCheckError] = useState<unknown>();
  if (app.loading && !app.data) return <Loading />;
  if (app.error || !app.data) return <ErrorText error={app.error} />;
  const a = app.data;
  const undecided = supervision.status === 'application_filed';
  const deadline = supervision.deadlines.decision;

  return (
    <section aria-labelledby="h-application" className="block" data-testid="application">
      <h2 id="h-application">{t('app.title')}</h2>
      <div className="cards">
        <section className="card" aria-labelledby="h-app-facts">
          <h3 id="h-app-facts">{t('app.facts')}</h3>
          <dl className="facts">
            {a.filerKind ? (
              <>
                <dt>{t('app.filer')}</dt>
                <dd>
                  {a.filerName} ({t(`filer.${a.filerKind}` as MessageKey)})
                </dd>
              </>
            ) : null}
            <dt>{t('app.receivedOn')}</dt>
            <dd>{day(a.receivedOn)}</dd>
            {a.judgmentFinalOn !== undefined ? (
              <>
                <dt>{t('app.judgmentFinalOn')}</dt>
                <dd data-testid="judgment-final">
                  {a.judgmentFinalOn ? day(a.judgmentFinalOn) : t('app.notRecorded')}
                </dd>
              </>
            ) : null}
            {a.coResidents ? (
              <>
                <dt>{t('app.coResidents')}</dt>
                <dd data-testid="co-residents">
                  {a.coResidents.length === 0 ? (
                    t('app.noCoResidents')
                  ) : (
                    <ul className="plain">
                      {a.coResidents.map((r, i) => (
                        <li key={i}>
                          {r.name} —{' '}
                          {!r.adult
                            ? t('app.minor')
                            : r.consentInWritingOn
                              ? t('app.consentOn', { day: day(r.consentInWritingOn) })
                              : t('app.consentMissing')}
                        </li>
                      ))}
                    </ul>
                  )}
                </dd>
              </>
            ) : null}
            {a.flatOwner !== undefined ? (
              <>
                <dt>{t('app.owner')}</dt>
                <dd data-testid="flat-owner">
                  {!a.flatOwner
                    ? t('app.notRecorded')
                    : a.flatOwner.ownerIsPerson
                      ? t('app.ownerIsPerson')
                      : a.flatOwner.permissionInWritingOn
                        ? t('app.ownerPermissionOn', {
                            name: a.flatOwner.ownerName ?? '—',
                            day: day(a.flatOwner.permissionInWritingOn),
                          })
                        : t('app.ownerPermissionMissing', { name: a.flatOwner.ownerName ?? '—' })}
                </dd>
              </>
            ) : null}
            {a.justification ? (
              <>
                <dt>{t('app.justification')}</dt>
                <dd>{a.justification}</dd>
              </>
            ) : null}
          </dl>
        </section>

        <section className="card" aria-labelledby="h-survey" data-testid="survey">
          <h3 id="h-survey">{t('survey.title')}</h3>
          {a.survey ? (
            <>
              <p>
                <strong>{t(`survey.outcome.${a.survey.outcome}` as MessageKey)}</strong>
              </p>
              {a.survey.notes ? <p className="small">{a.survey.notes}</p> : null}
              <p className="muted small">
                {t('survey.by', { by: a.survey.surveyedBy, at: dateTime(a.survey.surveyedAt) })}
              </p>
            </>
          ) : (
            <p className="muted">{t('survey.none')}</p>
          )}
          {undecided && can(user, 'installation.write') ? (
            <SurveyForm applicationId={a.id} onSaved={app.reload} />
          ) : null}
        </section>

        {a.eligibility !== undefined ? (
          <section className="card" aria-labelledby="h-elig" data-testid="eligibility">
            <h3 id="h-elig">{t('elig.title')}</h3>
            {a.eligibility ? (
              <>
                <p>
                  <strong>{t(`elig.verdict.${a.eligibility.verdict}` as MessageKey)}</strong>{' '}
                  <span className="muted small">
                    ({t('elig.assessed', { day: day(a.eligibility.assessedOn), by: a.eligibility.checkedBy })}
                    )
                  </span>
                </p>
                <ul className="conditions">
                  {a.eligibility.conditions.map((c) => (
                    <li key={c.id} className={`cond cond-${c.outcome}`}>
                      <strong>{t(`elig.outcome.${c.outcome}` as MessageKey)}:</strong> {pick(c)}
                    </li>
                  ))}
                </ul>
              </>
            ) : (
              <p className="muted">{t('elig.none')}</p>
            )}
            {undecided && can(user, 'case.write') ? (
              <button
                type="button"
                disabled={checking}
                data-testid="check-eligibility"
                onClick={() => {
                  setChecking(true);
                  setCheckError(undefined);
                  api('POST', `/api/v1/applications/${a.id}/eligibility`, {})
                    .then(app.reload, setCheckError)
                    .finally(() => setChecking(false));
                }}
              >
                {t('elig.check')}
              </button>
            ) : null}
            <ErrorText error={checkError} />
          </section>
        ) : null}
      </div>

      {undecided && a.grantBars ? (
        <div className="bars" data-testid="bars" role={a.grantBars.length > 0 ? 'alert' : undefined}>
          <h3>{t('bars.title')}</h3>
          {a.grantBars.length === 0 ? (
            <p className="muted">{t('bars.none')}</p>
          ) : (
            <>
              <ul>
                {a.grantBars.map((b) => (
                  <li key={b.id}>{pick(b)}</li>
                ))}
              </ul>
              <p className="small">{t('bars.explain')}</p>
            </>
          )}
        </div>
      ) : null}

      {undecided && deadline ? (
        <p data-testid="decision-deadline">
          {t('decide.deadline')}: <strong>{t('deadline.until', { day: day(deadline.lastDay) })}</strong>
        </p>
      ) : null}

      {undecided && can(user, 'case.write') ? (
        <DecisionForm
          applicationId={a.id}
          kase={kase}
          hasBars={(a.grantBars ?? []).length > 0}
          onDecided={onDecided}
        />
      ) : null}
    </section>
  );
}

function SurveyForm({ applicationId, onSaved }: { applicationId: string; onSaved: () => void }) {
  const { t } = useI18n();
  const [outcome, setOutcome] = useState<(typeof SURVEY_OUTCOMES)[number]>('feasible');
  const [notes, setNotes] = useState('');
  const [error, setError] = useState<unknown>();
  return (
    <form
      className="inline-form"
      data-testid="survey-form"
      onSubmit={(e) => {
        e.preventDefault();
        setError(undefined);
        api('POST', `/api/v1/applications/${applicationId}/survey`, { outcome, notes: notes.trim() }).then(
          () => {
            setNotes('');
            onSaved();
          },
          setError,
        );
      }}
    >
      <ChoiceSelect
        label={t('survey.outcome')}
        name="survey-outcome"
        value={outcome}
        options={SURVEY_OUTCOMES}
        textOf={(o) => t(`survey.outcome.${o}` as MessageKey)}
        onChange={setOutcome}
      />
      <label>
        {t('survey.notes')}
        <input name="survey-notes" value={notes} onChange={(e) => setNotes(e.target.value)} />
      </label>
      <button type="submit" className="primary">
        {t('survey.record')}
      </button>
      <ErrorText error={error} />
    </form>
  );
}

function DecisionForm({
  applicationId,
  kase,
  hasBars,
  onDecided,
}: {
  applicationId: string;
  kase: CaseDetail;
  hasBars: boolean;
  onDecided: () => void;
}) {
  const { t } = useI18n();
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [reason, setReason] = useState('');
  const [override, setOverride] = useState('');
  const [days, setDays] = useState<Record<Weekday, string>>(
    () => Object.fromEntries(WEEKDAYS.map((d) => [d, ''])) as Record<Weekday, string>,
  );
  const [range, setRange] = useState('50');
  const [hours, setHours] = useState('24');
  const [manner, setManner] = useState<(typeof MANNERS)[number]>('phone');
  const [details, setDetails] = useState('');
  const [bad, setBad] = useState<Weekday | null>(null);
  const [error, setError] = useState<unknown>();
  const [overrideError, setOverrideError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const address = kase.monitoringAddress;

  const submit = async () => {
    if (!outcome) return;
    setError(undefined);
    setOverrideError(null);
    setBad(null);
    let body: Record<string, unknown> = { outcome, reason: reason.trim() };
    if (outcome === 'granted') {
      if (!address) return;
      const weekly: Record<string, unknown> = {};
      for (const d of WEEKDAYS) {
        try {
          weekly[d] = parseDay(days[d]);
        } catch {
          setBad(d);
          return;
        }
      }
      body = {
        ...body,
        order: {
          supervisionKinds: ['stationary'],
          obligations: [
            {
              kind: 'stay_at_place',
              place: { address, rangeMeters: Number(range) },
              schedule: { weekly },
            },
          ],
          devices: ['transmitter', 'stationary_unit'],
          readinessDeadlineHours: Number(hours),
        },
        readinessManner: { kind: manner, details: details.trim() },
        ...(override.trim() ? { barOverrideReason: override.trim() } : {}),
      };
    }
    setBusy(true);
    try {
      await api('POST', `/api/v1/applications/${applicationId}/decision`, body);
      onDecided();
    } catch (e) {
      // The bar's refusal belongs next to the field that answers it.
      if (e instanceof ApiError && e.code === 'statutory_bar_not_overridden') setOverrideError(e);
      else setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="decision-form"
      data-testid="decision-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <h3>{t('decide.title')}</h3>
      <fieldset>
        {OUTCOMES.map((o) => (
          <label key={o} className="radio">
            <input
              type="radio"
              name="outcome"
              value={o}
              checked={outcome === o}
              onChange={() => setOutcome(o)}
            />{' '}
            {t(`decide.outcome.${o}` as MessageKey)}
          </label>
        ))}
      </fieldset>
      {outcome ? (
        <p className="small" data-testid="next-step">
          {t(`decide.next.${outcome}` as MessageKey)}
        </p>
      ) : null}
      {outcome === 'granted' ? (
        <>
          <fieldset>
            <legend>{t('decide.place')}</legend>
            {address ? (
              <p>
                {address.street}, {address.postalCode} {address.city}
              </p>
            ) : (
              <p className="error" role="alert">
                {t('decide.noAddress')}
              </p>
            )}
            <label>
              {t('decide.range')}
              <input
                name="range"
                type="number"
                min={1}
                value={range}
                onChange={(e) => setRange(e.target.value)}
              />
            </label>
          </fieldset>
          <WeeklyDaysFields days={days} onChange={setDays} bad={bad} testIdPrefix="grant-day-" />
          <fieldset>
            <legend>{t('decide.manner')}</legend>
            <label>
              {t('decide.readinessHours')}
              <input
                name="readiness-hours"
                type="number"
                min={1}
                max={24}
                value={hours}
                onChange={(e) => setHours(e.target.value)}
              />
            </label>
            <ChoiceSelect
              label={t('decide.manner')}
              name="manner"
              value={manner}
              options={MANNERS}
              textOf={(m) => t(`manner.${m}` as MessageKey)}
              onChange={setManner}
            />
            <label>
              {t('decide.mannerDetails')}
              <input name="manner-details" value={details} onChange={(e) => setDetails(e.target.value)} />
            </label>
          </fieldset>
        </>
      ) : null}
      {outcome ? (
        <label>
          {t('decide.reason')}
          <textarea
            name="reason"
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            rows={3}
            required
          />
        </label>
      ) : null}
      {outcome === 'granted' && hasBars ? (
        <label>
          {t('decide.override')}
          <textarea
            name="override"
            data-testid="override-reason"
            value={override}
            onChange={(e) => setOverride(e.target.value)}
            rows={3}
            aria-invalid={overrideError !== null}
            aria-describedby={overrideError ? 'override-error' : undefined}
          />
          {overrideError ? (
            <span id="override-error" className="error" role="alert" data-testid="override-error">
              <OverrideMessage error={overrideError} />
            </span>
          ) : null}
        </label>
      ) : null}
      <ErrorText error={error} />
      <div className="actions">
        <button
          type="submit"
          className="primary"
          data-testid="decide"
          disabled={busy || !outcome || !reason.trim() || (outcome === 'granted' && !address)}
        >
          {t('decide.submit')}
        </button>
      </div>
    </form>
  );
}

/** A labelled choice among a fixed list of codes, each shown in words. */
function ChoiceSelect<T extends string>({
  label,
  name,
  value,
  options,
  textOf,
  onChange,
}: {
  label: string;
  name: string;
  value: T;
  options: readonly T[];
  textOf: (option: T) => string;
  onChange: (option: T) => void;
}) {
  return (
    <label>
      {label}
      <select name={name} value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((o) => (
          <option key={o} value={o}>
            {textOf(o)}
          </option>
        ))}
      </select>
    </label>
  );
}

function OverrideMessage({ error }: { error: ApiError }) {
  const { lang } = useI18n();
  return <>{lang === 'pl' ? (error.messagePl ?? error.message) : error.message}</>;
}

/** The decisions of a supervision, with the bars a grant went past and the judge's reason for it. */
export function DecisionRecord({ decisions }: { decisions: SupervisionDetail['decisions'] }) {
  const { t, dateTime, pick } = useI18n();
  if (decisions.length === 0) return null;
  return (
    <section aria-labelledby="h-decision" className="block" data-testid="decision-record">
      <h2 id="h-decision">{t('decision.title')}</h2>
      {decisions.map((d) => (
        <div key={d.id}>
          <p>
            <strong>{t(`decision.outcome.${d.outcome}` as MessageKey)}</strong>{' '}
            <span className="muted small">
              {dateTime(d.decidedAt)}, {d.judge}
            </span>
          </p>
          {d.reason ? <p className="small">{d.reason}</p> : null}
          {d.barOverrideReason ? (
            <div className="override" data-testid="override-shown">
              <p className="small">{t('decision.overridden')}</p>
              <ul className="small">
                {(d.overriddenBars ?? []).map((b) => (
                  <li key={b.id}>{pick(b)}</li>
                ))}
              </ul>
              <p>
                <strong>{t('decision.overrideReason')}:</strong> {d.barOverrideReason}
              </p>
            </div>
          ) : null}
        </div>
      ))}
    </section>
  );
}
