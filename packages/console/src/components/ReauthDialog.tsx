/**
 * The password asked for in place when the session ended (ADR 0404): the login is fixed (the same person
 * goes on), and once signed in again the waiting action is carried out by the request layer (lib/api.ts).
 * Cancel leads to the sign-in screen.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n.js';
import { api, ApiError } from '../lib/api.js';
import type { MessageKey } from '../lib/messages.js';
import type { SessionAnswer } from '../lib/session.js';

const REASONS = new Set(['idle', 'expired', 'signed_out', 'user_changed']);

/** The modal dialog; `onDone` receives the new session's answer, or null when cancelled. */
export function ReauthDialog({
  login,
  reason,
  onDone,
}: {
  login: string;
  reason: string | undefined;
  onDone: (answer: SessionAnswer | null) => void;
}) {
  const { t } = useI18n();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => input.current?.focus(), []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onDone(await api<SessionAnswer>('POST', '/api/v1/auth/login', { login, password }, { quiet401: true }));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 400)) setError(t('signin.failed'));
      else if (err instanceof ApiError && err.status === 429) setError(t('signin.tooMany'));
      else setError(t('signin.unreachable'));
      setPassword('');
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="reauth-backdrop">
      <div
        className="reauth"
        role="dialog"
        aria-modal="true"
        aria-labelledby="reauth-title"
        aria-describedby="reauth-body"
        data-testid="reauth"
        // The alarm console's single-key shortcuts (A, X…) must not act behind the dialog.
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === 'Escape') onDone(null);
        }}
      >
        <h2 id="reauth-title">{t('session.reauth.title')}</h2>
        <p id="reauth-body">
          {reason && REASONS.has(reason) ? `${t(`session.reauth.why.${reason}` as MessageKey)} ` : ''}
          {t('session.reauth.body')}
        </p>
        <form onSubmit={(e) => void submit(e)}>
          <label htmlFor="reauth-login">{t('signin.login')}</label>
          <input id="reauth-login" name="username" autoComplete="username" value={login} readOnly />
          <label htmlFor="reauth-password">{t('signin.password')}</label>
          <input
            id="reauth-password"
            ref={input}
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            data-testid="reauth-password"
          />
          {error ? (
            <p className="error" role="alert">
              {error}
            </p>
          ) : null}
          <div className="reauth-actions">
            <button type="submit" className="primary" disabled={busy} data-testid="reauth-submit">
              {busy ? t('common.wait') : t('session.reauth.submit')}
            </button>
            <button type="button" onClick={() => onDone(null)} data-testid="reauth-cancel">
              {t('session.reauth.cancel')}
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
