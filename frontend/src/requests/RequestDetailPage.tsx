import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import { useState } from 'react';
import { Link, useLocation, useParams } from 'react-router';

import * as api from '../api/endpoints';
import { type ApiError, toApiError } from '../api/errors';
import { useUser } from '../auth/AuthProvider';
import { ErrorState, Loading } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { isOpen } from '../common/status';
import { SubmitButton } from '../common/SubmitButton';
import { useResource } from '../common/useResource';
import { RequestSummary } from './RequestSummary';
import { ScoreResultPanel } from './ScoreResultPanel';
import { StageTimeline } from './StageTimeline';

const POLL_MS = 3000;

export function RequestDetailPage() {
  const { id = '' } = useParams();
  const user = useUser();
  const location = useLocation();
  const submitted = (location.state as { submitted?: boolean } | null)?.submitted === true;
  // Applicants' pages follow their open requests by themselves. Staff reads are audited one
  // by one (credit_request.viewed), so staff refresh on demand instead of every few seconds.
  const follow = user.role === 'applicant';
  const detail = useResource(
    (signal) => api.getRequest(id, { signal }),
    [id],
    (r) => (follow && isOpen(r.status) ? POLL_MS : null),
  );
  const [confirming, setConfirming] = useState(false);
  const [withdrawing, setWithdrawing] = useState(false);
  const [withdrawError, setWithdrawError] = useState<ApiError>();

  async function withdraw() {
    setWithdrawing(true);
    setWithdrawError(undefined);
    try {
      await api.withdrawRequest(id);
      setConfirming(false);
      detail.reload();
    } catch (reason) {
      setWithdrawError(toApiError(reason));
    } finally {
      setWithdrawing(false);
    }
  }

  const back = <RouterLink to="/requests">Back to the requests</RouterLink>;
  if (detail.error && !detail.data) {
    return (
      <>
        <PageHeader title={detail.error.status === 404 ? 'Request not found' : 'Credit request'}>{back}</PageHeader>
        {detail.error.status === 404 ? (
          <Alert severity="info">There is no credit request here that you may see.</Alert>
        ) : (
          <ErrorState error={detail.error} onRetry={detail.reload} title="The request could not be loaded" />
        )}
      </>
    );
  }
  if (!detail.data) return <Loading label="Loading the request…" />;

  const request = detail.data;
  const current = request.stages.find((s) => s.status === 'pending');
  const canWithdraw = user.role === 'applicant' && isOpen(request.status);
  const canDecide = current !== undefined && current.assignee === user.username && request.status === 'pending_approval';

  return (
    <>
      <PageHeader
        title="Credit request"
        actions={
          <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
            {canDecide ? (
              <Button component={Link} to={`/inbox/${request.id}`} variant="contained">
                Decide this stage
              </Button>
            ) : null}
            {!follow && isOpen(request.status) ? (
              <Button variant="outlined" onClick={detail.reload}>
                Refresh
              </Button>
            ) : null}
            {canWithdraw ? (
              <Button variant="outlined" color="error" onClick={() => setConfirming(true)}>
                Withdraw request
              </Button>
            ) : null}
          </Box>
        }
      >
        {back}
      </PageHeader>
      {submitted && request.status === 'submitted' ? (
        <Alert severity="success" sx={{ mb: 2 }}>
          Your request was submitted. The automatic analysis is running; this page updates by itself.
        </Alert>
      ) : null}
      <Box role="status" aria-live="polite" sx={{ mb: 2 }}>
        {request.status === 'submitted' ? 'The automatic analysis is running.' : null}
        {request.status === 'pending_approval' && current?.assignee ? `Waiting for a decision at stage ${current.level}.` : null}
      </Box>
      {detail.error ? <ErrorState error={detail.error} onRetry={detail.reload} title="Updates paused" /> : null}
      <RequestSummary request={request} />
      <ScoreResultPanel result={request.score_result} />
      <StageTimeline stages={request.stages} />
      <Dialog open={confirming} onClose={() => setConfirming(false)} aria-labelledby="withdraw-title">
        <DialogTitle id="withdraw-title">Withdraw this request?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            The request stops here and no approver will decide it. You can file a new request later.
          </DialogContentText>
          {withdrawError ? (
            <Alert severity="error" sx={{ mt: 2 }}>
              {withdrawError.message}
            </Alert>
          ) : null}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)}>Keep it</Button>
          <SubmitButton type="button" color="error" busy={withdrawing} busyLabel="Withdrawing…" onClick={withdraw}>
            Withdraw
          </SubmitButton>
        </DialogActions>
      </Dialog>
    </>
  );
}
