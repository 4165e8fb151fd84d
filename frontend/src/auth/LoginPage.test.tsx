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
  vi.mocked(useAuth).mockReturnValue({ status: 'signed-out', user: null, notice: null, login, logout: vi.fn(), reloadUser: vi.fn() });
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

  it('refuses every path a browser would take off-site (issue 10 §12)', () => {
    // A browser reads "\\" as "/" and drops tabs and line breaks: each of these leaves the site.
    for (const next of ['/\\evil.example', '/\\/evil.example', '\\\\evil.example', '/\t/evil.example', '/\n/evil.example', '//evil', 'javascript:alert(1)', 'JavaScript:alert(1)', 'https:evil.example', '']) {
      expect(safeNext(next), next).toBeNull();
    }
    expect(safeNext('/requests/1#stages')).toBe('/requests/1#stages');
    expect(safeNext('/inbox')).toBe('/inbox');
  });

  it('offers a way back in when the password is forgotten', () => {
    auth(vi.fn<(username: string, password: string) => Promise<User>>());
    renderAt(<LoginPage />, { url: '/login' });
    expect(screen.getByRole('link', { name: 'Forgot your password?' })).toHaveAttribute('href', '/forgot-password');
  });
});
