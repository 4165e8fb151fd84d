import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { ApiError } from '../api/errors';
import type { PolicyVersionDetail } from '../api/types';
import { renderAt } from '../test/render';
import { PolicyListPage } from './PolicyListPage';

vi.mock('../api/endpoints');

function open() {
  return renderAt(<PolicyListPage />, { url: '/policies', path: '/policies' });
}

describe('PolicyListPage', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(api.listPolicies).mockResolvedValue({ items: [], next_cursor: null });
  });

  it('makes one draft however often "New draft" is pressed, then opens it', async () => {
    let created: (draft: PolicyVersionDetail) => void = () => undefined;
    vi.mocked(api.createPolicy).mockReturnValue(new Promise((resolve) => (created = resolve)));
    open();

    await userEvent.dblClick(await screen.findByRole('button', { name: 'New draft' }));

    expect(screen.getByRole('button', { name: 'Creating…' })).toBeDisabled();
    expect(api.createPolicy).toHaveBeenCalledOnce();
    created({ id: 'p-3' } as PolicyVersionDetail);
    expect(await screen.findByTestId('location')).toHaveTextContent('/policies/p-3');
  });

  it('says why a draft was not made, and lets the person try again', async () => {
    vi.mocked(api.createPolicy).mockRejectedValue(new ApiError(409, 'draft_exists', 'You already have a draft.'));
    open();

    await userEvent.click(await screen.findByRole('button', { name: 'New draft' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('You already have a draft.');
    expect(screen.getByRole('button', { name: 'New draft' })).toBeEnabled();
  });
});
