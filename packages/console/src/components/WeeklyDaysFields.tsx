/**
 * The weekly away windows of a court order, one text field per day (`07:00-15:30 praca; 18:00-19:00
 * kościół`), as both the grant and a change of the order write them. Parsing is the caller's (lib/schedule).
 */
import { useI18n } from '../i18n.js';
import type { MessageKey } from '../lib/messages.js';
import { WEEKDAYS, type Weekday } from '../lib/schedule.js';

export function WeeklyDaysFields({
  days,
  onChange,
  bad,
  testIdPrefix,
}: {
  days: Record<Weekday, string>;
  onChange: (days: Record<Weekday, string>) => void;
  /** The day whose text could not be read, if any. */
  bad: Weekday | null;
  testIdPrefix: string;
}) {
  const { t } = useI18n();
  return (
    <fieldset>
      <legend>{t('order.weeklyAway')}</legend>
      <p className="muted small">{t('order.dayFormat')}</p>
      {WEEKDAYS.map((d) => (
        <label key={d} className="day-row">
          <span>{t(`day.${d}` as MessageKey)}</span>
          <input
            name={`day-${d}`}
            data-testid={`${testIdPrefix}${d}`}
            value={days[d]}
            aria-invalid={bad === d}
            onChange={(e) => onChange({ ...days, [d]: e.target.value })}
          />
        </label>
      ))}
      {bad ? (
        <p className="error" role="alert">
          {t('order.badDay', { day: t(`day.${bad}` as MessageKey) })}
        </p>
      ) : null}
    </fieldset>
  );
}
