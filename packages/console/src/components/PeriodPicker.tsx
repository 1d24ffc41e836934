/**
 * Choosing a period: a few presets up to now, or "from – to" on `datetime-local` inputs read as Warsaw
 * wall time (the zone of every court order), whatever the zone of the browser. Used by the map track and
 * the Bureau's statistics; the center checks the period again (400 with a message).
 */
import { useId, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n.js';
import type { MessageKey } from '../lib/messages.js';
import { toWarsawInput, TIME_ZONE } from '../lib/format.js';
import { parseRange, resolvePeriod, type PeriodChoice, type RangeProblem } from '../lib/period.js';

/** A preset: the last `ms` up to now. */
export interface PeriodPreset {
  key: MessageKey;
  ms: number;
}

export function PeriodPicker({
  label,
  presets,
  value,
  onChange,
  maxDays,
  testId,
}: {
  label: string;
  presets: readonly PeriodPreset[];
  value: PeriodChoice;
  onChange: (choice: PeriodChoice) => void;
  /** Longest range the center accepts here. */
  maxDays: number;
  testId: string;
}) {
  const { t } = useI18n();
  const hint = useId();
  const [custom, setCustom] = useState(value.kind === 'range');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [problem, setProblem] = useState<RangeProblem | null>(null);

  const openCustom = () => {
    const p = resolvePeriod(value);
    setFrom(toWarsawInput(p.from));
    // Inputs hold whole minutes: round the end up, so "now" keeps what arrived in the current minute.
    setTo(toWarsawInput(Math.ceil(p.to.getTime() / 60_000) * 60_000));
    setProblem(null);
    setCustom(true);
  };
  const apply = (e: FormEvent) => {
    e.preventDefault();
    const r = parseRange(from, to, maxDays);
    if (!r.ok) return setProblem(r.problem);
    setProblem(null);
    onChange(r.choice);
  };

  return (
    <div className="period-picker">
      <label>
        {label}{' '}
        <select
          value={custom ? 'custom' : value.kind === 'last' ? String(value.ms) : 'custom'}
          onChange={(e) => {
            if (e.target.value === 'custom') return openCustom();
            setCustom(false);
            setProblem(null);
            onChange({ kind: 'last', ms: Number(e.target.value) });
          }}
          data-testid={testId}
        >
          {presets.map((p) => (
            <option key={p.ms} value={p.ms}>
              {t(p.key)}
            </option>
          ))}
          <option value="custom">{t('period.custom')}</option>
        </select>
      </label>
      {custom ? (
        <form className="inline-form period-range" onSubmit={apply} data-testid={`${testId}-range`}>
          <label>
            {t('period.from')}
            <input
              type="datetime-local"
              value={from}
              onChange={(e) => setFrom(e.target.value)}
              required
              aria-describedby={hint}
              data-testid={`${testId}-from`}
            />
          </label>
          <label>
            {t('period.to')}
            <input
              type="datetime-local"
              value={to}
              onChange={(e) => setTo(e.target.value)}
              required
              aria-describedby={hint}
              data-testid={`${testId}-to`}
            />
          </label>
          <button type="submit" data-testid={`${testId}-apply`}>
            {t('period.show')}
          </button>
          <span id={hint} className="muted small">
            {t('period.zone', { zone: TIME_ZONE })}
          </span>
          {problem ? (
            <p className="error" role="alert">
              {t(`period.${problem}` as MessageKey, { days: maxDays })}
            </p>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}
