import Button from '@mui/material/Button';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import SvgIcon from '@mui/material/SvgIcon';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { type Language, LANGUAGES, setLanguage } from '../i18n';

function GlobeIcon() {
  return (
    <SvgIcon aria-hidden="true" fontSize="small">
      <path d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm6.93 6h-2.95a15.7 15.7 0 0 0-1.38-3.56A8.03 8.03 0 0 1 18.93 8zM12 4.04c.83 1.2 1.48 2.53 1.91 3.96h-3.82c.43-1.43 1.08-2.76 1.91-3.96zM4.26 14a7.9 7.9 0 0 1 0-4h3.38a16.5 16.5 0 0 0 0 4H4.26zm.81 2h2.95c.32 1.25.78 2.45 1.38 3.56A7.99 7.99 0 0 1 5.07 16zm2.95-8H5.07a7.99 7.99 0 0 1 4.33-3.56A15.7 15.7 0 0 0 8.02 8zM12 19.96A14.1 14.1 0 0 1 10.09 16h3.82A14.1 14.1 0 0 1 12 19.96zM14.34 14H9.66a14.7 14.7 0 0 1 0-4h4.68a14.7 14.7 0 0 1 0 4zm.25 5.56c.6-1.11 1.06-2.31 1.38-3.56h2.95a8.03 8.03 0 0 1-4.33 3.56zM16.36 14a16.5 16.5 0 0 0 0-4h3.38a7.9 7.9 0 0 1 0 4h-3.38z" />
    </SvgIcon>
  );
}

/** Choose the app's language; the choice is remembered on this device. */
export function LanguageSwitcher() {
  const { t, i18n } = useTranslation();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const current = LANGUAGES.find((l) => l.code === i18n.resolvedLanguage) ?? LANGUAGES[0];

  function choose(code: Language) {
    setAnchor(null);
    void setLanguage(code);
  }

  return (
    <>
      <Button
        color="inherit"
        id="language-button"
        aria-haspopup="menu"
        aria-controls={anchor ? 'language-menu' : undefined}
        aria-expanded={anchor ? true : undefined}
        onClick={(event) => setAnchor(event.currentTarget)}
        startIcon={<GlobeIcon />}
        sx={{ minWidth: 0, px: 1 }}
      >
        {current.code.slice(0, 2).toUpperCase()}
        <span className="visually-hidden">, {t('layout.language', { language: current.label })}</span>
      </Button>
      <Menu id="language-menu" anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)} slotProps={{ list: { 'aria-labelledby': 'language-button' } }}>
        {LANGUAGES.map((language) => (
          <MenuItem key={language.code} lang={language.code} selected={language.code === current.code} onClick={() => choose(language.code)}>
            {language.label}
          </MenuItem>
        ))}
      </Menu>
    </>
  );
}
