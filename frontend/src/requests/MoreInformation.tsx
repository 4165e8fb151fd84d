import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import * as api from '../api/endpoints';
import { type ApiError, toApiError } from '../api/errors';
import type { Amendments, CreditApplication, CreditRequest, InformationAnswer, InformationRequest } from '../api/types';
import { roleLabel } from '../auth/roles';
import { ErrorState } from '../common/feedback';
import { SubmitButton } from '../common/SubmitButton';
import { useResource } from '../common/useResource';
import { formatDateTime, numberSeparators } from '../i18n/format';
import { type ApplicationForm, EMPLOYMENT, employmentLabel, toApplication, validateApplication } from './application';
import type { Audience } from './audience';

export const ANSWER_MAX = 2000;

/** The fields an answer may amend, in the form's order (the API accepts exactly these). */
export const AMENDABLE = ['amount', 'term_months', 'purpose', 'monthly_income', 'monthly_debt', 'employment_status'] as const;
type Amendable = (typeof AMENDABLE)[number];

const LABELS = {
  amount: 'newRequest.amount',
  term_months: 'newRequest.term',
  purpose: 'newRequest.purpose',
  monthly_income: 'newRequest.income',
  monthly_debt: 'newRequest.debt',
  employment_status: 'newRequest.employment',
} as const satisfies Record<Amendable, string>;

/** The request's fields as the application form holds them (money in the reader's notation). */
export function formOf(request: CreditRequest): ApplicationForm {
  const { decimal } = numberSeparators();
  const money = (value: string) => value.replace('.', decimal);
  return {
    amount: money(request.amount),
    term_months: String(request.term_months),
    purpose: request.purpose,
    monthly_income: money(request.monthly_income),
    monthly_debt: money(request.monthly_debt),
    employment_status: request.employment_status,
    credit_score: String(request.credit_score),
    delinquencies_24m: String(request.delinquencies_24m),
    bankruptcies_7y: String(request.bankruptcies_7y),
  };
}

/** The fields `form` changes from `request`, as the API takes them; empty when none. */
export function amendmentsOf(request: CreditRequest, form: ApplicationForm): Amendments {
  const now = toApplication(formOf(request));
  const next: CreditApplication = toApplication(form);
  const changed: Record<string, unknown> = {};
  for (const field of AMENDABLE) if (next[field] !== now[field]) changed[field] = next[field];
  return changed as Amendments;
}

/**
 * "More information": the approvers' questions and the applicant's answers, oldest first, with
 * who asked and when; for the applicant, while the request awaits them, the answer form with
 * optional corrections of the request's financial fields (validated as when applying).
 */
export function MoreInformation({
  request,
  audience,
  onAnswered,
}: {
  request: CreditRequest;
  audience: Audience;
  onAnswered?: (request: CreditRequest) => void;
}) {
  const { t } = useTranslation();
  // Read again whenever the request changes (asked, answered, closed).
  const rounds = useResource(
    (signal) => api.listInformationRequests(request.id, { signal }),
    [request.id, request.status, request.updated_at],
  );
  const list = rounds.data ?? [];
  const open = list.find((r) => r.closed_at === null);
  const answering = audience === 'applicant' && request.status === 'info_requested' && open !== undefined;
  if (rounds.error && !rounds.data) return <ErrorState error={rounds.error} onRetry={rounds.reload} title={t('moreInfo.loadError')} />;
  if (list.length === 0) return null;
  return (
    <Paper variant="outlined" sx={{ p: { xs: 2, sm: 3 }, mb: 3 }} aria-labelledby="more-info-title" data-testid="more-information">
      <Typography id="more-info-title" component="h2" variant="h6" sx={{ mb: 2 }}>
        {t('moreInfo.heading')}
      </Typography>
      <Box component="ol" sx={{ listStyle: 'none', p: 0, m: 0 }}>
        {list.map((round) => (
          <Round key={round.id} round={round} audience={audience} />
        ))}
      </Box>
      {answering ? (
        <AnswerForm
          request={request}
          dueAt={open.due_at}
          onAnswered={(updated) => {
            rounds.reload();
            onAnswered?.(updated);
          }}
        />
      ) : null}
    </Paper>
  );
}

function Round({ round, audience }: { round: InformationRequest; audience: Audience }) {
  const { t } = useTranslation();
  const asker = audience === 'staff' ? (round.asked_by ?? '') : `${round.asked_by_first_name ?? ''} (${roleLabel(round.role).toLowerCase()})`;
  const amended = Object.entries(round.amendments);
  return (
    <Box component="li" sx={{ borderLeft: 3, borderColor: 'divider', pl: 2, pb: 2 }} data-testid="information-round">
      <Typography sx={{ fontWeight: 700 }}>{t('moreInfo.asked', { who: asker, when: formatDateTime(round.asked_at) })}</Typography>
      <Typography component="blockquote" sx={{ m: 0, mt: 0.5, whiteSpace: 'pre-wrap' }}>
        {round.questions}
      </Typography>
      {round.answered_at && round.answer !== null ? (
        <>
          <Typography sx={{ fontWeight: 700, mt: 1 }}>{t('moreInfo.answered', { when: formatDateTime(round.answered_at) })}</Typography>
          <Typography component="blockquote" sx={{ m: 0, mt: 0.5, whiteSpace: 'pre-wrap' }}>
            {round.answer}
          </Typography>
          {amended.length > 0 ? (
            <Box component="ul" sx={{ mt: 0.5, mb: 0 }} aria-label={t('moreInfo.amendedLabel')}>
              {amended.map(([field, change]) => (
                <li key={field}>
                  {t('moreInfo.amendment', {
                    field: field in LABELS ? t(LABELS[field as Amendable]) : field,
                    before: change.before,
                    after: change.after,
                  })}
                </li>
              ))}
            </Box>
          ) : null}
        </>
      ) : round.outcome === null ? (
        <Typography color="text.secondary" sx={{ mt: 1 }}>
          {t('moreInfo.awaiting', { when: formatDateTime(round.due_at) })}
        </Typography>
      ) : null}
      {round.outcome ? (
        <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
          {t(`moreInfo.outcome.${round.outcome}`)}
        </Typography>
      ) : null}
    </Box>
  );
}

function AnswerForm({ request, dueAt, onAnswered }: { request: CreditRequest; dueAt: string; onAnswered: (request: CreditRequest) => void }) {
  const { t } = useTranslation();
  const [answer, setAnswer] = useState('');
  const [amending, setAmending] = useState(false);
  const [form, setForm] = useState<ApplicationForm>(() => formOf(request));
  const [errors, setErrors] = useState<Partial<Record<Amendable | 'answer', string>>>({});
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const answerField = useRef<HTMLTextAreaElement>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: Partial<Record<Amendable | 'answer', string>> = {};
    if (!answer.trim()) found.answer = t('moreInfo.answerRequired');
    if (amending) {
      const invalid = validateApplication(form);
      for (const field of AMENDABLE) if (invalid[field]) found[field] = invalid[field];
    }
    setErrors(found);
    if (Object.keys(found).length > 0) {
      if (found.answer) answerField.current?.focus();
      else document.getElementById(`amend-${Object.keys(found)[0]}`)?.focus();
      return;
    }
    const body: InformationAnswer = { answer: answer.trim() };
    if (amending) {
      const amendments = amendmentsOf(request, form);
      if (Object.keys(amendments).length > 0) body.amendments = amendments;
    }
    setError(null);
    setBusy(true);
    try {
      onAnswered(await api.answerInformation(request.id, body));
    } catch (reason) {
      const apiError = toApiError(reason);
      const fields = apiError.fieldErrors();
      if (fields.answer) setErrors({ answer: fields.answer });
      else setError(apiError);
    } finally {
      setBusy(false);
    }
  }

  const set = (field: Amendable) => (e: { target: { value: string } }) => setForm({ ...form, [field]: e.target.value });
  return (
    <Box component="form" onSubmit={submit} noValidate sx={{ mt: 2 }} aria-labelledby="answer-title" data-testid="answer-form">
      <Typography id="answer-title" component="h3" variant="subtitle1" sx={{ fontWeight: 700 }}>
        {t('moreInfo.answerHeading')}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('moreInfo.answerIntro', { when: formatDateTime(dueAt) })}
      </Typography>
      {error ? (
        <Alert severity="error" role="alert" sx={{ mb: 2 }}>
          {error.message}
        </Alert>
      ) : null}
      <TextField
        id="information-answer"
        name="answer"
        label={t('moreInfo.answer')}
        multiline
        minRows={3}
        fullWidth
        required
        value={answer}
        onChange={(e) => setAnswer(e.target.value)}
        error={Boolean(errors.answer)}
        helperText={errors.answer ?? ' '}
        inputRef={answerField}
        slotProps={{ htmlInput: { maxLength: ANSWER_MAX } }}
      />
      <FormControlLabel
        control={<Checkbox checked={amending} onChange={(e) => setAmending(e.target.checked)} />}
        label={t('moreInfo.amend')}
      />
      {amending ? (
        <Box sx={{ display: 'grid', gap: 2, gridTemplateColumns: { xs: '1fr', sm: '1fr 1fr' }, mt: 1 }}>
          {AMENDABLE.map((field) =>
            field === 'employment_status' ? (
              <TextField
                key={field}
                id={`amend-${field}`}
                select
                label={t(LABELS[field])}
                value={form[field]}
                onChange={set(field)}
                error={Boolean(errors[field])}
                helperText={errors[field] ?? ' '}
              >
                {EMPLOYMENT.map((status) => (
                  <MenuItem key={status} value={status}>
                    {employmentLabel(status)}
                  </MenuItem>
                ))}
              </TextField>
            ) : (
              <TextField
                key={field}
                id={`amend-${field}`}
                label={t(LABELS[field])}
                value={form[field]}
                onChange={set(field)}
                error={Boolean(errors[field])}
                helperText={errors[field] ?? ' '}
                slotProps={{ htmlInput: { inputMode: field === 'purpose' ? 'text' : 'decimal' } }}
              />
            ),
          )}
          <Typography variant="body2" color="text.secondary" sx={{ gridColumn: '1 / -1' }}>
            {t('moreInfo.amendNote')}
          </Typography>
        </Box>
      ) : null}
      <SubmitButton busy={busy} busyLabel={t('moreInfo.sending')} sx={{ mt: 1 }}>
        {t('moreInfo.send')}
      </SubmitButton>
    </Box>
  );
}
