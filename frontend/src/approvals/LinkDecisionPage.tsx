import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';

import * as api from '../api/endpoints';
import type { ApiError } from '../api/errors';
import type { CreditRequest, Decision, Stage } from '../api/types';
import { roleLabel } from '../auth/roles';
import { ErrorState, Loading } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { useResource } from '../common/useResource';
import { formatDateTime } from '../i18n/format';
import { RequestSummary } from '../requests/RequestSummary';
import { ScoreResultPanel } from '../requests/ScoreResultPanel';
import { StageTimeline } from '../requests/StageTimeline';
import { AskForInformation } from './AskForInformation';
import { DecisionForm, decisionOutcome } from './DecisionForm';
import { DecisionOutcome, JumpToDecision } from './DecisionOutcome';
import { type LinkProblem, linkProblem } from './linkErrors';

/**
 * The chain once the link's stage is decided. The decision answers with the request alone, so
 * the stage is marked here: the history must not show it still awaiting the decision just made.
 */
function withDecision(stages: Stage[], decidedId: string, decision: Decision['decision']): Stage[] {
  return stages.map((stage) =>
    stage.id === decidedId
      ? {
          ...stage,
          // A counteroffer approves the stage, on other terms.
          status: decision === 'reject' ? 'rejected' : 'approved',
          decided_by: stage.assignee,
          decided_at: new Date().toISOString(),
          decided_via: 'email_link',
        }
      : stage,
  );
}

/**
 * The page an approver's email links to. Opening it only reads (mail scanners open links);
 * nothing changes until a button is pressed. No sign-in needed: the link is the credential.
 */
export function LinkDecisionPage() {
  const { t } = useTranslation();
  const { token = '' } = useParams();
  const link = useResource((signal) => api.getApprovalLink(token, { signal }), [token]);
  const [outcome, setOutcome] = useState<string | null>(null);
  const [decided, setDecided] = useState<CreditRequest | null>(null);
  const [stages, setStages] = useState<Stage[] | null>(null);
  const [problem, setProblem] = useState<LinkProblem | null>(null);

  const failed = problem ?? (link.error ? linkProblem(link.error) : null);
  if (failed) {
    return (
      <>
        <PageHeader title={t('link.title')} />
        <Alert severity="warning" role="alert" sx={{ mb: 2 }}>
          <AlertTitle>{failed.title}</AlertTitle>
          {failed.explanation}
        </Alert>
        <Button component={Link} to="/inbox" variant="contained">
          {t('link.openInbox')}
        </Button>
      </>
    );
  }
  if (link.error) {
    return (
      <>
        <PageHeader title={t('link.title')} />
        <ErrorState error={link.error} onRetry={link.reload} title={t('link.checkError')} />
      </>
    );
  }
  if (!link.data) return <Loading label={t('link.checking')} />;

  const summary = link.data;
  function onLinkError(error: ApiError): boolean {
    const found = linkProblem(error);
    if (found) setProblem(found);
    return found !== null;
  }
  return (
    <>
      <PageHeader title={t('link.heading', { k: summary.level, role: roleLabel(summary.role) })}>
        <Typography color="text.secondary">
          {t('link.for', { approver: summary.approver, until: formatDateTime(summary.expires_at) })}
        </Typography>
        <Typography>{t('link.applicant', { name: summary.applicant_name })}</Typography>
        {outcome ? null : <JumpToDecision />}
      </PageHeader>
      {/* The facts first, then the decision. */}
      <RequestSummary request={decided ?? summary.request} audience="staff" />
      <ScoreResultPanel result={summary.score_result} />
      {/* Earlier approvers' decisions and comments, before this approver decides. */}
      <StageTimeline stages={stages ?? summary.stages} audience="staff" />
      {outcome ? (
        <DecisionOutcome message={outcome}>
          <Button component={Link} to="/inbox" variant="outlined">
            {t('link.openInbox')}
          </Button>
        </DecisionOutcome>
      ) : (
        <>
          <DecisionForm
            // Set for the chain's last stage only, which alone may approve other terms.
            counteroffer={
              summary.counteroffer
                ? { terms: summary.counteroffer, requested: { amount: summary.request.amount, termMonths: summary.request.term_months } }
                : null
            }
            decide={(decision) => api.decideByLink(token, decision)}
            reasons={summary.decline_reasons ?? []}
            onDecided={(decision, request) => {
              setOutcome(decisionOutcome(decision, request));
              setDecided(request);
              setStages(withDecision(summary.stages, summary.stage_id, decision));
            }}
            onError={onLinkError}
          />
          {/* Or return it to the applicant with questions: the link is spent by asking. */}
          <AskForInformation
            ask={(questions) => api.askForInformationByLink(token, questions)}
            onAsked={() => setOutcome(t('moreInfo.sentToApplicant'))}
            onError={onLinkError}
          />
        </>
      )}
    </>
  );
}
