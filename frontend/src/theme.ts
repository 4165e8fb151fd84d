import { enUS, ptBR } from '@mui/material/locale';
import { createTheme } from '@mui/material/styles';

import type { Language } from './i18n';

/** Where the person's light/dark choice is remembered (Material UI stores it there itself). */
export const MODE_STORAGE_KEY = 'credit-approval.color-mode';

// Colours chosen for WCAG 2.2 AA: in each scheme every "main" colour reaches at least 4.5:1 on
// the page and paper backgrounds, since outlined status chips draw their text in it.
const LIGHT = {
  primary: { main: '#1565c0' },
  secondary: { main: '#6a1b9a' },
  success: { main: '#2e7d32' },
  error: { main: '#c62828' },
  warning: { main: '#9a4a00' },
  info: { main: '#01579b' },
  text: { secondary: 'rgba(0, 0, 0, 0.68)' },
};
const DARK = {
  primary: { main: '#90caf9' },
  secondary: { main: '#ce93d8' },
  success: { main: '#81c784' },
  error: { main: '#ef9a9a' },
  warning: { main: '#ffb74d' },
  info: { main: '#81d4fa' },
  background: { default: '#121212', paper: '#1a1a1a' },
};

const MUI_LOCALES = { en: enUS, 'pt-BR': ptBR } as const;

/**
 * The app's theme: a light and a dark colour scheme (Material UI follows prefers-color-scheme
 * until the person picks one with the toggle, and remembers the pick), with Material UI's own
 * texts in the current language.
 */
export function makeTheme(language: Language = 'en') {
  return createTheme(
    {
      cssVariables: { colorSchemeSelector: 'data-color-scheme' },
      colorSchemes: { light: { palette: LIGHT }, dark: { palette: DARK } },
      components: {
        MuiCssBaseline: {
          styleOverrides: {
            html: { '--focus-ring': '#0d47a1' },
            'html[data-color-scheme="dark"]': { '--focus-ring': '#90caf9' },
            // A visible focus ring on everything focusable from the keyboard (2.4.7, 2.4.13).
            ':focus-visible': { outline: '3px solid var(--focus-ring)', outlineOffset: '2px' },
            // On the app bar the ring is white, to stand out from the bar.
            '.MuiAppBar-root :focus-visible, .MuiAppBar-root .Mui-focusVisible': { outlineColor: '#fff' },
            '.visually-hidden': {
              position: 'absolute',
              width: 1,
              height: 1,
              overflow: 'hidden',
              clip: 'rect(0 0 0 0)',
              whiteSpace: 'nowrap',
            },
          },
        },
        // Material UI buttons, list items and switches remove the outline: put the ring back.
        MuiButtonBase: {
          styleOverrides: { root: { '&.Mui-focusVisible': { outline: '3px solid var(--focus-ring)', outlineOffset: '2px' } } },
        },
      },
    },
    MUI_LOCALES[language],
  );
}

/** Chart colours by status, per scheme: distinct, each at least 3:1 against its background. */
export const CHART_COLORS = {
  light: {
    submitted: '#01579b',
    pending_approval: '#9a4a00',
    approved: '#2e7d32',
    rejected: '#c62828',
    auto_rejected: '#6a1b9a',
    withdrawn: '#616161',
    info_requested: '#8d6e00',
    offer_made: '#00695c',
    offer_declined: '#ad1457',
    incomplete: '#4e342e',
    review_requested: '#283593',
    median: '#1565c0',
    average: '#9a4a00',
  },
  dark: {
    submitted: '#81d4fa',
    pending_approval: '#ffb74d',
    approved: '#81c784',
    rejected: '#ef9a9a',
    auto_rejected: '#ce93d8',
    withdrawn: '#bdbdbd',
    info_requested: '#fff176',
    offer_made: '#80cbc4',
    offer_declined: '#f48fb1',
    incomplete: '#bcaaa4',
    review_requested: '#9fa8da',
    median: '#90caf9',
    average: '#ffb74d',
  },
} as const;
