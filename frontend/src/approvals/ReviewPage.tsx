import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import FormControlLabel from '@mui/material/FormControlLabel';
import Paper from '@mui/material/Paper';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type ReactNode, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';

import * as api from '../api/endpoints';
import type { CreditRequest, ReviewDecision, ReviewDetail } from '../api/types';
import { DataTable } from '../common/DataTable';
import { ErrorState, FormError, Loading } from '../common/feedback';
import { Field, FieldGrid } from '../common/Field';
import { useFormSubmit } from '../common/forms';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { SubmitButton } from '../common/SubmitButton';
import { useResource } from '../common/useResource';
import { formatDateTime, formatMoney } from '../i18n/format';
import { employmentLabel } from '../requests/application';
import { ScoreResultPanel } from '../requests/ScoreResultPanel';

export const RATIONALE_MAX = 4000;
const MONEY = new Set(['amount', 'monthly_income', 'monthly_debt']);

/** A field's label, by the application form's own. */
const LABELS = {
  amount: 'newRequest.amount',
  term_months: 'newRequest.term',
  purpose: 'newRequest.purpose',
  monthly_income: 'newRequest.income',
  monthly_debt: 'newRequest.debt',
  employment_status: 'newRequest.employment',
  credit_score: 'newRequest.score',
  delinquencies_24m: 'newRequest.delinquencies',
  bankruptcies_7y: 'newRequest.bankruptcies',
} as const;

function isLabelled(field: string): field is keyof typeof LABELS {
  return field in LABELS;
}

function shown(field: string, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (MONEY.has(field)) return formatMoney(String(value));
  if (field === 'employment_status') return employmentLabel(value as never);
  return String(value);
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  const id = useId();
  return (
    <Paper component="section" aria-labelledby={id} variant="outlined" sx={{ p: { xs: 2, sm: 3 }, mb: 3 }}>
      <Typography component="h2" variant="h6" id={id} sx={{ mb: 1 }}>
        {title}
      </Typography>
      {children}
    </Paper>
  );
}

/**
 * The review of an automatic decline, for its reviewer: the decline as it was (inputs, score
 * result, reasons), the applicant's statement and corrections (a diff), and the outcome form.
 * Reached from the inbox and from the emailed link.
 */
export function ReviewPage() {
  const { t } = useTranslation();
  const { reviewId = '' } = useParams();
  const review = useResource((signal) => api.getReview(reviewId, { signal }), [reviewId]);
  const [decided, setDecided] = useState<CreditRequest>();
  const back = <RouterLink to="/inbox">{t('reviews.back')}</RouterLink>;

  if (review.error && !review.data) {
    const code = review.error.code;
    return (
      <>
        <PageHeader title={t('reviews.title')}>{back}</PageHeader>
        {review.error.status === 403 || review.error.status === 404 ? (
          <Alert severity="info">{code === 'not_reviewer' ? t('reviews.notYours') : t('reviews.notFound')}</Alert>
        ) : (
          <ErrorState error={review.error} onRetry={review.reload} title={t('reviews.loadError')} />
        )}
      </>
    );
  }
  if (!review.data) return <Loading label={t('reviews.loading')} />;
  const data = review.data;
  const open = data.outcome === null && decided === undefined;

  return (
    <>
      <PageHeader title={t('reviews.title')}>
        {back}
        <Typography color="text.secondary">
          {t('reviews.intro', { applicant: data.applicant_name, ref: data.request_id.slice(0, 8), asked: formatDateTime(data.requested_at) })}
        </Typography>
      </PageHeader>
      {decided ? (
        <Alert severity="success" sx={{ mb: 2 }} data-testid="review-decided">
          {decided.status === 'rejected' ? t('reviews.confirmedDone') : t('reviews.overturnedDone')}{' '}
          <RouterLink to={`/requests/${decided.id}`}>{t('reviews.openRequest')}</RouterLink>
        </Alert>
      ) : data.outcome ? (
        <Alert severity="info" sx={{ mb: 2 }}>
          {t(`reviews.already.${data.outcome}`, { when: data.decided_at ? formatDateTime(data.decided_at) : '' })}
        </Alert>
      ) : data.due_at ? (
        <Typography sx={{ mb: 2 }}>{t('reviews.due', { due: formatDateTime(data.due_at) })}</Typography>
      ) : null}
      <Section title={t('reviews.statement')}>
        <Typography sx={{ whiteSpace: 'pre-wrap' }} data-testid="review-statement">
          {data.statement}
        </Typography>
      </Section>
      <Section title={t('reviews.changes')}>
        {data.changes.length === 0 ? (
          <Typography>{t('reviews.noChanges')}</Typography>
        ) : (
          <DataTable label={t('reviews.changes')} columns={[t('reviews.field'), t('reviews.original'), t('reviews.corrected')]}>
            {data.changes.map((change) => (
              <TableRow key={change.field} data-field={change.field}>
                <TableCell>{isLabelled(change.field) ? t(LABELS[change.field]) : change.field}</TableCell>
                <TableCell>{shown(change.field, change.original)}</TableCell>
                <TableCell sx={{ fontWeight: 600 }}>{shown(change.field, change.corrected)}</TableCell>
              </TableRow>
            ))}
          </DataTable>
        )}
      </Section>
      <Section title={t('reviews.reasons')}>
        <Box component="ul" sx={{ m: 0, pl: 3 }}>
          {data.original_reasons.map((reason) => (
            <li key={reason.code}>{reason.message}</li>
          ))}
        </Box>
      </Section>
      <Section title={t('reviews.inputs')}>
        <FieldGrid>
          {Object.entries(data.original_inputs).map(([field, value]) => (
            <Field key={field} label={isLabelled(field) ? t(LABELS[field]) : field}>
              {shown(field, value)}
            </Field>
          ))}
        </FieldGrid>
      </Section>
      <ScoreResultPanel result={data.original_score_result} />
      {open ? <ReviewDecisionForm review={data} onDecided={setDecided} /> : null}
    </>
  );
}

type DecisionErrors = { outcome?: string; rationale?: string; _form?: string };

function ReviewDecisionForm({ review, onDecided }: { review: ReviewDetail; onDecided: (request: CreditRequest) => void }) {
  const { t } = useTranslation();
  const [outcome, setOutcome] = useState<ReviewDecision['outcome'] | ''>('');
  const [rationale, setRationale] = useState('');
  const { form, errors, busy, submit } = useFormSubmit<DecisionErrors>(
    () => {
      const found: DecisionErrors = {};
      if (!outcome) found.outcome = t('reviews.chooseOutcome');
      if (!rationale.trim()) found.rationale = t('reviews.rationaleMissing');
      else if (rationale.length > RATIONALE_MAX) found.rationale = t('validation.tooLong', { max: RATIONALE_MAX });
      return found;
    },
    async () => {
      if (!outcome) return;
      onDecided(await api.decideReview(review.id, { outcome, rationale }));
    },
  );
  return (
    <Paper component="form" ref={form} noValidate onSubmit={submit} variant="outlined" sx={{ p: { xs: 2, sm: 3 } }} aria-label={t('reviews.formLabel')}>
      <Typography component="h2" variant="h6" sx={{ mb: 1 }}>
        {t('reviews.decide')}
      </Typography>
      <FormError message={errors._form} />
      <RadioGroup name="outcome" value={outcome} onChange={(e) => setOutcome(e.target.value as ReviewDecision['outcome'])} aria-label={t('reviews.outcome')}>
        <FormControlLabel value="confirmed" control={<Radio />} label={t('reviews.confirm')} />
        <FormControlLabel value="overturned" control={<Radio />} label={t('reviews.overturn')} />
      </RadioGroup>
      {errors.outcome ? (
        <Typography color="error" variant="body2" role="alert">
          {errors.outcome}
        </Typography>
      ) : null}
      <TextField
        id="review-rationale"
        name="rationale"
        label={t('reviews.rationale')}
        helperText={errors.rationale ?? t('reviews.rationaleHelp')}
        error={Boolean(errors.rationale)}
        value={rationale}
        onChange={(e) => setRationale(e.target.value)}
        multiline
        minRows={3}
        required
        fullWidth
        slotProps={{ htmlInput: { maxLength: RATIONALE_MAX } }}
        sx={{ my: 2 }}
      />
      <SubmitButton busy={busy} busyLabel={t('reviews.sending')}>
        {t('reviews.send')}
      </SubmitButton>
    </Paper>
  );
}
