import IconButton from '@mui/material/IconButton';
import { useColorScheme } from '@mui/material/styles';
import SvgIcon from '@mui/material/SvgIcon';
import { useTranslation } from 'react-i18next';

/** The colour scheme in effect: the person's choice, else their system's (prefers-color-scheme). */
export function useEffectiveMode(): 'light' | 'dark' {
  const { mode, systemMode } = useColorScheme();
  const effective = mode === 'system' ? systemMode : mode;
  return effective === 'dark' ? 'dark' : 'light';
}

/** Switch between the light and dark themes; the choice is remembered on this device. */
export function ThemeToggle() {
  const { t } = useTranslation();
  const { setMode } = useColorScheme();
  const mode = useEffectiveMode();
  const next = mode === 'dark' ? 'light' : 'dark';
  return (
    <IconButton color="inherit" aria-label={t(next === 'dark' ? 'layout.darkTheme' : 'layout.lightTheme')} onClick={() => setMode(next)} data-mode={mode}>
      <SvgIcon aria-hidden="true">
        {mode === 'dark' ? (
          // A sun: pressing it brings the light theme.
          <path d="M12 7a5 5 0 1 0 0 10 5 5 0 0 0 0-10zM2 13h2a1 1 0 0 0 0-2H2a1 1 0 0 0 0 2zm18 0h2a1 1 0 0 0 0-2h-2a1 1 0 0 0 0 2zM11 2v2a1 1 0 0 0 2 0V2a1 1 0 0 0-2 0zm0 18v2a1 1 0 0 0 2 0v-2a1 1 0 0 0-2 0zM5.99 4.58a1 1 0 0 0-1.41 1.41l1.06 1.06a1 1 0 0 0 1.41-1.41L5.99 4.58zm12.37 12.37a1 1 0 0 0-1.41 1.41l1.06 1.06a1 1 0 0 0 1.41-1.41l-1.06-1.06zm1.06-10.96a1 1 0 0 0-1.41-1.41l-1.06 1.06a1 1 0 0 0 1.41 1.41l1.06-1.06zM7.05 18.36a1 1 0 0 0-1.41-1.41l-1.06 1.06a1 1 0 0 0 1.41 1.41l1.06-1.06z" />
        ) : (
          // A moon: pressing it brings the dark theme.
          <path d="M12 3a9 9 0 1 0 9 9c0-.46-.04-.92-.1-1.36a5.39 5.39 0 0 1-4.4 2.26 5.4 5.4 0 0 1-3.14-9.8c-.44-.06-.9-.1-1.36-.1z" />
        )}
      </SvgIcon>
    </IconButton>
  );
}
