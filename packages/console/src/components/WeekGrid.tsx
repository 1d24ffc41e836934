/** The weekly schedule as a week grid: a column per day, the windows away from the place as blocks. */
import { useI18n } from '../i18n.js';
import { weekGrid, fromMinutes } from '../lib/schedule.js';
import type { MessageKey } from '../lib/messages.js';
import type { Weekday, WeeklySchedule } from '../lib/schedule.js';

const HOURS = [0, 3, 6, 9, 12, 15, 18, 21, 24];

export function WeekGrid({
  weekly,
  changed = [],
  caption,
}: {
  weekly: WeeklySchedule;
  changed?: Weekday[];
  caption?: string;
}) {
  const { t } = useI18n();
  const days = weekGrid(weekly);
  return (
    <figure className="week" data-testid="week-grid">
      <figcaption>
        {caption ?? t('schedule.caption')} <span className="muted">({t('common.tzWarsaw')})</span>
      </figcaption>
      <div className="week-grid" role="table" aria-label={t('schedule.caption')}>
        <div className="week-hours" aria-hidden="true">
          {HOURS.map((h) => (
            <span key={h} style={{ top: `${(h / 24) * 100}%` }}>
              {String(h).padStart(2, '0')}:00
            </span>
          ))}
        </div>
        {days.map((d) => (
          <div key={d.day} className={`week-col ${changed.includes(d.day) ? 'changed' : ''}`} role="row">
            <div className="week-day" role="rowheader">
              {t(`day.${d.day}` as MessageKey)}
              <span className="week-sum">
                {(d.awayMinutes / 60).toLocaleString(undefined, { maximumFractionDigits: 1 })} h
              </span>
            </div>
            <div className="week-body">
              {HOURS.slice(1, -1).map((h) => (
                <div key={h} className="week-line" style={{ top: `${(h / 24) * 100}%` }} aria-hidden="true" />
              ))}
              {d.blocks.map((b, i) => (
                <div
                  key={i}
                  role="cell"
                  className={`week-block ${b.fromPreviousDay ? 'from-prev' : ''} ${b.intoNextDay ? 'into-next' : ''}`}
                  style={{ top: `${b.topPct}%`, height: `${Math.max(b.heightPct, 2)}%` }}
                  title={`${fromMinutes(b.startMin)}–${fromMinutes(b.endMin)} ${b.label}`}
                >
                  <span className="wb-time">
                    {fromMinutes(b.startMin)}–{fromMinutes(b.endMin)}
                  </span>{' '}
                  <span className="wb-label">{b.label}</span>
                </div>
              ))}
            </div>
          </div>
        ))}
      </div>
      <p className="legend">
        <span className="swatch swatch-away" /> {t('schedule.away')} <span className="swatch swatch-home" />{' '}
        {t('schedule.home')}
        {changed.length ? (
          <>
            {' '}
            <span className="swatch swatch-changed" /> {t('schedule.changed')}
          </>
        ) : null}
      </p>
    </figure>
  );
}
