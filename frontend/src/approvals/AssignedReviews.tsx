import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';

import * as api from '../api/endpoints';
import { useUser } from '../auth/AuthProvider';
import { accessRole, REVIEWERS } from '../auth/roles';
import { DataTable } from '../common/DataTable';
import { ErrorState } from '../common/feedback';
import { RouterLink } from '../common/RouterLink';
import { useResource } from '../common/useResource';
import { formatDateTime, formatMoney } from '../i18n/format';

const POLL_MS = 15_000;

/** The inbox's section of automatic declines awaiting my review, for those who review; nothing when there are none. */
export function AssignedReviews() {
  const user = useUser();
  return REVIEWERS.includes(accessRole(user.role)) ? <ReviewList /> : null;
}

function ReviewList() {
  const { t } = useTranslation();
  const headingId = useId();
  const reviews = useResource((signal) => api.myReviews({ signal }), [], () => POLL_MS);
  // A failed load stops the polling: say so, rather than leave the list as it was without a word.
  const failed = reviews.error ? <ErrorState error={reviews.error} onRetry={reviews.reload} title={t('reviews.inboxLoadError')} /> : null;
  if (!reviews.data || reviews.data.length === 0) return failed;
  return (
    <Paper component="section" aria-labelledby={headingId} variant="outlined" sx={{ p: 2, mb: 3 }} data-testid="assigned-reviews">
      <Typography component="h2" variant="h6" id={headingId}>
        {t('reviews.inboxHeading')}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 1 }}>
        {t('reviews.inboxIntro', { count: reviews.data.length })}
      </Typography>
      {failed}
      <DataTable
        label={t('reviews.inboxHeading')}
        columns={[t('inbox.columns.request'), t('inbox.columns.applicant'), { label: t('inbox.columns.amount'), align: 'right' }, t('inbox.columns.due')]}
      >
        {reviews.data.map((entry) => (
          <TableRow key={entry.review_id} data-review-id={entry.review_id}>
            <TableCell>
              <RouterLink to={`/reviews/${entry.review_id}`} sx={{ fontWeight: 600 }}>
                {t('reviews.inboxLink', { ref: entry.request_id.slice(0, 8) })}
              </RouterLink>
            </TableCell>
            <TableCell>{entry.applicant_name}</TableCell>
            <TableCell align="right">{formatMoney(entry.amount)}</TableCell>
            <TableCell>
              {entry.due_at ? formatDateTime(entry.due_at) : t('inbox.noDue')}
              {entry.overdue ? <Chip label={t('inbox.overdue')} color="error" size="small" variant="outlined" sx={{ ml: 1 }} /> : null}
            </TableCell>
          </TableRow>
        ))}
      </DataTable>
    </Paper>
  );
}
