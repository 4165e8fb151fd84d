import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormLabel from '@mui/material/FormLabel';
import Paper from '@mui/material/Paper';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type FormEvent, useState } from 'react';
import { useTranslation } from 'react-i18next';

import * as api from '../api/endpoints';
import { toApiError } from '../api/errors';
import type { ConversationEntry } from '../api/types';
import { roleLabel } from '../auth/roles';
import { ErrorState, FormError, Loading } from '../common/feedback';
import { SubmitButton } from '../common/SubmitButton';
import { useResource } from '../common/useResource';
import { formatDateTime } from '../i18n/format';
import type { Audience } from './audience';

/** The API's limit on one entry (shared/approvals/conversation.py MAX_BODY). */
export const MAX_BODY = 4000;
// New messages show up without a reload; the answer is cached (ETag), so polling is cheap.
const POLL_MS = 15000;

type Kind = ConversationEntry['kind'];

/**
 * A request's conversation, oldest first, with who wrote each entry and when, and a form to
 * write. Staff choose between an internal note (staff only, never emailed; marked as such) and
 * a message to the applicant (emailed to them); the applicant writes messages, which reach the
 * approver handling the request (`handled`: someone holds or has decided a stage; otherwise
 * nobody is emailed and staff read it on the request's page). The API never sends the
 * applicant a note.
 */
export function Conversation({
  requestId,
  audience,
  handled = true,
}: {
  requestId: string;
  audience: Audience;
  handled?: boolean;
}) {
  const { t } = useTranslation();
  const staff = audience === 'staff';
  const entries = useResource(async (signal) => api.listMessages(requestId, { signal }), [requestId], () => POLL_MS);
  // Staff start on the note: nothing reaches the applicant unless they choose so.
  const [kind, setKind] = useState<Kind>(staff ? 'note' : 'message');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [posted, setPosted] = useState<Kind>();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setPosted(undefined);
    if (!body.trim()) {
      setError(t('conversation.empty'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const entry = await api.postMessage(requestId, { kind, body });
      setBody('');
      setPosted(entry.kind);
      entries.reload();
    } catch (reason) {
      setError(toApiError(reason).message);
    } finally {
      setBusy(false);
    }
  }

  const list = entries.data;
  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 }, mb: 3 }} component="section" aria-labelledby="conversation-heading">
      <Typography component="h2" variant="h6" id="conversation-heading" sx={{ mb: 1 }}>
        {t('conversation.heading')}
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        {t(staff ? 'conversation.introStaff' : handled ? 'conversation.introApplicant' : 'conversation.introApplicantUnhandled')}
      </Typography>
      {entries.error && !list ? (
        <ErrorState error={entries.error} onRetry={entries.reload} title={t('conversation.loadError')} />
      ) : !list ? (
        <Loading label={t('conversation.loading')} />
      ) : list.length === 0 ? (
        <Typography color="text.secondary" sx={{ mb: 2 }}>
          {t('conversation.none')}
        </Typography>
      ) : (
        <Box component="ol" sx={{ listStyle: 'none', p: 0, m: 0, mb: 2 }} aria-label={t('conversation.label')}>
          {list.map((entry) => (
            <Entry key={entry.id} entry={entry} />
          ))}
        </Box>
      )}
      <Box component="form" onSubmit={submit} noValidate>
        {staff ? (
          <FormControl sx={{ mb: 1 }}>
            <FormLabel id="conversation-kind">{t('conversation.kindLabel')}</FormLabel>
            <RadioGroup row aria-labelledby="conversation-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
              <FormControlLabel value="note" control={<Radio />} label={t('conversation.kindNote')} />
              <FormControlLabel value="message" control={<Radio />} label={t('conversation.kindMessage')} />
            </RadioGroup>
          </FormControl>
        ) : null}
        <FormError message={error} />
        <TextField
          label={kind === 'note' ? t('conversation.noteLabel') : t('conversation.messageLabel')}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          multiline
          minRows={3}
          fullWidth
          slotProps={{ htmlInput: { maxLength: MAX_BODY } }}
          helperText={
            kind === 'note'
              ? t('conversation.noteHelp', { n: body.length, max: MAX_BODY })
              : t(staff ? 'conversation.messageHelpStaff' : handled ? 'conversation.messageHelp' : 'conversation.messageHelpUnhandled', {
                  n: body.length,
                  max: MAX_BODY,
                })
          }
          sx={{ mb: 2 }}
        />
        <SubmitButton busy={busy} busyLabel={t('conversation.sending')}>
          {kind === 'note' ? t('conversation.addNote') : t('conversation.send')}
        </SubmitButton>
        {posted ? (
          <Alert severity="success" role="status" sx={{ mt: 2 }} data-testid="conversation-posted">
            {posted === 'note' ? t('conversation.noteAdded') : t('conversation.sent')}
          </Alert>
        ) : null}
      </Box>
    </Paper>
  );
}

function Entry({ entry }: { entry: ConversationEntry }) {
  const { t } = useTranslation();
  const note = entry.kind === 'note';
  const who = entry.mine
    ? t('conversation.you')
    : t('conversation.author', { name: entry.author.name ?? roleLabel(entry.author.role), role: roleLabel(entry.author.role).toLowerCase() });
  return (
    <Box
      component="li"
      data-kind={entry.kind}
      data-testid="conversation-entry"
      sx={{
        borderLeft: 3,
        borderColor: note ? 'warning.main' : entry.mine ? 'primary.main' : 'divider',
        bgcolor: note ? 'action.hover' : undefined,
        pl: 2,
        py: 1,
        mb: 1,
      }}
    >
      <Box sx={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 1 }}>
        <Typography component="h3" sx={{ fontWeight: 700 }}>
          {who}
        </Typography>
        <Typography variant="body2" color="text.secondary" component="span">
          <time dateTime={entry.created_at}>{formatDateTime(entry.created_at)}</time>
        </Typography>
        {note ? <Chip size="small" color="warning" variant="outlined" label={t('conversation.internal')} /> : null}
      </Box>
      {/* Plain text as written: React escapes it; line breaks are kept. */}
      <Typography sx={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', mt: 0.5 }}>{entry.body}</Typography>
    </Box>
  );
}
