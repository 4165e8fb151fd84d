import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import * as api from '../api/endpoints';
import { toApiError } from '../api/errors';
import { useAuth } from './AuthProvider';

/** Until the signed-in user follows the emailed link: why they cannot submit yet, and a way to get a new link. */
export function VerifyEmailBanner() {
  const { t } = useTranslation();
  const { user } = useAuth();
  const [state, setState] = useState<{ busy: boolean; message: string | null; failed: boolean }>({
    busy: false,
    message: null,
    failed: false,
  });
  if (user === null || user.email_verified) return null;

  const email = user.email;

  async function resend() {
    setState({ busy: true, message: null, failed: false });
    try {
      await api.resendVerification();
      setState({ busy: false, message: t('verifyEmail.resent', { email }), failed: false });
    } catch (reason) {
      setState({ busy: false, message: toApiError(reason).message, failed: true });
    }
  }

  return (
    <Alert
      severity="warning"
      sx={{ mb: 2 }}
      data-testid="verify-email-banner"
      action={
        <Button color="inherit" size="small" onClick={resend} disabled={state.busy}>
          {state.busy ? t('verifyEmail.resending') : t('verifyEmail.resend')}
        </Button>
      }
    >
      {t('verifyEmail.banner', { email: user.email })}
      {state.message ? (
        <span role={state.failed ? 'alert' : 'status'} style={{ display: 'block', marginTop: 4 }}>
          {state.message}
        </span>
      ) : null}
    </Alert>
  );
}
