import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import type { CounterofferTerms, CreditRequest } from '../api/types';
import { renderAt } from '../test/render';
import { DecisionForm, decisionOutcome } from './DecisionForm';
import { installment, pendingIsFinal } from './offer';
import { stage } from '../test/fixtures';

const terms: CounterofferTerms = {
  reference_annual_rate: '0.12',
  min_term_months: 6,
  max_term_months: 360,
  max_reasons: 4,
  decline_reasons: [
    { code: 'AMOUNT_TOO_HIGH', message: 'The amount you asked for is too high for your income and the term.' },
    { code: 'TERM_TOO_LONG', message: 'The repayment term you asked for is longer than we offer for this amount.' },
  ],
};
const counteroffer = { terms, requested: { amount: '5000.00', termMonths: 24 } };
const offered = { status: 'offer_made' } as CreditRequest;

describe('installments and the last stage', () => {
  it('computes the installment the API computes', () => {
    expect(installment(4000, 36, 0.12)).toBe(132.86);
    expect(installment(5000, 24, 0.12)).toBe(235.37);
    expect(installment(1200, 12, 0)).toBe(100);
    expect(installment(0, 12, 0.12)).toBeNaN();
  });

  it('knows the pending stage is the last one', () => {
    expect(pendingIsFinal([stage(1, { status: 'approved' }), stage(2, { status: 'pending' })])).toBe(true);
    expect(pendingIsFinal([stage(1, { status: 'pending' }), stage(2, { status: 'waiting' })])).toBe(false);
    expect(pendingIsFinal([stage(1, { status: 'approved' })])).toBe(false);
  });
});

describe('approving with other terms', () => {
  it('is offered only with the counteroffer options', () => {
    renderAt(<DecisionForm decide={vi.fn()} onDecided={vi.fn()} reasons={[]} />);
    expect(screen.queryByRole('button', { name: 'Approve with other terms' })).toBeNull();
  });

  it('previews the installment and sends only the changed terms, the reason and the codes', async () => {
    const decide = vi.fn().mockResolvedValue(offered);
    const onDecided = vi.fn();
    renderAt(<DecisionForm decide={decide} onDecided={onDecided} reasons={[]} counteroffer={counteroffer} />);

    await userEvent.click(screen.getByRole('button', { name: 'Approve with other terms' }));
    expect(screen.getByLabelText('Offered amount')).toHaveValue('5000.00');
    await userEvent.clear(screen.getByLabelText('Offered amount'));
    await userEvent.type(screen.getByLabelText('Offered amount'), '4000');
    await userEvent.clear(screen.getByLabelText('Offered term (months)'));
    await userEvent.type(screen.getByLabelText('Offered term (months)'), '36');
    expect(screen.getByTestId('offer-installment')).toHaveTextContent('$132.86');
    await userEvent.click(screen.getByLabelText(/too high for your income/));
    await userEvent.type(screen.getByLabelText('Reason for the applicant'), 'We can lend 4,000.');
    await userEvent.click(screen.getByRole('button', { name: 'Make the offer' }));

    expect(decide).toHaveBeenCalledWith({
      decision: 'counteroffer',
      comment: 'We can lend 4,000.',
      offer: { amount: '4000.00', term_months: 36 },
      reason_codes: ['AMOUNT_TOO_HIGH'],
    });
    expect(onDecided).toHaveBeenCalledWith('counteroffer', offered);
  });

  it('refuses an offer without a reason, reasons, or any change, and sends nothing', async () => {
    const decide = vi.fn().mockResolvedValue(offered);
    renderAt(<DecisionForm decide={decide} onDecided={vi.fn()} reasons={[]} counteroffer={counteroffer} />);

    await userEvent.click(screen.getByRole('button', { name: 'Approve with other terms' }));
    await userEvent.click(screen.getByRole('button', { name: 'Make the offer' }));
    expect(screen.getByText('An offer needs a reason the applicant can read.')).toBeVisible();

    await userEvent.type(screen.getByLabelText('Reason for the applicant'), 'Why');
    await userEvent.click(screen.getByRole('button', { name: 'Make the offer' }));
    expect(screen.getByText(/These are the terms asked for/)).toBeVisible();
    expect(screen.getByText('Choose from 1 to 4 reasons.')).toBeVisible();

    await userEvent.clear(screen.getByLabelText('Offered amount'));
    await userEvent.type(screen.getByLabelText('Offered amount'), '6000');
    await userEvent.click(screen.getByRole('button', { name: 'Make the offer' }));
    expect(screen.getByText(/at most/i)).toBeVisible();
    expect(decide).not.toHaveBeenCalled();
  });

  it('says what a counteroffer did', () => {
    expect(decisionOutcome('counteroffer', offered)).toMatch(/30 days to accept or decline/);
  });
});
