import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { useUser } from '../auth/AuthProvider';
import { creditRequest, pending, pendingAtStageOne, stage } from '../test/fixtures';
import { makeUser, renderAt } from '../test/render';
import { DecisionPage, nextInInbox } from './DecisionPage';

vi.mock('../api/endpoints');
vi.mock('../auth/AuthProvider');

function open() {
  return renderAt(<DecisionPage />, { url: '/inbox/r-1', path: '/inbox/:requestId' });
}

describe('the decision page', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(api.listInformationRequests).mockResolvedValue([]);
    vi.mocked(useUser).mockReturnValue(makeUser({ role: 'analyst', username: 'ana_lyst' }));
    vi.mocked(api.getRequest).mockResolvedValue(pendingAtStageOne());
    vi.mocked(api.counterofferTerms).mockResolvedValue({
      reference_annual_rate: '0.12',
      min_term_months: 6,
      max_term_months: 360,
      max_reasons: 4,
      decline_reasons: [],
    });
    vi.mocked(api.declineReasons).mockResolvedValue([{ code: 'UNABLE_TO_VERIFY_INCOME', message: 'We could not verify the income you declared.' }]);
  });

  it('puts the facts, the analysis and the history above the decision form', async () => {
    open();
    await screen.findByRole('heading', { name: 'Decision: stage 1 of 2' });
    const order = screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent);
    expect(order).toEqual(['$50,000.00 over 24 months', 'Automatic analysis', 'Approval history', 'Your decision', 'Request more information']);
    expect(screen.getByRole('link', { name: 'Go to the decision form' })).toHaveAttribute('href', '#decision');
  });

  it('moves focus to the result and offers the next request of the inbox', async () => {
    const movedOn = pendingAtStageOne();
    movedOn.stages = [stage(1, { status: 'approved', decided_by: 'ana_lyst' }), stage(2, { status: 'pending', assignee: 'man_ager' })];
    vi.mocked(api.getRequest).mockResolvedValueOnce(pendingAtStageOne()).mockResolvedValue(movedOn);
    vi.mocked(api.decideRequest).mockResolvedValue(creditRequest('r-1', { status: 'pending_approval' }));
    vi.mocked(api.myApprovals).mockResolvedValue([
      pending('r-1'),
      pending('r-2', {}, { purpose: 'Bakery oven', amount: '12000.00' }),
    ]);
    open();

    await userEvent.click(await screen.findByRole('button', { name: 'Approve' }));

    const outcome = await screen.findByTestId('decision-outcome');
    await waitFor(() => expect(outcome).toHaveFocus());
    expect(outcome).toHaveTextContent('You approved this stage. The request moves on to the next approver.');
    const next = await screen.findByRole('link', { name: 'Next request: Bakery oven, $12,000.00' });
    expect(next).toHaveAttribute('href', '/inbox/r-2');
    expect(screen.queryByRole('button', { name: 'Approve' })).not.toBeInTheDocument();
    // The page reloaded the request (now at stage 2); the title stays on the stage decided.
    await waitFor(() => expect(api.getRequest).toHaveBeenCalledTimes(2));
    expect(await screen.findByText('Assigned to man_ager')).toBeVisible();
    expect(screen.getByRole('heading', { level: 1 })).toHaveTextContent('Decision: stage 1 of 2');
  });

  it('says so when nothing else waits', async () => {
    vi.mocked(api.decideRequest).mockResolvedValue(creditRequest('r-1', { status: 'rejected' }));
    vi.mocked(api.myApprovals).mockResolvedValue([]);
    open();

    await userEvent.type(await screen.findByLabelText('Comment'), 'Income not verified.');
    await userEvent.click(await screen.findByLabelText('We could not verify the income you declared.'));
    await userEvent.click(screen.getByRole('button', { name: 'Reject' }));

    expect(await screen.findByText('Nothing else waits for your decision.')).toBeVisible();
    expect(screen.getByTestId('decision-outcome')).toHaveTextContent('The credit request is now declined.');
  });

  it('offers the next request in the inbox order, never the one just decided', () => {
    const inbox = [pending('a'), pending('b'), pending('c')];
    expect(nextInInbox(inbox, 'a')?.request.id).toBe('b');
    expect(nextInInbox(inbox, 'b')?.request.id).toBe('a');
    expect(nextInInbox([pending('a')], 'a')).toBeNull();
  });
});
