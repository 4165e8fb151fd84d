import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { ApiError } from '../api/errors';
import type { CreditRequest, LinkSummary } from '../api/types';
import { stage } from '../test/fixtures';
import { renderAt } from '../test/render';
import { LinkDecisionPage } from './LinkDecisionPage';

vi.mock('../api/endpoints');

const request: CreditRequest = {
  id: '4f9b1c40-1f5c-4e99-9e8c-7d4d9e4dae05',
  applicant_id: '00000000-0000-4000-8000-000000000009',
  amount: '150000.00',
  term_months: 120,
  purpose: 'Warehouse',
  monthly_income: '25000.00',
  monthly_debt: '300.00',
  employment_status: 'employed',
  credit_score: 760,
  delinquencies_24m: 0,
  bankruptcies_7y: 0,
  status: 'pending_approval',
  risk_tier: 'low',
  decision_reasons: [],
  created_at: '2026-11-28T10:00:00Z',
  updated_at: '2026-11-28T10:00:00Z',
  decided_at: null,
};
const summary: LinkSummary = {
  stage_id: 'stage-3',
  level: 3,
  role: 'director',
  approver: 'Dana Director',
  expires_at: '2026-12-01T10:00:00Z',
  applicant_name: 'Ada Applicant',
  request,
  score_result: {
    installment: '2151.81',
    debt_to_income: '0.0981',
    bureau_report: { credit_score: 760, delinquencies_24m: 0, bankruptcies_7y: 0 },
  },
  stages: [
    stage(1, { status: 'approved', assignee: 'ana_lyst', decided_by: 'ana_lyst', decided_at: '2026-11-29T09:00:00Z', decided_via: 'email_link', comment: 'Payslips checked.' }),
    stage(2, { status: 'approved', assignee: 'man_ager', decided_by: 'man_ager', decided_at: '2026-11-29T11:00:00Z', decided_via: 'app' }),
    stage(3, { status: 'pending', assignee: 'dana', due_at: '2026-11-30T10:00:00Z' }),
  ],
};

function open() {
  return renderAt(<LinkDecisionPage />, { url: '/approvals/the.token', path: '/approvals/:token' });
}

describe('the emailed approval link page', () => {
  beforeEach(() => vi.resetAllMocks());

  it('only reads until a button is pressed, then decides with the token', async () => {
    vi.mocked(api.getApprovalLink).mockResolvedValue(summary);
    vi.mocked(api.decideByLink).mockResolvedValue({ ...request, status: 'approved' });
    open();

    expect(await screen.findByRole('heading', { name: 'Decision: stage 3 (Director)' })).toBeVisible();
    expect(screen.getByText('$150,000.00 over 120 months')).toBeVisible();
    const analysis = screen.getByRole('region', { name: 'Automatic analysis' });
    expect(analysis).toHaveTextContent('$2,151.81');
    expect(analysis).toHaveTextContent('9.81%');
    expect(api.getApprovalLink).toHaveBeenCalledWith('the.token', expect.anything());
    expect(api.decideByLink).not.toHaveBeenCalled();

    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));

    expect(api.decideByLink).toHaveBeenCalledWith('the.token', { decision: 'approve', comment: '' });
    expect(await screen.findByText('Decision recorded')).toBeVisible();
    expect(screen.getByText(/now approved/)).toBeVisible();
    await waitFor(() => expect(screen.getByTestId('decision-outcome')).toHaveFocus());
  });

  it('shows its own stage decided in the history, not still awaiting the decision just made', async () => {
    vi.mocked(api.getApprovalLink).mockResolvedValue(summary);
    vi.mocked(api.decideByLink).mockResolvedValue({ ...request, status: 'approved' });
    open();
    const own = () => within(screen.getByRole('list', { name: 'Approval stages' })).getByRole('heading', { name: 'Stage 3 of 3: Director' }).closest('li');
    expect(await screen.findByRole('button', { name: 'Approve' })).toBeVisible();
    expect(own()).toHaveTextContent('Awaiting decision');

    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));

    expect(await screen.findByText('Decision recorded')).toBeVisible();
    expect(own()).not.toHaveTextContent('Awaiting decision');
    expect(own()).toHaveTextContent(/Approved by dana on .* \(from the email link\)/);
  });

  it("shows who asks and the earlier approvers' decisions, comments and how they were made", async () => {
    vi.mocked(api.getApprovalLink).mockResolvedValue(summary);
    open();

    expect(await screen.findByText('Requested by Ada Applicant')).toBeVisible();
    const history = screen.getByRole('list', { name: 'Approval stages' });
    expect(history).toHaveTextContent(/Approved by ana_lyst on .* \(from the email link\)/);
    expect(history).toHaveTextContent('“Payslips checked.”');
    expect(history).toHaveTextContent(/Approved by man_ager on .* \(in the app\)/);
    // The history comes before the form, with the other facts.
    const form = screen.getByRole('button', { name: 'Approve' });
    expect(history.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });

  it('shows the facts before the decision form', async () => {
    vi.mocked(api.getApprovalLink).mockResolvedValue(summary);
    open();

    await screen.findByRole('heading', { name: 'Decision: stage 3 (Director)' });
    const order = screen.getAllByRole('heading', { level: 2 }).map((h) => h.textContent);
    expect(order).toEqual(['$150,000.00 over 120 months', 'Automatic analysis', 'Approval history', 'Your decision', 'Request more information']);
    // Approvers see the risk tier and reason codes (staff view).
    expect(screen.getByText('Risk tier')).toBeVisible();
  });

  it.each([
    ['link_used', 410, 'This link has already been used'],
    ['link_expired', 410, 'This link has expired'],
    ['link_not_current', 409, 'This link is no longer current'],
    ['link_invalid', 404, 'This link is not valid'],
  ])('explains %s', async (code, status, title) => {
    vi.mocked(api.getApprovalLink).mockRejectedValue(new ApiError(status, code, 'from the API'));
    open();

    expect(await screen.findByRole('alert')).toHaveTextContent(title);
    expect(screen.queryByRole('button', { name: 'Approve' })).not.toBeInTheDocument();
  });

  it('explains a link that stopped working between opening and pressing', async () => {
    vi.mocked(api.getApprovalLink).mockResolvedValue(summary);
    vi.mocked(api.decideByLink).mockRejectedValue(new ApiError(409, 'link_not_current', 'from the API'));
    open();

    await userEvent.click(await screen.findByRole('button', { name: 'Approve' }));

    expect(await screen.findByText('This link is no longer current')).toBeVisible();
  });

  it('offers a retry when the server cannot be reached', async () => {
    vi.mocked(api.getApprovalLink).mockRejectedValueOnce(new ApiError(0, 'network_error', 'The server cannot be reached.'));
    vi.mocked(api.getApprovalLink).mockResolvedValueOnce(summary);
    open();

    await userEvent.click(await screen.findByRole('button', { name: 'Try again' }));

    expect(await screen.findByRole('button', { name: 'Approve' })).toBeVisible();
  });

  it('lets the last stage approve other terms by the link, and only the last', async () => {
    const terms = {
      reference_annual_rate: '0.12',
      min_term_months: 6,
      max_term_months: 360,
      max_reasons: 4,
      decline_reasons: [{ code: 'AMOUNT_TOO_HIGH', message: 'The amount you asked for is too high for your income and the term.' }],
    };
    vi.mocked(api.getApprovalLink).mockResolvedValue({ ...summary, counteroffer: terms });
    vi.mocked(api.decideByLink).mockResolvedValue({ ...request, status: 'offer_made' });
    open();

    await userEvent.click(await screen.findByRole('button', { name: 'Approve with other terms' }));
    await userEvent.clear(screen.getByLabelText('Offered amount'));
    await userEvent.type(screen.getByLabelText('Offered amount'), '100000');
    await userEvent.click(screen.getByLabelText(/too high for your income/));
    await userEvent.type(screen.getByLabelText('Reason for the applicant'), 'We can lend 100,000.');
    await userEvent.click(screen.getByRole('button', { name: 'Make the offer' }));

    expect(api.decideByLink).toHaveBeenCalledWith('the.token', {
      decision: 'counteroffer',
      comment: 'We can lend 100,000.',
      offer: { amount: '100000.00' },
      reason_codes: ['AMOUNT_TOO_HIGH'],
    });
    expect(await screen.findByText(/30 days to accept or decline/)).toBeVisible();
  });

  it('offers no other terms on an earlier stage', async () => {
    vi.mocked(api.getApprovalLink).mockResolvedValue({ ...summary, counteroffer: null });
    open();
    await screen.findByRole('button', { name: 'Approve' });
    expect(screen.queryByRole('button', { name: 'Approve with other terms' })).toBeNull();
  });
});
