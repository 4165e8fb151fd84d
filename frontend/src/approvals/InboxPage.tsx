import Chip from '@mui/material/Chip';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';

import * as api from '../api/endpoints';
import { ROLE_LABELS } from '../auth/roles';
import { DataTable } from '../common/DataTable';
import { formatDateTime } from '../common/dates';
import { EmptyState, ErrorState, Loading } from '../common/feedback';
import { formatMoney } from '../common/money';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { useResource } from '../common/useResource';

const POLL_MS = 15_000;

/** The stages assigned to me, oldest due first (the API's order); overdue ones marked in words. */
export function InboxPage() {
  const inbox = useResource((signal) => api.myApprovals({ signal }), [], () => POLL_MS);
  const overdue = inbox.data?.filter((s) => s.overdue).length ?? 0;

  return (
    <>
      <PageHeader title="Inbox">
        <Typography color="text.secondary">Approval stages waiting for your decision, oldest due first.</Typography>
      </PageHeader>
      {inbox.error ? (
        <ErrorState error={inbox.error} onRetry={inbox.reload} title="Your inbox could not be loaded" />
      ) : inbox.data === undefined ? (
        <Loading label="Loading your inbox…" />
      ) : inbox.data.length === 0 ? (
        <EmptyState title="Nothing waits for your decision.">
          <Typography color="text.secondary">New stages appear here by themselves, and you get an email.</Typography>
        </EmptyState>
      ) : (
        <>
          <Typography role="status" sx={{ mb: 1 }}>
            {inbox.data.length} stage{inbox.data.length === 1 ? '' : 's'} waiting
            {overdue > 0 ? `, ${overdue} overdue` : ''}.
          </Typography>
          <DataTable label="Stages waiting for your decision" columns={['Request', { label: 'Amount', align: 'right' }, 'Stage', 'Due']}>
            {inbox.data.map((entry) => (
              <TableRow key={entry.stage_id} data-request-id={entry.request.id}>
                <TableCell>
                  <RouterLink to={`/inbox/${entry.request.id}`} sx={{ overflowWrap: 'anywhere' }}>
                    {entry.request.purpose}
                  </RouterLink>
                  <Typography variant="body2" color="text.secondary">
                    Ref. {entry.request.id.slice(0, 8)}
                  </Typography>
                </TableCell>
                <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                  {formatMoney(entry.request.amount)}
                </TableCell>
                <TableCell>
                  {entry.level} · {ROLE_LABELS[entry.role]}
                </TableCell>
                <TableCell>
                  {entry.due_at ? formatDateTime(entry.due_at) : 'No due date'}
                  {entry.overdue ? <Chip label="Overdue" color="error" size="small" variant="outlined" sx={{ ml: 1 }} /> : null}
                </TableCell>
              </TableRow>
            ))}
          </DataTable>
        </>
      )}
    </>
  );
}
