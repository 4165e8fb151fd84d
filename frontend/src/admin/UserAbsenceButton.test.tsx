import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as absences from '../account/absencesApi';
import * as api from '../api/endpoints';
import { useUser } from '../auth/AuthProvider';
import { makeUser, renderAt } from '../test/render';
import { UsersPage } from './UsersPage';

vi.mock('../api/endpoints');
vi.mock('../auth/AuthProvider');
vi.mock('../account/absencesApi', async (original) => ({
  ...(await original<typeof import('../account/absencesApi')>()),
  listAbsences: vi.fn(),
  listDelegates: vi.fn(),
  createAbsence: vi.fn(),
  cancelAbsence: vi.fn(),
}));

const ADMIN = makeUser({ id: 'admin-id', username: 'root', role: 'admin' });
const ANNA = makeUser({ id: 'anna-id', username: 'anna', full_name: 'Anna Analyst', role: 'analyst' });
const APPLICANT = makeUser({ id: 'app-id', username: 'carl', role: 'applicant' });

describe('out of office on the Users page', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(useUser).mockReturnValue(ADMIN);
    vi.mocked(api.listUsers).mockResolvedValue({ items: [ADMIN, ANNA, APPLICANT], next_cursor: null });
    vi.mocked(absences.listAbsences).mockResolvedValue([]);
    vi.mocked(absences.listDelegates).mockResolvedValue([
      { id: 'mia-id', username: 'mia', full_name: 'Mia Manager', role: 'manager' },
    ]);
  });

  it('offers it for approvers only, and sets one for that user', async () => {
    renderAt(<UsersPage />, { url: '/admin/users' });
    expect(await screen.findByText('anna')).toBeVisible();
    expect(screen.queryByRole('button', { name: 'Out of office for carl' })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Out of office for root' })).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Out of office for anna' }));

    const dialog = await screen.findByRole('dialog', { name: 'Out of office: anna' });
    expect(vi.mocked(absences.listDelegates)).toHaveBeenCalledWith('anna-id', expect.anything());
    await userEvent.click(await within(dialog).findByRole('combobox', { name: 'Delegate' }));
    expect(screen.getByRole('option', { name: 'Mia Manager (mia)' })).toBeVisible();
  });
});
