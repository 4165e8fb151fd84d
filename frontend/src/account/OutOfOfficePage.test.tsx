import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { ApiError } from '../api/errors';
import { renderAt } from '../test/render';
import type { Absence, DelegateCandidate } from './absencesApi';
import * as api from './absencesApi';
import { OutOfOfficePage } from './OutOfOfficePage';

vi.mock('./absencesApi', async (original) => ({
  ...(await original<typeof import('./absencesApi')>()),
  listAbsences: vi.fn(),
  listDelegates: vi.fn(),
  createAbsence: vi.fn(),
  cancelAbsence: vi.fn(),
}));

const BOB: DelegateCandidate = { id: '00000000-0000-4000-8000-0000000000b0', username: 'bob', full_name: 'Bob Manager', role: 'manager' };
const ABSENCE: Absence = {
  id: '00000000-0000-4000-8000-0000000000a1',
  user_id: '00000000-0000-4000-8000-000000000001',
  user: 'alice',
  delegate_id: BOB.id,
  delegate: 'bob',
  delegate_name: 'Bob Manager',
  starts_at: '2026-12-21T08:00:00Z',
  ends_at: '2027-01-04T08:00:00Z',
  state: 'scheduled',
  created_by: 'alice',
  created_at: '2026-11-30T10:00:00Z',
  cancelled_at: null,
};

async function fillIn() {
  await userEvent.click(await screen.findByRole('combobox', { name: 'Delegate' }));
  await userEvent.click(screen.getByRole('option', { name: 'Bob Manager (bob)' }));
  fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-12-21T09:00' } });
  fireEvent.change(screen.getByLabelText('Until'), { target: { value: '2027-01-04T09:00' } });
}

describe('OutOfOfficePage', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(api.listAbsences).mockResolvedValue([]);
    vi.mocked(api.listDelegates).mockResolvedValue([BOB]);
  });

  it('sets an absence with a delegate, sending the window in UTC', async () => {
    vi.mocked(api.createAbsence).mockResolvedValue(ABSENCE);
    renderAt(<OutOfOfficePage />, { url: '/account/out-of-office' });
    expect(await screen.findByRole('heading', { level: 1, name: 'Out of office' })).toBeVisible();
    expect(screen.getByText('No absences set.')).toBeVisible();
    await fillIn();
    vi.mocked(api.listAbsences).mockResolvedValue([ABSENCE]);
    await userEvent.click(screen.getByRole('button', { name: 'Set out of office' }));

    expect(vi.mocked(api.createAbsence)).toHaveBeenCalledWith('me', {
      delegate_id: BOB.id,
      starts_at: new Date('2026-12-21T09:00').toISOString(),
      ends_at: new Date('2027-01-04T09:00').toISOString(),
    });
    expect(await screen.findByTestId('absence-result')).toHaveTextContent(/Bob Manager holds the stages/);
    const list = await screen.findByRole('list', { name: 'Absences' });
    expect(within(list).getByText('Scheduled')).toBeVisible();
    expect(within(list).getByText(/delegate Bob Manager/)).toBeVisible();
  });

  it('says why the API refused, by its code', async () => {
    vi.mocked(api.createAbsence).mockRejectedValue(new ApiError(409, 'user_is_delegate', 'no chains'));
    renderAt(<OutOfOfficePage />, { url: '/account/out-of-office' });
    await fillIn();
    await userEvent.click(screen.getByRole('button', { name: 'Set out of office' }));

    expect(await screen.findByText(/delegations cannot chain/)).toBeVisible();
  });

  it('asks for every field before sending', async () => {
    renderAt(<OutOfOfficePage />, { url: '/account/out-of-office' });
    await userEvent.click(await screen.findByRole('button', { name: 'Set out of office' }));

    expect(await screen.findByText('Choose a delegate and both times.')).toBeVisible();
    expect(vi.mocked(api.createAbsence)).not.toHaveBeenCalled();
  });

  it('cancels an absence under way', async () => {
    vi.mocked(api.listAbsences).mockResolvedValue([{ ...ABSENCE, state: 'active' }]);
    vi.mocked(api.cancelAbsence).mockResolvedValue({ ...ABSENCE, state: 'cancelled' });
    renderAt(<OutOfOfficePage />, { url: '/account/out-of-office' });
    const list = await screen.findByRole('list', { name: 'Absences' });
    expect(within(list).getByText('Under way')).toBeVisible();
    vi.mocked(api.listAbsences).mockResolvedValue([{ ...ABSENCE, state: 'cancelled' }]);
    await userEvent.click(within(list).getByRole('button', { name: 'Cancel this absence' }));

    expect(vi.mocked(api.cancelAbsence)).toHaveBeenCalledWith('me', ABSENCE.id);
    expect(await screen.findByText('The absence is cancelled.')).toBeVisible();
    expect(await screen.findByText('Cancelled')).toBeVisible();
  });

  it('says so when nobody can be a delegate', async () => {
    vi.mocked(api.listDelegates).mockResolvedValue([]);
    renderAt(<OutOfOfficePage />, { url: '/account/out-of-office' });

    expect(await screen.findByText(/Nobody can be a delegate/)).toBeVisible();
    expect(screen.getByRole('button', { name: 'Set out of office' })).toBeDisabled();
  });
});
