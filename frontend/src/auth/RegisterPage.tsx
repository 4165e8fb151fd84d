import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type ChangeEvent, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';

import { i18n } from '../i18n';

import * as api from '../api/endpoints';
import type { Registration } from '../api/types';
import { FormError } from '../common/feedback';
import { useFormSubmit } from '../common/forms';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { SubmitButton } from '../common/SubmitButton';
import { useAuth } from './AuthProvider';

type Errors = Partial<Record<keyof Registration | '_form', string>>;

const USERNAME = /^[A-Za-z0-9_.-]{3,64}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The same rules the API applies, checked before sending so mistakes show at once. */
export function validateRegistration(data: Registration): Errors {
  const errors: Errors = {};
  if (!USERNAME.test(data.username)) errors.username = i18n.t('register.usernameRule');
  if (!data.full_name.trim()) errors.full_name = i18n.t('register.fullNameMissing');
  if (!EMAIL.test(data.email)) errors.email = i18n.t('register.emailRule');
  if (data.password.length < 10) errors.password = i18n.t('register.passwordShort');
  else if (data.password.length > 128) errors.password = i18n.t('register.passwordLong');
  return errors;
}

export function RegisterPage() {
  const { t } = useTranslation();
  const { login } = useAuth();
  const navigate = useNavigate();
  const [data, setData] = useState<Registration>({ username: '', full_name: '', email: '', password: '' });
  const { form, errors, setErrors, busy, submit } = useFormSubmit<Errors>(
    () => validateRegistration(data),
    async () => {
      await api.register(data);
      await login(data.username, data.password);
      navigate('/requests/new', { replace: true, state: { welcome: true } });
    },
  );

  const field = (name: keyof Registration) => ({
    name,
    value: data[name],
    onChange: (e: ChangeEvent<HTMLInputElement>) => {
      setData({ ...data, [name]: e.target.value });
      // A message (the API's, say "too common") about the old value no longer applies.
      if (errors[name]) setErrors({ ...errors, [name]: undefined });
    },
    error: Boolean(errors[name]),
    helperText: errors[name] ?? ' ',
    required: true,
    fullWidth: true,
  });

  return (
    <Paper sx={{ p: { xs: 2, sm: 4 }, maxWidth: 520, mx: 'auto' }}>
      <PageHeader title={t('register.title')} />
      <Stack component="form" ref={form} spacing={1} noValidate onSubmit={submit}>
        <FormError message={errors._form} />
        <TextField label={t('register.username')} autoComplete="username" {...field('username')} />
        <TextField label={t('register.fullName')} autoComplete="name" {...field('full_name')} />
        <TextField label={t('register.email')} type="email" autoComplete="email" {...field('email')} />
        <TextField
          label={t('register.password')}
          type="password"
          autoComplete="new-password"
          {...field('password')}
          helperText={errors.password ?? t('register.passwordHint')}
        />
        <SubmitButton busy={busy} busyLabel={t('register.busy')}>
          {t('register.submit')}
        </SubmitButton>
      </Stack>
      <Typography sx={{ mt: 3 }}>
        <Trans i18nKey="register.signInPrompt" components={{ signIn: <RouterLink to="/login" /> }} />
      </Typography>
    </Paper>
  );
}
