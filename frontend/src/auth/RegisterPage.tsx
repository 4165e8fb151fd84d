import Alert from '@mui/material/Alert';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type ChangeEvent, type FormEvent, useRef, useState } from 'react';
import { useNavigate } from 'react-router';

import * as api from '../api/endpoints';
import { toApiError } from '../api/errors';
import type { Registration } from '../api/types';
import { focusFirstError } from '../common/forms';
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
  const form = useRef<HTMLFormElement>(null);
  const [data, setData] = useState<Registration>({ username: '', full_name: '', email: '', password: '' });
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);

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

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = validateRegistration(data);
    setErrors(found);
    if (Object.keys(found).length > 0) {
      focusFirstError(form.current, found);
      return;
    }
    setBusy(true);
    try {
      await api.register(data);
      await login(data.username, data.password);
      navigate('/requests/new', { replace: true, state: { welcome: true } });
    } catch (reason) {
      const error = toApiError(reason);
      const fields: Errors = error.fieldErrors();
      const shown = Object.keys(fields).length > 0 ? fields : { _form: error.message };
      setErrors(shown);
      focusFirstError(form.current, shown);
      setBusy(false);
    }
  }

  return (
    <Paper sx={{ p: { xs: 2, sm: 4 }, maxWidth: 520, mx: 'auto' }}>
      <PageHeader title="Create an account" />
      <Stack component="form" ref={form} spacing={1} noValidate onSubmit={submit}>
        {errors._form ? (
          <Alert severity="error" role="alert" sx={{ mb: 2 }}>
            {errors._form}
          </Alert>
        ) : null}
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
