import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { ApiError } from '../api/errors';
import { useUser } from '../auth/AuthProvider';
import { emulatePhone, makeUser, renderAt } from '../test/render';
import { ConfirmUserChange } from './ConfirmUserChange';
import { UsersPage } from './UsersPage';

vi.mock('../api/endpoints');
vi.mock('../auth/AuthProvider');

const ADMIN = makeUser({ id: 'admin-id', username: 'root', role: 'admin' });
const BOB = makeUser({ id: 'bob-id', username: 'bob_smith', email: 'bob@example.com', full_name: 'Bob Smith' });

describe('UsersPage', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(useUser).mockReturnValue(ADMIN);
  });

  it('searches users by username or email through the URL', async () => {
    vi.mocked(api.listUsers).mockImplementation(async (_cursor, { search } = {}) => ({
      items: search ? [BOB] : [ADMIN, BOB],
      next_cursor: null,
    }));
    renderAt(<UsersPage />, { url: '/admin/users' });
    expect(await screen.findByText('root (you)')).toBeVisible();

    await userEvent.click(screen.getByRole('searchbox', { name: 'Username or email' }));
    await userEvent.paste(' BOB@ ');
    await userEvent.click(screen.getByRole('button', { name: 'Search' }));

    expect(screen.getByTestId('location')).toHaveTextContent('/admin/users?q=BOB%40');
    expect(vi.mocked(api.listUsers)).toHaveBeenLastCalledWith(null, { search: 'BOB@', role: '' }, expect.anything());
    await vi.waitFor(() => expect(screen.queryByText('root (you)')).not.toBeInTheDocument());
    expect(screen.getByText('bob_smith')).toBeVisible();
  });

  it('shows the search it read from the URL, and clears it', async () => {
    vi.mocked(api.listUsers).mockResolvedValue({ items: [BOB], next_cursor: null });
    renderAt(<UsersPage />, { url: '/admin/users?q=bob' });
    expect(await screen.findByText('bob_smith')).toBeVisible();
    expect(screen.getByRole('searchbox', { name: 'Username or email' })).toHaveValue('bob');

    await userEvent.click(screen.getByRole('button', { name: 'Clear' }));

    expect(screen.getByTestId('location')).toHaveTextContent(/^\/admin\/users$/);
    expect(screen.getByRole('searchbox', { name: 'Username or email' })).toHaveValue('');
    expect(vi.mocked(api.listUsers)).toHaveBeenLastCalledWith(null, { search: '', role: '' }, expect.anything());
    expect(screen.queryByRole('button', { name: 'Clear' })).not.toBeInTheDocument();
  });

  it('filters users by role through the URL, together with the search', async () => {
    vi.mocked(api.listUsers).mockResolvedValue({ items: [BOB], next_cursor: null });
    renderAt(<UsersPage />, { url: '/admin/users?q=bob' });
    expect(await screen.findByText('bob_smith')).toBeVisible();

    await userEvent.click(screen.getByRole('combobox', { name: 'Role' }));
    await userEvent.click(screen.getByRole('option', { name: 'Manager' }));

    expect(screen.getByTestId('location')).toHaveTextContent('/admin/users?q=bob&role=manager');
    expect(vi.mocked(api.listUsers)).toHaveBeenLastCalledWith(null, { search: 'bob', role: 'manager' }, expect.anything());
  });

  it('says when no user matches, and loads the next page of a search with its term', async () => {
    vi.mocked(api.listUsers)
      .mockResolvedValueOnce({ items: [BOB], next_cursor: 'bob_smith' })
      .mockResolvedValueOnce({ items: [], next_cursor: null });
    const { unmount } = renderAt(<UsersPage />, { url: '/admin/users?q=smith' });

    await userEvent.click(await screen.findByRole('button', { name: 'Load more users' }));
    expect(vi.mocked(api.listUsers).mock.calls[1]?.slice(0, 2)).toEqual(['bob_smith', { search: 'smith', role: '' }]);
    expect(screen.getByRole('searchbox', { name: 'Username or email' })).toHaveValue('smith');
    unmount();

    vi.mocked(api.listUsers).mockResolvedValue({ items: [], next_cursor: null });
    renderAt(<UsersPage />, { url: '/admin/users?q=nobody' });
    expect(await screen.findByText("No user's username or email contains “nobody”.")).toBeVisible();
  });
});

describe('changing a role or the active flag', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(useUser).mockReturnValue(ADMIN);
    vi.mocked(api.listUsers).mockResolvedValue({ items: [ADMIN, BOB], next_cursor: null });
    vi.mocked(api.userChangePreview).mockResolvedValue({ ...BOB, pending_stages: 0, stages_to_move: 0 });
  });

  it('tells how many stages the change would move, as the API previews it', async () => {
    const ANA = makeUser({ id: 'ana-id', username: 'ana', role: 'analyst' });
    vi.mocked(api.listUsers).mockResolvedValue({ items: [ADMIN, ANA], next_cursor: null });
    vi.mocked(api.userChangePreview).mockResolvedValue({ ...ANA, pending_stages: 2, stages_to_move: 2 });
    renderAt(<UsersPage />, { url: '/admin/users' });
    await userEvent.click(await screen.findByRole('switch', { name: 'ana is active' }));

    const dialog = screen.getByRole('dialog', { name: 'Deactivate ana?' });
    expect(await within(dialog).findByTestId('pending-stages')).toHaveTextContent(
      '2 approval stages waiting for ana will move to other approvers.',
    );
    expect(api.userChangePreview).toHaveBeenCalledWith('ana-id', { is_active: false }, expect.anything());
  });

  it('asks before changing a role, and changes nothing when cancelled', async () => {
    renderAt(<UsersPage />, { url: '/admin/users' });
    await userEvent.click(await screen.findByRole('combobox', { name: 'Role of bob_smith' }));
    await userEvent.click(screen.getByRole('option', { name: 'Manager' }));

    const dialog = screen.getByRole('dialog', { name: 'Make bob_smith Manager?' });
    expect(dialog).toHaveTextContent('bob_smith changes from Applicant to Manager');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    expect(api.updateUser).not.toHaveBeenCalled();
    expect(await screen.findByRole('combobox', { name: 'Role of bob_smith' })).toHaveTextContent('Applicant');
  });

  it('saves a confirmed deactivation and says so', async () => {
    vi.mocked(api.updateUser).mockResolvedValue({ ...BOB, is_active: false });
    renderAt(<UsersPage />, { url: '/admin/users' });
    await userEvent.click(await screen.findByRole('switch', { name: 'bob_smith is active' }));

    const dialog = screen.getByRole('dialog', { name: 'Deactivate bob_smith?' });
    await userEvent.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    expect(api.updateUser).toHaveBeenCalledWith('bob-id', { is_active: false });
    expect(await screen.findByTestId('user-change-result')).toHaveTextContent('bob_smith is now Applicant, deactivated.');
    expect(await screen.findByRole('switch', { name: 'bob_smith is active' })).not.toBeChecked();
  });

  it("keeps the dialog open with the API's refusal", async () => {
    vi.mocked(api.updateUser).mockRejectedValue(new ApiError(403, 'self_change', 'Administrators cannot change their own role or status.'));
    renderAt(<UsersPage />, { url: '/admin/users' });
    await userEvent.click(await screen.findByRole('switch', { name: 'bob_smith is active' }));
    await userEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Confirm' }));

    expect(await within(screen.getByRole('dialog')).findByRole('alert')).toHaveTextContent('Administrators cannot change');
  });
});

describe('the confirmation dialog', () => {
  const STAFFER = makeUser({ id: 'ana-id', username: 'ana', role: 'analyst' });

  it.each([
    [null, 'Approval stages waiting for ana that they could no longer decide move to other approvers at once.'],
    [0, 'No approval stage waits for ana.'],
    [1, '1 approval stage waiting for ana will move to another approver.'],
    [3, '3 approval stages waiting for ana will move to other approvers.'],
  ])('says what happens to the stages waiting for an approver (%s pending)', (count, text) => {
    renderAt(
      <ConfirmUserChange
        pending={{ user: STAFFER, change: { is_active: false } }}
        pendingStages={count}
        busy={false}
        error={null}
        onConfirm={vi.fn()}
        onCancel={vi.fn()}
      />,
    );
    expect(screen.getByTestId('pending-stages')).toHaveTextContent(text);
  });

  it('says nothing about stages for an applicant', () => {
    renderAt(
      <ConfirmUserChange pending={{ user: BOB, change: { role: 'analyst' } }} pendingStages={null} busy={false} error={null} onConfirm={vi.fn()} onCancel={vi.fn()} />,
    );
    expect(screen.getByRole('dialog', { name: 'Make bob_smith Analyst?' })).toBeVisible();
    expect(screen.queryByTestId('pending-stages')).not.toBeInTheDocument();
  });
});

describe('users on a phone', () => {
  it('shows each user as a card, the email breaking at its @ and dots', async () => {
    vi.resetAllMocks();
    vi.mocked(useUser).mockReturnValue(ADMIN);
    vi.mocked(api.listUsers).mockResolvedValue({ items: [BOB], next_cursor: null });
    emulatePhone();
    try {
      renderAt(<UsersPage />, { url: '/admin/users' });
      const card = (await screen.findByText('bob_smith')).closest('li');
      if (!card) throw new Error('no card');
      expect(screen.queryByRole('table')).not.toBeInTheDocument();
      expect(within(card).getByText('Bob Smith')).toBeVisible();
      // Zero-width spaces after @ and dots: the line breaks there, not letter by letter.
      expect(within(card).getByText('bob@\u200bexample.\u200bcom')).toBeVisible();
      expect(within(card).getByRole('combobox', { name: 'Role of bob_smith' })).toBeVisible();
      expect(within(card).getByRole('switch', { name: 'bob_smith is active' })).toBeChecked();
    } finally {
      vi.restoreAllMocks();
    }
  });
});
