import Alert from '@mui/material/Alert';
import Paper from '@mui/material/Paper';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { type FormEvent, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';

import { type ApiError, toApiError } from '../api/errors';
import type { InformationRequest } from '../api/types';
import { SubmitButton } from '../common/SubmitButton';

export const QUESTIONS_MAX = 2000;

/**
 * "Request more information": the approver returns the request to the applicant with their
 * questions (required, up to 2000 characters). `ask` sends them (in the app, or with the
 * emailed link as the credential); `onError` may take over errors it explains better.
 */
export function AskForInformation({
  ask,
  onAsked,
  onError,
}: {
  ask: (questions: string) => Promise<InformationRequest>;
  onAsked: (asked: InformationRequest) => void;
  onError?: (error: ApiError) => boolean;
}) {
  const { t } = useTranslation();
  const [questions, setQuestions] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLTextAreaElement>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!questions.trim()) {
      setFieldError(t('moreInfo.questionsRequired'));
      field.current?.focus();
      return;
    }
    setFieldError(null);
    setError(null);
    setBusy(true);
    try {
      onAsked(await ask(questions.trim()));
    } catch (reason) {
      const apiError = toApiError(reason);
      if (!onError?.(apiError)) {
        const fields = apiError.fieldErrors();
        if (fields.questions) setFieldError(fields.questions);
        else setError(apiError);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <Paper
      component="form"
      variant="outlined"
      onSubmit={submit}
      noValidate
      sx={{ p: { xs: 2, sm: 3 }, mb: 3 }}
      aria-labelledby="ask-title"
      data-testid="ask-for-information"
    >
      <Typography id="ask-title" component="h2" variant="h6" sx={{ mb: 1 }}>
        {t('moreInfo.askHeading')}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {t('moreInfo.askIntro')}
      </Typography>
      {error ? (
        <Alert severity="error" role="alert" sx={{ mb: 2 }}>
          {error.message}
        </Alert>
      ) : null}
      <TextField
        id="information-questions"
        name="questions"
        label={t('moreInfo.questions')}
        multiline
        minRows={3}
        fullWidth
        required
        value={questions}
        onChange={(e) => setQuestions(e.target.value)}
        error={Boolean(fieldError)}
        helperText={fieldError ?? t('moreInfo.questionsHelp')}
        inputRef={field}
        slotProps={{ htmlInput: { maxLength: QUESTIONS_MAX } }}
      />
      <SubmitButton busy={busy} busyLabel={t('moreInfo.asking')} color="warning" sx={{ mt: 2 }}>
        {t('moreInfo.ask')}
      </SubmitButton>
    </Paper>
  );
}
