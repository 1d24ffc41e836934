/**
 * Sign-in: login and password, then a TOTP code when the user has a second factor (or enrols one first when
 * the role requires it), or the agency's identity provider; the session lives in an httpOnly cookie set by
 * the center.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { useI18n } from '../i18n.js';
import { api, ApiError } from '../lib/api.js';
import type { MessageKey } from '../lib/messages.js';
import { actorOf, type Actor, type SessionAnswer } from '../lib/session.js';
import { TotpSecret, type TotpSetup } from './TotpEnrol.js';

/** What the center answers a sign-in: a session, or the second factor it still needs. */
type LoginAnswer = SessionAnswer | { totpRequired: true } | { totpEnrolRequired: true; totpSetup: TotpSetup };

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
  // The second step: a code is asked for ('code'), or an enrolment is shown first ('enrol').
  const [step, setStep] = useState<'password' | 'code' | 'enrol'>('password');
  const [code, setCode] = useState('');
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [oidc, setOidc] = useState<{ enabled: boolean; name: string } | null>(null);

  useEffect(() => {
    // The center sends a refused identity-provider sign-in back here with a reason to show.
    if (new URLSearchParams(location.search).get('signin') === 'oidc_failed')
      setError(t('signin.oidcFailed'));
    api<{ enabled: boolean; name: string }>('GET', '/api/v1/auth/oidc', undefined, { quiet401: true }).then(
      setOidc,
      () => setOidc(null),
    );
  }, [t]);

  const back = () => {
    setStep('password');
    setCode('');
    setSetup(null);
    setError(null);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<LoginAnswer>(
        'POST',
        '/api/v1/auth/login',
        { login: login.trim(), password, ...(step !== 'password' ? { totp: code.trim() } : {}) },
        { quiet401: true },
      );
      if ('totpRequired' in r) {
        setStep('code');
        return;
      }
      if ('totpEnrolRequired' in r) {
        setSetup(r.totpSetup);
        setStep('enrol');
        return;
      }
      const me = await api<SessionAnswer>('GET', '/api/v1/auth/me', undefined, { quiet401: true }).catch(
        () => r,
      );
      onSignedIn(actorOf(me));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'totp_invalid') {
        setCode('');
        setError(t('signin.codeFailed'));
      } else if (err instanceof ApiError && (err.status === 401 || err.status === 400)) {
        back();
        setError(t('signin.failed'));
      } else if (err instanceof ApiError && err.status === 429) setError(t('signin.tooMany'));
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
          {step === 'password' ? (
            <>
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
            </>
          ) : (
            <>
              {step === 'enrol' && setup ? (
                <>
                  <p>{t('signin.enrolRequired')}</p>
                  <TotpSecret setup={setup} />
                </>
              ) : (
                <p>{t('signin.codeHint')}</p>
              )}
              <label htmlFor="totp">{t('signin.code')}</label>
              <input
                id="totp"
                name="totp"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9]{6}"
                maxLength={6}
                value={code}
                onChange={(e) => setCode(e.target.value)}
                required
                autoFocus
              />
            </>
          )}
          {error ? (
            <p id="signin-error" className="error" role="alert">
              {error}
            </p>
          ) : null}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? t('common.wait') : t('signin.submit')}
          </button>
          {step !== 'password' ? (
            <button type="button" onClick={back}>
              {t('signin.back')}
            </button>
          ) : null}
        </form>
        {oidc?.enabled && step === 'password' ? (
          <p className="signin-oidc">
            {/* A plain link: the center redirects to the provider and back with the session cookie. */}
            <a className="button" href="/api/v1/auth/oidc/start" data-testid="oidc-signin">
              {t('signin.oidc', { name: oidc.name })}
            </a>
          </p>
        ) : null}
        <p className="hint">{t('signin.hint')}</p>
      </main>
    </div>
  );
}
