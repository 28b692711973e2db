/**
 * A tiny i18n: two dictionaries, a context holding the language, and `t(key, vars)` that fills
 * `{name}` placeholders. English is the default; the choice is kept in localStorage.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { en, type MessageKey } from "./en";
import { fr } from "./fr";

export type Lang = "en" | "fr";
export type { MessageKey };
export type Vars = Record<string, string | number>;
export type Translate = (key: MessageKey, vars?: Vars) => string;

const DICTS: Record<Lang, Record<MessageKey, string>> = { en, fr };
const STORAGE_KEY = "modelport.lang";

export function format(template: string, vars?: Vars): string {
  if (!vars) return template;
  return template.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export function translator(lang: Lang): Translate {
  const dict = DICTS[lang];
  return (key, vars) => format(dict[key] ?? en[key] ?? key, vars);
}

/** True when `key` is a known message (for keys built at run time, e.g. "field." + name). */
export function isKey(key: string): key is MessageKey {
  return key in en;
}

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
  /** Dates and numbers in the language's conventions, in the user's own time zone. */
  locale: string;
  /** A date and time from the API (ISO 8601) in the user's conventions; "–" when there is none. */
  when: (iso: string | null | undefined) => string;
}

function dateTimes(locale: string): I18n["when"] {
  return (iso) => (iso ? new Date(iso).toLocaleString(locale) : "–");
}

const I18nContext = createContext<I18n>({
  lang: "en",
  setLang: () => {},
  t: translator("en"),
  locale: "en-GB",
  when: dateTimes("en-GB"),
});

function initialLang(): Lang {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === "en" || saved === "fr") return saved;
  } catch {
    /* storage unavailable */
  }
  return "en";
}

export function I18nProvider({ children, lang: forced }: { children: ReactNode; lang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(forced ?? initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      /* storage unavailable */
    }
    document.documentElement.lang = next;
  }, []);
  const value = useMemo(() => {
    const locale = lang === "fr" ? "fr-FR" : "en-GB";
    return { lang, setLang, t: translator(lang), locale, when: dateTimes(locale) };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}

export function useT(): Translate {
  return useContext(I18nContext).t;
}
