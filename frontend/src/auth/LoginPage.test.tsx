import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, type Mock, vi } from 'vitest';

import { ApiError } from '../api/errors';
import type { User } from '../api/types';
import { makeUser, renderAt } from '../test/render';
import { useAuth } from './AuthProvider';
import { LoginPage, safeNext } from './LoginPage';

vi.mock('./AuthProvider');

function auth(login: Mock<(username: string, password: string) => Promise<User>>) {
  vi.mocked(useAuth).mockReturnValue({ status: 'signed-out', user: null, notice: null, login, logout: vi.fn() });
}

describe('LoginPage', () => {
  it("shows the API's message for wrong credentials", async () => {
    auth(vi.fn<(username: string, password: string) => Promise<User>>().mockRejectedValue(new ApiError(401, 'invalid_credentials', 'Incorrect username or password.')));
    renderAt(<LoginPage />, { url: '/login' });

    await userEvent.type(screen.getByLabelText(/Username/), 'alice');
    await userEvent.type(screen.getByLabelText(/Password/), 'wrong-password');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('alert')).toHaveTextContent('Incorrect username or password.');
  });

  it('goes back to the page that asked for a login', async () => {
    auth(vi.fn<(username: string, password: string) => Promise<User>>().mockResolvedValue(makeUser({ role: 'manager' })));
    renderAt(<LoginPage />, { url: '/login?next=%2Finbox%2Fabc' });

    await userEvent.type(screen.getByLabelText(/Username/), 'manager');
    await userEvent.type(screen.getByLabelText(/Password/), 'demo-password-2026');
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));

    await waitFor(() => expect(screen.getByTestId('location')).toHaveTextContent('/inbox/abc'));
  });

  it('asks for both fields before calling the API', async () => {
    const login = vi.fn<(username: string, password: string) => Promise<User>>();
    auth(login);
    renderAt(<LoginPage />, { url: '/login' });
    await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Enter your username and password.');
    expect(login).not.toHaveBeenCalled();
  });

  it('never follows a next= to another site', () => {
    expect(safeNext('//evil.example/')).toBeNull();
    expect(safeNext('https://evil.example/')).toBeNull();
    expect(safeNext('/requests?status=approved')).toBe('/requests?status=approved');
  });
});
