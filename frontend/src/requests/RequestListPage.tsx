import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import { useTheme } from '@mui/material/styles';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';

import * as api from '../api/endpoints';
import type { CreditRequest } from '../api/types';
import { useUser } from '../auth/AuthProvider';
import { DataTable } from '../common/DataTable';
import { EmptyState, LoadMoreButton, PagedListView } from '../common/feedback';
import { ExportButton } from '../common/ExportButton';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { isOpen } from '../common/status';
import { StatusChip } from '../common/StatusChip';
import { usePagedList } from '../common/usePagedList';
import { formatDateTime, formatMoney } from '../i18n/format';
import { filtersFromSearch, filtersToSearch, hasFilters, type ListFilters, toRequestQuery } from './filters';
import { RequestFiltersForm } from './RequestFiltersForm';

const PAGE_SIZE = 20;
const POLL_MS = 5000;

/** Applicants see their own requests; staff see every request. Filters come from the URL. */
export function RequestListPage() {
  const { t } = useTranslation();
  const user = useUser();
  const applicant = user.role === 'applicant';
  const [params, setParams] = useSearchParams();
  const search = params.toString();
  const filters = useMemo(() => filtersFromSearch(new URLSearchParams(search)), [search]);
  const list = usePagedList(
    (cursor, signal) =>
      api.listRequests({ ...toRequestQuery(filters), limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) }, { signal }),
    [search],
    (items) => (items.some((r) => isOpen(r.status)) ? POLL_MS : null),
  );

  const apply = (next: ListFilters) => setParams(filtersToSearch(next));

  return (
    <>
      <PageHeader
        title={applicant ? t('requestList.mine') : t('requestList.all')}
        actions={
          applicant ? (
            <Button component={Link} to="/requests/new" variant="contained">
              {t('nav.newRequest')}
            </Button>
          ) : (
            <ExportButton
              download={() => {
                const { sort: _sort, ...query } = toRequestQuery(filters);
                return api.exportRequests(query);
              }}
            />
          )
        }
      />
      <RequestFiltersForm value={filters} onApply={apply} stageFilter={!applicant} />
      {list.loading && list.items.length > 0 ? <LinearProgress aria-label={t('requestList.updating')} /> : null}
      <PagedListView
        list={list}
        errorTitle={t('requestList.loadError')}
        loadingLabel={t('requestList.loading')}
        empty={
          hasFilters(filters) ? (
            <EmptyState title={t('requestList.noMatch')}>
              <Button onClick={() => setParams(new URLSearchParams())}>{t('filters.clearAll')}</Button>
            </EmptyState>
          ) : (
            <EmptyState title={applicant ? t('requestList.emptyMine') : t('requestList.emptyAll')}>
              {applicant ? (
                <Button component={Link} to="/requests/new" variant="contained">
                  {t('requestList.fileFirst')}
                </Button>
              ) : null}
            </EmptyState>
          )
        }
      >
        <RequestTable requests={list.items} />
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mt: 2, flexWrap: 'wrap' }}>
          <Typography variant="body2" role="status">
            {list.hasMore ? t('requestList.showingMore', { count: list.items.length }) : t('requestList.showing', { count: list.items.length })}
          </Typography>
          <LoadMoreButton list={list}>{t('common.loadMore')}</LoadMoreButton>
        </Box>
      </PagedListView>
    </>
  );
}

/**
 * The requests as a table. On phones the status and the date go under the purpose, so the
 * purpose keeps a readable width and the table fits without scrolling.
 */
export function RequestTable({ requests }: { requests: CreditRequest[] }) {
  const { t } = useTranslation();
  const theme = useTheme();
  const phone = useMediaQuery(theme.breakpoints.down('sm'), { noSsr: true });
  return (
    <DataTable
      label={t('requestList.tableLabel')}
      columns={[
        t('requestList.columns.request'),
        { label: t('requestList.columns.amount'), align: 'right' },
        ...(phone ? [] : [t('requestList.columns.status'), t('requestList.columns.created')]),
      ]}
    >
      {requests.map((request) => (
        <TableRow key={request.id} data-request-id={request.id} data-list-item>
          <TableCell sx={{ maxWidth: 320 }}>
            <RouterLink to={`/requests/${request.id}`} sx={{ overflowWrap: 'break-word' }}>
              {request.purpose}
            </RouterLink>
            {phone ? (
              <>
                <Typography variant="body2" color="text.secondary">
                  {formatDateTime(request.created_at)}
                </Typography>
                <StatusChip status={request.status} />
              </>
            ) : null}
          </TableCell>
          <TableCell align="right" sx={{ whiteSpace: 'nowrap', verticalAlign: phone ? 'top' : undefined }}>
            {formatMoney(request.amount)}
          </TableCell>
          {phone ? null : (
            <>
              <TableCell>
                <StatusChip status={request.status} />
              </TableCell>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDateTime(request.created_at)}</TableCell>
            </>
          )}
        </TableRow>
      ))}
    </DataTable>
  );
}
