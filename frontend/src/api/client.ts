import axios, { type AxiosError, type InternalAxiosRequestConfig, isAxiosError } from 'axios';

import { isErrorBody } from './errors';
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
 * - "Duplicate tab" copies sessionStorage, so two tabs may hold one refresh token, and the
 *   second to spend it would have the family revoked. So tabs of this origin rotate one at a
 *   time (a Web Lock), and the tab that rotated hands the new pair (over a BroadcastChannel,
 *   which stays within the origin) to any tab still holding the token it spent. Where either
 *   is missing, each tab rotates on its own.
 */
const REFRESH_KEY = 'credit-approval.refresh-token';
const HANDOVER_MS = 100;
const API_BASE = '/api/v1';

/** What the tab that rotated tells the others: the refresh token it spent, and its successors. */
interface Rotation {
  spent: string;
  pair: TokenPair;
}

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

const rotations = typeof BroadcastChannel === 'function' ? new BroadcastChannel('credit-approval.tokens') : null;
rotations?.addEventListener('message', ({ data }: MessageEvent<Rotation>) => {
  // Only a copy of the same session takes the pair: not a tab signed out, or signed in as someone else.
  if (refreshToken() === data.spent) storeTokens(data.pair);
});

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
 * A new access token from the stored refresh token. Concurrent callers share one request, and
 * tabs take turns: the API rotates refresh tokens, and a second use of the same one would
 * revoke the session.
 */
export function renewAccessToken(): Promise<string> {
  if (refreshing === null) {
    const held = refreshToken();
    refreshing = (
      held === null ? Promise.reject(new Error('No session to renew.')) : oneTabAtATime(() => rotate(held))
    ).finally(() => {
      refreshing = null;
    });
  }
  return refreshing;
}

async function oneTabAtATime<T>(task: () => Promise<T>): Promise<T> {
  return 'locks' in navigator ? navigator.locks.request('credit-approval.refresh', task) : task();
}

/** Spends the refresh token `held` when renewal began, unless another tab did while this one waited. */
async function rotate(held: string): Promise<string> {
  const token = refreshToken();
  if (token === null) throw new Error('No session to renew.');
  // Another tab spent it meanwhile and handed over the pair it got instead.
  if (token !== held && accessToken !== null) return accessToken;
  const { data } = await bare.post<TokenPair>('/refresh', { refresh_token: token });
  storeTokens(data);
  if (rotations !== null) {
    rotations.postMessage({ spent: token, pair: data } satisfies Rotation);
    // Browsers do not order a message against a lock's hand-off: a tab waiting for the lock
    // could take it before the pair reached it, and spend the token just spent. Holding the
    // lock a moment longer lets the message arrive first (it takes well under a millisecond).
    await new Promise((resolve) => setTimeout(resolve, HANDOVER_MS));
  }
  return data.access_token;
}

/**
 * Whether a failed renewal means the session is over: the API refused the refresh token.
 * Not getting an answer (a network error, a timeout, a 5xx) ends nothing: a later try may work.
 */
export function sessionRefused(failure: unknown): boolean {
  const response = isAxiosError(failure) ? failure.response : undefined;
  if (response === undefined) return false;
  return response.status === 401 || ((response.status === 400 || response.status === 403) && isErrorBody(response.data));
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
  } catch (failure) {
    // Not answered (a network error, a 5xx): the session may still be good. Refused, or
    // gone from this tab meanwhile (signed out elsewhere): it is over.
    if (!sessionRefused(failure) && refreshToken() !== null) throw failure;
    clearTokens();
    sessionEnded();
    throw error;
  }
  config.retried = true;
  config.headers.set('Authorization', `Bearer ${token}`);
  return http.request(config);
});
