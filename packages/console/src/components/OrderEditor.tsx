/**
 * Changing a court order (judges): the new version starts as a copy of the one in force; the weekly
 * schedule is edited day by day; who, when and why are recorded. The server checks the rules (12 h a day…).
 */
import { useState } from 'react';
import { useI18n } from '../i18n.js';
import { api } from '../lib/api.js';
import { warsawMidnight, warsawToday } from '../lib/format.js';
import { formatDay, parseDay } from '../lib/schedule.js';
import type { Obligation, OrderVersionAnswer as OrderVersion } from '@sde/api';
import { WEEKDAYS, type Weekday } from '../lib/schedule.js';
import { ErrorText } from './Status.js';
import { WeeklyDaysFields } from './WeeklyDaysFields.js';

export function OrderEditor({
  orderId,
  base,
  onSaved,
  onCancel,
}: {
  orderId: string;
  base: OrderVersion;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const stayIdx = base.obligations.findIndex((o) => o.kind === 'stay_at_place');
  const stay = base.obligations[stayIdx];
  const [days, setDays] = useState<Record<Weekday, string>>(
    () =>
      Object.fromEntries(
        WEEKDAYS.map((d) => [
          d,
          stay?.kind === 'stay_at_place' ? formatDay(stay.schedule.weekly[d] ?? []) : '',
        ]),
      ) as Record<Weekday, string>,
  );
  const [fromNow, setFromNow] = useState(true);
  const [validDay, setValidDay] = useState(warsawToday());
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const [bad, setBad] = useState<Weekday | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async () => {
    setError(undefined);
    setBad(null);
    const obligations: Obligation[] = base.obligations.map((o) => structuredClone(o));
    const target = obligations[stayIdx];
    if (target?.kind === 'stay_at_place') {
      for (const d of WEEKDAYS) {
        try {
          target.schedule.weekly[d] = parseDay(days[d]);
        } catch {
          setBad(d);
          return;
        }
      }
      delete target.schedule.exceptions;
    }
    setBusy(true);
    try {
      await api('POST', `/api/v1/orders/${orderId}/versions`, {
        supervisionKinds: base.supervisionKinds,
        obligations,
        devices: base.devices,
        readinessDeadlineHours: base.readinessDeadlineHours,
        validFrom: fromNow ? new Date().toISOString() : warsawMidnight(validDay),
        decidedOn: warsawToday(),
        reason: reason.trim(),
      });
      onSaved();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="order-editor"
      data-testid="order-editor"
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <h3>{t('order.newVersion', { n: base.version + 1 })}</h3>
      {stay?.kind === 'stay_at_place' ? (
        <WeeklyDaysFields days={days} onChange={setDays} bad={bad} testIdPrefix="day-" />
      ) : (
        <p className="muted">{t('order.noSchedule')}</p>
      )}
      <fieldset>
        <legend>{t('order.validFrom')}</legend>
        <label className="radio">
          <input type="radio" checked={fromNow} onChange={() => setFromNow(true)} /> {t('order.fromNow')}
        </label>
        <label className="radio">
          <input type="radio" checked={!fromNow} onChange={() => setFromNow(false)} /> {t('order.fromDay')}
        </label>
        {!fromNow ? (
          <input
            type="date"
            value={validDay}
            onChange={(e) => setValidDay(e.target.value)}
            aria-label={t('order.fromDay')}
          />
        ) : null}
      </fieldset>
      <label>
        {t('order.reason')}
        <textarea
          name="reason"
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          rows={2}
          required
        />
      </label>
      <ErrorText error={error} />
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || !reason.trim()}>
          {t('order.save')}
        </button>
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
      </div>
    </form>
  );
}
