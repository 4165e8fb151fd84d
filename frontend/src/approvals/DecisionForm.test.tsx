import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { ApiError } from '../api/errors';
import type { CreditRequest } from '../api/types';
import { renderAt } from '../test/render';
import { DecisionForm, decisionOutcome } from './DecisionForm';

const decided = { status: 'pending_approval' } as CreditRequest;
const REASONS = [
  { code: 'INCOME_INSUFFICIENT', message: 'Your income is not enough.' },
  { code: 'EXCESSIVE_OBLIGATIONS', message: 'Your debt payments are too high.' },
  { code: 'DELINQUENT_OBLIGATIONS', message: 'Late payments on record.' },
  { code: 'BANKRUPTCY', message: 'A bankruptcy is on record.' },
  { code: 'TEMPORARY_EMPLOYMENT', message: 'Your employment is temporary.' },
];

describe('DecisionForm', () => {
  it('requires a comment to reject, and sends nothing without one', async () => {
    const decide = vi.fn().mockResolvedValue(decided);
    renderAt(<DecisionForm decide={decide} onDecided={vi.fn()} reasons={REASONS} />);

    await userEvent.click(screen.getByRole('button', { name: 'Reject' }));

    expect(decide).not.toHaveBeenCalled();
    expect(screen.getByText('A rejection needs a comment explaining it.')).toBeVisible();
    expect(screen.getByLabelText('Comment')).toHaveFocus();
    expect(screen.getByLabelText('Comment')).toHaveAttribute('aria-invalid', 'true');
  });

  it('sends a rejection with its comment, and an approval without one', async () => {
    const decide = vi.fn().mockResolvedValue(decided);
    const onDecided = vi.fn();
    renderAt(<DecisionForm decide={decide} onDecided={onDecided} reasons={REASONS} />);

    await userEvent.type(screen.getByLabelText('Comment'), '  Debt too high.  ');
    await userEvent.click(screen.getByLabelText('Your debt payments are too high.'));
    await userEvent.click(screen.getByLabelText('Your income is not enough.'));
    await userEvent.click(screen.getByRole('button', { name: 'Reject' }));
    // In the order chosen: the first is the most important.
    expect(decide).toHaveBeenLastCalledWith({
      decision: 'reject',
      comment: 'Debt too high.',
      reason_codes: ['EXCESSIVE_OBLIGATIONS', 'INCOME_INSUFFICIENT'],
    });
    expect(onDecided).toHaveBeenCalledWith('reject', decided);

    await userEvent.clear(screen.getByLabelText('Comment'));
    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));
    expect(decide).toHaveBeenLastCalledWith({ decision: 'approve', comment: '' });
  });

  it('requires 1 to 4 principal reasons to reject', async () => {
    const decide = vi.fn().mockResolvedValue(decided);
    renderAt(<DecisionForm decide={decide} onDecided={vi.fn()} reasons={REASONS} />);

    await userEvent.type(screen.getByLabelText('Comment'), 'No.');
    await userEvent.click(screen.getByRole('button', { name: 'Reject' }));
    expect(decide).not.toHaveBeenCalled();
    expect(screen.getByText('A rejection needs 1 to 4 principal reasons.')).toBeVisible();
    expect(screen.getByLabelText('Your income is not enough.')).toHaveFocus();

    for (const reason of REASONS.slice(0, 4)) await userEvent.click(screen.getByLabelText(reason.message));
    expect(screen.getByLabelText('Your employment is temporary.')).toBeDisabled();
    await userEvent.click(screen.getByLabelText('A bankruptcy is on record.'));
    expect(screen.getByLabelText('Your employment is temporary.')).toBeEnabled();
  });

  it("shows the API's refusal", async () => {
    const decide = vi.fn().mockRejectedValue(new ApiError(403, 'not_assignee', 'This stage is not assigned to you.'));
    renderAt(<DecisionForm decide={decide} onDecided={vi.fn()} reasons={REASONS} />);

    await userEvent.click(screen.getByRole('button', { name: 'Approve' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('This stage is not assigned to you.');
  });

  it('says what the decision did', () => {
    expect(decisionOutcome('approve', { status: 'approved' } as CreditRequest)).toMatch(/now approved/);
    expect(decisionOutcome('approve', decided)).toMatch(/next approver/);
    expect(decisionOutcome('reject', { status: 'rejected' } as CreditRequest)).toMatch(/now declined/);
  });
});
