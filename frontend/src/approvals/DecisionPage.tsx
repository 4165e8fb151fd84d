import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';

import * as api from '../api/endpoints';
import type { CreditRequest, Decision, PendingStage } from '../api/types';
import { useUser } from '../auth/AuthProvider';
import { ErrorState, Loading } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { useResource } from '../common/useResource';
import { formatMoney } from '../i18n/format';
import { RequestSummary } from '../requests/RequestSummary';
import { ScoreResultPanel } from '../requests/ScoreResultPanel';
import { MoreInformation } from '../requests/MoreInformation';
import { StageTimeline } from '../requests/StageTimeline';
import { AskForInformation } from './AskForInformation';
import { DecisionForm, decisionOutcome } from './DecisionForm';
import { DecisionOutcome, JumpToDecision } from './DecisionOutcome';
import { pendingIsFinal } from './offer';

/** The inbox entry to offer after deciding `decided`: the next one in the inbox's order (oldest due first). */
export function nextInInbox(inbox: PendingStage[], decided: string): PendingStage | null {
  return inbox.find((entry) => entry.request.id !== decided) ?? null;
}

/** An approver's decision on the current stage of a request: the facts first, then the decision. */
export function DecisionPage() {
  const { requestId = '' } = useParams();
  // A new request (the "next request" link) starts a fresh page: no outcome carried over.
  return <Decision key={requestId} requestId={requestId} />;
}

function Decision({ requestId }: { requestId: string }) {
  const { t } = useTranslation();
  const user = useUser();
  const detail = useResource((signal) => api.getRequest(requestId, { signal }), [requestId]);
  // The last stage may approve other terms: what it chooses them from (the active policy).
  const wantsTerms = detail.data?.status === 'pending_approval' && pendingIsFinal(detail.data.stages);
  const terms = useResource((signal) => (wantsTerms ? api.counterofferTerms({ signal }) : Promise.resolve(null)), [wantsTerms]);
  const reasons = useResource((signal) => api.declineReasons({ signal }), []);
  const [outcome, setOutcome] = useState<{ message: string; level: number; next: PendingStage | null | undefined } | null>(null);

  const back = <RouterLink to="/inbox">{t('decision.backToInbox')}</RouterLink>;
  if (detail.error && !detail.data) {
    return (
      <>
        <PageHeader title={t('decision.title')}>{back}</PageHeader>
        <ErrorState error={detail.error} onRetry={detail.reload} title={t('detail.loadError')} />
      </>
    );
  }
  if (!detail.data) return <Loading label={t('detail.loading')} />;

  const request = detail.data;
  const current = request.stages.find((s) => s.status === 'pending');
  const mine = current !== undefined && current.assignee === user.username && request.status === 'pending_approval';
  // Waiting for the applicant's answer to this approver's questions: they may still reject.
  const paused = request.stages.find((s) => s.status === 'info_requested');
  const waiting = paused !== undefined && paused.assignee === user.username && request.status === 'info_requested';
  const next = outcome?.next;
  const counteroffer =
    mine && pendingIsFinal(request.stages) && terms.data
      ? { terms: terms.data, requested: { amount: request.amount, termMonths: request.term_months } }
      : null;
  // After a decision the title stays on the stage that was decided (the request moved on).
  const level = outcome?.level ?? current?.level ?? paused?.level;
  const onDecided = (decision: Decision['decision'], updated: CreditRequest, decided: number) => {
    const message = decisionOutcome(decision, updated);
    setOutcome({ message, level: decided, next: undefined });
    // The next request to decide, so an approver can work through the inbox.
    api
      .myApprovals()
      .then((inbox) => setOutcome({ message, level: decided, next: nextInInbox(inbox, request.id) }))
      .catch(() => undefined);
    detail.reload();
  };

  return (
    <>
      <PageHeader title={level ? t('decision.titleStage', { k: level, n: request.stages.length }) : t('decision.title')}>
        {back}
        {mine && !outcome ? (
          <>
            <br />
            <JumpToDecision />
          </>
        ) : null}
      </PageHeader>
      <RequestSummary request={request} audience="staff" />
      <ScoreResultPanel result={request.score_result} />
      <MoreInformation request={request} audience="staff" />
      <StageTimeline stages={request.stages} audience="staff" />
      {outcome ? (
        <DecisionOutcome message={outcome.message}>
          {next === undefined ? null : next ? (
            <Button component={Link} to={`/inbox/${next.request.id}`} variant="contained" data-testid="next-request">
              {t('decision.next', { purpose: next.request.purpose, amount: formatMoney(next.request.amount) })}
            </Button>
          ) : (
            <Typography>{t('decision.inboxEmpty')}</Typography>
          )}
          <Button component={Link} to="/inbox" variant="outlined">
            {t('decision.backToInbox')}
          </Button>
        </DecisionOutcome>
      ) : mine ? (
        <>
          <DecisionForm
            counteroffer={counteroffer}
            // Remounted once the options arrive, so its draft starts from the terms asked for.
            key={counteroffer ? 'with-offer' : 'plain'}
            decide={(decision) => api.decideRequest(request.id, decision)}
            reasons={reasons.data}
            onDecided={(decision, updated) => onDecided(decision, updated, current.level)}
          />
          <AskForInformation
            ask={(questions) => api.askForInformation(request.id, questions)}
            onAsked={() => {
              setOutcome({ message: t('moreInfo.sentToApplicant'), level: current.level, next: undefined });
              api
                .myApprovals()
                .then((inbox) => setOutcome({ message: t('moreInfo.sentToApplicant'), level: current.level, next: nextInInbox(inbox, request.id) }))
                .catch(() => undefined);
              detail.reload();
            }}
          />
        </>
      ) : waiting ? (
        <>
          <Alert severity="info" sx={{ mb: 2 }} data-testid="waiting-for-answer">
            {t('moreInfo.paused')}
          </Alert>
          <DecisionForm
            allowApprove={false}
            decide={(decision) => api.decideRequest(request.id, decision)}
            reasons={reasons.data}
            onDecided={(decision, updated) => onDecided(decision, updated, paused.level)}
          />
        </>
      ) : (
        <Alert severity="info" sx={{ mb: 2 }}>
          {current
            ? t('decision.notYours', { who: current.assignee ?? t('decision.nobody') })
            : t('decision.nothingPending')}
        </Alert>
      )}
    </>
  );
}
