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
import type { CounterofferTerms, CreditRequest, Decision, DeclineReason } from '../api/types';
import { i18n } from '../i18n';
import { CounterofferFields, type OfferDraft, type OfferErrors, type Requested, offerDecision, validateOffer } from './CounterofferFields';

type Choice = Decision['decision'];

/** The most principal reasons a rejection gives (the adverse action notice's limit). */
export const MAX_REASONS = 4;

/**
 * Approve or reject. A rejection needs a comment and 1 to 4 principal reasons from the
 * policy's catalogue (`reasons`), as the API requires: the applicant's adverse action notice
 * quotes them. `decide` sends it; the outcome or the API's refusal is shown here. `onError`
 * may take over errors it explains better (an approval link that stopped working), returning
 * true. Given `counteroffer` (the chain's last stage only), the approver may also approve
 * other terms, with their own reasons.
 */
export function DecisionForm({
  decide,
  onDecided,
  onError,
  reasons,
  allowApprove = true,
  counteroffer,
}: {
  decide: (decision: Decision) => Promise<CreditRequest>;
  onDecided: (decision: Choice, request: CreditRequest) => void;
  onError?: (error: ApiError) => boolean;
  /** The catalogue a rejection's reasons are chosen from; undefined while it loads. */
  reasons: DeclineReason[] | undefined;
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
  // In the order chosen: the first is the most important.
  const [chosen, setChosen] = useState<string[]>([]);
  const [reasonsError, setReasonsError] = useState<string | null>(null);
  const firstReason = useRef<HTMLInputElement>(null);
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
    // Every problem is shown at once; the first field with one takes the focus.
    const noComment = decision !== 'approve' && !comment.trim();
    const noReasons = decision === 'reject' && chosen.length === 0;
    setCommentError(noComment ? t(decision === 'reject' ? 'decision.commentRequired' : 'counteroffer.reasonRequired') : null);
    setReasonsError(noReasons ? t('decision.reasonsRequired') : null);
    if (noComment) {
      commentField.current?.focus();
      return;
    }
    if (Object.keys(errors).length > 0) {
      // In the order the offer's fields are shown.
      const first = errors.amount ? '#offer-amount' : errors.term ? '#offer-term' : '[name="reason_codes"]';
      document.querySelector<HTMLElement>(first)?.focus();
      return;
    }
    if (noReasons) {
      firstReason.current?.focus();
      return;
    }
    setCommentError(null);
    setError(null);
    setBusy(decision);
    try {
      const body =
        decision === 'counteroffer' && counteroffer
          ? offerDecision(draft, counteroffer.requested, comment.trim())
          : decision === 'reject'
            ? { decision, comment: comment.trim(), reason_codes: chosen }
            : { decision, comment: comment.trim() };
      onDecided(decision, await decide(body));
    } catch (reason) {
      const apiError = toApiError(reason);
      if (!onError?.(apiError)) {
        const fields = apiError.fieldErrors();
        if (fields.reason_codes && !offering) setReasonsError(fields.reason_codes);
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
      {offering ? null : (
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
      )}
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
