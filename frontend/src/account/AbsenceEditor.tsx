import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { type ApiError, toApiError } from '../api/errors';
import { ErrorState, FormError, Loading } from '../common/feedback';
import { SubmitButton } from '../common/SubmitButton';
import { useResource } from '../common/useResource';
import { i18n } from '../i18n';
import { formatDateTime } from '../i18n/format';
import { type Absence, MAX_ABSENCE_DAYS, cancelAbsence, createAbsence, listAbsences, listDelegates } from './absencesApi';

// The API's refusals (shared/approvals/delegation.py) that have their own words here.
const REFUSALS = [
  'delegate_role_too_low',
  'delegate_inactive',
  'delegate_is_self',
  'delegate_absent',
  'user_is_delegate',
  'overlapping_absence',
  'window_too_long',
  'invalid_window',
  'window_in_past',
  'not_an_approver',
] as const;
type Refusal = (typeof REFUSALS)[number];

/** A refusal in words: the API's code where we have its text, else the API's message. */
export function absenceErrorText(error: ApiError): string {
  if (!(REFUSALS as readonly string[]).includes(error.code)) return error.message;
  return i18n.t(`absences.errors.${error.code as Refusal}`, { days: MAX_ABSENCE_DAYS });
}

/** A `datetime-local` value (the person's local time) as UTC with an offset, as the API wants. */
export function toUtc(local: string): string {
  return new Date(local).toISOString();
}

/**
 * One person's out-of-office windows: those set, each cancellable until it is over, and a form
 * to set another with a delegate of their level or higher. `userId` is `me` on the person's own
 * page, or another user's id in the administrators' Users page.
 */
export function AbsenceEditor({ userId }: { userId: string }) {
  const { t } = useTranslation();
  const absences = useResource((signal) => listAbsences(userId, { signal }), [userId]);
  const delegates = useResource((signal) => listDelegates(userId, { signal }), [userId]);
  const [delegate, setDelegate] = useState('');
  const [startsAt, setStartsAt] = useState('');
  const [endsAt, setEndsAt] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [message, setMessage] = useState<string>();

  async function save(event: FormEvent) {
    event.preventDefault();
    setError(undefined);
    setMessage(undefined);
    if (!delegate || !startsAt || !endsAt) {
      setError(t('absences.required'));
      return;
    }
    setBusy(true);
    try {
      const saved = await createAbsence(userId, { delegate_id: delegate, starts_at: toUtc(startsAt), ends_at: toUtc(endsAt) });
      setMessage(
        t('absences.saved', { delegate: saved.delegate_name, from: formatDateTime(saved.starts_at), until: formatDateTime(saved.ends_at) }),
      );
      setDelegate('');
      setStartsAt('');
      setEndsAt('');
      absences.reload();
    } catch (reason) {
      setError(absenceErrorText(toApiError(reason)));
    } finally {
      setBusy(false);
    }
  }

  async function cancel(absence: Absence) {
    setError(undefined);
    setMessage(undefined);
    try {
      await cancelAbsence(userId, absence.id);
      setMessage(t('absences.cancelled'));
      absences.reload();
    } catch (reason) {
      setError(absenceErrorText(toApiError(reason)));
    }
  }

  if ((absences.loading && !absences.data) || (delegates.loading && !delegates.data)) return <Loading label={t('absences.loading')} />;
  if (absences.error) return <ErrorState error={absences.error} onRetry={absences.reload} title={t('absences.loadError')} />;
  if (delegates.error) return <ErrorState error={delegates.error} onRetry={delegates.reload} title={t('absences.loadError')} />;
  const candidates = delegates.data ?? [];

  return (
    <>
      <Box role="status" aria-live="polite">
        {message ? (
          <Alert severity="success" sx={{ mb: 2 }} data-testid="absence-result">
            {message}
          </Alert>
        ) : null}
      </Box>
      <FormError message={error} />
      <Paper component="form" variant="outlined" noValidate onSubmit={save} aria-label={t('absences.formLabel')} sx={{ p: 2, mb: 2 }}>
        {candidates.length === 0 ? (
          <Typography>{t('absences.noDelegates')}</Typography>
        ) : (
          <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', sm: '2fr 1fr 1fr' } }}>
            <TextField
              select
              id={`absence-delegate-${userId}`}
              label={t('absences.delegate')}
              value={delegate}
              onChange={(e) => setDelegate(e.target.value)}
              helperText={t('absences.delegateHelp')}
            >
              {candidates.map((c) => (
                <MenuItem key={c.id} value={c.id}>
                  {c.full_name} ({c.username})
                </MenuItem>
              ))}
            </TextField>
            <TextField
              id={`absence-from-${userId}`}
              label={t('absences.startsAt')}
              type="datetime-local"
              value={startsAt}
              onChange={(e) => setStartsAt(e.target.value)}
              helperText={t('absences.windowHelp', { days: MAX_ABSENCE_DAYS })}
              slotProps={{ inputLabel: { shrink: true } }}
            />
            <TextField
              id={`absence-until-${userId}`}
              label={t('absences.endsAt')}
              type="datetime-local"
              value={endsAt}
              onChange={(e) => setEndsAt(e.target.value)}
              helperText=" "
              slotProps={{ inputLabel: { shrink: true } }}
            />
          </Box>
        )}
        <SubmitButton busy={busy} busyLabel={t('absences.saving')} disabled={candidates.length === 0} sx={{ mt: 1 }}>
          {t('absences.save')}
        </SubmitButton>
      </Paper>
      {(absences.data ?? []).length === 0 ? (
        <Typography color="text.secondary">{t('absences.none')}</Typography>
      ) : (
        <Box component="ul" aria-label={t('absences.listLabel')} sx={{ listStyle: 'none', p: 0, m: 0, display: 'grid', gap: 1 }}>
          {(absences.data ?? []).map((absence) => (
            <Paper component="li" variant="outlined" key={absence.id} data-absence-id={absence.id} sx={{ p: 1.5, display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'center' }}>
              <Chip size="small" label={t(`absences.states.${absence.state}`)} color={absence.state === 'active' ? 'warning' : 'default'} />
              <Typography sx={{ flex: '1 1 260px' }}>
                {t('absences.entry', { from: formatDateTime(absence.starts_at), until: formatDateTime(absence.ends_at), delegate: absence.delegate_name })}
                <Typography component="span" variant="body2" color="text.secondary" sx={{ display: 'block' }}>
                  {t('absences.setBy', { who: absence.created_by })}
                </Typography>
              </Typography>
              {absence.state === 'scheduled' || absence.state === 'active' ? (
                <Button size="small" onClick={() => void cancel(absence)}>
                  {t('absences.cancel')}
                </Button>
              ) : null}
            </Paper>
          ))}
        </Box>
      )}
    </>
  );
}
