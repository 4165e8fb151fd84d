import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { useUser } from '../auth/AuthProvider';
import { pending } from '../test/fixtures';
import { emulatePhone, makeUser, renderAt } from '../test/render';
import { searchInbox } from './inbox';
import { InboxPage } from './InboxPage';

vi.mock('../api/endpoints');
vi.mock('../auth/AuthProvider');

const INBOX = [
  pending('aaaa1111', { due_at: '2026-11-29T10:00:00Z', overdue: true }, { purpose: 'Delivery van', amount: '30000.00', risk_tier: 'medium' }),
  pending('bbbb2222', { due_at: '2026-11-30T10:00:00Z' }, { purpose: 'Shop fittings', amount: '90000.00', risk_tier: 'high' }),
  pending('cccc3333', { due_at: '2026-12-01T10:00:00Z' }, { purpose: 'Delivery bikes', amount: '4000.00', risk_tier: 'low' }),
];

function purposes() {
  return within(screen.getByRole('table', { name: 'Stages waiting for your decision' }))
    .getAllByRole('link')
    .map((link) => link.textContent);
}

describe('the inbox', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(useUser).mockReturnValue(makeUser({ role: 'manager' }));
    vi.mocked(api.myApprovals).mockResolvedValue(INBOX);
  });

  it('shows each stage with its applicant, risk tier and due date, overdue ones marked', async () => {
    renderAt(<InboxPage />, { url: '/inbox' });
    const row = (await screen.findByText('Delivery van')).closest('tr');
    if (!row) throw new Error('no row');
    expect(within(row).getByText('Applicant aaaa1111')).toBeVisible();
    expect(within(row).getByText('Medium risk')).toBeVisible();
    expect(within(row).getByText('Nov 29, 2026, 10:00 AM UTC')).toBeVisible();
    expect(within(row).getByText('Overdue')).toBeVisible();
    expect(screen.getByText(/^3 stages waiting/)).toHaveTextContent('3 stages waiting. 1 overdue.');
  });

  it('searches by purpose or reference and sorts, through the URL', async () => {
    renderAt(<InboxPage />, { url: '/inbox' });
    expect(await screen.findByText('Delivery van')).toBeVisible();
    expect(purposes()).toEqual(['Delivery van', 'Shop fittings', 'Delivery bikes']);

    await userEvent.type(screen.getByRole('searchbox', { name: 'Search' }), 'delivery');
    await userEvent.click(screen.getByRole('button', { name: 'Search' }));
    expect(screen.getByTestId('location')).toHaveTextContent('/inbox?q=delivery');
    expect(purposes()).toEqual(['Delivery van', 'Delivery bikes']);
    expect(screen.getByText(/stages match/)).toHaveTextContent('2 of 3 stages match.');

    await userEvent.click(screen.getByRole('combobox', { name: 'Sort by' }));
    await userEvent.click(screen.getByRole('option', { name: 'Smallest amount first' }));
    expect(screen.getByTestId('location')).toHaveTextContent('/inbox?q=delivery&sort=amount');
    expect(purposes()).toEqual(['Delivery bikes', 'Delivery van']);
  });

  it('says when the search finds nothing, and clears it', async () => {
    renderAt(<InboxPage />, { url: '/inbox?q=yacht' });
    expect(await screen.findByText('No stage in your inbox matches “yacht”.')).toBeVisible();
    await userEvent.click(screen.getByRole('button', { name: 'Clear the filters' }));
    expect(purposes()).toHaveLength(3);
  });

  it('sorts by due date, amount and risk, keeping the API order for ties', () => {
    const ids = (sort: Parameters<typeof searchInbox>[2], search = '') => searchInbox(INBOX, search, sort).map((e) => e.request.id);
    expect(ids('due')).toEqual(['aaaa1111', 'bbbb2222', 'cccc3333']);
    expect(ids('-due')).toEqual(['cccc3333', 'bbbb2222', 'aaaa1111']);
    expect(ids('-amount')).toEqual(['bbbb2222', 'aaaa1111', 'cccc3333']);
    expect(ids('-risk')).toEqual(['bbbb2222', 'aaaa1111', 'cccc3333']);
    expect(ids('due', 'BBBB')).toEqual(['bbbb2222']);
    expect(ids('due', 'applicant cccc')).toEqual(['cccc3333']); // by the applicant's name
  });

  it('shows cards on a phone, with the same facts', async () => {
    emulatePhone();
    try {
      renderAt(<InboxPage />, { url: '/inbox' });
      const card = (await screen.findByRole('link', { name: 'Shop fittings' })).closest('li');
      if (!card) throw new Error('no card');
      expect(screen.queryByRole('table')).not.toBeInTheDocument();
      expect(within(card).getByText('High risk')).toBeVisible();
      expect(within(card).getByText('$90,000.00')).toBeVisible();
      expect(within(card).getByText('Nov 30, 2026, 10:00 AM UTC')).toBeVisible();
    } finally {
      vi.restoreAllMocks();
    }
  });
});
