import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AxiosError, AxiosHeaders } from 'axios';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { renderAt } from '../test/render';
import { useAuth } from './AuthProvider';
import { RegisterPage } from './RegisterPage';

vi.mock('../api/endpoints');
vi.mock('./AuthProvider');

const TOO_COMMON = 'The password is too common: choose one that is not on lists of frequently used passwords.';

/** The API's 422 answer, as axios rejects with it. */
function rejected(loc: (string | number)[], msg: string): AxiosError {
  const headers = new AxiosHeaders();
  const body = { error: { code: 'validation_error', message: 'The request is not valid.', details: [{ loc, msg, type: 'value_error' }] } };
  return new AxiosError('Request failed with status code 422', 'ERR_BAD_REQUEST', { headers }, null, {
    status: 422,
    statusText: 'Unprocessable Entity',
    headers: {},
    config: { headers },
    data: body,
  });
}

async function enter(label: RegExp, text: string) {
  await userEvent.click(screen.getByLabelText(label));
  await userEvent.paste(text);
}

async function fillAndSubmit(password: string) {
  await enter(/Username/, 'newbie');
  await enter(/Full name/, 'New Bie');
  await enter(/Email/, 'newbie@example.com');
  await enter(/Password/, password);
  await userEvent.click(screen.getByRole('button', { name: 'Create account' }));
}

describe('RegisterPage', () => {
  const login = vi.fn();

  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(useAuth).mockReturnValue({ status: 'signed-out', user: null, notice: null, login, logout: vi.fn(), reloadUser: vi.fn() });
  });

  it("shows the API's password rejection on the password field, and drops it once edited", async () => {
    vi.mocked(api.register).mockRejectedValue(rejected(['body', 'password'], `Value error, ${TOO_COMMON}`));
    renderAt(<RegisterPage />, { url: '/register' });

    await fillAndSubmit('password1234');

    const password = screen.getByLabelText(/Password/);
    expect(await screen.findByText(TOO_COMMON)).toBeVisible();
    expect(password).toHaveAccessibleDescription(TOO_COMMON);
    expect(password).toHaveAttribute('aria-invalid', 'true');
    expect(password).toHaveFocus();
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.getByLabelText(/Username/)).toHaveAttribute('aria-invalid', 'false');
    expect(login).not.toHaveBeenCalled();

    await userEvent.type(password, '!');
    expect(screen.queryByText(TOO_COMMON)).not.toBeInTheDocument();
    expect(password).toHaveAttribute('aria-invalid', 'false');
  });

  it('shows an error about the form as a whole above it', async () => {
    vi.mocked(api.register).mockRejectedValue(rejected(['body'], 'Input should be a valid dictionary'));
    renderAt(<RegisterPage />, { url: '/register' });

    await fillAndSubmit('a-fine-passphrase-2026');

    expect(await screen.findByRole('alert')).toHaveTextContent('Input should be a valid dictionary');
    expect(screen.getByLabelText(/Password/)).toHaveAttribute('aria-invalid', 'false');
  });
});
