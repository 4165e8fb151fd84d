import axios, { type AxiosError, type InternalAxiosRequestConfig } from 'axios';

import type { TokenPair } from './types';

declare module 'axios' {
  interface AxiosRequestConfig {
    /** Set on the one retry after a refresh, so a second 401 is not retried again. */
    retried?: boolean;
  }
}

/*
 * Where the tokens live.
 * - The access token is kept in memory only: it is what every call carries, so it is never
 *   written anywhere a script or extension could read it later.
 * - The refresh token is kept in sessionStorage. In memory alone, every reload or deep link
 *   opened in the same tab would sign the user out. sessionStorage is scoped to this tab and
 *   cleared when the tab closes, is never sent automatically (no CSRF exposure, unlike a
 *   cookie the API does not offer), and the API rotates it on every use and revokes the whole
 *   family when a used one comes back, so a stolen copy is short-lived and detectable.
 */
const REFRESH_KEY = 'credit-approval.refresh-token';
const API_BASE = '/api/v1';

let accessToken: string | null = null;
let refreshing: Promise<string> | null = null;
let sessionEnded: () => void = () => undefined;

export const http = axios.create({
  baseURL: API_BASE,
  timeout: 30_000,
  // FastAPI reads repeated keys for lists: status=a&status=b.
  paramsSerializer: { indexes: null },
  // 304 is an answer too: the copy we hold is still current (see conditional GETs below).
  validateStatus: (status) => (status >= 200 && status < 300) || status === 304,
});

/** A client without interceptors, for the refresh call itself. */
const bare = axios.create({ baseURL: API_BASE, timeout: 30_000 });

export function storeTokens(pair: TokenPair): void {
  accessToken = pair.access_token;
  sessionStorage.setItem(REFRESH_KEY, pair.refresh_token);
}

export function clearTokens(): void {
  accessToken = null;
  sessionStorage.removeItem(REFRESH_KEY);
  validated.clear(); // another person may sign in next in this tab
}

export function refreshToken(): string | null {
  return sessionStorage.getItem(REFRESH_KEY);
}

export function hasAccessToken(): boolean {
  return accessToken !== null;
}

/** Called when the session cannot be renewed (the refresh token was refused). */
export function onSessionEnded(callback: () => void): void {
  sessionEnded = callback;
}

/**
 * A new access token from the stored refresh token. Concurrent callers share one request:
 * the API rotates refresh tokens, and a second use of the same one would revoke the session.
 */
export function renewAccessToken(): Promise<string> {
  if (refreshing === null) {
    const token = refreshToken();
    refreshing = (
      token === null
        ? Promise.reject(new Error('No session to renew.'))
        : bare.post<TokenPair>('/refresh', { refresh_token: token }).then(({ data }) => {
            storeTokens(data);
            return data.access_token;
          })
    ).finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

const NO_RENEWAL = ['/token', '/refresh'];

/*
 * Conditional GETs. The API tags each read with an ETag; asking again with If-None-Match
 * gets 304 and no body when nothing changed, so the 3-second status polling costs almost
 * nothing. The last answer per URL is kept in memory (never in storage), at most a few dozen,
 * and forgotten at sign-out.
 */
const MAX_VALIDATED = 50;
const validated = new Map<string, { etag: string; data: unknown }>();

function cacheKey(config: InternalAxiosRequestConfig): string {
  return http.getUri(config);
}

http.interceptors.request.use((config: InternalAxiosRequestConfig) => {
  if (accessToken !== null && !config.headers.has('Authorization')) {
    config.headers.set('Authorization', `Bearer ${accessToken}`);
  }
  const known = config.method === 'get' ? validated.get(cacheKey(config)) : undefined;
  if (known !== undefined) config.headers.set('If-None-Match', known.etag);
  return config;
});

http.interceptors.response.use((response) => {
  if (response.config.method !== 'get') return response;
  const key = cacheKey(response.config);
  const known = validated.get(key);
  if (response.status === 304 && known !== undefined) {
    return { ...response, status: 200, data: known.data };
  }
  const etag = response.headers['etag'];
  if (typeof etag === 'string') {
    validated.delete(key);
    validated.set(key, { etag, data: response.data });
    if (validated.size > MAX_VALIDATED) validated.delete(validated.keys().next().value as string);
  }
  return response;
});

http.interceptors.response.use(undefined, async (error: AxiosError) => {
  const config = error.config;
  const renewable =
    error.response?.status === 401 &&
    config !== undefined &&
    !config.retried &&
    !NO_RENEWAL.includes(config.url ?? '') &&
    refreshToken() !== null;
  if (!renewable) throw error;
  let token: string;
  try {
    token = await renewAccessToken();
  } catch {
    clearTokens();
    sessionEnded();
    throw error;
  }
  config.retried = true;
  config.headers.set('Authorization', `Bearer ${token}`);
  return http.request(config);
});
