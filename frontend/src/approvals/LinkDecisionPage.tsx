import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { Link, useParams } from 'react-router';

import * as api from '../api/endpoints';
import type { CreditRequest } from '../api/types';
import { ROLE_LABELS } from '../auth/roles';
import { formatDateTime } from '../common/dates';
import { ErrorState, Loading } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { useResource } from '../common/useResource';
import { RequestSummary } from '../requests/RequestSummary';
import { DecisionForm, decisionOutcome } from './DecisionForm';
import { type LinkProblem, linkProblem } from './linkErrors';
import { ScoreResultPanel } from '../requests/ScoreResultPanel';

/**
 * The page an approver's email links to. Opening it only reads (mail scanners open links);
 * nothing changes until a button is pressed. No sign-in needed: the link is the credential.
 */
export function LinkDecisionPage() {
  const { token = '' } = useParams();
  const link = useResource((signal) => api.getApprovalLink(token, { signal }), [token]);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [decided, setDecided] = useState<CreditRequest | null>(null);
  const [problem, setProblem] = useState<LinkProblem | null>(null);

  const failed = problem ?? (link.error ? linkProblem(link.error) : null);
  if (failed) {
    return (
      <>
        <PageHeader title="Approval link" />
        <Alert severity="warning" role="alert" sx={{ mb: 2 }}>
          <AlertTitle>{failed.title}</AlertTitle>
          {failed.explanation}
        </Alert>
        <Button component={Link} to="/inbox" variant="contained">
          Open my inbox
        </Button>
      </>
    );
  }
  if (link.error) {
    return (
      <>
        <PageHeader title="Approval link" />
        <ErrorState error={link.error} onRetry={link.reload} title="The link could not be checked" />
      </>
    );
  }
  if (!link.data) return <Loading label="Checking your approval link…" />;

  const summary = link.data;
  return (
    <>
      <PageHeader title={`Decision: stage ${summary.level} (${ROLE_LABELS[summary.role]})`}>
        <Typography color="text.secondary">
          For {summary.approver}. This link works once, until {formatDateTime(summary.expires_at)}.
        </Typography>
      </PageHeader>
      {outcome ? (
        <Alert severity="success" role="status" sx={{ mb: 2 }}>
          <AlertTitle>Decision recorded</AlertTitle>
          {outcome}
        </Alert>
      ) : (
        <DecisionForm
          decide={(decision) => api.decideByLink(token, decision)}
          onDecided={(decision, request) => {
            setOutcome(decisionOutcome(decision, request));
            setDecided(request);
          }}
          onError={(error) => {
            const found = linkProblem(error);
            if (found) setProblem(found);
            return found !== null;
          }}
        />
      )}
      <RequestSummary request={decided ?? summary.request} />
      <ScoreResultPanel result={summary.score_result} />
    </>
  );
}
