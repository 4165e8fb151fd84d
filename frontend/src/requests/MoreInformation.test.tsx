import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import type { InformationRequest } from '../api/types';
import { creditRequest } from '../test/fixtures';
import { renderAt } from '../test/render';
import { amendmentsOf, formOf, MoreInformation } from './MoreInformation';

vi.mock('../api/endpoints');

function round(changes: Partial<InformationRequest> = {}): InformationRequest {
  return {
    id: 'ir-1',
    stage_id: 's-1',
    level: 1,
    role: 'analyst',
    asked_by: null,
    asked_by_first_name: 'Ana',
    asked_via: 'app',
    questions: 'Please send two payslips.',
    asked_at: '2026-11-30T10:00:00Z',
    due_at: '2026-12-30T10:00:00Z',
    answered_at: null,
    answer: null,
    amendments: {},
    outcome: null,
    closed_at: null,
    ...changes,
  };
}

const waiting = creditRequest('r-1', { status: 'info_requested', amount: '5000.00', term_months: 24 });

describe('MoreInformation', () => {
  beforeEach(() => vi.resetAllMocks());

  it('shows the questions, who asked and until when, and lets the applicant answer', async () => {
    vi.mocked(api.listInformationRequests).mockResolvedValue([round()]);
    vi.mocked(api.answerInformation).mockResolvedValue({ ...waiting, status: 'pending_approval' });
    const onAnswered = vi.fn();
    renderAt(<MoreInformation request={waiting} audience="applicant" onAnswered={onAnswered} />);

    const item = await screen.findByTestId('information-round');
    expect(item).toHaveTextContent('Ana (analyst) asked on');
    expect(item).toHaveTextContent('Please send two payslips.');
    expect(item).toHaveTextContent('Waiting for the answer, until Dec 30, 2026');

    await userEvent.click(screen.getByRole('button', { name: 'Send my answer' }));
    expect(api.answerInformation).not.toHaveBeenCalled();
    expect(screen.getByText('Write your answer to the questions.')).toBeVisible();

    await userEvent.type(screen.getByLabelText(/^Answer/), '  Sent them by post.  ');
    await userEvent.click(screen.getByRole('button', { name: 'Send my answer' }));
    expect(api.answerInformation).toHaveBeenCalledWith('r-1', { answer: 'Sent them by post.' });
    expect(onAnswered).toHaveBeenCalled();
  });

  it('sends only the fields the applicant corrected, validated as when applying', async () => {
    vi.mocked(api.listInformationRequests).mockResolvedValue([round()]);
    vi.mocked(api.answerInformation).mockResolvedValue(waiting);
    renderAt(<MoreInformation request={waiting} audience="applicant" />);

    await userEvent.type(await screen.findByLabelText(/^Answer/), 'I can borrow less.');
    await userEvent.click(screen.getByLabelText('Correct my request as well'));
    const amount = screen.getByLabelText('Amount');
    await userEvent.clear(amount);
    await userEvent.type(amount, '-5');
    await userEvent.click(screen.getByRole('button', { name: 'Send my answer' }));
    expect(api.answerInformation).not.toHaveBeenCalled();

    await userEvent.clear(amount);
    await userEvent.type(amount, '4000');
    await userEvent.click(screen.getByRole('button', { name: 'Send my answer' }));
    expect(api.answerInformation).toHaveBeenCalledWith('r-1', { answer: 'I can borrow less.', amendments: { amount: '4000.00' } });
  });

  it('shows staff the asker, the answer and the corrections, with no form', async () => {
    vi.mocked(api.listInformationRequests).mockResolvedValue([
      round({
        asked_by: 'analyst1',
        answered_at: '2026-12-01T10:00:00Z',
        answer: 'Lower amount please.',
        amendments: { amount: { before: '5000.00', after: '4000.00' } },
        outcome: 'resumed',
        closed_at: '2026-12-01T10:00:00Z',
      }),
    ]);
    renderAt(<MoreInformation request={{ ...waiting, status: 'pending_approval' }} audience="staff" />);

    const item = await screen.findByTestId('information-round');
    expect(item).toHaveTextContent('analyst1 asked on');
    expect(item).toHaveTextContent('Lower amount please.');
    expect(within(item).getByRole('list', { name: 'Corrections' })).toHaveTextContent('Amount: from 5000.00 to 4000.00');
    expect(item).toHaveTextContent('The request went back to its approver.');
    expect(screen.queryByTestId('answer-form')).toBeNull();
  });

  it('shows nothing where nobody asked', async () => {
    vi.mocked(api.listInformationRequests).mockResolvedValue([]);
    const { container } = renderAt(<MoreInformation request={waiting} audience="applicant" />);
    await Promise.resolve();
    expect(container.querySelector('[data-testid="more-information"]')).toBeNull();
  });

  it('finds what changed, and nothing for the same values', () => {
    expect(amendmentsOf(waiting, formOf(waiting))).toEqual({});
    expect(amendmentsOf(waiting, { ...formOf(waiting), term_months: '36', purpose: 'Van' })).toEqual({ term_months: 36, purpose: 'Van' });
  });
});
