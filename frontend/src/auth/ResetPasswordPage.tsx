import Alert from '@mui/material/Alert';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';

import * as api from '../api/endpoints';
import { i18n } from '../i18n';
import { FormError } from '../common/feedback';
import { focusFirstError } from '../common/forms';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { SubmitButton } from '../common/SubmitButton';
import { linkProblem } from './accountLinks';
import { toApiError } from '../api/errors';

type Errors = Partial<Record<'password' | 'confirm' | '_form', string>>;

export function validateNewPassword(password: string, confirm: string): Errors {
  const errors: Errors = {};
  if (password.length < 10) errors.password = i18n.t('register.passwordShort');
  else if (password.length > 128) errors.password = i18n.t('register.passwordLong');
  if (confirm !== password) errors.confirm = i18n.t('resetPassword.mismatch');
  return errors;
}

/** Where the reset email's link lands (`/reset-password?token=`): choose a new password, once. */
export function ResetPasswordPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const [form, setForm] = useState<HTMLFormElement | null>(null);

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    const found = validateNewPassword(password, confirm);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstError(form, found);
      return;
    }
    setBusy(true);
    try {
      await api.resetPassword(token, password);
      setDone(true);
    } catch (reason) {
      const error = toApiError(reason);
      // A weak password is the field's problem; a dead link is the whole form's.
      const shown: Errors =
        error.code === 'weak_password' ? { password: error.message } : { _form: linkProblem(reason) };
      setErrors(shown);
      focusFirstError(form, shown);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper sx={{ p: { xs: 2, sm: 4 }, maxWidth: 480, mx: 'auto' }}>
      <PageHeader title={t('resetPassword.title')} />
      {done ? (
        <>
          <Alert severity="success" role="status">
            {t('resetPassword.done')}
          </Alert>
          <Typography sx={{ mt: 2 }}>
            <RouterLink to="/login">{t('resetPassword.signIn')}</RouterLink>
          </Typography>
        </>
      ) : (
        <Stack component="form" ref={setForm} spacing={1} noValidate onSubmit={submit}>
          <Typography sx={{ mb: 1 }}>{t('resetPassword.intro')}</Typography>
          <FormError message={errors._form} />
          <TextField
            label={t('resetPassword.password')}
            name="password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={Boolean(errors.password)}
            helperText={errors.password ?? t('register.passwordHint')}
            required
            autoFocus
          />
          <TextField
            label={t('resetPassword.confirm')}
            name="confirm"
            type="password"
            autoComplete="new-password"
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            error={Boolean(errors.confirm)}
            helperText={errors.confirm ?? ' '}
            required
          />
          <SubmitButton busy={busy} busyLabel={t('resetPassword.busy')}>
            {t('resetPassword.submit')}
          </SubmitButton>
          {errors._form ? (
            <Typography>
              <RouterLink to="/forgot-password">{t('resetPassword.askAgain')}</RouterLink>
            </Typography>
          ) : null}
        </Stack>
      )}
    </Paper>
  );
}
