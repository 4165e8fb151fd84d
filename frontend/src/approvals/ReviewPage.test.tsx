import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { ApiError } from '../api/errors';
import type { ReviewDetail } from '../api/types';
import { useUser } from '../auth/AuthProvider';
import { creditRequest } from '../test/fixtures';
import { makeUser, renderAt } from '../test/render';
import { AssignedReviews } from './AssignedReviews';
import { ReviewPage } from './ReviewPage';

vi.mock('../api/endpoints');
vi.mock('../auth/AuthProvider');

function reviewDetail(changes: Partial<ReviewDetail> = {}): ReviewDetail {
  return {
    id: 'rv-1',
    request_id: 'r-1234567890',
    state: 'in_review',
    requested_at: '2026-11-29T10:00:00Z',
    statement: 'The bankruptcy is my late father’s.',
    corrected_data: { bankruptcies_7y: 0 },
    due_at: '2026-12-01T10:00:00Z',
    decided_at: null,
    outcome: null,
    rationale: null,
    reviewer: 'aaaa-analyst',
    applicant_name: 'Ana Souza',
    request: creditRequest('r-1234567890', { status: 'review_requested' }),
    original_inputs: { amount: '5000.00', credit_score: 540, bankruptcies_7y: 1, employment_status: 'employed' },
    original_reasons: [{ code: 'RECENT_BANKRUPTCY', message: 'A bankruptcy in the last 7 years.' }],
    original_score_result: null,
    changes: [{ field: 'bankruptcies_7y', original: 1, corrected: 0 }],
    ...changes,
  };
}

function open() {
  return renderAt(<ReviewPage />, { url: '/reviews/rv-1', path: '/reviews/:reviewId' });
}

describe('ReviewPage', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(useUser).mockReturnValue(makeUser({ role: 'analyst' }));
  });

  it('shows the statement, the corrections as a diff, the reasons and the inputs as declined', async () => {
    vi.mocked(api.getReview).mockResolvedValue(reviewDetail());
    open();
    expect(await screen.findByTestId('review-statement')).toHaveTextContent('The bankruptcy is my late father’s.');
    const row = screen.getByRole('row', { name: /Bankruptcies in the last 7 years/ });
    expect(within(row).getAllByRole('cell').map((c) => c.textContent)).toEqual(['Bankruptcies in the last 7 years', '1', '0']);
    expect(screen.getByText('A bankruptcy in the last 7 years.')).toBeVisible();
    expect(screen.getByText('Credit score').nextElementSibling).toHaveTextContent('540');
  });

  it('needs an outcome and a rationale, then records the outcome', async () => {
    vi.mocked(api.getReview).mockResolvedValue(reviewDetail());
    vi.mocked(api.decideReview).mockResolvedValue(creditRequest('r-1234567890', { status: 'pending_approval' }));
    open();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Record the outcome' }));
    expect(await screen.findByText('Choose an outcome.')).toBeVisible();
    expect(screen.getByText('Explain your outcome.')).toBeVisible();
    expect(api.decideReview).not.toHaveBeenCalled();

    await user.click(screen.getByLabelText(/Overturn it/));
    await user.type(screen.getByLabelText(/Your rationale/), 'Not the applicant’s bankruptcy.');
    await user.click(screen.getByRole('button', { name: 'Record the outcome' }));
    expect(api.decideReview).toHaveBeenCalledWith('rv-1', { outcome: 'overturned', rationale: 'Not the applicant’s bankruptcy.' });
    expect(await screen.findByTestId('review-decided')).toHaveTextContent('You overturned the decline');
    expect(screen.queryByRole('button', { name: 'Record the outcome' })).toBeNull();
  });

  it('tells another analyst the review is not theirs', async () => {
    vi.mocked(api.getReview).mockRejectedValue(new ApiError(403, 'not_reviewer', 'This review is not assigned to you.'));
    open();
    expect(await screen.findByText('This review is assigned to someone else.')).toBeVisible();
  });

  it('offers no form once decided', async () => {
    vi.mocked(api.getReview).mockResolvedValue(
      reviewDetail({ state: 'confirmed', outcome: 'confirmed', decided_at: '2026-11-30T09:00:00Z', rationale: 'Confirmed.' }),
    );
    open();
    expect(await screen.findByText('This decline was confirmed on Nov 30, 2026, 9:00 AM UTC.')).toBeVisible();
    expect(screen.queryByRole('button', { name: 'Record the outcome' })).toBeNull();
  });
});

describe('AssignedReviews', () => {
  beforeEach(() => vi.resetAllMocks());

  it('lists the reviews awaiting me with a link to each', async () => {
    vi.mocked(useUser).mockReturnValue(makeUser({ role: 'analyst' }));
    vi.mocked(api.myReviews).mockResolvedValue([
      { review_id: 'rv-1', request_id: 'r-1234567890', applicant_name: 'Ana Souza', amount: '5000.00', requested_at: '2026-11-29T10:00:00Z', due_at: '2026-12-01T10:00:00Z', overdue: false },
    ]);
    renderAt(<AssignedReviews />);
    expect(await screen.findByRole('link', { name: 'Review request r-123456' })).toHaveAttribute('href', '/reviews/rv-1');
  });

  it('says when the list could not be loaded (its polling stops), and loads it again on request', async () => {
    vi.mocked(useUser).mockReturnValue(makeUser({ role: 'analyst' }));
    vi.mocked(api.myReviews)
      .mockRejectedValueOnce(new ApiError(503, 'unavailable', 'The database is busy.'))
      .mockResolvedValue([
        { review_id: 'rv-1', request_id: 'r-1234567890', applicant_name: 'Ana Souza', amount: '5000.00', requested_at: '2026-11-29T10:00:00Z', due_at: '2026-12-01T10:00:00Z', overdue: false },
      ]);
    renderAt(<AssignedReviews />);

    expect(await screen.findByText('The database is busy.')).toBeVisible();
    expect(screen.getByText('The declines to review could not be loaded:')).toBeVisible();
    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));

    expect(await screen.findByRole('link', { name: 'Review request r-123456' })).toBeVisible();
    expect(screen.queryByText('The database is busy.')).toBeNull();
  });

  it('asks nothing of the API for those who do not review', async () => {
    vi.mocked(useUser).mockReturnValue(makeUser({ role: 'manager' }));
    renderAt(<AssignedReviews />);
    expect(api.myReviews).not.toHaveBeenCalled();
  });
});
