import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type ChangeEvent, useState } from 'react';
import { useNavigate } from 'react-router';

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
  if (!USERNAME.test(data.username)) errors.username = 'Use 3 to 64 letters, digits, dots, dashes or underscores.';
  if (!data.full_name.trim()) errors.full_name = 'Enter your full name.';
  if (!EMAIL.test(data.email)) errors.email = 'Enter an email address such as name@example.com.';
  if (data.password.length < 10) errors.password = 'Use at least 10 characters.';
  else if (data.password.length > 128) errors.password = 'Use at most 128 characters.';
  return errors;
}

export function RegisterPage() {
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
      <PageHeader title="Create an account" />
      <Stack component="form" ref={form} spacing={1} noValidate onSubmit={submit}>
        <FormError message={errors._form} />
        <TextField label="Username" autoComplete="username" {...field('username')} />
        <TextField label="Full name" autoComplete="name" {...field('full_name')} />
        <TextField label="Email" type="email" autoComplete="email" {...field('email')} />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          {...field('password')}
          helperText={errors.password ?? 'At least 10 characters.'}
        />
        <SubmitButton busy={busy} busyLabel="Creating your account…">
          Create account
        </SubmitButton>
      </Stack>
      <Typography sx={{ mt: 3 }}>
        Already registered? <RouterLink to="/login">Sign in</RouterLink>
      </Typography>
    </Paper>
  );
}
