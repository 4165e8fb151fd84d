// The one i18n layer: every string the app shows comes from these resources through i18next
// (react-i18next's `useTranslation` in components, `i18n.t` in plain functions such as form
// checks). English is complete; Brazilian Portuguese covers the applicant screens and falls
// back to English elsewhere. Numbers, money and dates follow the language (see format.ts).
import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';

import { en } from './en';
import { ptBR } from './ptBR';

export const LANGUAGES = [
  { code: 'en', label: 'English', locale: 'en-US' },
  { code: 'pt-BR', label: 'Português (Brasil)', locale: 'pt-BR' },
] as const;
export type Language = (typeof LANGUAGES)[number]['code'];

const STORAGE_KEY = 'credit-approval.language';

function supported(code: string | null | undefined): Language | null {
  if (!code) return null;
  const exact = LANGUAGES.find((l) => l.code.toLowerCase() === code.toLowerCase());
  if (exact) return exact.code;
  const base = code.split('-')[0]?.toLowerCase();
  return LANGUAGES.find((l) => l.code.split('-')[0]?.toLowerCase() === base)?.code ?? null;
}

function storedLanguage(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** The person's choice if they made one, else the browser's first language we have, else English. */
export function initialLanguage(): Language {
  const browser = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  for (const candidate of [storedLanguage(), ...browser]) {
    const found = supported(candidate);
    if (found) return found;
  }
  return 'en';
}

/** The BCP 47 locale the formatters use for the current language. */
export function currentLocale(): string {
  return LANGUAGES.find((l) => l.code === i18n.resolvedLanguage)?.locale ?? 'en-US';
}

/** Switch language, remember the choice, and tell the page (lang attribute) for screen readers. */
export async function setLanguage(code: Language): Promise<void> {
  try {
    localStorage.setItem(STORAGE_KEY, code);
  } catch {
    // Private browsing may refuse storage: the switch still applies to this visit.
  }
  await i18n.changeLanguage(code);
}

i18n.on('languageChanged', (code) => {
  if (typeof document !== 'undefined') document.documentElement.lang = code;
});

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, 'pt-BR': { translation: ptBR } },
  lng: initialLanguage(),
  fallbackLng: 'en',
  supportedLngs: LANGUAGES.map((l) => l.code),
  interpolation: { escapeValue: false }, // React escapes what it renders
  returnNull: false,
  initAsync: false,
});

export { i18n };
