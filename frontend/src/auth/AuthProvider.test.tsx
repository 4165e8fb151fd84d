import { render, screen, waitFor } from '@testing-library/react';
import { AxiosError, type InternalAxiosRequestConfig } from 'axios';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import { refreshToken, renewAccessToken, storeTokens } from '../api/client';
import * as api from '../api/endpoints';
import { makeUser } from '../test/render';
import { AuthProvider, useAuth } from './AuthProvider';

vi.mock('../api/endpoints');
vi.mock('../api/client', async (importOriginal) => ({ ...(await importOriginal<typeof import('../api/client')>()), renewAccessToken: vi.fn() }));

/** How /refresh failed: with an answer of `status`, or with none (null: the network). */
function refreshFailure(status: number | null, data: unknown = { error: { code: 'x', message: 'x', details: null } }): AxiosError {
  const config = { url: '/refresh', headers: {} } as InternalAxiosRequestConfig;
  const response = status === null ? undefined : { status, data, statusText: '', headers: {}, config };
  return new AxiosError('failed', status === null ? AxiosError.ERR_NETWORK : undefined, config, undefined, response);
}

function Probe() {
  const { status, notice } = useAuth();
  return <output data-testid="auth">{`${status}. ${notice ?? ''}`}</output>;
}

function start() {
  storeTokens({ access_token: 'access-1', refresh_token: 'refresh-1', token_type: 'bearer', expires_in: 900 });
  render(
    <AuthProvider>
      <Probe />
    </AuthProvider>,
  );
}

describe('restoring the session on a reload', () => {
  beforeEach(() => vi.resetAllMocks());

  it('signs back in with the stored refresh token', async () => {
    vi.mocked(renewAccessToken).mockResolvedValue('access-2');
    vi.mocked(api.currentUser).mockResolvedValue(makeUser());
    start();

    await waitFor(() => expect(screen.getByTestId('auth')).toHaveTextContent(/^signed-in\.$/));
  });

  it.each([
    ['cannot be reached', refreshFailure(null), 'The server cannot be reached.'],
    ['fails (503)', refreshFailure(503, { error: { code: 'unavailable', message: 'Try again shortly.', details: null } }), 'Try again shortly.'],
  ])('keeps the session for a reload when the API %s', async (_case, failure, reason) => {
    vi.mocked(renewAccessToken).mockRejectedValue(failure);
    start();

    await waitFor(() => expect(screen.getByTestId('auth')).toHaveTextContent(`signed-out. Your session could not be restored: ${reason}`));
    expect(refreshToken()).toBe('refresh-1');
  });

  it('forgets a session the API refused', async () => {
    vi.mocked(renewAccessToken).mockRejectedValue(refreshFailure(401));
    start();

    await waitFor(() => expect(screen.getByTestId('auth')).toHaveTextContent(/^signed-out\.$/));
    expect(refreshToken()).toBeNull();
  });
});
