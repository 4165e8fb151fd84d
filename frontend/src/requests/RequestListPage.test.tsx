import { act, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import type { CreditRequest, Page } from '../api/types';
import { useUser } from '../auth/AuthProvider';
import { emulatePhone, makeUser, renderAt } from '../test/render';
import { RequestListPage } from './RequestListPage';

vi.mock('../api/endpoints');
vi.mock('../auth/AuthProvider');

function request(id: string, changes: Partial<CreditRequest> = {}): CreditRequest {
  return {
    id,
    applicant_id: 'a',
    amount: '5000.00',
    term_months: 24,
    purpose: `Purpose ${id}`,
    monthly_income: '6000.00',
    monthly_debt: '300.00',
    employment_status: 'employed',
    credit_score: 760,
    delinquencies_24m: 0,
    bankruptcies_7y: 0,
    status: 'approved',
    risk_tier: 'low',
    decision_reasons: [],
    created_at: '2026-11-28T10:00:00Z',
    updated_at: '2026-11-28T10:00:00Z',
    decided_at: null,
    ...changes,
  };
}

describe('RequestListPage', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(useUser).mockReturnValue(makeUser({ role: 'manager' }));
  });

  it('reads its filters from the URL (the dashboard drill-down) and shows statuses in words', async () => {
    vi.mocked(api.listRequests).mockResolvedValue({ items: [request('r1')], next_cursor: null });
    renderAt(<RequestListPage />, {
      url: '/requests?status=approved&created_from=2026-11-28&created_to=2026-11-28&amount_min=10000.01',
    });

    expect(await screen.findByRole('link', { name: 'Purpose r1' })).toHaveAttribute('href', '/requests/r1');
    expect(within(screen.getByRole('table')).getByText('Approved')).toBeVisible();
    expect(api.listRequests).toHaveBeenCalledWith(
      {
        status: ['approved'],
        created_from: '2026-11-28T00:00:00Z',
        created_to: '2026-11-29T00:00:00Z',
        amount_min: '10000.01',
        sort: '-created_at',
        limit: 20,
      },
      expect.anything(),
    );
    expect(screen.getByLabelText('Minimum amount')).toHaveValue('10000.01');
    expect(screen.getByRole('heading', { name: 'All requests' })).toBeVisible();
  });

  it('shows the decided-stage filter of a time-to-decision drill-down, and clears it', async () => {
    vi.mocked(api.listRequests).mockResolvedValue({ items: [request('r1')], next_cursor: null });
    renderAt(<RequestListPage />, { url: '/requests?created_from=2026-11-01&created_to=2026-11-28&stage_role=manager' });

    expect(await screen.findByRole('link', { name: 'Purpose r1' })).toBeVisible();
    expect(api.listRequests).toHaveBeenCalledWith(
      { created_from: '2026-11-01T00:00:00Z', created_to: '2026-11-29T00:00:00Z', stage_role: 'manager', sort: '-created_at', limit: 20 },
      expect.anything(),
    );
    expect(screen.getByRole('combobox', { name: 'Stage decided' })).toHaveTextContent('Manager');

    await userEvent.click(screen.getByRole('button', { name: 'Clear' }));
    expect(screen.getByTestId('location')).toHaveTextContent(/^\/requests$/);
    expect(screen.getByRole('combobox', { name: 'Stage decided' })).toHaveTextContent('Any');
  });

  it('offers applicants no decided-stage filter unless their URL sets one', async () => {
    vi.mocked(useUser).mockReturnValue(makeUser({ role: 'applicant' }));
    vi.mocked(api.listRequests).mockResolvedValue({ items: [request('r1')], next_cursor: null });
    const { unmount } = renderAt(<RequestListPage />, { url: '/requests' });
    expect(await screen.findByRole('link', { name: 'Purpose r1' })).toBeVisible();
    expect(screen.queryByRole('combobox', { name: 'Stage decided' })).not.toBeInTheDocument();
    unmount();

    renderAt(<RequestListPage />, { url: '/requests?stage_role=analyst' });
    expect(await screen.findByRole('link', { name: 'Purpose r1' })).toBeVisible();
    expect(screen.getByRole('combobox', { name: 'Stage decided' })).toHaveTextContent('Analyst');
  });

  it('exports the filtered requests as CSV for staff, and says when the file was cut short', async () => {
    vi.mocked(api.listRequests).mockResolvedValue({ items: [request('r-1')], next_cursor: null });
    vi.mocked(api.exportRequests).mockResolvedValue({ blob: new Blob(['id\r\n']), name: 'credit-requests.csv', truncated: true });
    const created = vi.fn(() => 'blob:export');
    Object.assign(URL, { createObjectURL: created, revokeObjectURL: vi.fn() });
    renderAt(<RequestListPage />, { url: '/requests?status=approved&amount_min=1000&sort=amount' });

    await userEvent.click(await screen.findByRole('button', { name: 'Export CSV' }));

    // The list's filters, without its order or paging.
    expect(api.exportRequests).toHaveBeenCalledWith({ status: ['approved'], amount_min: '1000.00' });
    expect(created).toHaveBeenCalled();
    expect(await screen.findByText(/cut at 25,000 rows/)).toBeVisible();
  });

  it('offers applicants no export', async () => {
    vi.mocked(useUser).mockReturnValue(makeUser({ role: 'applicant' }));
    vi.mocked(api.listRequests).mockResolvedValue({ items: [request('r-1')], next_cursor: null });
    renderAt(<RequestListPage />, { url: '/requests' });
    expect(await screen.findByText('Purpose r-1')).toBeVisible();
    expect(screen.queryByRole('button', { name: 'Export CSV' })).not.toBeInTheDocument();
  });

  it('loads the next page with the cursor', async () => {
    vi.mocked(api.listRequests)
      .mockResolvedValueOnce({ items: [request('r1')], next_cursor: 'c1' })
      .mockResolvedValueOnce({ items: [request('r2')], next_cursor: null });
    renderAt(<RequestListPage />, { url: '/requests' });

    await userEvent.click(await screen.findByRole('button', { name: 'Load more' }));

    const added = await screen.findByRole('link', { name: 'Purpose r2' });
    expect(added).toBeVisible();
    // Focus follows the new rows: the first one's link, not the top of the page.
    await vi.waitFor(() => expect(added).toHaveFocus());
    expect(vi.mocked(api.listRequests).mock.calls[1]?.[0]).toMatchObject({ cursor: 'c1' });
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('drops a page that "load more" asked for before the filters changed', async () => {
    let oldPage: (page: Page<CreditRequest>) => void = () => undefined;
    vi.mocked(api.listRequests).mockImplementation((query) => {
      if (query.cursor === 'c1') return new Promise((resolve) => (oldPage = resolve));
      if (query.amount_max) return Promise.resolve({ items: [request('r9')], next_cursor: null });
      return Promise.resolve({ items: [request('r1')], next_cursor: 'c1' });
    });
    renderAt(<RequestListPage />, { url: '/requests' });

    await userEvent.click(await screen.findByRole('button', { name: 'Load more' }));
    await userEvent.type(screen.getByLabelText('Maximum amount'), '900');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(await screen.findByRole('link', { name: 'Purpose r9' })).toBeVisible();
    await act(async () => oldPage({ items: [request('r2')], next_cursor: 'c2' }));

    expect(screen.queryByRole('link', { name: 'Purpose r2' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('says when nothing matches, and applies new filters to the URL', async () => {
    vi.mocked(api.listRequests).mockResolvedValue({ items: [], next_cursor: null });
    renderAt(<RequestListPage />, { url: '/requests?status=withdrawn' });

    expect(await screen.findByText('No requests match these filters.')).toBeVisible();
    await userEvent.type(screen.getByLabelText('Maximum amount'), '900');
    await userEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(screen.getByTestId('location')).toHaveTextContent('/requests?status=withdrawn&amount_max=900');
  });

  it('shows an error with a retry', async () => {
    vi.mocked(api.listRequests).mockRejectedValueOnce(new Error('boom'));
    vi.mocked(api.listRequests).mockResolvedValueOnce({ items: [request('r1')], next_cursor: null });
    renderAt(<RequestListPage />, { url: '/requests' });

    await userEvent.click(await screen.findByRole('button', { name: 'Try again' }));

    expect(await screen.findByRole('link', { name: 'Purpose r1' })).toBeVisible();
  });

  it('puts the status and date under the purpose on a phone, in two columns', async () => {
    emulatePhone();
    vi.mocked(api.listRequests).mockResolvedValue({ items: [request('r1', { status: 'withdrawn' })], next_cursor: null });
    try {
      renderAt(<RequestListPage />, { url: '/requests' });
      const link = await screen.findByRole('link', { name: 'Purpose r1' });
      expect(screen.getAllByRole('columnheader').map((h) => h.textContent)).toEqual(['Request', 'Amount']);
      const cell = link.closest('td');
      if (!cell) throw new Error('no cell');
      expect(within(cell).getByText('Withdrawn')).toBeVisible();
      expect(within(cell).getByText('Nov 28, 2026, 10:00 AM UTC')).toBeVisible();
    } finally {
      vi.restoreAllMocks();
    }
  });
});
