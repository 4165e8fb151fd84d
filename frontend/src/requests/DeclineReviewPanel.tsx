import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

import * as api from '../api/endpoints';
import { useUser } from '../auth/AuthProvider';
import { accessRole, REVIEWERS } from '../auth/roles';
import type { CorrectedData, CreditApplication, CreditRequestDetail, Review, ReviewStatus } from '../api/types';
import { FormError } from '../common/feedback';
import { useFormSubmit } from '../common/forms';
import { RouterLink } from '../common/RouterLink';
import { SubmitButton } from '../common/SubmitButton';
import { useResource } from '../common/useResource';
import { formatDateTime } from '../i18n/format';
import { type ApplicationErrors, type ApplicationForm, EMPLOYMENT, employmentLabel, toApplication, validateApplication } from './application';

export const STATEMENT_MAX = 4000;

/** The application's fields an applicant may correct (all but the purpose), with their labels' keys. */
const CORRECTABLE = [
  ['amount', 'newRequest.amount'],
  ['term_months', 'newRequest.term'],
  ['monthly_income', 'newRequest.income'],
  ['monthly_debt', 'newRequest.debt'],
  ['employment_status', 'newRequest.employment'],
  ['credit_score', 'newRequest.score'],
  ['delinquencies_24m', 'newRequest.delinquencies'],
  ['bankruptcies_7y', 'newRequest.bankruptcies'],
] as const;

type Correctable = (typeof CORRECTABLE)[number][0];
type ReviewErrors = ApplicationErrors & { statement?: string };

function formOf(request: CreditRequestDetail): ApplicationForm {
  return {
    amount: request.amount,
    term_months: String(request.term_months),
    purpose: request.purpose,
    monthly_income: request.monthly_income,
    monthly_debt: request.monthly_debt,
    employment_status: request.employment_status,
    credit_score: String(request.credit_score),
    delinquencies_24m: String(request.delinquencies_24m),
    bankruptcies_7y: String(request.bankruptcies_7y),
  };
}

/** The fields the applicant changed, as the API takes them; null when none changed. */
export function correctionsOf(request: CreditRequestDetail, form: ApplicationForm): CorrectedData | null {
  const original = toApplication(formOf(request));
  const corrected = toApplication(form);
  const changed: Record<string, unknown> = {};
  for (const [name] of CORRECTABLE) {
    if (String(corrected[name as keyof CreditApplication]) !== String(original[name as keyof CreditApplication])) {
      changed[name] = corrected[name as keyof CreditApplication];
    }
  }
  return Object.keys(changed).length > 0 ? (changed as CorrectedData) : null;
}

/**
 * An automatic decline's human review on the request page: the applicant's right to one
 * (GDPR Art. 22(3)) and the form to ask while the 30 days run, then where the review is and,
 * once decided, its outcome with the reviewer's rationale.
 */
export function DeclineReviewPanel({
  request,
  applicant,
  onChanged,
}: {
  request: CreditRequestDetail;
  applicant: boolean;
  onChanged: () => void;
}) {
  const { t } = useTranslation();
  const headingId = useId();
  const status = useResource((signal) => api.getReviewStatus(request.id, { signal }), [request.id, request.status]);
  if (!status.data) return null;
  const { review } = status.data;
  if (!review && status.data.window_closes_at === null) return null;
  return (
    <Paper component="section" aria-labelledby={headingId} variant="outlined" sx={{ p: { xs: 2, sm: 3 }, mb: 3 }} data-testid="decline-review">
      <Typography component="h2" variant="h6" id={headingId} sx={{ mb: 1 }}>
        {t('declineReview.heading')}
      </Typography>
      {review ? (
        <ReviewState review={review} applicant={applicant} />
      ) : (
        <AskForReview
          request={request}
          status={status.data}
          applicant={applicant}
          onAsked={() => {
            status.reload();
            onChanged();
          }}
        />
      )}
    </Paper>
  );
}

function ReviewState({ review, applicant }: { review: Review; applicant: boolean }) {
  const { t } = useTranslation();
  // Only those who may open a review (its reviewer, admins) are offered the link to it.
  const reviews = REVIEWERS.includes(accessRole(useUser().role));
  const decided = review.outcome !== null;
  return (
    <>
      <Alert severity={review.outcome === 'overturned' ? 'success' : review.outcome === 'confirmed' ? 'warning' : 'info'} sx={{ mb: 2 }} data-review-state={review.state}>
        {t(`declineReview.state.${review.state}`, {
          asked: formatDateTime(review.requested_at),
          due: review.due_at ? formatDateTime(review.due_at) : '',
          decided: review.decided_at ? formatDateTime(review.decided_at) : '',
        })}
      </Alert>
      {decided && review.rationale ? (
        <>
          <Typography component="h3" variant="subtitle1">
            {t('declineReview.rationale')}
          </Typography>
          <Typography sx={{ whiteSpace: 'pre-wrap', mb: 2 }} data-testid="review-rationale">
            {review.rationale}
          </Typography>
        </>
      ) : null}
      <Typography component="h3" variant="subtitle1">
        {applicant ? t('declineReview.yourStatement') : t('declineReview.statement')}
      </Typography>
      <Typography sx={{ whiteSpace: 'pre-wrap' }}>{review.statement}</Typography>
      {reviews && !decided ? (
        <Box sx={{ mt: 2 }}>
          <RouterLink to={`/reviews/${review.id}`}>{t('declineReview.open')}</RouterLink>
        </Box>
      ) : null}
    </>
  );
}

function AskForReview({
  request,
  status,
  applicant,
  onAsked,
}: {
  request: CreditRequestDetail;
  status: ReviewStatus;
  applicant: boolean;
  onAsked: () => void;
}) {
  const { t } = useTranslation();
  const closes = status.window_closes_at ? formatDateTime(status.window_closes_at) : '';
  const [open, setOpen] = useState(false);
  if (!status.may_request) {
    return <Typography>{t('declineReview.windowClosed', { closes })}</Typography>;
  }
  return (
    <>
      <Typography sx={{ mb: 2 }}>{t(applicant ? 'declineReview.right' : 'declineReview.rightStaff', { closes })}</Typography>
      {applicant ? (
        open ? (
          <ReviewForm request={request} onAsked={onAsked} onCancel={() => setOpen(false)} />
        ) : (
          <Button variant="contained" onClick={() => setOpen(true)}>
            {t('declineReview.ask')}
          </Button>
        )
      ) : null}
    </>
  );
}

function ReviewForm({ request, onAsked, onCancel }: { request: CreditRequestDetail; onAsked: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [statement, setStatement] = useState('');
  const [correcting, setCorrecting] = useState(false);
  const [values, setValues] = useState<ApplicationForm>(() => formOf(request));

  function validate(): ReviewErrors {
    const errors: ReviewErrors = correcting ? validateApplication(values) : {};
    if (!statement.trim()) errors.statement = t('declineReview.statementMissing');
    else if (statement.length > STATEMENT_MAX) errors.statement = t('validation.tooLong', { max: STATEMENT_MAX });
    return errors;
  }

  const { form, errors, busy, submit } = useFormSubmit<ReviewErrors>(validate, async () => {
    const corrected = correcting ? correctionsOf(request, values) : null;
    await api.askForReview(request.id, { statement, corrected_data: corrected });
    onAsked();
  });

  function field(name: Correctable) {
    return {
      id: `review-${name}`,
      name,
      value: values[name],
      onChange: (e: { target: { value: string } }) => setValues({ ...values, [name]: e.target.value }),
      error: Boolean(errors[name]),
      helperText: errors[name],
      fullWidth: true,
    };
  }

  return (
    <Box component="form" ref={form} noValidate onSubmit={submit} aria-label={t('declineReview.formLabel')}>
      <FormError message={errors._form} />
      <TextField
        id="review-statement"
        name="statement"
        label={t('declineReview.statementLabel')}
        helperText={errors.statement ?? t('declineReview.statementHelp', { max: STATEMENT_MAX })}
        error={Boolean(errors.statement)}
        value={statement}
        onChange={(e) => setStatement(e.target.value)}
        multiline
        minRows={4}
        required
        fullWidth
        slotProps={{ htmlInput: { maxLength: STATEMENT_MAX } }}
        sx={{ mb: 2 }}
      />
      <FormControlLabel
        control={<Checkbox checked={correcting} onChange={(e) => setCorrecting(e.target.checked)} name="correcting" />}
        label={t('declineReview.correct')}
      />
      {correcting ? (
        <Box sx={{ display: 'grid', gap: 1, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' }, my: 2 }}>
          {CORRECTABLE.map(([name, label]) =>
            name === 'employment_status' ? (
              <TextField key={name} select label={t(label)} {...field(name)}>
                {EMPLOYMENT.map((s) => (
                  <MenuItem key={s} value={s}>
                    {employmentLabel(s)}
                  </MenuItem>
                ))}
              </TextField>
            ) : (
              <TextField key={name} label={t(label)} {...field(name)} />
            ),
          )}
        </Box>
      ) : null}
      <Box sx={{ display: 'flex', gap: 1, mt: 1 }}>
        <SubmitButton busy={busy} busyLabel={t('declineReview.sending')}>
          {t('declineReview.send')}
        </SubmitButton>
        <Button onClick={onCancel}>{t('declineReview.cancel')}</Button>
      </Box>
    </Box>
  );
}
