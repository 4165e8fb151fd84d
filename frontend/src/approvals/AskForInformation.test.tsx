import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { ApiError } from '../api/errors';
import type { InformationRequest } from '../api/types';
import { renderAt } from '../test/render';
import { AskForInformation } from './AskForInformation';

const asked = { id: 'ir-1' } as InformationRequest;

describe('AskForInformation', () => {
  it('requires questions, then sends them trimmed', async () => {
    const ask = vi.fn().mockResolvedValue(asked);
    const onAsked = vi.fn();
    renderAt(<AskForInformation ask={ask} onAsked={onAsked} />);

    await userEvent.click(screen.getByRole('button', { name: 'Send the questions' }));
    expect(ask).not.toHaveBeenCalled();
    expect(screen.getByText('Write the questions the applicant should answer.')).toBeVisible();
    expect(screen.getByLabelText(/Your questions/)).toHaveFocus();

    await userEvent.type(screen.getByLabelText(/Your questions/), '  Two payslips, please.  ');
    await userEvent.click(screen.getByRole('button', { name: 'Send the questions' }));
    expect(ask).toHaveBeenCalledWith('Two payslips, please.');
    expect(onAsked).toHaveBeenCalledWith(asked);
  });

  it("shows the API's refusal", async () => {
    const ask = vi.fn().mockRejectedValue(new ApiError(403, 'not_assignee', 'This stage is not assigned to you.'));
    renderAt(<AskForInformation ask={ask} onAsked={vi.fn()} />);
    await userEvent.type(screen.getByLabelText(/Your questions/), 'Why?');
    await userEvent.click(screen.getByRole('button', { name: 'Send the questions' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This stage is not assigned to you.');
  });

  it('lets the page explain a link that stopped working', async () => {
    const onError = vi.fn().mockReturnValue(true);
    const gone = vi.fn().mockRejectedValue(new ApiError(410, 'link_used', 'Used.'));
    renderAt(<AskForInformation ask={gone} onAsked={vi.fn()} onError={onError} />);
    await userEvent.type(screen.getByLabelText(/Your questions/), 'Why?');
    await userEvent.click(screen.getByRole('button', { name: 'Send the questions' }));
    await vi.waitFor(() => expect(onError).toHaveBeenCalled());
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
