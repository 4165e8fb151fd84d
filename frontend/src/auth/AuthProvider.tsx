import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';

import { clearTokens, onSessionEnded, refreshToken, renewAccessToken, sessionRefused, storeTokens } from '../api/client';
import * as api from '../api/endpoints';
import { toApiError } from '../api/errors';
import type { User } from '../api/types';
import { i18n } from '../i18n';

type Status = 'starting' | 'signed-in' | 'signed-out';

interface Auth {
  status: Status;
  user: User | null;
  /** Why the last session ended without the person signing out, if it did. */
  notice: string | null;
  login: (username: string, password: string) => Promise<User>;
  logout: () => Promise<void>;
  /** Read the signed-in user again (after something changed them, e.g. a verified email). */
  reloadUser: () => Promise<void>;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children }: { children: ReactNode }) {
  const [user, setUser] = useState<User | null>(null);
  const [status, setStatus] = useState<Status>(refreshToken() === null ? 'signed-out' : 'starting');
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    onSessionEnded(() => {
      setUser(null);
      setStatus('signed-out');
      setNotice(i18n.t('auth.sessionEnded'));
    });
  }, []);

  // A reload keeps the session: trade the stored refresh token for a new access token.
  useEffect(() => {
    if (refreshToken() === null) return;
    let cancelled = false;
    renewAccessToken()
      .then(() => api.currentUser())
      .then((me) => {
        if (cancelled) return;
        setUser(me);
        setStatus('signed-in');
      })
      .catch((reason: unknown) => {
        if (cancelled) return;
        // A session the API refused is over; one it could not answer for is kept for a reload.
        if (sessionRefused(reason)) clearTokens();
        else setNotice(i18n.t('auth.restoreFailed', { reason: toApiError(reason).message }));
        setStatus('signed-out');
      });
    return () => {
      cancelled = true;
    };
  }, []);

  const login = useCallback(async (username: string, password: string) => {
    storeTokens(await api.login(username, password));
    const me = await api.currentUser();
    setUser(me);
    setNotice(null);
    setStatus('signed-in');
    return me;
  }, []);

  const logout = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      clearTokens();
      setUser(null);
      setStatus('signed-out');
    }
  }, []);

  const reloadUser = useCallback(async () => {
    if (refreshToken() === null) return;
    setUser(await api.currentUser());
  }, []);

  const value = useMemo(
    () => ({ status, user, notice, login, logout, reloadUser }),
    [status, user, notice, login, logout, reloadUser],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (auth === null) throw new Error('useAuth must be used inside <AuthProvider>');
  return auth;
}

/** The signed-in user, for pages behind <RequireAuth>. */
export function useUser(): User {
  const { user } = useAuth();
  if (user === null) throw new Error('useUser must be used behind <RequireAuth>');
  return user;
}
