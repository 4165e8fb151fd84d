import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type FormEvent, useEffect, useRef, useState } from 'react';

import { type ApiError, toApiError } from '../api/errors';
import { useUser } from '../auth/AuthProvider';
import { ErrorState, FormError, Loading } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { SubmitButton } from '../common/SubmitButton';
import { useResource } from '../common/useResource';
import {
  type ChannelChange,
  type ChannelPreference,
  getNotificationPreferences,
  saveNotificationPreferences,
} from './notificationsApi';

interface Draft {
  enabled: boolean;
  url: string;
  format: string;
  rotate: boolean;
}

const ABOUT: Record<string, string> = {
  email: 'Every notification, with a direct decision link for approvers.',
  webhook:
    'A signed POST (Standard Webhooks: webhook-id, webhook-timestamp and webhook-signature headers) to your server, retried for about a day if it fails.',
  chat: 'A short message to a Slack or Microsoft Teams incoming webhook, with a link to the request in this app (sign-in needed).',
};

const SWITCH_LABELS: Record<string, string> = {
  email: 'Send me emails',
  webhook: 'Send signed webhooks to my server',
  chat: 'Post to Slack or Teams',
};

function draftOf(channel: ChannelPreference): Draft {
  const { url, format } = channel.settings;
  return {
    enabled: channel.enabled,
    url: typeof url === 'string' ? url : '',
    format: typeof format === 'string' ? format : 'slack',
    rotate: false,
  };
}

function changeOf(channel: ChannelPreference, draft: Draft): ChannelChange {
  const settings: Record<string, unknown> = {};
  if ('url' in channel.settings) settings.url = draft.url.trim() || null;
  if ('format' in channel.settings) settings.format = draft.format;
  const change: ChannelChange = { channel: channel.channel, enabled: draft.enabled, settings };
  if (draft.rotate) change.rotate_secret = true;
  return change;
}

/** Problems by channel index and setting, from a 422 whose details point into the body. */
function problemsOf(error: ApiError | undefined): Map<string, string> {
  const problems = new Map<string, string>();
  if (!error || error.status !== 422 || !Array.isArray(error.details)) return problems;
  for (const detail of error.details as { loc?: unknown[]; msg?: string }[]) {
    const loc = detail.loc ?? [];
    if (loc[0] !== 'channels' || typeof loc[1] !== 'number') continue;
    const key = `${loc[1]}.${loc.slice(2).join('.')}`;
    if (!problems.has(key)) problems.set(key, (detail.msg ?? '').replace(/^Value error, /, ''));
  }
  return problems;
}

/** Each signed-in person's notification channels: email, a signed webhook, Slack or Teams. */
export function NotificationsPage() {
  const user = useUser();
  const preferences = useResource((signal) => getNotificationPreferences({ signal }), []);
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<ApiError>();
  const [secrets, setSecrets] = useState<Record<string, string>>({});
  const result = useRef<HTMLDivElement>(null);

  // What the server last said (loaded, or answered to a save), and the person's edits of it.
  const [channels, setChannels] = useState<ChannelPreference[]>([]);
  function show(current: ChannelPreference[]) {
    setChannels(current);
    setDrafts(Object.fromEntries(current.map((c) => [c.channel, draftOf(c)])));
  }
  useEffect(() => {
    if (preferences.data) show(preferences.data.channels);
  }, [preferences.data]);

  function update(channel: ChannelPreference, change: Partial<Draft>) {
    setSaved(false);
    setDrafts((current) => ({
      ...current,
      [channel.channel]: { ...(current[channel.channel] ?? draftOf(channel)), ...change },
    }));
  }

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    setSaved(false);
    setSecrets({});
    try {
      // All channels in one request: saved together or not at all.
      const answer = await saveNotificationPreferences(channels.map((c) => changeOf(c, drafts[c.channel] ?? draftOf(c))));
      show(answer.channels);
      setSecrets(
        Object.fromEntries(
          answer.channels.flatMap((c) => (c.shown_once.signing_secret ? [[c.channel, c.shown_once.signing_secret]] : [])),
        ),
      );
      setSaved(true);
    } catch (reason) {
      setError(toApiError(reason));
    } finally {
      setBusy(false);
      result.current?.focus();
    }
  }

  if (preferences.loading && !preferences.data) return <Loading label="Loading your notification settings…" />;
  if (preferences.error) return <ErrorState error={preferences.error} onRetry={preferences.reload} />;

  const problems = problemsOf(error);
  const urlProblem = (index: number) => problems.get(`${index}.settings.url`) ?? problems.get(`${index}.settings`);
  const fieldShown = channels.some((c, index) => 'url' in c.settings && urlProblem(index));
  const formError = error && !fieldShown ? error.message : undefined;
  const labelOf = (name: string) => channels.find((c) => c.channel === name)?.label ?? name;

  return (
    <>
      <PageHeader title="Notifications">
        <Typography color="text.secondary">
          Where we tell you about requests and decisions. Email goes to {user.email} unless you turn it off.
        </Typography>
      </PageHeader>
      <Box component="form" noValidate onSubmit={save} aria-label="Notification settings">
        <Box ref={result} tabIndex={-1} sx={{ outline: 'none' }}>
          <FormError message={formError} />
          {saved ? (
            <Alert severity="success" role="status" sx={{ mb: 2 }}>
              Your notification settings are saved.
            </Alert>
          ) : null}
          {Object.entries(secrets).map(([channel, secret]) => (
            <Alert key={channel} severity="warning" sx={{ mb: 2 }}>
              <Typography component="h2" variant="subtitle1" sx={{ fontWeight: 700 }}>
                Your {labelOf(channel).toLowerCase()} signing secret
              </Typography>
              <Typography>Copy it now into your receiver: it is shown this once. If you lose it, make a new one.</Typography>
              <Box component="code" data-testid={`${channel}-secret`} sx={{ display: 'block', mt: 1, overflowWrap: 'anywhere' }}>
                {secret}
              </Box>
            </Alert>
          ))}
        </Box>
        {channels.map((channel, index) => {
          const draft = drafts[channel.channel] ?? draftOf(channel);
          const id = `channel-${channel.channel}`;
          const fieldError = urlProblem(index);
          return (
            <Paper key={channel.channel} variant="outlined" component="section" aria-labelledby={`${id}-title`} sx={{ p: 2, mb: 2 }}>
              <Typography id={`${id}-title`} component="h2" variant="h6">
                {channel.label}
              </Typography>
              <Typography color="text.secondary" sx={{ mb: 1 }}>
                {ABOUT[channel.channel] ?? ''}
              </Typography>
              <FormControlLabel
                control={<Switch checked={draft.enabled} onChange={(e) => update(channel, { enabled: e.target.checked })} />}
                label={SWITCH_LABELS[channel.channel] ?? `Use ${channel.label}`}
              />
              {'url' in channel.settings ? (
                <TextField
                  id={`${id}-url`}
                  label={`${channel.label} URL`}
                  type="url"
                  value={draft.url}
                  onChange={(e) => update(channel, { url: e.target.value })}
                  error={Boolean(fieldError)}
                  helperText={fieldError ?? 'An https:// address your receiver answers at.'}
                  fullWidth
                  sx={{ mt: 1 }}
                  slotProps={{ htmlInput: { inputMode: 'url', autoComplete: 'off', spellCheck: false } }}
                />
              ) : null}
              {'format' in channel.settings ? (
                <TextField
                  select
                  id={`${id}-format`}
                  label="Message format"
                  value={draft.format}
                  onChange={(e) => update(channel, { format: e.target.value })}
                  sx={{ mt: 2, minWidth: 220 }}
                >
                  <MenuItem value="slack">Slack</MenuItem>
                  <MenuItem value="teams">Microsoft Teams</MenuItem>
                </TextField>
              ) : null}
              {'signing_secret_set' in channel.settings ? (
                <Box sx={{ mt: 1 }}>
                  <Typography>
                    {channel.settings.signing_secret_set
                      ? 'A signing secret is set. It is never shown again after it is made.'
                      : 'A signing secret is made when you save a URL, and shown to you once.'}
                  </Typography>
                  {channel.settings.signing_secret_set ? (
                    <FormControlLabel
                      control={<Checkbox checked={draft.rotate} onChange={(e) => update(channel, { rotate: e.target.checked })} />}
                      label="Make a new signing secret when I save (the old one stops working)"
                    />
                  ) : null}
                </Box>
              ) : null}
            </Paper>
          );
        })}
        <SubmitButton busy={busy} busyLabel="Saving…">
          Save notification settings
        </SubmitButton>
      </Box>
    </>
  );
}
