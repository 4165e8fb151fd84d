import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import { useTheme } from '@mui/material/styles';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';

import * as api from '../api/endpoints';
import type { PendingStage } from '../api/types';
import { roleLabel } from '../auth/roles';
import { DataTable } from '../common/DataTable';
import { EmptyState, ErrorState, Loading } from '../common/feedback';
import { Field } from '../common/Field';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { SelectField } from '../common/SelectField';
import { useResource } from '../common/useResource';
import { formatDateTime, formatMoney } from '../i18n/format';
import { AssignedReviews } from './AssignedReviews';
import { INBOX_SORTS, type InboxSort, inboxSortLabel, searchInbox } from './inbox';

const POLL_MS = 15_000;

function RiskChip({ entry }: { entry: PendingStage }) {
  const { t } = useTranslation();
  const tier = entry.request.risk_tier;
  if (!tier) return <>{t('inbox.notScored')}</>;
  return (
    <Chip
      label={t(`inbox.risk.${tier}`)}
      size="small"
      variant="outlined"
      color={tier === 'high' ? 'error' : tier === 'medium' ? 'warning' : 'default'}
      data-risk={tier}
    />
  );
}

function DueText({ entry }: { entry: PendingStage }) {
  const { t } = useTranslation();
  return (
    <>
      {entry.due_at ? formatDateTime(entry.due_at) : t('inbox.noDue')}
      {entry.overdue ? <Chip label={t('inbox.overdue')} color="error" size="small" variant="outlined" sx={{ ml: 1 }} /> : null}
    </>
  );
}

/**
 * The stages assigned to me, oldest due first (the API's order), with their risk tier and due
 * date; searched and sorted here, the search and sort in the URL like the other lists.
 */
export function InboxPage() {
  const { t } = useTranslation();
  const theme = useTheme();
  const phone = useMediaQuery(theme.breakpoints.down('sm'), { noSsr: true });
  const inbox = useResource((signal) => api.myApprovals({ signal }), [], () => POLL_MS);
  const [params, setParams] = useSearchParams();
  const search = params.get('q') ?? '';
  const sort = INBOX_SORTS.find((s) => s === params.get('sort')) ?? 'due';
  const [draft, setDraft] = useState(search);
  useEffect(() => setDraft(search), [search]);

  const all = inbox.data ?? [];
  const shown = searchInbox(all, search, sort);
  const overdue = all.filter((s) => s.overdue).length;

  function update(q: string, nextSort: InboxSort) {
    const next = new URLSearchParams();
    if (q.trim()) next.set('q', q.trim());
    if (nextSort !== 'due') next.set('sort', nextSort);
    setParams(next, { replace: true });
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    update(draft, sort);
  }

  const open = (entry: PendingStage) => (
    <RouterLink to={`/inbox/${entry.request.id}`} sx={{ overflowWrap: 'anywhere', fontWeight: 600 }}>
      {entry.request.purpose}
    </RouterLink>
  );
  const stage = (entry: PendingStage) => t('inbox.stage', { k: entry.level, role: roleLabel(entry.role) });
  const onBehalf = (entry: PendingStage) =>
    entry.on_behalf_of ? (
      <Typography variant="body2" color="text.secondary">
        {t('inbox.onBehalfOf', { name: entry.on_behalf_of })}
      </Typography>
    ) : null;

  return (
    <>
      <PageHeader title={t('inbox.title')}>
        <Typography color="text.secondary">{t('inbox.intro')}</Typography>
      </PageHeader>
      <AssignedReviews />
      {inbox.error ? (
        <ErrorState error={inbox.error} onRetry={inbox.reload} title={t('inbox.loadError')} />
      ) : inbox.data === undefined ? (
        <Loading label={t('inbox.loading')} />
      ) : all.length === 0 ? (
        <EmptyState title={t('inbox.empty')}>
          <Typography color="text.secondary">{t('inbox.emptyHint')}</Typography>
        </EmptyState>
      ) : (
        <>
          <Paper component="form" role="search" aria-label={t('inbox.searchLabel')} variant="outlined" onSubmit={submit} sx={{ p: 2, mb: 2 }}>
            <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap', alignItems: 'flex-start' }}>
              <TextField
                id="inbox-search"
                name="q"
                type="search"
                size="small"
                label={t('inbox.search')}
                helperText={t('inbox.searchHelp')}
                value={draft}
                onChange={(e) => setDraft(e.target.value)}
                sx={{ flex: '1 1 220px' }}
              />
              <Button type="submit" variant="contained" sx={{ mt: 0.25 }}>
                {t('inbox.searchButton')}
              </Button>
              <Box sx={{ flex: '0 1 240px', minWidth: 200 }}>
                <SelectField
                  id="inbox-sort"
                  label={t('filters.sort')}
                  value={sort}
                  options={INBOX_SORTS.map((s) => ({ value: s, label: inboxSortLabel(s) }))}
                  onChange={(next) => update(search, next)}
                />
              </Box>
            </Box>
          </Paper>
          <Typography role="status" sx={{ mb: 1 }}>
            {search ? t('inbox.matching', { count: shown.length, total: all.length }) : t('inbox.waiting', { count: all.length })}
            {overdue > 0 ? ` ${t('inbox.overdueCount', { count: overdue })}` : ''}
          </Typography>
          {shown.length === 0 ? (
            <EmptyState title={t('inbox.noMatch', { search })}>
              <Button onClick={() => update('', sort)}>{t('filters.clearAll')}</Button>
            </EmptyState>
          ) : phone ? (
            <Box component="ul" aria-label={t('inbox.tableLabel')} sx={{ listStyle: 'none', p: 0, m: 0, display: 'grid', gap: 1.5 }}>
              {shown.map((entry) => (
                <Paper component="li" variant="outlined" key={entry.stage_id} data-request-id={entry.request.id} sx={{ p: 2 }}>
                  {open(entry)}
                  <Typography variant="body2" color="text.secondary">
                    {t('inbox.reference', { ref: entry.request.id.slice(0, 8) })}
                  </Typography>
                  {onBehalf(entry)}
                  <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: 1, m: 0, mt: 1 }}>
                    <Field label={t('inbox.columns.applicant')}>{entry.applicant_name}</Field>
                    <Field label={t('inbox.columns.amount')}>{formatMoney(entry.request.amount)}</Field>
                    <Field label={t('inbox.columns.risk')}>
                      <RiskChip entry={entry} />
                    </Field>
                    <Field label={t('inbox.columns.stage')}>{stage(entry)}</Field>
                    <Field label={t('inbox.columns.due')}>
                      <DueText entry={entry} />
                    </Field>
                  </Box>
                </Paper>
              ))}
            </Box>
          ) : (
            <DataTable
              label={t('inbox.tableLabel')}
              columns={[
                t('inbox.columns.request'),
                t('inbox.columns.applicant'),
                { label: t('inbox.columns.amount'), align: 'right' },
                t('inbox.columns.risk'),
                t('inbox.columns.stage'),
                t('inbox.columns.due'),
              ]}
            >
              {shown.map((entry) => (
                <TableRow key={entry.stage_id} data-request-id={entry.request.id}>
                  <TableCell>
                    {open(entry)}
                    <Typography variant="body2" color="text.secondary">
                      {t('inbox.reference', { ref: entry.request.id.slice(0, 8) })}
                    </Typography>
                    {onBehalf(entry)}
                  </TableCell>
                  <TableCell>{entry.applicant_name}</TableCell>
                  <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                    {formatMoney(entry.request.amount)}
                  </TableCell>
                  <TableCell>
                    <RiskChip entry={entry} />
                  </TableCell>
                  <TableCell>{stage(entry)}</TableCell>
                  <TableCell>
                    <DueText entry={entry} />
                  </TableCell>
                </TableRow>
              ))}
            </DataTable>
          )}
        </>
      )}
    </>
  );
}
