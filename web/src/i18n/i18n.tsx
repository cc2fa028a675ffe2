// The user's language: their Locale from the API once signed in, the browser's before.
import { createContext, useContext } from "react";
import { Locale } from "@relance/api/relance/v1/types_pb";
import type { Lang } from "../format/format";
import { en } from "./en";
import { fr, type MessageKey } from "./fr";
import { ru } from "./ru";

const messages: Record<Lang, Record<MessageKey, string>> = { fr, en, ru };

/** Translate writes a message with its {placeholders} filled in. */
export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** translator returns the Translate of a language. */
export function translator(lang: Lang): Translate {
  const m = messages[lang];
  return (key, vars) => m[key].replace(/\{(\w+)\}/g, (_, name: string) => String(vars?.[name] ?? `{${name}}`));
}

/** langOf picks the language of a user's Locale, else of the browser, else French. */
export function langOf(locale: Locale | undefined): Lang {
  switch (locale) {
    case Locale.FR:
      return "fr";
    case Locale.EN:
      return "en";
    case Locale.RU:
      return "ru";
  }
  const nav = (navigator.language || "fr").slice(0, 2);
  return nav === "en" || nav === "ru" ? nav : "fr";
}

type I18n = { lang: Lang; t: Translate };

export const I18nContext = createContext<I18n>({ lang: "fr", t: translator("fr") });

/** useI18n returns the language and its Translate. */
export function useI18n(): I18n {
  return useContext(I18nContext);
}
