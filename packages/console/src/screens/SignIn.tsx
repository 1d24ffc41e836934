/** Sign-in: login and password; the session lives in an httpOnly cookie set by the center. */
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n.js';
import { api, ApiError } from '../lib/api.js';
import type { MessageKey } from '../lib/messages.js';
import { actorOf, type Actor, type SessionAnswer } from '../lib/types.js';

export function SignIn({
  notice,
  onSignedIn,
}: {
  notice: MessageKey | null;
  onSignedIn: (u: Actor) => void;
}) {
  const { t, lang, setLang } = useI18n();
  const [login, setLogin] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<SessionAnswer>(
        'POST',
        '/api/v1/auth/login',
        { login: login.trim(), password },
        { quiet401: true },
      );
      const me = await api<SessionAnswer>('GET', '/api/v1/auth/me', undefined, { quiet401: true }).catch(
        () => r,
      );
      onSignedIn(actorOf(me));
    } catch (err) {
      if (err instanceof ApiError && (err.status === 401 || err.status === 400)) setError(t('signin.failed'));
      else if (err instanceof ApiError && err.status === 429) setError(t('signin.tooMany'));
      else setError(t('signin.unreachable'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="signin-page">
      <main id="main" className="signin">
        <div className="signin-lang">
          <button
            type="button"
            className="lang"
            data-testid="lang-switch"
            onClick={() => setLang(lang === 'pl' ? 'en' : 'pl')}
          >
            {lang === 'pl' ? 'English' : 'Polski'}
          </button>
        </div>
        <h1>
          SDE <span className="brand-sub">{t('app.fullName')}</span>
        </h1>
        {notice ? (
          <p className="notice" role="status">
            {t(notice)}
          </p>
        ) : null}
        <form onSubmit={(e) => void submit(e)} aria-describedby={error ? 'signin-error' : undefined}>
          <label htmlFor="login">{t('signin.login')}</label>
          <input
            id="login"
            name="login"
            autoComplete="username"
            value={login}
            onChange={(e) => setLogin(e.target.value)}
            required
            autoFocus
          />
          <label htmlFor="password">{t('signin.password')}</label>
          <input
            id="password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
          {error ? (
            <p id="signin-error" className="error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('common.wait') : t('signin.submit')}
          </button>
        </form>
        <p className="hint">{t('signin.hint')}</p>
      </main>
    </div>
  );
}
