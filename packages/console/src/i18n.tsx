/** The language of the console (Polish by default, English switchable) and the formatters that follow it. */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import {
  formatDateTime,
  formatDay,
  formatDuration,
  formatNumber,
  formatTime,
  type Lang,
} from './lib/format.js';
import { translate, type MessageKey } from './lib/messages.js';
import type { Bilingual } from '@sde/api';

export interface I18n {
  lang: Lang;
  setLang(l: Lang): void;
  t(key: MessageKey, vars?: Record<string, string | number>): string;
  /** Picks the reader's language from a server explanation. */
  pick(b: Bilingual | null | undefined): string;
  dateTime(iso: string | number | null | undefined, opts?: { zone?: boolean; seconds?: boolean }): string;
  time(iso: string | number): string;
  day(d: string | null | undefined): string;
  num(n: number, digits?: number): string;
  duration(ms: number): string;
}

const Ctx = createContext<I18n | null>(null);
const STORAGE_KEY = 'sde.lang';

function initialLang(): Lang {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    if (v === 'en' || v === 'pl') return v;
  } catch {
    /* storage unavailable */
  }
  return 'pl';
}

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((l: Lang) => {
    setLangState(l);
    document.documentElement.lang = l;
    try {
      localStorage.setItem(STORAGE_KEY, l);
    } catch {
      /* storage unavailable */
    }
  }, []);
  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, vars) => translate(lang, key, vars),
      pick: (b) => (b ? b[lang] : ''),
      dateTime: (iso, opts) => formatDateTime(iso, lang, opts),
      time: (iso) => formatTime(iso, lang),
      day: (d) => formatDay(d, lang),
      num: (n, digits) => formatNumber(n, lang, digits),
      duration: (ms) => formatDuration(ms, lang),
    }),
    [lang, setLang],
  );
  document.documentElement.lang = lang;
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** The current language and its formatters. */
export function useI18n(): I18n {
  const v = useContext(Ctx);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
