import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import { type ReactNode, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * What a decision did. It takes the keyboard focus when it appears (the form that was used is
 * gone), so screen reader users hear it and carry on from here; `children` offer what to do next.
 */
export function DecisionOutcome({ message, children }: { message: string; children?: ReactNode }) {
  const { t } = useTranslation();
  const alert = useRef<HTMLDivElement>(null);
  useEffect(() => alert.current?.focus(), []);
  return (
    <Alert severity="success" role="status" ref={alert} tabIndex={-1} sx={{ mb: 3 }} data-testid="decision-outcome">
      <AlertTitle>{t('decision.recorded')}</AlertTitle>
      {message}
      {children ? <Box sx={{ mt: 1.5, display: 'flex', gap: 1, flexWrap: 'wrap' }}>{children}</Box> : null}
    </Alert>
  );
}

/** A link to the jump to the decision form, for pages that show the facts first. */
export function JumpToDecision() {
  const { t } = useTranslation();
  return (
    <Button href="#decision" size="small" sx={{ mt: 1, px: 0 }}>
      {t('decision.jump')}
    </Button>
  );
}
