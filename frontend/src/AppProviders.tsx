import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { type ReactNode, useMemo } from 'react';
import { useTranslation } from 'react-i18next';

import { type Language, LANGUAGES } from './i18n';
import { makeTheme, MODE_STORAGE_KEY } from './theme';

/**
 * The theme (light or dark: the system's until the person picks one, then theirs, remembered)
 * and the language every screen renders in. A language switch re-renders the whole app, so every
 * text and formatted value follows it.
 */
export function AppProviders({ children }: { children: ReactNode }) {
  const { i18n } = useTranslation();
  const language: Language = LANGUAGES.find((l) => l.code === i18n.resolvedLanguage)?.code ?? 'en';
  const theme = useMemo(() => makeTheme(language), [language]);
  return (
    <ThemeProvider theme={theme} defaultMode="system" modeStorageKey={MODE_STORAGE_KEY} disableTransitionOnChange>
      <CssBaseline />
      {children}
    </ThemeProvider>
  );
}
