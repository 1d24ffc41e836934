/** Small shared pieces: load states, errors in the reader's language, the supervision status chip. */
import { useI18n } from '../i18n.js';
import { ApiError } from '../lib/api.js';
import type { Bilingual, SupervisionStatus } from '@sde/api';

export function Loading() {
  const { t } = useI18n();
  return <p className="muted">{t('common.loading')}</p>;
}

export function ErrorText({ error }: { error: unknown }) {
  const { t, lang } = useI18n();
  if (!error) return null;
  const msg =
    error instanceof ApiError
      ? lang === 'pl'
        ? (error.messagePl ?? error.message)
        : error.message
      : String(error);
  return (
    <p className="error" role="alert">
      {error instanceof ApiError && error.status === 404 ? t('common.notFoundOrScope') : msg}
    </p>
  );
}

export function StatusChip({ status, name }: { status: SupervisionStatus; name: Bilingual }) {
  const { pick } = useI18n();
  return <span className={`chip chip-${status}`}>{pick(name)}</span>;
}
