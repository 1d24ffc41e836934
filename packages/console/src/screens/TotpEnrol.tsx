/**
 * The TOTP second factor: the enrolment panel (QR code, the secret to type, a code to confirm), used at
 * sign-in when a role requires it, and the screen where a signed-in person enrols one of their own.
 */
import { useState, type FormEvent } from 'react';
import { QrCode } from '../components/QrCode.js';
import { useI18n } from '../i18n.js';
import { api, ApiError } from '../lib/api.js';
import { useAsync } from '../lib/useAsync.js';

/** The secret and its otpauth URI, as the center answers them. */
export interface TotpSetup {
  secret: string;
  uri: string;
}

/** The secret shown in groups of four, as authenticator apps show it. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)?.join(' ') ?? secret;

/** QR code and secret of an enrolment. */
export function TotpSecret({ setup }: { setup: TotpSetup }) {
  const { t } = useI18n();
  return (
    <div className="totp-secret">
      <QrCode text={setup.uri} label={t('totp.qrAlt')} />
      <p>
        {t('totp.secret')}: <code data-testid="totp-secret">{grouped(setup.secret)}</code>
      </p>
    </div>
  );
}

/** The signed-in person's own second factor: its state, and an enrolment when there is none. */
export function TotpSettings() {
  const { t } = useI18n();
  const me = useAsync(
    () => api<{ totp?: { enabled: boolean; required: boolean } }>('GET', '/api/v1/auth/me'),
    [],
  );
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);

  const start = async () => {
    setError(null);
    try {
      setSetup(await api<TotpSetup>('POST', '/api/v1/auth/totp/setup'));
    } catch {
      setError(t('totp.failed'));
    }
  };
  const confirm = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await api('POST', '/api/v1/auth/totp/confirm', { code: code.trim() });
      setDone(true);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 400 ? t('signin.codeFailed') : t('totp.failed'));
    }
  };

  const enabled = done || me.data?.totp?.enabled === true;
  return (
    <section className="totp">
      <h1>{t('totp.title')}</h1>
      {enabled ? (
        <p role="status">{done ? t('totp.done') : t('totp.enabled')}</p>
      ) : setup ? (
        <form onSubmit={(e) => void confirm(e)}>
          <p>{t('totp.instructions')}</p>
          <TotpSecret setup={setup} />
          <label htmlFor="totp-code">{t('signin.code')}</label>
          <input
            id="totp-code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9]{6}"
            value={code}
            onChange={(e) => setCode(e.target.value)}
            required
          />
          <button type="submit" className="primary">
            {t('totp.confirm')}
          </button>
        </form>
      ) : (
        <>
          <p>{t('totp.disabled')}</p>
          <button type="button" className="primary" onClick={() => void start()}>
            {t('totp.start')}
          </button>
        </>
      )}
      {error ? (
        <p className="error" role="alert">
          {error}
        </p>
      ) : null}
    </section>
  );
}
