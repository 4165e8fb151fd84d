import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AxiosError, AxiosHeaders } from 'axios';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { makeUser, renderAt } from '../test/render';
import { useAuth } from './AuthProvider';
import { ForgotPasswordPage } from './ForgotPasswordPage';
import { ResetPasswordPage } from './ResetPasswordPage';
import { VerifyEmailBanner } from './VerifyEmailBanner';
import { VerifyEmailPage } from './VerifyEmailPage';

vi.mock('../api/endpoints');
vi.mock('./AuthProvider');

/** The API's refusal with this status and code, as axios rejects with it. */
function refused(status: number, code: string, message = 'Refused.'): AxiosError {
  const headers = new AxiosHeaders();
  return new AxiosError(`Request failed with status code ${status}`, 'ERR_BAD_REQUEST', { headers }, null, {
    status,
    statusText: '',
    headers: {},
    config: { headers },
    data: { error: { code, message, details: null } },
  });
}

const reloadUser = vi.fn();

function signedIn(emailVerified: boolean | null) {
  const user = emailVerified === null ? null : makeUser({ email_verified: emailVerified });
  vi.mocked(useAuth).mockReturnValue({
    status: user ? 'signed-in' : 'signed-out',
    user,
    notice: null,
    login: vi.fn(),
    logout: vi.fn(),
    reloadUser,
  });
}

async function type(label: RegExp, text: string) {
  await userEvent.click(screen.getByLabelText(label));
  await userEvent.paste(text);
}

beforeEach(() => {
  vi.resetAllMocks();
  reloadUser.mockResolvedValue(undefined);
});

describe('VerifyEmailBanner', () => {
  it('tells an unverified user why they cannot submit, and sends a new link', async () => {
    signedIn(false);
    vi.mocked(api.resendVerification).mockResolvedValue();
    renderAt(<VerifyEmailBanner />);
    expect(screen.getByTestId('verify-email-banner')).toHaveTextContent('follow the link we sent to alice@example.com');
    await userEvent.click(screen.getByRole('button', { name: 'Send a new link' }));
    expect(await screen.findByText('We sent a new link to alice@example.com.')).toHaveAttribute('role', 'status');
    expect(api.resendVerification).toHaveBeenCalledOnce();
  });

  it('is not there for a verified user, nor for nobody', () => {
    signedIn(true);
    const { unmount } = renderAt(<VerifyEmailBanner />);
    expect(screen.queryByTestId('verify-email-banner')).toBeNull();
    unmount();
    signedIn(null);
    renderAt(<VerifyEmailBanner />);
    expect(screen.queryByTestId('verify-email-banner')).toBeNull();
  });
});

describe('VerifyEmailPage', () => {
  it("sends the link's token once and says the address is confirmed", async () => {
    signedIn(false);
    vi.mocked(api.verifyEmail).mockResolvedValue();
    renderAt(<VerifyEmailPage />, { url: '/verify-email?token=abc.def.ghi' });
    expect(await screen.findByText(/Your email address is confirmed/)).toBeVisible();
    expect(api.verifyEmail).toHaveBeenCalledExactlyOnceWith('abc.def.ghi');
    await waitFor(() => expect(reloadUser).toHaveBeenCalled());
  });

  it('explains an expired link in words', async () => {
    signedIn(null);
    vi.mocked(api.verifyEmail).mockRejectedValue(refused(410, 'link_expired'));
    renderAt(<VerifyEmailPage />, { url: '/verify-email?token=old' });
    expect(await screen.findByRole('alert')).toHaveTextContent('This link has expired.');
  });
});

describe('ForgotPasswordPage', () => {
  it('checks the address, then answers alike whatever the API knows', async () => {
    signedIn(null);
    vi.mocked(api.requestPasswordReset).mockResolvedValue();
    renderAt(<ForgotPasswordPage />, { url: '/forgot-password' });
    await userEvent.click(screen.getByRole('button', { name: 'Email me a link' }));
    expect(screen.getByLabelText(/Email/)).toHaveAccessibleDescription('Enter an email address such as name@example.com.');
    expect(api.requestPasswordReset).not.toHaveBeenCalled();
    await type(/Email/, 'ana@example.com');
    await userEvent.click(screen.getByRole('button', { name: 'Email me a link' }));
    expect(await screen.findByText(/If an account uses ana@example.com, we have emailed it a link./)).toBeVisible();
    expect(api.requestPasswordReset).toHaveBeenCalledWith('ana@example.com');
  });
});

describe('ResetPasswordPage', () => {
  it('sets the new password with the token from the link', async () => {
    vi.mocked(api.resetPassword).mockResolvedValue();
    renderAt(<ResetPasswordPage />, { url: '/reset-password?token=tok' });
    await type(/^New password/, 'a-brand-new-passphrase');
    await type(/Repeat the new password/, 'a-brand-new-passphrase-typo');
    await userEvent.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(screen.getByLabelText(/Repeat the new password/)).toHaveAccessibleDescription('The two passwords differ.');
    expect(api.resetPassword).not.toHaveBeenCalled();
    await userEvent.clear(screen.getByLabelText(/Repeat the new password/));
    await type(/Repeat the new password/, 'a-brand-new-passphrase');
    await userEvent.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(await screen.findByText(/Your password is changed/)).toBeVisible();
    expect(api.resetPassword).toHaveBeenCalledWith('tok', 'a-brand-new-passphrase');
    expect(screen.getByRole('link', { name: 'Sign in with your new password' })).toHaveAttribute('href', '/login');
  });

  it('says a used link was used, and offers a new one', async () => {
    vi.mocked(api.resetPassword).mockRejectedValue(refused(410, 'link_used'));
    renderAt(<ResetPasswordPage />, { url: '/reset-password?token=tok' });
    await type(/^New password/, 'a-brand-new-passphrase');
    await type(/Repeat the new password/, 'a-brand-new-passphrase');
    await userEvent.click(screen.getByRole('button', { name: 'Set new password' }));
    expect(await screen.findByText('This link was already used.')).toBeVisible();
    expect(screen.getByRole('link', { name: 'Ask for a new link' })).toHaveAttribute('href', '/forgot-password');
  });

  it("shows the API's password rule on the field", async () => {
    vi.mocked(api.resetPassword).mockRejectedValue(refused(422, 'weak_password', 'The password is too common.'));
    renderAt(<ResetPasswordPage />, { url: '/reset-password?token=tok' });
    await type(/^New password/, 'password1234');
    await type(/Repeat the new password/, 'password1234');
    await userEvent.click(screen.getByRole('button', { name: 'Set new password' }));
    await waitFor(() => expect(screen.getByLabelText(/^New password/)).toHaveAccessibleDescription('The password is too common.'));
  });
});
