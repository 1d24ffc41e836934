/** The console shell: session, idle sign-out, role-aware navigation, language switch and the screens. */
import { useCallback, useEffect, useRef, useState } from 'react';
import { AlarmProvider, useAlarms } from './alarm-store.js';
import { useI18n } from './i18n.js';
import { api, setReauthHandler, setUnauthorizedHandler } from './lib/api.js';
import { unlockAudio } from './lib/beep.js';
import type { MessageKey } from './lib/messages.js';
import { can, type Permission } from './lib/permissions.js';
import { match, navigate, usePath } from './lib/router.js';
import { actorOf, type Actor, type Role, type SessionAnswer } from './lib/session.js';
import { AlarmConsole } from './screens/AlarmConsole.js';
import { AuditLog } from './screens/AuditLog.js';
import { CaseList } from './screens/CaseList.js';
import { CaseView } from './screens/CaseView.js';
import { Dashboard } from './screens/Dashboard.js';
import { Devices } from './screens/Devices.js';
import { SignIn } from './screens/SignIn.js';
import { Terminal } from './screens/Terminal.js';
import { TotpSettings } from './screens/TotpEnrol.js';
import { Users } from './screens/Users.js';
import { Link } from './components/Link.js';
import { ReauthDialog } from './components/ReauthDialog.js';

/**
 * Minutes without a key press, click or touch after which a shared terminal signs out. The operators'
 * alarm console is watched 24/7 without being touched for long stretches, so it is left to the server's
 * session policy (SDE_SESSION_IDLE_MINUTES) instead of being signed out while an alarm may arrive.
 */
const IDLE_MINUTES: Record<Role, number | null> = {
  operator: null,
  judge: 15,
  probation_officer: 15,
  installer: 15,
  bureau_admin: 15,
  auditor: 15,
  system: 15,
};

interface NavItem {
  path: string;
  label: MessageKey;
  show: (user: Actor) => boolean;
}

const NAV: NavItem[] = [
  {
    path: '/alarms',
    label: 'nav.alarms',
    show: (u) => can(u, 'alarm.read') && u.role !== 'judge' && u.role !== 'probation_officer',
  },
  {
    path: '/terminal',
    label: 'nav.terminal',
    show: (u) => u.role === 'judge' || u.role === 'probation_officer',
  },
  { path: '/cases', label: 'nav.cases', show: (u) => can(u, 'case.read') },
  { path: '/devices', label: 'nav.devices', show: (u) => can(u, 'device.manage') },
  { path: '/dashboard', label: 'nav.dashboard', show: (u) => can(u, 'stats.read') },
  { path: '/audit', label: 'nav.audit', show: (u) => can(u, 'audit.read') },
  { path: '/users', label: 'nav.users', show: (u) => can(u, 'user.manage') },
];

/** The first screen of each role. */
export function homeOf(role: Role): string {
  switch (role) {
    case 'operator':
      return '/alarms';
    case 'judge':
    case 'probation_officer':
      return '/terminal';
    case 'installer':
      return '/devices';
    case 'auditor':
      return '/audit';
    case 'bureau_admin':
    case 'system':
      return '/dashboard';
  }
}

export function App() {
  const { t } = useI18n();
  const [user, setUser] = useState<Actor | null | 'loading'>('loading');
  const [notice, setNotice] = useState<MessageKey | null>(null);
  // The password asked in place when the session ended (ADR 0404); resolves the waiting calls.
  const [reauth, setReauth] = useState<{ reason: string | undefined; resolve: (ok: boolean) => void } | null>(
    null,
  );
  const signedIn = user !== null && user !== 'loading';

  useEffect(() => {
    api<SessionAnswer>('GET', '/api/v1/auth/me', undefined, { quiet401: true }).then(
      (r) => setUser(actorOf(r)),
      () => setUser(null),
    );
  }, []);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      setUser((u) => {
        if (u && u !== 'loading') setNotice('signin.sessionEnded');
        return null;
      });
    });
    return () => setUnauthorizedHandler(undefined);
  }, []);

  useEffect(() => {
    if (!signedIn) return;
    let waiting: ((ok: boolean) => void) | undefined;
    setReauthHandler(
      (reason) =>
        new Promise<boolean>((resolve) => {
          waiting = resolve;
          setReauth({ reason, resolve });
        }),
    );
    return () => {
      setReauthHandler(undefined);
      // Signed out meanwhile (the idle sign-out, the button): the waiting calls give up.
      waiting?.(false);
      setReauth(null);
    };
  }, [signedIn]);

  const signOut = useCallback(async (why: MessageKey | null) => {
    await api('POST', '/api/v1/auth/logout', undefined, { quiet401: true }).catch(() => undefined);
    setUser(null);
    setNotice(why);
    navigate('/', true);
  }, []);

  if (user === 'loading') return <p className="loading">{t('common.loading')}</p>;
  if (!user)
    return (
      <SignIn
        notice={notice}
        onSignedIn={(u) => {
          unlockAudio();
          setNotice(null);
          setUser(u);
          if (location.pathname === '/' || location.pathname === '/signin') navigate(homeOf(u.role), true);
        }}
      />
    );
  return (
    <AlarmProvider enabled={can(user, 'alarm.read')}>
      <Shell user={user} onSignOut={signOut} />
      {reauth ? (
        <ReauthDialog
          login={user.login}
          reason={reauth.reason}
          onDone={(answer) => {
            setReauth(null);
            if (answer) setUser(actorOf(answer));
            reauth.resolve(answer !== null);
          }}
        />
      ) : null}
    </AlarmProvider>
  );
}

function Shell({ user, onSignOut }: { user: Actor; onSignOut: (why: MessageKey | null) => Promise<void> }) {
  const { t, lang, setLang } = useI18n();
  const path = usePath();
  const alarms = useAlarms();
  const lastInput = useRef(Date.now());

  useEffect(() => {
    const touch = () => {
      lastInput.current = Date.now();
      unlockAudio();
    };
    const events = ['keydown', 'pointerdown', 'touchstart', 'wheel'] as const;
    for (const e of events) window.addEventListener(e, touch, { passive: true });
    const limit = IDLE_MINUTES[user.role];
    const timer = setInterval(() => {
      if (limit !== null && Date.now() - lastInput.current > limit * 60_000)
        void onSignOut('signin.idleSignedOut');
    }, 15_000);
    return () => {
      for (const e of events) window.removeEventListener(e, touch);
      clearInterval(timer);
    };
  }, [onSignOut, user.role]);

  useEffect(() => {
    if (path === '/' || path === '/signin') navigate(homeOf(user.role), true);
  }, [path, user.role]);

  const openCount = alarms.alarms.filter((a) => a.status === 'open').length;
  const criticalOpen = alarms.alarms.some((a) => a.status === 'open' && a.severity === 'critical');
  const caseMatch = match('/cases/:id', path);
  const allowed = (p: Permission) => can(user, p);

  let screen;
  if (path === '/alarms' && allowed('alarm.read')) screen = <AlarmConsole user={user} />;
  else if (path === '/terminal') screen = <Terminal user={user} />;
  else if (path === '/cases') screen = <CaseList user={user} />;
  else if (caseMatch) screen = <CaseView user={user} caseId={caseMatch.id!} />;
  else if (path === '/devices' && allowed('device.manage')) screen = <Devices user={user} />;
  else if (path === '/dashboard' && allowed('stats.read')) screen = <Dashboard user={user} />;
  else if (path === '/audit' && allowed('audit.read')) screen = <AuditLog user={user} />;
  else if (path === '/users' && allowed('user.manage')) screen = <Users user={user} />;
  else if (path === '/security' && user.userId) screen = <TotpSettings />;
  else screen = <p>{t('common.notFound')}</p>;

  return (
    <div className="shell">
      <a className="skip" href="#main">
        {t('nav.skip')}
      </a>
      <header className="top">
        <div className="brand" title={t('app.fullName')}>
          SDE <span className="brand-sub">{t('app.subtitle')}</span>
        </div>
        <nav aria-label={t('nav.label')}>
          <ul>
            {NAV.filter((n) => n.show(user)).map((n) => (
              <li key={n.path}>
                <Link
                  href={n.path}
                  current={path === n.path || (n.path === '/cases' && path.startsWith('/cases/'))}
                >
                  {t(n.label)}
                  {n.path === '/alarms' && openCount > 0 ? (
                    <span
                      className={`badge ${criticalOpen ? 'badge-critical' : ''}`}
                      aria-label={t('alarms.openCount', { n: openCount })}
                    >
                      {openCount}
                    </span>
                  ) : null}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <button
            type="button"
            className="lang"
            onClick={() => setLang(lang === 'pl' ? 'en' : 'pl')}
            aria-label={lang === 'pl' ? 'Switch to English' : 'Przełącz na polski'}
            data-testid="lang-switch"
          >
            {lang === 'pl' ? 'EN' : 'PL'}
          </button>
          <span className="user" data-testid="user">
            {user.displayName} <span className="role">· {t(`role.${user.role}` as MessageKey)}</span>
          </span>
          {user.userId ? <Link href="/security">{t('totp.nav')}</Link> : null}
          <button type="button" onClick={() => void onSignOut('signin.signedOut')}>
            {t('nav.signOut')}
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {screen}
      </main>
    </div>
  );
}
