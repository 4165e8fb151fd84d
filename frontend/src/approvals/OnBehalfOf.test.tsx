import { screen, within } from '@testing-library/react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { StageTimeline } from '../requests/StageTimeline';
import { pending, stage } from '../test/fixtures';
import { useUser } from '../auth/AuthProvider';
import { makeUser, renderAt } from '../test/render';
import { InboxPage } from './InboxPage';

vi.mock('../api/endpoints');
vi.mock('../auth/AuthProvider');

// A stage held or decided by a delegate while its approver was out of office.
describe('on behalf of an absent approver', () => {
  beforeEach(() => {
    vi.resetAllMocks();
  });

  it('shows staff who decided and for whom', () => {
    renderAt(
      <StageTimeline
        audience="staff"
        stages={[
          stage(1, { status: 'approved', decided_by: 'bob', on_behalf_of: 'ana', decided_at: '2026-11-29T11:00:00Z', decided_via: 'email_link' }),
          stage(2, { status: 'pending', assignee: 'mia', on_behalf_of: 'max', due_at: '2026-12-01T10:00:00Z' }),
        ]}
      />,
    );
    const chain = screen.getByRole('list', { name: 'Approval stages' });
    expect(within(chain).getByText(/Approved by bob on .*, on behalf of ana \(from the email link\)/)).toBeVisible();
    expect(within(chain).getByText(/Assigned to mia, on behalf of max, due/)).toBeVisible();
  });

  it('marks a held stage in the inbox', async () => {
    vi.mocked(useUser).mockReturnValue(makeUser({ role: 'manager' }));
    vi.mocked(api.myReviews).mockResolvedValue([]);
    vi.mocked(api.myApprovals).mockResolvedValue([
      pending('aaaa1111', { on_behalf_of: 'Ana Analyst' }, { purpose: 'Delivery van' }),
      pending('bbbb2222', {}, { purpose: 'Shop fittings' }),
    ]);
    renderAt(<InboxPage />, { url: '/inbox' });
    const held = (await screen.findByText('Delivery van')).closest('tr');
    const own = screen.getByText('Shop fittings').closest('tr');
    if (!held || !own) throw new Error('no rows');
    expect(within(held).getByText('On behalf of Ana Analyst (out of office)')).toBeVisible();
    expect(within(own).queryByText(/On behalf of/)).not.toBeInTheDocument();
  });
});
