import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import type { Review, ReviewStatus } from '../api/types';
import { useUser } from '../auth/AuthProvider';
import { detail, stage } from '../test/fixtures';
import { makeUser, renderAt } from '../test/render';
import { correctionsOf, DeclineReviewPanel } from './DeclineReviewPanel';
import { nextStep } from './RequestProgress';

vi.mock('../api/endpoints');
vi.mock('../auth/AuthProvider');

const declined = detail('r-1', {
  status: 'auto_rejected',
  credit_score: 540,
  bankruptcies_7y: 1,
  decided_at: '2026-11-28T10:00:00Z',
  decision_reasons: [{ code: 'LOW_CREDIT_SCORE', message: 'The credit score of 540 is below the minimum of 580.' }],
});
const OPEN: ReviewStatus = { may_request: true, window_closes_at: '2026-12-28T10:00:00Z', review: null };

function review(changes: Partial<Review> = {}): Review {
  return {
    id: 'rv-1',
    request_id: 'r-1',
    state: 'in_review',
    requested_at: '2026-11-29T10:00:00Z',
    statement: 'The bankruptcy is not mine.',
    corrected_data: null,
    due_at: '2026-12-01T10:00:00Z',
    decided_at: null,
    outcome: null,
    rationale: null,
    ...changes,
  };
}

function show(applicant = true, onChanged = vi.fn()) {
  vi.mocked(useUser).mockReturnValue(makeUser({ role: applicant ? 'applicant' : 'analyst' }));
  renderAt(<DeclineReviewPanel request={declined} applicant={applicant} onChanged={onChanged} />);
  return onChanged;
}

describe('DeclineReviewPanel', () => {
  beforeEach(() => vi.resetAllMocks());

  it('tells the applicant of their right to a human review until the window closes, and sends the statement with the corrected fields only', async () => {
    vi.mocked(api.getReviewStatus).mockResolvedValue(OPEN);
    vi.mocked(api.askForReview).mockResolvedValue(review({ state: 'awaiting_reviewer' }));
    const onChanged = show();
    const panel = await screen.findByTestId('decline-review');
    expect(panel).toHaveTextContent('You have the right to ask a person to review it until Dec 28, 2026, 10:00 AM UTC');

    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Ask for a human review' }));
    await user.click(screen.getByRole('button', { name: 'Send the request for review' }));
    expect(await screen.findByText('Say why the decision should be reviewed.')).toBeVisible();
    expect(api.askForReview).not.toHaveBeenCalled();

    await user.type(screen.getByLabelText(/Why should a person review/), 'The bankruptcy is not mine.');
    await user.click(screen.getByLabelText('Some of the data I gave was wrong: correct it'));
    const bankruptcies = within(panel).getByLabelText('Bankruptcies in the last 7 years');
    await user.clear(bankruptcies);
    await user.type(bankruptcies, '0');
    await user.click(screen.getByRole('button', { name: 'Send the request for review' }));

    expect(api.askForReview).toHaveBeenCalledWith('r-1', { statement: 'The bankruptcy is not mine.', corrected_data: { bankruptcies_7y: 0 } });
    expect(onChanged).toHaveBeenCalled();
  });

  it('checks corrected data as the application form does', async () => {
    vi.mocked(api.getReviewStatus).mockResolvedValue(OPEN);
    show();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Ask for a human review' }));
    await user.type(screen.getByLabelText(/Why should a person review/), 'Wrong score.');
    await user.click(screen.getByLabelText('Some of the data I gave was wrong: correct it'));
    const score = screen.getByLabelText('Credit score');
    await user.clear(score);
    await user.type(score, '900');
    await user.click(screen.getByRole('button', { name: 'Send the request for review' }));
    expect(await screen.findByText('Enter a number from 300 to 850.')).toBeVisible();
    expect(api.askForReview).not.toHaveBeenCalled();
  });

  it('says when the window has closed, and offers no form', async () => {
    vi.mocked(api.getReviewStatus).mockResolvedValue({ ...OPEN, may_request: false });
    show();
    expect(await screen.findByText(/The time to ask for a human review of this decision ended/)).toBeVisible();
    expect(screen.queryByRole('button', { name: 'Ask for a human review' })).toBeNull();
  });

  it("shows a confirmed review's outcome with the reviewer's rationale", async () => {
    vi.mocked(api.getReviewStatus).mockResolvedValue({
      ...OPEN,
      may_request: false,
      review: review({ state: 'confirmed', outcome: 'confirmed', decided_at: '2026-11-30T09:00:00Z', rationale: 'The bureau confirms it.' }),
    });
    show();
    expect(await screen.findByText('The credit analyst who reviewed the decision confirmed it on Nov 30, 2026, 9:00 AM UTC.')).toBeVisible();
    expect(screen.getByTestId('review-rationale')).toHaveTextContent('The bureau confirms it.');
  });

  it("shows an overturned review's outcome with the reviewer's rationale", async () => {
    vi.mocked(api.getReviewStatus).mockResolvedValue({
      may_request: false,
      window_closes_at: null,
      review: review({ state: 'overturned', outcome: 'overturned', decided_at: '2026-11-30T09:00:00Z', rationale: 'Not your bankruptcy.' }),
    });
    show();
    expect(await screen.findByText(/overturned it on Nov 30, 2026, 9:00 AM UTC: your request now goes through our approval/)).toBeVisible();
    expect(screen.getByTestId('review-rationale')).toHaveTextContent('Not your bankruptcy.');
  });

  it('shows nothing for a request that was not declined automatically', async () => {
    vi.mocked(api.getReviewStatus).mockResolvedValue({ may_request: false, window_closes_at: null, review: null });
    show();
    await vi.waitFor(() => expect(api.getReviewStatus).toHaveBeenCalled());
    expect(screen.queryByTestId('decline-review')).toBeNull();
  });

  it('links staff to the open review', async () => {
    vi.mocked(api.getReviewStatus).mockResolvedValue({ ...OPEN, may_request: false, review: review() });
    show(false);
    expect(await screen.findByRole('link', { name: 'Open the review' })).toHaveAttribute('href', '/reviews/rv-1');
  });
});

describe('correctionsOf', () => {
  it('keeps only the fields that changed, as the API takes them', () => {
    const form = {
      amount: '5000.00',
      term_months: '24',
      purpose: declined.purpose,
      monthly_income: '7000',
      monthly_debt: '300.00',
      employment_status: 'employed',
      credit_score: '540',
      delinquencies_24m: '0',
      bankruptcies_7y: '1',
    };
    expect(correctionsOf(declined, form)).toEqual({ monthly_income: '7000.00' });
    expect(correctionsOf(declined, { ...form, monthly_income: '6000.00' })).toBeNull();
  });
});

describe('what happens next after a review', () => {
  it("points to the reviewer's rationale when a review confirmed the decline (no stage declined it)", () => {
    expect(nextStep(detail('r-1', { status: 'rejected', stages: [] }))).toMatch(/^The reviewer's rationale is below/);
    expect(nextStep(detail('r-1', { status: 'rejected', stages: [stage(1, { status: 'rejected' })] }))).toMatch(/^The approver's comment/);
  });
});
