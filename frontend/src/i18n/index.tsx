/**
 * A tiny i18n: two dictionaries, a context holding the language, and `t(key, vars)` that fills
 * `{name}` placeholders. English is the default; the choice is kept in localStorage.
 */
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { formatDate, formatDateTime } from "../lib/dates";
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

/** A count's sentence: `(key, n, vars)`, `{n}` filled in. */
export type TranslateCount = (key: MessageKey, n: number, vars?: Vars) => string;

const pluralRules = new Map<Lang, Intl.PluralRules>();

/**
 * The message for a count of `n`, by the language's plural rules (Intl.PluralRules): `key` is the
 * plural sentence ("{n} runs"), `key.one` (and `key.two`, `key.few`... where a language has them)
 * the other forms. French counts 0 and 1 as "one": "0 exécution", "1 exécution", "2 exécutions".
 */
export function pluralKey(lang: Lang, key: MessageKey, n: number): MessageKey {
  let rules = pluralRules.get(lang);
  if (!rules) {
    rules = new Intl.PluralRules(lang);
    pluralRules.set(lang, rules);
  }
  const category = rules.select(n);
  if (category === "other") return key;
  const form = `${key}.${category}`;
  return isKey(form) ? form : key;
}

export function countTranslator(lang: Lang): TranslateCount {
  const t = translator(lang);
  return (key, n, vars) => t(pluralKey(lang, key, n), { n, ...vars });
}

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
  /** Dates and numbers in the language's conventions, in the user's own time zone. */
  locale: string;
  /** A date and time from the API (ISO 8601) in the app's one format; "–" when there is none. */
  when: (iso: string | null | undefined) => string;
  /** A date from the API without its time, in the same format. */
  day: (iso: string | null | undefined) => string;
  /** A count's sentence in the language's plural form: `tn("home.runCount", 1)` is "1 run". */
  tn: TranslateCount;
}

function dates(locale: string): Pick<I18n, "when" | "day"> {
  return { when: (iso) => formatDateTime(iso, locale), day: (iso) => formatDate(iso, locale) };
}

const I18nContext = createContext<I18n>({
  lang: "en",
  setLang: () => {},
  t: translator("en"),
  locale: "en-GB",
  ...dates("en-GB"),
  tn: countTranslator("en"),
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
    return { lang, setLang, t: translator(lang), locale, ...dates(locale), tn: countTranslator(lang) };
  }, [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  return useContext(I18nContext);
}

export function useT(): Translate {
  return useContext(I18nContext).t;
}
