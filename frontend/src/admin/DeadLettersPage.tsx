import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';

import * as api from '../api/endpoints';
import { type ApiError, toApiError } from '../api/errors';
import type { DeadLetterQueue } from '../api/types';
import { DataTable, hiddenBelow } from '../common/DataTable';
import { ErrorState, Loading } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { SubmitButton } from '../common/SubmitButton';
import { i18n } from '../i18n';

/** An age in the largest whole unit: "45 s", "12 min", "3 h", "2 d". */
export function formatAge(seconds: number): string {
  const units: ['days' | 'hours' | 'minutes', number][] = [
    ['days', 86400],
    ['hours', 3600],
    ['minutes', 60],
  ];
  for (const [unit, size] of units) {
    if (seconds >= size) return i18n.t(`deadLetters.age.${unit}`, { count: Math.floor(seconds / size) });
  }
  return i18n.t('deadLetters.age.seconds', { count: Math.floor(seconds) });
}

/**
 * Each workflow step's dead-letter queue: how many messages it holds, how old the oldest is, and
 * one of them. An administrator redrives a queue (after a confirmation) to send its messages
 * back to the step; the API audits it. The list is read again after a redrive and on request.
 */
export function DeadLettersPage() {
  const { t } = useTranslation();
  const [queues, setQueues] = useState<DeadLetterQueue[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [pending, setPending] = useState<DeadLetterQueue | null>(null);
  const [busy, setBusy] = useState(false);
  const [redriveError, setRedriveError] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);

  const load = useCallback((signal?: AbortSignal) => {
    setError(null);
    api
      .listDeadLetters({ signal })
      .then(setQueues)
      .catch((reason: unknown) => {
        if (!signal?.aborted) setError(toApiError(reason));
      });
  }, []);
  useEffect(() => {
    const controller = new AbortController();
    load(controller.signal);
    return () => controller.abort();
  }, [load]);

  async function confirm() {
    if (!pending) return;
    setBusy(true);
    setRedriveError(null);
    try {
      const result = await api.redriveDeadLetters(pending.queue);
      setPending(null);
      setMessage(t('deadLetters.done', { count: result.messages, queue: result.queue }));
      load();
    } catch (reason) {
      setRedriveError(toApiError(reason).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeader
        title={t('deadLetters.title')}
        actions={
          <Button variant="outlined" onClick={() => load()}>
            {t('deadLetters.refresh')}
          </Button>
        }
      >
        <Typography color="text.secondary" sx={{ mt: 1 }}>
          {t('deadLetters.intro')}
        </Typography>
      </PageHeader>
      {message ? (
        <Alert severity="success" role="status" sx={{ mb: 2 }} onClose={() => setMessage(null)}>
          {message}
        </Alert>
      ) : null}
      {error ? (
        <ErrorState error={error} title={t('deadLetters.loadError')} onRetry={() => load()} />
      ) : queues === null ? (
        <Loading label={t('deadLetters.loading')} />
      ) : (
        <DataTable
          label={t('deadLetters.tableLabel')}
          columns={[
            t('deadLetters.columns.queue'),
            { label: t('deadLetters.columns.step'), hideBelow: 'md' },
            { label: t('deadLetters.columns.depth'), align: 'right' },
            { label: t('deadLetters.columns.oldest'), align: 'right' },
            { label: t('deadLetters.columns.sample'), hideBelow: 'sm' },
            t('deadLetters.columns.action'),
          ]}
        >
          {queues.map((row) => (
            <TableRow key={row.dead_letter_queue}>
              <TableCell component="th" scope="row">
                <Typography sx={{ fontWeight: 600, overflowWrap: 'anywhere' }}>{row.dead_letter_queue}</Typography>
                {row.redrive_running ? <Chip size="small" color="info" label={t('deadLetters.running')} sx={{ mt: 0.5 }} /> : null}
              </TableCell>
              <TableCell sx={hiddenBelow('md')}>{row.function}</TableCell>
              <TableCell align="right">{row.depth === 0 ? t('deadLetters.empty') : row.depth}</TableCell>
              <TableCell align="right">{row.oldest_age_seconds == null ? '—' : formatAge(row.oldest_age_seconds)}</TableCell>
              <TableCell sx={{ ...hiddenBelow('sm'), maxWidth: 360 }}>
                {row.sample ? (
                  <details>
                    <summary>{t('deadLetters.showSample', { queue: row.dead_letter_queue })}</summary>
                    <Box component="pre" sx={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere', fontSize: '0.75rem', m: 0, mt: 1 }}>
                      {row.sample}
                    </Box>
                  </details>
                ) : (
                  '—'
                )}
              </TableCell>
              <TableCell>
                <Button
                  variant="contained"
                  size="small"
                  disabled={row.depth === 0 || row.redrive_running}
                  aria-label={t('deadLetters.redriveLabel', { queue: row.dead_letter_queue })}
                  onClick={() => {
                    setRedriveError(null);
                    setPending(row);
                  }}
                >
                  {t('deadLetters.redrive')}
                </Button>
              </TableCell>
            </TableRow>
          ))}
        </DataTable>
      )}
      <Dialog
        open={pending !== null}
        onClose={busy ? undefined : () => setPending(null)}
        aria-labelledby="confirm-redrive-title"
        aria-describedby="confirm-redrive-body"
      >
        {pending ? (
          <>
            <DialogTitle id="confirm-redrive-title">{t('deadLetters.confirmTitle', { queue: pending.dead_letter_queue })}</DialogTitle>
            <DialogContent>
              <DialogContentText id="confirm-redrive-body">
                {t('deadLetters.confirmBody', { count: pending.depth, dlq: pending.dead_letter_queue, queue: pending.queue })}
              </DialogContentText>
              {redriveError ? (
                <Alert severity="error" role="alert" sx={{ mt: 2 }}>
                  {redriveError}
                </Alert>
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button onClick={() => setPending(null)} disabled={busy}>
                {t('deadLetters.cancel')}
              </Button>
              <SubmitButton type="button" busy={busy} busyLabel={t('deadLetters.redriving')} onClick={confirm}>
                {t('deadLetters.confirm')}
              </SubmitButton>
            </DialogActions>
          </>
        ) : null}
      </Dialog>
    </>
  );
}
