// A small i18n: two dictionaries with the same typed keys, the language chosen from
// localStorage or navigator.languages (Russian by default), and <html lang> kept in step.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ru, type MessageKey } from './ru';
import { en } from './en';

export type Lang = 'ru' | 'en';
export type { MessageKey };
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

const dictionaries: Record<Lang, Record<MessageKey, string>> = { ru, en };
const storageKey = 'liveserver.lang';

function initialLang(): Lang {
  const saved = localStorage.getItem(storageKey);
  if (saved === 'ru' || saved === 'en') return saved;
  for (const tag of navigator.languages) {
    const base = tag.toLowerCase().split('-')[0];
    if (base === 'ru' || base === 'en') return base;
  }
  return 'ru';
}

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(storageKey, next);
    setLangState(next);
  }, []);

  const t = useCallback<Translate>(
    (key, vars) => {
      let text = dictionaries[lang][key];
      if (vars) for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{${k}}`, String(v));
      return text;
    },
    [lang],
  );

  const value = useMemo(() => ({ lang, setLang, t }), [lang, setLang, t]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
