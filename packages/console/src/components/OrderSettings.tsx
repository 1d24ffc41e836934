/**
 * The compliance engine's settings an order version changes (`monitoringSettings`): a grace period, a
 * number of confirming fixes… shown with the version, so a judge or an operator can see why an alarm came
 * later or sooner than usual. Durations (settings named `…Ms`) are shown in words.
 */
import { Fragment } from 'react';
import { useI18n } from '../i18n.js';
import type { MessageKey } from '../lib/messages.js';
import type { MonitoringSettings } from '@sde/api';

export function OrderSettings({ settings }: { settings: MonitoringSettings | undefined }) {
  const { t, duration, num } = useI18n();
  if (!settings || Object.keys(settings).length === 0) return null;
  const value = (name: string, v: number) => (name.endsWith('Ms') ? duration(v) : num(v));
  const rows: { key: string; label: string; value: string }[] = [];
  for (const [group, body] of Object.entries(settings)) {
    if (typeof body === 'number') {
      rows.push({ key: group, label: t(`settings.${group}` as MessageKey), value: value(group, body) });
      continue;
    }
    for (const [name, v] of Object.entries(body ?? {})) {
      if (typeof v !== 'number') continue;
      rows.push({
        key: `${group}.${name}`,
        label: `${t(`settings.${group}` as MessageKey)}: ${t(`settings.${name}` as MessageKey)}`,
        value: value(name, v),
      });
    }
  }
  return (
    <div data-testid="order-settings">
      <h3>{t('order.settings')}</h3>
      <dl className="facts">
        {rows.map((r) => (
          <Fragment key={r.key}>
            <dt>{r.label}</dt>
            <dd>{r.value}</dd>
          </Fragment>
        ))}
      </dl>
    </div>
  );
}
