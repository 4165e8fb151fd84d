import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import * as api from '../api/endpoints';
import { toApiError } from '../api/errors';
import type { RetentionRun } from '../api/types';
import { DataTable, hiddenBelow } from '../common/DataTable';
import { FormError, LoadMoreButton, PagedListView } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { SubmitButton } from '../common/SubmitButton';
import { usePagedList } from '../common/usePagedList';
import { formatDateTime } from '../i18n/format';

/**
 * The retention job's runs, newest first, and running it now. A dry run only counts what is due;
 * applying removes the personal data of requests decided over 25 months ago, after a confirmation.
 * The daily schedule runs it too; every run is listed here and audited.
 */
export function RetentionPage() {
  const { t } = useTranslation();
  const list = usePagedList((cursor, signal) => api.listRetentionRuns(cursor, { signal }), []);
  const [busy, setBusy] = useState<'dry' | 'apply' | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string>();
  const [outcome, setOutcome] = useState<RetentionRun | null>(null);

  async function start(dryRun: boolean) {
    setBusy(dryRun ? 'dry' : 'apply');
    setError(undefined);
    try {
      const run = await api.runRetention(dryRun);
      setOutcome(run);
      setConfirming(false);
      list.reload();
    } catch (caught) {
      setError(toApiError(caught).message);
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <PageHeader
        title={t('retention.title')}
        actions={
          <Stack direction="row" spacing={1}>
            <SubmitButton type="button" variant="outlined" busy={busy === 'dry'} busyLabel={t('retention.running')} onClick={() => void start(true)}>
              {t('retention.dryRun')}
            </SubmitButton>
            <Button variant="contained" color="warning" disabled={busy !== null} onClick={() => setConfirming(true)}>
              {t('retention.apply')}
            </Button>
          </Stack>
        }
      >
        <Typography color="text.secondary" sx={{ mt: 1 }}>
          {t('retention.intro')}
        </Typography>
      </PageHeader>
      {outcome ? (
        <Alert severity="success" role="status" sx={{ mb: 2 }} onClose={() => setOutcome(null)}>
          {t(outcome.dry_run ? 'retention.dryRunDone' : 'retention.applyDone', {
            requests: outcome.counts.requests,
            applicants: outcome.counts.applicants,
            rows: outcome.counts.audit_rows,
          })}
        </Alert>
      ) : null}
      {!confirming ? <FormError message={error} /> : null}
      <PagedListView list={list} errorTitle={t('retention.loadError')} loadingLabel={t('retention.loading')} empty={t('retention.none')}>
        <DataTable
          label={t('retention.history')}
          columns={[
            t('retention.columns.started'),
            t('retention.columns.kind'),
            { label: t('retention.columns.by'), hideBelow: 'md' },
            { label: t('retention.columns.cutoff'), hideBelow: 'md' },
            { label: t('retention.columns.requests'), align: 'right' },
            { label: t('retention.columns.applicants'), align: 'right' },
            { label: t('retention.columns.auditRows'), align: 'right', hideBelow: 'sm' },
            { label: t('retention.columns.remaining'), align: 'right', hideBelow: 'sm' },
          ]}
        >
          {list.items.map((run) => (
            <TableRow key={run.id} data-testid="retention-run">
              <TableCell component="th" scope="row">
                {formatDateTime(run.started_at)}
              </TableCell>
              <TableCell>{t(run.dry_run ? 'retention.kind.dry' : 'retention.kind.applied')}</TableCell>
              <TableCell sx={hiddenBelow('md')}>{run.actor}</TableCell>
              <TableCell sx={hiddenBelow('md')}>{formatDateTime(run.cutoff)}</TableCell>
              <TableCell align="right">{run.counts.requests}</TableCell>
              <TableCell align="right">{run.counts.applicants}</TableCell>
              <TableCell align="right" sx={hiddenBelow('sm')}>
                {run.counts.audit_rows}
              </TableCell>
              <TableCell align="right" sx={hiddenBelow('sm')}>
                {run.counts.remaining}
              </TableCell>
            </TableRow>
          ))}
        </DataTable>
      </PagedListView>
      <LoadMoreButton list={list}>{t('common.loadMore')}</LoadMoreButton>
      <Dialog
        open={confirming}
        onClose={busy ? undefined : () => setConfirming(false)}
        aria-labelledby="confirm-retention-title"
        aria-describedby="confirm-retention-body"
      >
        <DialogTitle id="confirm-retention-title">{t('retention.confirmTitle')}</DialogTitle>
        <DialogContent>
          <DialogContentText id="confirm-retention-body">{t('retention.confirmBody')}</DialogContentText>
          {error ? (
            <Alert severity="error" role="alert" sx={{ mt: 2 }}>
              {error}
            </Alert>
          ) : null}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)} disabled={busy !== null}>
            {t('retention.cancel')}
          </Button>
          <SubmitButton type="button" color="warning" busy={busy === 'apply'} busyLabel={t('retention.running')} onClick={() => void start(false)}>
            {t('retention.confirm')}
          </SubmitButton>
        </DialogActions>
      </Dialog>
    </>
  );
}
