import { screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { ApiError } from '../api/errors';
import type { AdverseActionNotice } from '../api/types';
import { renderAt } from '../test/render';
import { AdverseActionNoticePage } from './AdverseActionNotice';

vi.mock('../api/endpoints');

const NOTICE: AdverseActionNotice = {
  id: 'n-1',
  request_id: 'r-1',
  action: 'auto_rejected',
  heading: 'Your credit request was declined',
  action_text: 'Your application for credit was declined.',
  reasons: [
    { code: 'LOW_CREDIT_SCORE', message: 'The credit score of 540 is below the minimum of 580.' },
    { code: 'RECENT_DELINQUENCIES', message: '4 delinquencies in the last 24 months; the limit is fewer than 3.' },
  ],
  score: {
    value: 540,
    range_low: 300,
    range_high: 850,
    factors: ['A credit score of 540, in the range 300 to 850.', '4 late payment(s) in the last 24 months.'],
    date: '2026-11-29T09:00:00Z',
  },
  bureau: { name: 'Example Bureau', address: '1 Example Street', phone: '1-800-555-0100', website: 'https://bureau.example' },
  comment: null,
  statements: {
    bureau_did_not_decide: 'The consumer reporting agency played no part in our decision.',
    free_report: 'You have a right to a free copy of your report within 60 days.',
    dispute: 'You have the right to dispute the matter with the reporting agency.',
    score: 'We also obtained your credit score.',
    ecoa: 'The Federal Equal Credit Opportunity Act prohibits creditors from discriminating. Consumer Financial Protection Bureau.',
  },
  created_at: '2026-11-29T09:00:01Z',
  sent_at: '2026-11-29T09:00:02Z',
};

function open() {
  return renderAt(<AdverseActionNoticePage />, { url: '/requests/r-1/notice', path: '/requests/:id/notice' });
}

describe('the adverse action notice page', () => {
  beforeEach(() => vi.resetAllMocks());

  it('shows every element of the notice', async () => {
    vi.mocked(api.getNotice).mockResolvedValue(NOTICE);
    open();

    expect(await screen.findByRole('heading', { level: 1, name: 'Your credit request was declined' })).toBeVisible();
    const reasons = within(screen.getByTestId('notice-reasons')).getAllByRole('listitem');
    expect(reasons.map((r) => r.textContent)).toEqual(NOTICE.reasons.map((r) => r.message));
    expect(screen.getByText('540')).toBeVisible();
    expect(screen.getByText('300 to 850')).toBeVisible();
    expect(within(screen.getByTestId('notice-factors')).getAllByRole('listitem')).toHaveLength(2);
    expect(screen.getByText('Example Bureau')).toBeVisible();
    expect(screen.getByRole('link', { name: '1-800-555-0100' })).toHaveAttribute('href', 'tel:18005550100');
    expect(screen.getByRole('link', { name: 'https://bureau.example' })).toBeVisible();
    for (const statement of Object.values(NOTICE.statements)) expect(screen.getByText(statement)).toBeVisible();
    expect(screen.getByRole('heading', { name: 'Equal Credit Opportunity Act notice' })).toBeVisible();
    expect(screen.getByRole('link', { name: 'Back to the request' })).toHaveAttribute('href', '/requests/r-1');
  });

  it('says so when the request has no notice', async () => {
    vi.mocked(api.getNotice).mockRejectedValue(new ApiError(404, 'no_notice', 'none'));
    open();

    expect(await screen.findByText('This request has no notice: it was not declined.')).toBeVisible();
  });
});
