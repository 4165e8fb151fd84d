import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import type { RetentionRun } from '../api/types';
import { renderAt } from '../test/render';
import { RetentionPage } from './RetentionPage';

vi.mock('../api/endpoints');

const NIGHTLY: RetentionRun = {
  id: 'a1b2c3d4-0000-4000-8000-000000000001',
  started_at: '2026-11-30T03:30:00Z',
  cutoff: '2024-10-30T03:30:00Z',
  dry_run: false,
  actor: 'system:retention',
  counts: { requests: 12, applicants: 3, audit_rows: 41, remaining: 0 },
};
const DRY: RetentionRun = {
  ...NIGHTLY,
  id: 'a1b2c3d4-0000-4000-8000-000000000002',
  started_at: '2026-11-30T10:00:00Z',
  dry_run: true,
  actor: 'admin1',
  counts: { requests: 2, applicants: 1, audit_rows: 7, remaining: 0 },
};

describe('RetentionPage', () => {
  beforeEach(() => {
    vi.resetAllMocks();
  });

  it('lists the runs with what each removed, dry runs told apart', async () => {
    vi.mocked(api.listRetentionRuns).mockResolvedValue({ items: [NIGHTLY], next_cursor: null });
    renderAt(<RetentionPage />, { url: '/admin/retention' });
    const table = await screen.findByRole('table', { name: 'Retention runs, newest first' });
    const [row] = within(table).getAllByTestId('retention-run');
    if (row === undefined) throw new Error('no run listed');
    expect(within(row).getByText('Applied')).toBeVisible();
    expect(within(row).getByText('12')).toBeVisible();
    expect(within(row).getByText('41')).toBeVisible();
  });

  it('runs a dry run at once and says nothing was changed', async () => {
    vi.mocked(api.listRetentionRuns).mockResolvedValue({ items: [], next_cursor: null });
    vi.mocked(api.runRetention).mockResolvedValue(DRY);
    renderAt(<RetentionPage />, { url: '/admin/retention' });
    await userEvent.click(await screen.findByRole('button', { name: 'Dry run' }));
    expect(api.runRetention).toHaveBeenCalledWith(true);
    expect(await screen.findByText('Dry run, nothing changed. Due now: requests 2, applicants 1, audit rows 7.')).toBeVisible();
    expect(api.listRetentionRuns).toHaveBeenCalledTimes(2); // read again
  });

  it('asks before removing personal data, and removes nothing if cancelled', async () => {
    vi.mocked(api.listRetentionRuns).mockResolvedValue({ items: [], next_cursor: null });
    vi.mocked(api.runRetention).mockResolvedValue(NIGHTLY);
    renderAt(<RetentionPage />, { url: '/admin/retention' });
    await userEvent.click(await screen.findByRole('button', { name: 'Remove personal data now' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove personal data now?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(api.runRetention).not.toHaveBeenCalled();

    await userEvent.click(await screen.findByRole('button', { name: 'Remove personal data now' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Remove personal data' }));
    expect(api.runRetention).toHaveBeenCalledWith(false);
    expect(await screen.findByText('Done. Personal data removed: requests 12, applicants anonymised 3, audit rows redacted 41.')).toBeVisible();
  });
});
