import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Paper from '@mui/material/Paper';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { type ApiError, toApiError } from '../api/errors';
import type { CreditRequest, Decision } from '../api/types';
import { i18n } from '../i18n';

type Choice = Decision['decision'];

/**
 * Approve or reject, with a comment (required to reject, as the API requires). `decide`
 * sends it; the outcome or the API's refusal is shown here. `onError` may take over errors
 * it explains better (an approval link that stopped working), returning true.
 */
export function DecisionForm({
  decide,
  onDecided,
  onError,
  allowApprove = true,
}: {
  decide: (decision: Decision) => Promise<CreditRequest>;
  onDecided: (decision: Choice, request: CreditRequest) => void;
  onError?: (error: ApiError) => boolean;
  /** False while the request waits for the applicant's answer: it may only be rejected. */
  allowApprove?: boolean;
}) {
  const { t } = useTranslation();
  const [comment, setComment] = useState('');
  const [commentError, setCommentError] = useState<string | null>(null);
  const [busy, setBusy] = useState<Choice | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const pressed = useRef<Choice>(allowApprove ? 'approve' : 'reject');
  const commentField = useRef<HTMLTextAreaElement>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const decision = pressed.current;
    if (decision === 'reject' && !comment.trim()) {
      setCommentError(t('decision.commentRequired'));
      commentField.current?.focus();
      return;
    }
    setCommentError(null);
    setError(null);
    setBusy(decision);
    try {
      onDecided(decision, await decide({ decision, comment: comment.trim() }));
    } catch (reason) {
      const apiError = toApiError(reason);
      if (!onError?.(apiError)) {
        const fields = apiError.fieldErrors();
        if (fields.comment || fields._form) setCommentError(fields.comment ?? fields._form ?? null);
        else setError(apiError);
      }
    } finally {
      setBusy(null);
    }
  }

  const progress = <CircularProgress size={18} color="inherit" aria-hidden="true" />;
  return (
    <Paper
      component="form"
      id="decision"
      variant="outlined"
      onSubmit={submit}
      noValidate
      sx={{ p: { xs: 2, sm: 3 }, mb: 3 }}
      aria-labelledby="decision-title"
    >
      <Typography id="decision-title" component="h2" variant="h6" sx={{ mb: 2 }}>
        {t('decision.heading')}
      </Typography>
      {error ? (
        <Alert severity="error" role="alert" sx={{ mb: 2 }}>
          {error.message}
        </Alert>
      ) : null}
      <TextField
        id="decision-comment"
        name="comment"
        label={t('decision.comment')}
        multiline
        minRows={3}
        fullWidth
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        error={Boolean(commentError)}
        helperText={commentError ?? t('decision.commentHelp')}
        inputRef={commentField}
        slotProps={{ htmlInput: { maxLength: 2000 } }}
      />
      <Box sx={{ display: 'flex', gap: 2, mt: 2, flexWrap: 'wrap' }}>
        {allowApprove ? (
          <Button
            type="submit"
            variant="contained"
            color="success"
            disabled={busy !== null}
            onClick={() => (pressed.current = 'approve')}
            startIcon={busy === 'approve' ? progress : undefined}
          >
            {busy === 'approve' ? t('decision.approving') : t('decision.approve')}
          </Button>
        ) : null}
        <Button
          type="submit"
          variant="contained"
          color="error"
          disabled={busy !== null}
          onClick={() => (pressed.current = 'reject')}
          startIcon={busy === 'reject' ? progress : undefined}
        >
          {busy === 'reject' ? t('decision.rejecting') : t('decision.reject')}
        </Button>
      </Box>
    </Paper>
  );
}

/** What happened, in words, after a decision was recorded. */
export function decisionOutcome(decision: Choice, request: CreditRequest): string {
  const done = decision === 'approve' ? i18n.t('decision.youApproved') : i18n.t('decision.youRejected');
  if (request.status === 'approved') return `${done} ${i18n.t('decision.nowApproved')}`;
  if (request.status === 'rejected') return `${done} ${i18n.t('decision.nowRejected')}`;
  return `${done} ${i18n.t('decision.movesOn')}`;
}
