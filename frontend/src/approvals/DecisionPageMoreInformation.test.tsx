import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import type { InformationRequest } from '../api/types';
import { useUser } from '../auth/AuthProvider';
import { creditRequest, detail, pendingAtStageOne, stage } from '../test/fixtures';
import { makeUser, renderAt } from '../test/render';
import { DecisionPage } from './DecisionPage';

vi.mock('../api/endpoints');
vi.mock('../auth/AuthProvider');

function open() {
  return renderAt(<DecisionPage />, { url: '/inbox/r-1', path: '/inbox/:requestId' });
}

const paused = detail('r-1', {
  status: 'info_requested',
  stages: [stage(1, { status: 'info_requested', assignee: 'ana_lyst' }), stage(2)],
});

describe('the decision page: request more information', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(api.listInformationRequests).mockResolvedValue([]);
    vi.mocked(useUser).mockReturnValue(makeUser({ role: 'analyst', username: 'ana_lyst' }));
    vi.mocked(api.myApprovals).mockResolvedValue([]);
    vi.mocked(api.declineReasons).mockResolvedValue([{ code: 'INCOME_INSUFFICIENT', message: 'Your income is not enough.' }]);
  });

  it('lets the assignee send questions instead of deciding', async () => {
    vi.mocked(api.getRequest).mockResolvedValueOnce(pendingAtStageOne()).mockResolvedValue(paused);
    vi.mocked(api.askForInformation).mockResolvedValue({ id: 'ir-1' } as InformationRequest);
    open();

    await userEvent.type(await screen.findByLabelText(/Your questions/), 'Two payslips, please.');
    await userEvent.click(screen.getByRole('button', { name: 'Send the questions' }));

    expect(api.askForInformation).toHaveBeenCalledWith('r-1', 'Two payslips, please.');
    expect(await screen.findByTestId('decision-outcome')).toHaveTextContent('Your questions were sent to the applicant.');
  });

  it('while the applicant has not answered, the assignee may only reject', async () => {
    vi.mocked(api.getRequest).mockResolvedValue(paused);
    vi.mocked(api.decideRequest).mockResolvedValue(creditRequest('r-1', { status: 'rejected' }));
    open();

    expect(await screen.findByTestId('waiting-for-answer')).toHaveTextContent('You can still reject it.');
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
    expect(screen.queryByTestId('ask-for-information')).toBeNull();
    await userEvent.type(screen.getByLabelText('Comment'), 'No usable answer.');
    await userEvent.click(await screen.findByLabelText('Your income is not enough.'));
    await userEvent.click(screen.getByRole('button', { name: 'Reject' }));
    expect(api.decideRequest).toHaveBeenCalledWith('r-1', { decision: 'reject', comment: 'No usable answer.', reason_codes: ['INCOME_INSUFFICIENT'] });
  });
});
