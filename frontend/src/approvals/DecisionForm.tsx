import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import CircularProgress from '@mui/material/CircularProgress';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import Paper from '@mui/material/Paper';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { type ApiError, toApiError } from '../api/errors';
import type { CreditRequest, Decision, DeclineReason } from '../api/types';
import { i18n } from '../i18n';

type Choice = Decision['decision'];

/** The most principal reasons a rejection gives (the adverse action notice's limit). */
export const MAX_REASONS = 4;

/**
 * Approve or reject, with a comment and 1 to 4 principal reasons from the policy's catalogue
 * (`reasons`; both required to reject, as the API requires: the applicant's adverse action
 * notice quotes the reasons). `decide` sends it; the outcome or the API's refusal is shown
 * here. `onError` may take over errors it explains better (an approval link that stopped
 * working), returning true.
 */
export function DecisionForm({
  decide,
  onDecided,
  onError,
  reasons,
}: {
  decide: (decision: Decision) => Promise<CreditRequest>;
  onDecided: (decision: Choice, request: CreditRequest) => void;
  onError?: (error: ApiError) => boolean;
  reasons: DeclineReason[] | undefined;
}) {
  const { t } = useTranslation();
  const [comment, setComment] = useState('');
  // In the order chosen: the first is the most important.
  const [chosen, setChosen] = useState<string[]>([]);
  const [reasonsError, setReasonsError] = useState<string | null>(null);
  const firstReason = useRef<HTMLInputElement>(null);
  const [commentError, setCommentError] = useState<string | null>(null);
  const [busy, setBusy] = useState<Choice | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const pressed = useRef<Choice>('approve');
  const commentField = useRef<HTMLTextAreaElement>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const decision = pressed.current;
    const noComment = decision === 'reject' && !comment.trim();
    const noReasons = decision === 'reject' && chosen.length === 0;
    setCommentError(noComment ? t('decision.commentRequired') : null);
    setReasonsError(noReasons ? t('decision.reasonsRequired') : null);
    if (noComment) commentField.current?.focus();
    else if (noReasons) firstReason.current?.focus();
    if (noComment || noReasons) return;
    setError(null);
    setBusy(decision);
    const body: Decision = decision === 'reject' ? { decision, comment: comment.trim(), reason_codes: chosen } : { decision, comment: comment.trim() };
    try {
      onDecided(decision, await decide(body));
    } catch (reason) {
      const apiError = toApiError(reason);
      if (!onError?.(apiError)) {
        const fields = apiError.fieldErrors();
        if (fields.reason_codes) setReasonsError(fields.reason_codes);
        else if (fields.comment || fields._form) setCommentError(fields.comment ?? fields._form ?? null);
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
      <FormControl component="fieldset" error={Boolean(reasonsError)} sx={{ mt: 2 }} fullWidth>
        <FormLabel component="legend">{t('decision.reasons')}</FormLabel>
        <FormHelperText id="decision-reasons-help" sx={{ mx: 0 }}>
          {reasonsError ?? t('decision.reasonsHelp')}
        </FormHelperText>
        {reasons === undefined ? (
          <Typography variant="body2">{t('decision.reasonsLoading')}</Typography>
        ) : (
          <FormGroup aria-describedby="decision-reasons-help" data-testid="decision-reasons">
            {reasons.map((reason, index) => {
              const checked = chosen.includes(reason.code);
              return (
                <FormControlLabel
                  key={reason.code}
                  label={reason.message}
                  control={
                    <Checkbox
                      checked={checked}
                      // At most four: the others wait until one is unticked.
                      disabled={!checked && chosen.length >= MAX_REASONS}
                      onChange={() => setChosen(checked ? chosen.filter((c) => c !== reason.code) : [...chosen, reason.code])}
                      slotProps={{ input: { ref: index === 0 ? firstReason : undefined } }}
                      name="reason_codes"
                      value={reason.code}
                    />
                  }
                />
              );
            })}
          </FormGroup>
        )}
      </FormControl>
      <Box sx={{ display: 'flex', gap: 2, mt: 2, flexWrap: 'wrap' }}>
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
