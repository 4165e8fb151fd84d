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
import type { CounterofferTerms, CreditRequest, Decision } from '../api/types';
import { i18n } from '../i18n';
import { CounterofferFields, type OfferDraft, type OfferErrors, type Requested, offerDecision, validateOffer } from './CounterofferFields';

type Choice = Decision['decision'];

/**
 * Approve or reject, with a comment (required to reject, as the API requires). `decide`
 * sends it; the outcome or the API's refusal is shown here. `onError` may take over errors
 * it explains better (an approval link that stopped working), returning true. Given
 * `counteroffer` (the chain's last stage only), the approver may also approve other terms.
 */
export function DecisionForm({
  decide,
  onDecided,
  onError,
  allowApprove = true,
  counteroffer,
}: {
  decide: (decision: Decision) => Promise<CreditRequest>;
  onDecided: (decision: Choice, request: CreditRequest) => void;
  onError?: (error: ApiError) => boolean;
  /** False while the request waits for the applicant's answer: it may only be rejected. */
  allowApprove?: boolean;
  counteroffer?: { terms: CounterofferTerms; requested: Requested } | null;
}) {
  const { t } = useTranslation();
  const [offering, setOffering] = useState(false);
  const [draft, setDraft] = useState<OfferDraft>(() => ({
    amount: counteroffer?.requested.amount ?? '',
    term: String(counteroffer?.requested.termMonths ?? ''),
    reasons: [],
  }));
  const [offerErrors, setOfferErrors] = useState<OfferErrors>({});
  const [comment, setComment] = useState('');
  const [commentError, setCommentError] = useState<string | null>(null);
  const [busy, setBusy] = useState<Choice | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const pressed = useRef<Choice>(allowApprove ? 'approve' : 'reject');
  const commentField = useRef<HTMLTextAreaElement>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const decision = offering ? 'counteroffer' : pressed.current;
    const errors = offering && counteroffer ? validateOffer(draft, counteroffer.requested, counteroffer.terms) : {};
    setOfferErrors(errors);
    if (decision !== 'approve' && !comment.trim()) {
      setCommentError(t(decision === 'reject' ? 'decision.commentRequired' : 'counteroffer.reasonRequired'));
      commentField.current?.focus();
      return;
    }
    if (Object.keys(errors).length > 0) {
      // The first field with a problem takes the focus, in the order they are shown.
      const first = errors.amount ? '#offer-amount' : errors.term ? '#offer-term' : '[name="reason_codes"]';
      document.querySelector<HTMLElement>(first)?.focus();
      return;
    }
    setCommentError(null);
    setError(null);
    setBusy(decision);
    try {
      const body =
        decision === 'counteroffer' && counteroffer
          ? offerDecision(draft, counteroffer.requested, comment.trim())
          : { decision, comment: comment.trim() };
      onDecided(decision, await decide(body));
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
        {offering ? t('counteroffer.heading') : t('decision.heading')}
      </Typography>
      {error ? (
        <Alert severity="error" role="alert" sx={{ mb: 2 }}>
          {error.message}
        </Alert>
      ) : null}
      {offering && counteroffer ? (
        <CounterofferFields
          draft={draft}
          onChange={setDraft}
          errors={offerErrors}
          requested={counteroffer.requested}
          terms={counteroffer.terms}
        />
      ) : null}
      <TextField
        id="decision-comment"
        name="comment"
        label={offering ? t('counteroffer.reason') : t('decision.comment')}
        multiline
        minRows={3}
        fullWidth
        value={comment}
        onChange={(e) => setComment(e.target.value)}
        error={Boolean(commentError)}
        helperText={commentError ?? (offering ? t('counteroffer.reasonHelp') : t('decision.commentHelp'))}
        inputRef={commentField}
        slotProps={{ htmlInput: { maxLength: 2000 } }}
      />
      {offering ? (
        <Box sx={{ display: 'flex', gap: 2, mt: 2, flexWrap: 'wrap' }}>
          <Button type="submit" variant="contained" color="success" disabled={busy !== null} startIcon={busy ? progress : undefined}>
            {busy ? t('counteroffer.sending') : t('counteroffer.send')}
          </Button>
          <Button type="button" variant="outlined" disabled={busy !== null} onClick={() => setOffering(false)}>
            {t('counteroffer.back')}
          </Button>
        </Box>
      ) : (
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
          {counteroffer && allowApprove ? (
            <Button type="button" variant="outlined" disabled={busy !== null} onClick={() => setOffering(true)}>
              {t('counteroffer.open')}
            </Button>
          ) : null}
        </Box>
      )}
    </Paper>
  );
}

/** What happened, in words, after a decision was recorded. */
export function decisionOutcome(decision: Choice, request: CreditRequest): string {
  if (decision === 'counteroffer') return i18n.t('counteroffer.made');
  const done = decision === 'approve' ? i18n.t('decision.youApproved') : i18n.t('decision.youRejected');
  if (request.status === 'approved') return `${done} ${i18n.t('decision.nowApproved')}`;
  if (request.status === 'rejected') return `${done} ${i18n.t('decision.nowRejected')}`;
  return `${done} ${i18n.t('decision.movesOn')}`;
}
