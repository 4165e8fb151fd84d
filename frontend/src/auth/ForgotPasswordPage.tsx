import Alert from '@mui/material/Alert';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import * as api from '../api/endpoints';
import { i18n } from '../i18n';
import { FormError } from '../common/feedback';
import { useFormSubmit } from '../common/forms';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { SubmitButton } from '../common/SubmitButton';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

type Errors = Partial<Record<'email' | '_form', string>>;

/** "Forgot password?": the answer never says whether an account uses the address. */
export function ForgotPasswordPage() {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const { form, errors, busy, submit } = useFormSubmit<Errors>(
    () => (EMAIL.test(email.trim()) ? {} : { email: i18n.t('register.emailRule') }),
    async () => {
      await api.requestPasswordReset(email.trim());
      setSent(true);
    },
  );

  return (
    <Paper sx={{ p: { xs: 2, sm: 4 }, maxWidth: 480, mx: 'auto' }}>
      <PageHeader title={t('forgotPassword.title')} />
      {sent ? (
        <Alert severity="success" role="status">
          {t('forgotPassword.sent', { email: email.trim() })}
        </Alert>
      ) : (
        <Stack component="form" ref={form} spacing={2} noValidate onSubmit={submit}>
          <Typography>{t('forgotPassword.intro')}</Typography>
          <FormError message={errors._form} />
          <TextField
            label={t('forgotPassword.email')}
            name="email"
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={Boolean(errors.email)}
            helperText={errors.email ?? ' '}
            required
            autoFocus
          />
          <SubmitButton busy={busy} busyLabel={t('forgotPassword.busy')}>
            {t('forgotPassword.submit')}
          </SubmitButton>
        </Stack>
      )}
      <Typography sx={{ mt: 3 }}>
        <RouterLink to="/login">{t('forgotPassword.backToSignIn')}</RouterLink>
      </Typography>
    </Paper>
  );
}
