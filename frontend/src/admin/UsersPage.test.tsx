import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { useUser } from '../auth/AuthProvider';
import { makeUser, renderAt } from '../test/render';
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
    vi.mocked(api.listUsers).mockImplementation(async (_cursor, search = '') => ({
      items: search ? [BOB] : [ADMIN, BOB],
      next_cursor: null,
    }));
    renderAt(<UsersPage />, { url: '/admin/users' });
    expect(await screen.findByText('root (you)')).toBeVisible();

    await userEvent.click(screen.getByRole('searchbox', { name: 'Username or email' }));
    await userEvent.paste(' BOB@ ');
    await userEvent.click(screen.getByRole('button', { name: 'Search' }));

    expect(screen.getByTestId('location')).toHaveTextContent('/admin/users?q=BOB%40');
    expect(vi.mocked(api.listUsers)).toHaveBeenLastCalledWith(null, 'BOB@', expect.anything());
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
    expect(vi.mocked(api.listUsers)).toHaveBeenLastCalledWith(null, '', expect.anything());
    expect(screen.queryByRole('button', { name: 'Clear' })).not.toBeInTheDocument();
  });

  it('says when no user matches, and loads the next page of a search with its term', async () => {
    vi.mocked(api.listUsers)
      .mockResolvedValueOnce({ items: [BOB], next_cursor: 'bob_smith' })
      .mockResolvedValueOnce({ items: [], next_cursor: null });
    const { unmount } = renderAt(<UsersPage />, { url: '/admin/users?q=smith' });

    await userEvent.click(await screen.findByRole('button', { name: 'Load more users' }));
    expect(vi.mocked(api.listUsers).mock.calls[1]?.slice(0, 2)).toEqual(['bob_smith', 'smith']);
    expect(screen.getByRole('searchbox', { name: 'Username or email' })).toHaveValue('smith');
    unmount();

    vi.mocked(api.listUsers).mockResolvedValue({ items: [], next_cursor: null });
    renderAt(<UsersPage />, { url: '/admin/users?q=nobody' });
    expect(await screen.findByText("No user's username or email contains “nobody”.")).toBeVisible();
  });
});
