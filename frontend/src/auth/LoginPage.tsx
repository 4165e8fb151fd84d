import Alert from '@mui/material/Alert';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type FormEvent, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';

import { toApiError } from '../api/errors';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { SubmitButton } from '../common/SubmitButton';
import { useAuth } from './AuthProvider';
import { homeFor } from './roles';

/**
 * Only same-app paths are followed after login (no open redirect). Browsers read a backslash
 * as a slash and drop tabs and line breaks in URLs, so `/\evil.example` or `/\t/evil.example`
 * would leave the site: any of those characters refuses the path, and what is left must
 * resolve to this origin.
 */
export function safeNext(next: string | null): string | null {
  if (next === null || !next.startsWith('/') || next.startsWith('//') || /[\\\s]/.test(next)) return null;
  try {
    const url = new URL(next, window.location.origin);
    return url.origin === window.location.origin ? `${url.pathname}${url.search}${url.hash}` : null;
  } catch {
    return null;
  }
}

export function LoginPage() {
  const { t } = useTranslation();
  const { login, user, notice } = useAuth();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = safeNext(params.get('next'));

  if (user !== null && !busy) return <Navigate to={next ?? homeFor(user.role)} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!username.trim() || !password) {
      setError(t('login.missing'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const me = await login(username.trim(), password);
      navigate(next ?? homeFor(me.role), { replace: true });
    } catch (reason) {
      setError(toApiError(reason).message);
      setBusy(false);
    }
  }

  return (
    <Paper sx={{ p: { xs: 2, sm: 4 }, maxWidth: 440, mx: 'auto' }}>
      <PageHeader title={t('login.title')} />
      {notice && !error ? (
        <Alert severity="info" sx={{ mb: 2 }}>
          {notice}
        </Alert>
      ) : null}
      <Stack component="form" spacing={2} noValidate onSubmit={submit} aria-describedby={error ? 'login-error' : undefined}>
        {error ? (
          <Alert id="login-error" severity="error" role="alert">
            {error}
          </Alert>
        ) : null}
        <TextField
          label={t('login.username')}
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
          autoFocus
        />
        <TextField
          label={t('login.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          required
        />
        <SubmitButton busy={busy} busyLabel={t('login.busy')}>
          {t('login.submit')}
        </SubmitButton>
      </Stack>
      <Typography sx={{ mt: 2 }}>
        <RouterLink to="/forgot-password">{t('login.forgotPassword')}</RouterLink>
      </Typography>
      <Typography sx={{ mt: 3 }}>
        <Trans i18nKey="login.registerPrompt" components={{ register: <RouterLink to="/register" /> }} />
      </Typography>
    </Paper>
  );
}
