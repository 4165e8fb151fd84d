import Alert from '@mui/material/Alert';
import { useState } from 'react';
import { useParams } from 'react-router';

import * as api from '../api/endpoints';
import { useUser } from '../auth/AuthProvider';
import { ErrorState, Loading } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { useResource } from '../common/useResource';
import { RequestSummary } from '../requests/RequestSummary';
import { StageTimeline } from '../requests/StageTimeline';
import { DecisionForm, decisionOutcome } from './DecisionForm';
import { ScoreResultPanel } from '../requests/ScoreResultPanel';

/** An approver's decision on the current stage of a request: the request, its analysis and history. */
export function DecisionPage() {
  const { requestId = '' } = useParams();
  const user = useUser();
  const detail = useResource((signal) => api.getRequest(requestId, { signal }), [requestId]);
  const [outcome, setOutcome] = useState<string | null>(null);

  const back = <RouterLink to="/inbox">Back to the inbox</RouterLink>;
  if (detail.error && !detail.data) {
    return (
      <>
        <PageHeader title="Decision">{back}</PageHeader>
        <ErrorState error={detail.error} onRetry={detail.reload} title="The request could not be loaded" />
      </>
    );
  }
  if (!detail.data) return <Loading label="Loading the request…" />;

  const request = detail.data;
  const current = request.stages.find((s) => s.status === 'pending');
  const mine = current !== undefined && current.assignee === user.username && request.status === 'pending_approval';

  return (
    <>
      <PageHeader title={current ? `Decision: stage ${current.level}` : 'Decision'}>{back}</PageHeader>
      {outcome ? (
        <Alert severity="success" role="status" sx={{ mb: 2 }}>
          {outcome}
        </Alert>
      ) : mine ? (
        <DecisionForm
          decide={(decision) => api.decideRequest(request.id, decision)}
          onDecided={(decision, updated) => {
            setOutcome(decisionOutcome(decision, updated));
            detail.reload();
          }}
        />
      ) : (
        <Alert severity="info" sx={{ mb: 2 }}>
          {current
            ? `This stage is assigned to ${current.assignee ?? 'nobody yet'}, not to you: you can read the request but not decide it.`
            : 'This request has no stage waiting for a decision.'}
        </Alert>
      )}
      <RequestSummary request={request} />
      <ScoreResultPanel result={request.score_result} />
      <StageTimeline stages={request.stages} />
    </>
  );
}
