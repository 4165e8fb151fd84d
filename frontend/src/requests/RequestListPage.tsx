import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';

import * as api from '../api/endpoints';
import type { CreditRequest } from '../api/types';
import { useUser } from '../auth/AuthProvider';
import { DataTable, hiddenBelow } from '../common/DataTable';
import { formatDateTime } from '../common/dates';
import { EmptyState, LoadMoreButton, PagedListView } from '../common/feedback';
import { formatMoney } from '../common/money';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { isOpen } from '../common/status';
import { StatusChip } from '../common/StatusChip';
import { usePagedList } from '../common/usePagedList';
import { filtersFromSearch, filtersToSearch, hasFilters, type ListFilters, toRequestQuery } from './filters';
import { RequestFiltersForm } from './RequestFiltersForm';

const PAGE_SIZE = 20;
const POLL_MS = 5000;

/** Applicants see their own requests; staff see every request. Filters come from the URL. */
export function RequestListPage() {
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
        title={applicant ? 'My requests' : 'All requests'}
        actions={
          applicant ? (
            <Button component={Link} to="/requests/new" variant="contained">
              New request
            </Button>
          ) : undefined
        }
      />
      <RequestFiltersForm value={filters} onApply={apply} stageFilter={!applicant} />
      {list.loading && list.items.length > 0 ? <LinearProgress aria-label="Updating the list" /> : null}
      <PagedListView
        list={list}
        errorTitle="The requests could not be loaded"
        loadingLabel="Loading requests…"
        empty={
          hasFilters(filters) ? (
            <EmptyState title="No requests match these filters.">
              <Button onClick={() => setParams(new URLSearchParams())}>Clear the filters</Button>
            </EmptyState>
          ) : (
            <EmptyState title={applicant ? 'You have not filed a credit request yet.' : 'No credit requests yet.'}>
              {applicant ? (
                <Button component={Link} to="/requests/new" variant="contained">
                  File your first request
                </Button>
              ) : null}
            </EmptyState>
          )
        }
      >
        <RequestTable requests={list.items} />
        <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mt: 2, flexWrap: 'wrap' }}>
          <Typography variant="body2" role="status">
            Showing {list.items.length} request{list.items.length === 1 ? '' : 's'}
            {list.hasMore ? '; more are available.' : '.'}
          </Typography>
          <LoadMoreButton list={list}>Load more</LoadMoreButton>
        </Box>
      </PagedListView>
    </>
  );
}

export function RequestTable({ requests }: { requests: CreditRequest[] }) {
  return (
    <DataTable
      label="Credit requests"
      columns={['Request', { label: 'Amount', align: 'right' }, 'Status', { label: 'Created', hideBelow: 'sm' }]}
    >
      {requests.map((request) => (
        <TableRow key={request.id} data-request-id={request.id}>
          <TableCell sx={{ maxWidth: 320 }}>
            <RouterLink to={`/requests/${request.id}`} sx={{ overflowWrap: 'anywhere' }}>
              {request.purpose}
            </RouterLink>
            <Typography variant="body2" color="text.secondary" sx={{ display: { sm: 'none' } }}>
              {formatDateTime(request.created_at)}
            </Typography>
          </TableCell>
          <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
            {formatMoney(request.amount)}
          </TableCell>
          <TableCell>
            <StatusChip status={request.status} />
          </TableCell>
          <TableCell sx={{ ...hiddenBelow('sm'), whiteSpace: 'nowrap' }}>{formatDateTime(request.created_at)}</TableCell>
        </TableRow>
      ))}
    </DataTable>
  );
}
