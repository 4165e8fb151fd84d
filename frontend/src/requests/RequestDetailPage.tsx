import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useParams } from 'react-router';

import * as api from '../api/endpoints';
import { type ApiError, toApiError } from '../api/errors';
import { useUser } from '../auth/AuthProvider';
import { ADMINS, accessRole } from '../auth/roles';
import { ErrorState, Loading } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { isOpen } from '../common/status';
import { SubmitButton } from '../common/SubmitButton';
import { useResource } from '../common/useResource';
import { formatDateTime } from '../i18n/format';
import { ADVERSE_STATUSES } from './AdverseActionNotice';
import { audienceOf } from './audience';
import { Conversation } from './Conversation';
import { MoreInformation } from './MoreInformation';
import { OfferPanel } from './OfferPanel';
import { DeclineReviewPanel } from './DeclineReviewPanel';
import { RequestProgress } from './RequestProgress';
import { RequestSummary } from './RequestSummary';
import { ScoreResultPanel } from './ScoreResultPanel';
import { StageTimeline } from './StageTimeline';

const POLL_MS = 3000;

export function RequestDetailPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const user = useUser();
  const location = useLocation();
  const submitted = (location.state as { submitted?: boolean } | null)?.submitted === true;
  const audience = audienceOf(user.role);
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
  const [withdrawnAt, setWithdrawnAt] = useState<string | null>(null);
  const confirmation = useRef<HTMLDivElement>(null);

  // The result of withdrawing takes the focus (the button that was pressed is gone).
  useEffect(() => {
    if (withdrawnAt !== null) confirmation.current?.focus();
  }, [withdrawnAt]);

  async function withdraw() {
    setWithdrawing(true);
    setWithdrawError(undefined);
    try {
      const updated = await api.withdrawRequest(id);
      setWithdrawnAt(updated.updated_at);
      setConfirming(false);
      detail.reload();
    } catch (reason) {
      setWithdrawError(toApiError(reason));
    } finally {
      setWithdrawing(false);
    }
  }

  const back = <RouterLink to="/requests">{t('detail.back')}</RouterLink>;
  if (detail.error && !detail.data) {
    return (
      <>
        <PageHeader title={detail.error.status === 404 ? t('detail.notFound') : t('detail.title')}>{back}</PageHeader>
        {detail.error.status === 404 ? (
          <Alert severity="info">{t('detail.notFoundBody')}</Alert>
        ) : (
          <ErrorState error={detail.error} onRetry={detail.reload} title={t('detail.loadError')} />
        )}
      </>
    );
  }
  if (!detail.data) return <Loading label={t('detail.loading')} />;

  const request = detail.data;
  // A stage paused on the applicant's answer is still its assignee's to reject.
  const current = request.stages.find((s) => s.status === 'pending' || s.status === 'info_requested');
  // An offer is answered (accepted or declined), not withdrawn; a decline under human review
  // waits for the reviewer's outcome (the API refuses to withdraw it).
  const canWithdraw =
    user.role === 'applicant' && isOpen(request.status) && !['offer_made', 'review_requested'].includes(request.status) && withdrawnAt === null;
  const canDecide = current !== undefined && current.assignee === user.username && ['pending_approval', 'info_requested'].includes(request.status);
  const reference = request.id.slice(0, 8);

  return (
    <>
      <PageHeader
        title={t('detail.title')}
        actions={
          <Box sx={{ display: 'flex', gap: 1, flexWrap: 'wrap' }}>
            {ADVERSE_STATUSES.includes(request.status) ? (
              <Button component={Link} to={`/requests/${request.id}/notice`} variant="outlined" data-testid="notice-link">
                {t('notice.link')}
              </Button>
            ) : null}
            {canDecide ? (
              <Button component={Link} to={`/inbox/${request.id}`} variant="contained">
                {t('detail.decide')}
              </Button>
            ) : null}
            {ADMINS.includes(accessRole(user.role)) ? (
              <Button component={Link} to={`/admin/audit?request_id=${encodeURIComponent(request.id)}`} variant="outlined">
                {t('detail.auditTrail')}
              </Button>
            ) : null}
            {!follow && isOpen(request.status) ? (
              <Button variant="outlined" onClick={detail.reload}>
                {t('detail.refresh')}
              </Button>
            ) : null}
            {canWithdraw ? (
              <Button variant="outlined" color="error" onClick={() => setConfirming(true)}>
                {t('detail.withdraw')}
              </Button>
            ) : null}
          </Box>
        }
      >
        {back}
      </PageHeader>
      {/* Confirmations stay on the page: by the time it loads the request may have moved on. */}
      {withdrawnAt !== null ? (
        <Alert severity="success" sx={{ mb: 2 }} ref={confirmation} tabIndex={-1} data-testid="withdrawn-confirmation">
          {t('detail.withdrawnConfirmation', { when: formatDateTime(withdrawnAt), ref: reference })}
        </Alert>
      ) : submitted ? (
        <Alert severity="success" sx={{ mb: 2 }} data-testid="submitted-confirmation">
          {t('detail.submittedConfirmation', { when: formatDateTime(request.created_at), ref: reference })}
        </Alert>
      ) : null}
      {detail.error ? <ErrorState error={detail.error} onRetry={detail.reload} title={t('detail.updatesPaused')} /> : null}
      <RequestProgress request={request} audience={audience} />
      {request.status === 'submitted' ? null : <DeclineReviewPanel request={request} applicant={user.role === 'applicant'} onChanged={detail.reload} />}
      <RequestSummary request={request} audience={audience} policyVersion={request.policy_version} />
      <OfferPanel request={request} answerable={user.role === 'applicant'} onAnswered={() => detail.reload()} />
      <ScoreResultPanel result={request.score_result} />
      <MoreInformation request={request} audience={audience} onAnswered={detail.reload} />
      <StageTimeline stages={request.stages} audience={audience} />
      <Conversation
        requestId={request.id}
        audience={audience}
        // The API emails the applicant's message to whoever holds a stage, else to who last
        // decided one: the approver the applicant is shown by first name.
        handled={request.stages.some((stage) => stage.approver_first_name !== null)}
      />
      <Dialog
        open={confirming}
        onClose={() => setConfirming(false)}
        aria-labelledby="withdraw-title"
        // Once withdrawn, focus goes to the confirmation, not back to the (gone) button.
        disableRestoreFocus={withdrawnAt !== null}
      >
        <DialogTitle id="withdraw-title">{t('detail.withdrawTitle')}</DialogTitle>
        <DialogContent>
          <DialogContentText>{t('detail.withdrawBody')}</DialogContentText>
          {withdrawError ? (
            <Alert severity="error" sx={{ mt: 2 }}>
              {withdrawError.message}
            </Alert>
          ) : null}
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)}>{t('detail.keep')}</Button>
          <SubmitButton type="button" color="error" busy={withdrawing} busyLabel={t('detail.withdrawing')} onClick={withdraw}>
            {t('detail.withdrawConfirm')}
          </SubmitButton>
        </DialogActions>
      </Dialog>
    </>
  );
}
