import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useMemo } from 'react';
import { Link, useSearchParams } from 'react-router';

import * as api from '../api/endpoints';
import type { CreditRequest } from '../api/types';
import { useUser } from '../auth/AuthProvider';
import { formatDateTime } from '../common/dates';
import { EmptyState, ErrorState, Loading } from '../common/feedback';
import { formatMoney } from '../common/money';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { isOpen } from '../common/status';
import { StatusChip } from '../common/StatusChip';
import { SubmitButton } from '../common/SubmitButton';
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
      {list.error ? (
        <ErrorState error={list.error} onRetry={list.reload} title="The requests could not be loaded" />
      ) : list.loading && list.items.length === 0 ? (
        <Loading label="Loading requests…" />
      ) : list.items.length === 0 ? (
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
      ) : (
        <>
          <RequestTable requests={list.items} />
          <Box sx={{ display: 'flex', alignItems: 'center', gap: 2, mt: 2, flexWrap: 'wrap' }}>
            <Typography variant="body2" role="status">
              Showing {list.items.length} request{list.items.length === 1 ? '' : 's'}
              {list.hasMore ? '; more are available.' : '.'}
            </Typography>
            {list.hasMore ? (
              <SubmitButton type="button" busy={list.loadingMore} busyLabel="Loading more…" onClick={list.loadMore} variant="outlined">
                Load more
              </SubmitButton>
            ) : null}
          </Box>
          {list.loadMoreError ? <Alert severity="error">{list.loadMoreError.message}</Alert> : null}
        </>
      )}
    </>
  );
}

export function RequestTable({ requests }: { requests: CreditRequest[] }) {
  return (
    <TableContainer component={Paper} variant="outlined">
      <Table size="small" aria-label="Credit requests">
        <TableHead>
          <TableRow>
            <TableCell scope="col">Request</TableCell>
            <TableCell scope="col" align="right">
              Amount
            </TableCell>
            <TableCell scope="col">Status</TableCell>
            <TableCell scope="col" sx={{ display: { xs: 'none', sm: 'table-cell' } }}>
              Created
            </TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
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
              <TableCell sx={{ display: { xs: 'none', sm: 'table-cell' }, whiteSpace: 'nowrap' }}>
                {formatDateTime(request.created_at)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
