import Alert from '@mui/material/Alert';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';

import * as api from '../api/endpoints';
import { Loading } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { linkProblem } from './accountLinks';
import { useAuth } from './AuthProvider';

/** Where the welcome email's link lands (`/verify-email?token=`): it verifies the address at once. */
export function VerifyEmailPage() {
  const { t } = useTranslation();
  const { user, reloadUser } = useAuth();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [outcome, setOutcome] = useState<{ ok: true } | { ok: false; message: string } | null>(null);
  const sent = useRef(false);

  useEffect(() => {
    if (sent.current) return; // once, even when React runs effects twice in development
    sent.current = true;
    if (!token) {
      setOutcome({ ok: false, message: t('accountLinks.invalid') });
      return;
    }
    api
      .verifyEmail(token)
      .then(async () => {
        setOutcome({ ok: true });
        await reloadUser().catch(() => undefined); // the banner goes; a failure here changes nothing
      })
      .catch((reason: unknown) => setOutcome({ ok: false, message: linkProblem(reason) }));
  }, [token, reloadUser, t]);

  return (
    <Paper sx={{ p: { xs: 2, sm: 4 }, maxWidth: 520, mx: 'auto' }}>
      <PageHeader title={t('verifyEmail.title')} />
      {outcome === null ? <Loading label={t('verifyEmail.checking')} /> : null}
      {outcome?.ok ? (
        <>
          <Alert severity="success" role="status">
            {t('verifyEmail.done')}
          </Alert>
          <Typography sx={{ mt: 2 }}>
            <RouterLink to={user ? '/' : '/login'}>{user ? t('verifyEmail.continue') : t('verifyEmail.signIn')}</RouterLink>
          </Typography>
        </>
      ) : null}
      {outcome && !outcome.ok ? (
        <>
          <Alert severity="error" role="alert">
            {outcome.message}
          </Alert>
          <Typography sx={{ mt: 2 }}>{t('verifyEmail.askAgain')}</Typography>
        </>
      ) : null}
    </Paper>
  );
}
