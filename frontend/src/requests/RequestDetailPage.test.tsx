import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { useUser } from '../auth/AuthProvider';
import { applicantView, detail, pendingAtStageOne, stage } from '../test/fixtures';
import { makeUser, renderAt } from '../test/render';
import { RequestDetailPage } from './RequestDetailPage';

vi.mock('../api/endpoints');
vi.mock('../auth/AuthProvider');

const NO_REVIEW = { may_request: false, window_closes_at: null, review: null };

function open(url = '/requests/r-1') {
  return renderAt(<RequestDetailPage />, { url, path: '/requests/:id' });
}

describe('RequestDetailPage for the applicant', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(api.listInformationRequests).mockResolvedValue([]);
    vi.mocked(api.getReviewStatus).mockResolvedValue(NO_REVIEW);
    vi.mocked(useUser).mockReturnValue(makeUser({ role: 'applicant' }));
  });

  it('says stage k of n, who has it by role and first name and when it is due, and what happens next', async () => {
    vi.mocked(api.getRequest).mockResolvedValue(applicantView(pendingAtStageOne()));
    open();

    const standing = await screen.findByTestId('request-standing');
    expect(standing).toHaveAttribute('role', 'status');
    expect(standing).toHaveAttribute('aria-live', 'polite');
    expect(standing).toHaveTextContent('Status: Pending approval, stage 1 of 2: with Ana, the analyst, due Nov 30, 2026, 10:00 AM UTC.');
    expect(screen.getByText('If the analyst approves, your request moves on to stage 2 (the manager). You get an email with the final decision.')).toBeVisible();
    expect(screen.getByText('With Ana, the analyst, due Nov 30, 2026, 10:00 AM UTC')).toBeVisible();
  });

  it("names a decided stage's approver by first name and role, as the API sends them", async () => {
    vi.mocked(api.getRequest).mockResolvedValue(
      applicantView(
        detail('r-1', {
          status: 'rejected',
          decided_at: '2026-11-29T09:00:00Z',
          stages: [stage(1, { status: 'rejected', approver_first_name: 'Ana', decided_at: '2026-11-29T09:00:00Z', decided_via: 'app' })],
        }),
      ),
    );
    open();
    expect(await screen.findByText('Declined by Ana, the analyst, on Nov 29, 2026, 9:00 AM UTC (in the app)')).toBeVisible();
  });

  it("tells the applicant whether their message is emailed to an approver, by whether anyone holds the request", async () => {
    vi.mocked(api.listMessages).mockResolvedValue([]);
    vi.mocked(api.getRequest).mockResolvedValue(applicantView(pendingAtStageOne()));
    const { unmount } = open();
    expect(await screen.findByText(/^Emailed to the approver handling your request/)).toBeVisible();
    unmount();

    vi.mocked(api.getRequest).mockResolvedValue(
      applicantView(detail('r-1', { status: 'auto_rejected', decided_at: '2026-11-29T09:00:00Z', stages: [] })),
    );
    open();
    expect(await screen.findByText(/^No approver holds your request now/)).toBeVisible();
  });

  it('shows the risk tier where the policy shows it (the API then sends it)', async () => {
    vi.mocked(api.getRequest).mockResolvedValue({ ...applicantView(pendingAtStageOne()), risk_tier: 'medium' });
    open();
    expect((await screen.findByText('Risk tier')).nextElementSibling).toHaveTextContent('Medium');
  });

  it('never shows an applicant staff usernames (even were they sent), the risk tier or reason codes', async () => {
    vi.mocked(api.getRequest).mockResolvedValue(
      detail('r-1', {
        status: 'rejected',
        risk_tier: null, // the API withholds it unless the policy shows it
        decided_at: '2026-11-29T09:00:00Z',
        decision_reasons: [{ code: 'DTI_TOO_HIGH', message: 'Your debts would take too much of your income.' }],
        stages: [stage(1, { status: 'rejected', assignee: 'ana_lyst', decided_by: 'ana_lyst', decided_at: '2026-11-29T09:00:00Z', comment: 'Too much debt.' })],
      }),
    );
    const { container } = open();

    expect(await screen.findByText('Declined by the analyst on Nov 29, 2026, 9:00 AM UTC')).toBeVisible();
    expect(screen.getByText('Your debts would take too much of your income.')).toBeVisible();
    expect(screen.getByText('“Too much debt.”')).toBeVisible();
    expect(container).not.toHaveTextContent('ana_lyst');
    expect(container).not.toHaveTextContent('DTI_TOO_HIGH');
    expect(container).not.toHaveTextContent('Risk tier');
    expect(container).not.toHaveTextContent('High');
    expect(container).not.toHaveTextContent('Credit policy');
    expect(screen.getByText(/You can file a new request at any time/)).toBeVisible();
  });

  it('keeps the "received" confirmation after submitting, whatever the status has become', async () => {
    // Scoring has run before the page loads: the request is already with the approvers.
    vi.mocked(api.getRequest).mockResolvedValue(applicantView(pendingAtStageOne()));
    renderAt(<RequestDetailPage />, { url: '/requests/r-1', path: '/requests/:id', state: { submitted: true } });

    expect(await screen.findByTestId('submitted-confirmation')).toHaveTextContent(
      'We received your request on Nov 28, 2026, 10:00 AM UTC (reference r-1).',
    );
  });

  it('shows no confirmation to someone who only opened the page', async () => {
    vi.mocked(api.getRequest).mockResolvedValue(applicantView(pendingAtStageOne()));
    open();
    await screen.findByTestId('request-standing');
    expect(screen.queryByTestId('submitted-confirmation')).not.toBeInTheDocument();
  });

  it('announces each status change in the same live region', async () => {
    vi.mocked(api.getRequest).mockResolvedValueOnce(applicantView(pendingAtStageOne())).mockResolvedValueOnce({
      ...applicantView(pendingAtStageOne()),
      status: 'approved',
      decided_at: '2026-11-29T12:00:00Z',
      stages: [stage(1, { status: 'approved', decided_by: 'ana_lyst', decided_at: '2026-11-29T11:00:00Z' }), stage(2, { status: 'approved', decided_by: 'man_ager', decided_at: '2026-11-29T12:00:00Z' })],
    });
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      open();
      const region = await screen.findByTestId('request-standing');
      expect(region).toHaveTextContent('stage 1 of 2');
      await vi.advanceTimersByTimeAsync(3500);
      await waitFor(() => expect(region).toHaveTextContent('Status: Approved on Nov 29, 2026, 12:00 PM UTC.'));
      expect(screen.getByTestId('request-standing')).toBe(region);
    } finally {
      vi.useRealTimers();
    }
  });

  it('after withdrawing, keeps a confirmation, announces the status and moves focus to the confirmation', async () => {
    const open1 = { ...applicantView(pendingAtStageOne()), updated_at: '2026-11-28T10:00:00Z' };
    vi.mocked(api.getRequest).mockResolvedValueOnce(open1).mockResolvedValue({ ...open1, status: 'withdrawn', updated_at: '2026-11-28T11:00:00Z' });
    vi.mocked(api.withdrawRequest).mockResolvedValue({ ...open1, status: 'withdrawn', updated_at: '2026-11-28T11:00:00Z' });
    open();

    await userEvent.click(await screen.findByRole('button', { name: 'Withdraw request' }));
    const dialog = screen.getByRole('dialog', { name: 'Withdraw this request?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Withdraw' }));

    const confirmation = await screen.findByTestId('withdrawn-confirmation');
    expect(confirmation).toHaveTextContent('You withdrew this request on Nov 28, 2026, 11:00 AM UTC (reference r-1).');
    await waitFor(() => expect(confirmation).toHaveFocus());
    await waitFor(() => expect(screen.getByTestId('request-standing')).toHaveTextContent('Status: Withdrawn on'));
    expect(screen.queryByRole('button', { name: 'Withdraw request' })).not.toBeInTheDocument();
  });

  it('offers no withdrawal while a decline is under human review (the API refuses it)', async () => {
    vi.mocked(api.getRequest).mockResolvedValue(applicantView(detail('r-1', { status: 'review_requested', risk_tier: 'high' })));
    open();

    expect(await screen.findByTestId('request-standing')).toHaveTextContent('Under human review');
    expect(screen.queryByRole('button', { name: 'Withdraw request' })).not.toBeInTheDocument();
  });
});

describe('RequestDetailPage for staff', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(api.listInformationRequests).mockResolvedValue([]);
    vi.mocked(api.getReviewStatus).mockResolvedValue(NO_REVIEW);
    vi.mocked(useUser).mockReturnValue(makeUser({ role: 'manager', username: 'man_ager' }));
  });

  it('shows who has the stage, the risk tier and the reasons in words', async () => {
    vi.mocked(api.getRequest).mockResolvedValue({
      ...pendingAtStageOne(),
      risk_tier: 'medium',
      decision_reasons: [{ code: 'LOW_SCORE', message: 'The credit score is low.' }],
    });
    open();

    expect(await screen.findByTestId('request-standing')).toHaveTextContent('stage 1 of 2: with ana_lyst, due');
    expect(screen.getByText(/^Assigned to ana_lyst, due Nov 30, 2026/)).toBeVisible();
    expect(screen.getByText('Medium')).toBeVisible();
    expect(screen.getByText('The credit score is low.')).toBeVisible();
    expect(screen.queryByText(/LOW_SCORE/)).not.toBeInTheDocument(); // a code is not wording
    expect(screen.queryByText('What happens next:')).not.toBeInTheDocument();
    // The audit trail is the administrators' screen: a manager gets no link to it.
    expect(screen.queryByRole('link', { name: 'Audit trail' })).not.toBeInTheDocument();
  });

  it('shows a declined request its tier, never "Not scored yet", and the reasons in words', async () => {
    vi.mocked(api.getRequest).mockResolvedValue(
      detail('r-1', {
        status: 'auto_rejected',
        risk_tier: 'high',
        decided_at: '2026-11-29T09:00:00Z',
        decision_reasons: [{ code: 'LOW_CREDIT_SCORE', message: 'The credit score of 540 is below the minimum of 580.' }],
      }),
    );
    const { container } = open();

    expect(await screen.findByText('The credit score of 540 is below the minimum of 580.')).toBeVisible();
    expect(screen.getByText('High')).toBeVisible();
    expect(screen.queryByText('Not scored yet')).not.toBeInTheDocument(); // the tier's field
    expect(container).not.toHaveTextContent('LOW_CREDIT_SCORE');
  });

  it('links an administrator to the request\'s whole audit trail', async () => {
    vi.mocked(useUser).mockReturnValue(makeUser({ role: 'admin', username: 'ad_min' }));
    vi.mocked(api.getRequest).mockResolvedValue(pendingAtStageOne());
    open();

    const link = await screen.findByRole('link', { name: 'Audit trail' });
    expect(link).toHaveAttribute('href', `/admin/audit?request_id=${pendingAtStageOne().id}`);
  });

  it('shows the credit policy version that scored the request', async () => {
    vi.mocked(api.getRequest).mockResolvedValue({ ...pendingAtStageOne(), policy_version: 3 });
    open();

    expect(await screen.findByText('Version 3')).toBeVisible();
    expect(screen.getByText('Credit policy')).toBeVisible();
  });
});
