import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import type { CreditRequestDetail, Offer } from '../api/types';
import { detail } from '../test/fixtures';
import { renderAt } from '../test/render';
import { OfferPanel } from './OfferPanel';

vi.mock('../api/endpoints');

const offer: Offer = {
  requested_amount: '5000.00',
  requested_term_months: 24,
  requested_installment: '235.37',
  amount: '4000.00',
  term_months: 36,
  installment: '132.86',
  annual_rate: '0.12',
  reason: 'We can lend 4,000 over 36 months.',
  reason_codes: [{ code: 'AMOUNT_TOO_HIGH', message: 'The amount you asked for is too high for your income and the term.' }],
  made_at: '2026-12-01T10:00:00Z',
  expires_at: '2026-12-31T10:00:00Z',
  responded_at: null,
  outcome: null,
};
const offered = (changes: Partial<Offer> = {}): CreditRequestDetail =>
  detail('r-1', { status: 'offer_made', amount: '5000.00', term_months: 24, offer: { ...offer, ...changes } });
const before = () => new Date('2026-12-02T10:00:00Z');

describe('the offer panel', () => {
  beforeEach(() => vi.resetAllMocks());

  it('shows the terms asked for beside the offer, with the reason and the principal reasons', () => {
    renderAt(<OfferPanel request={offered()} answerable onAnswered={vi.fn()} now={before} />);
    expect(screen.getByRole('heading', { name: 'Our offer' })).toBeVisible();
    expect(screen.getByTestId('offer-amount')).toHaveTextContent('$4,000.00');
    expect(screen.getByTestId('offer-term')).toHaveTextContent('36 months');
    expect(screen.getByTestId('offer-installment')).toHaveTextContent('$132.86');
    expect(screen.getByText('$235.37')).toBeVisible();
    expect(screen.getByText(offer.reason)).toBeVisible();
    expect(screen.getByText(/too high for your income/)).toBeVisible();
  });

  it('accepts after confirming, and hands on the updated request', async () => {
    const accepted = offered({ outcome: 'accepted', responded_at: '2026-12-02T10:00:00Z' });
    vi.mocked(api.answerOffer).mockResolvedValue(accepted);
    const onAnswered = vi.fn();
    renderAt(<OfferPanel request={offered()} answerable onAnswered={onAnswered} now={before} />);

    await userEvent.click(screen.getByRole('button', { name: 'Accept the offer' }));
    expect(screen.getByRole('dialog', { name: 'Accept this offer?' })).toHaveTextContent('$4,000.00 over 36 months, $132.86 a month');
    expect(api.answerOffer).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Accept the offer' }));

    expect(api.answerOffer).toHaveBeenCalledWith('r-1', 'accept');
    expect(onAnswered).toHaveBeenCalledWith(accepted);
  });

  it('declines after confirming', async () => {
    vi.mocked(api.answerOffer).mockResolvedValue(offered({ outcome: 'declined' }));
    renderAt(<OfferPanel request={offered()} answerable onAnswered={vi.fn()} now={before} />);

    await userEvent.click(screen.getByRole('button', { name: 'Decline the offer' }));
    expect(screen.getByRole('dialog', { name: 'Decline this offer?' })).toBeVisible();
    await userEvent.click(screen.getAllByRole('button', { name: 'Decline the offer' }).at(-1)!);

    expect(api.answerOffer).toHaveBeenCalledWith('r-1', 'decline');
  });

  it('has no buttons for staff, once answered, or after the deadline', () => {
    const { unmount } = renderAt(<OfferPanel request={offered()} answerable={false} onAnswered={vi.fn()} now={before} />);
    expect(screen.queryByRole('button', { name: 'Accept the offer' })).toBeNull();
    expect(screen.getByText(/Awaiting the applicant/)).toBeVisible();
    unmount();

    const answered = offered({ outcome: 'accepted', responded_at: '2026-12-02T10:00:00Z' });
    const second = renderAt(<OfferPanel request={{ ...answered, status: 'approved' }} answerable onAnswered={vi.fn()} now={before} />);
    expect(screen.queryByRole('button', { name: 'Accept the offer' })).toBeNull();
    expect(screen.getByTestId('offer-outcome')).toHaveTextContent('You accepted this offer');
    second.unmount();

    renderAt(<OfferPanel request={offered()} answerable onAnswered={vi.fn()} now={() => new Date('2027-01-05T00:00:00Z')} />);
    expect(screen.queryByRole('button', { name: 'Accept the offer' })).toBeNull();
    expect(screen.getByText(/This offer expired/)).toBeVisible();
  });

  it('shows nothing without an offer', () => {
    renderAt(<OfferPanel request={detail('r-1')} answerable onAnswered={vi.fn()} />);
    expect(screen.queryByTestId('offer-panel')).toBeNull();
  });
});
