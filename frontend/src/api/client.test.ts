import axios, { type AxiosAdapter, AxiosError, type InternalAxiosRequestConfig } from 'axios';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { TokenPair } from './types';

type Client = typeof import('./client');

function reply(config: InternalAxiosRequestConfig, status: number, data: unknown) {
  const response = { data, status, statusText: String(status), headers: {}, config };
  if (status >= 400) {
    return Promise.reject(new AxiosError(`status ${status}`, undefined, config, undefined, response));
  }
  return Promise.resolve(response);
}

/**
 * A fake API: /refresh rotates tokens and refuses a spent one (as reuse); /data needs the
 * newest access token. `refreshFails`, while set, answers /refresh instead.
 */
function fakeApi(options: { refreshWorks: boolean }) {
  const calls: string[] = [];
  let generation = 1;
  let current = 'access-1';
  const api = {
    calls,
    refreshFails: undefined as ((config: InternalAxiosRequestConfig) => ReturnType<typeof reply>) | undefined,
    expire: () => (current = 'access-expired'),
    /** Another tab holding the same refresh token spends it: the pair it gets. */
    rotateElsewhere: () => nextPair(),
    adapter: (async (config) => {
      calls.push(`${config.method?.toUpperCase()} ${config.url}`);
      if (config.url === '/refresh') {
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (api.refreshFails) return api.refreshFails(config);
        const sent = (JSON.parse(String(config.data)) as { refresh_token: string }).refresh_token;
        if (!options.refreshWorks || sent !== `refresh-${generation}`) {
          return reply(config, 401, { error: { code: 'token_reused', message: 'reused', details: null } });
        }
        return reply(config, 200, nextPair());
      }
      const sent = config.headers.get('Authorization');
      if (sent !== `Bearer ${current}`) return reply(config, 401, { error: { code: 'token_expired', message: 'expired', details: null } });
      return reply(config, 200, { ok: true });
    }) as AxiosAdapter,
  };
  function nextPair(): TokenPair {
    generation += 1;
    current = `access-${generation}`;
    return { access_token: current, refresh_token: `refresh-${generation}`, token_type: 'bearer', expires_in: 900 };
  }
  return api;
}

/**
 * Another tab of this origin as the client sees it: through Web Locks (the test can hold the
 * lock, as a tab rotating would) and a BroadcastChannel (the test hands pairs over and hears
 * what the client hands over).
 */
function otherTab() {
  const channels: FakeChannel[] = [];
  class FakeChannel {
    private listeners: ((event: MessageEvent) => void)[] = [];
    constructor(readonly name: string) {
      channels.push(this);
    }
    addEventListener(_type: 'message', listener: (event: MessageEvent) => void) {
      this.listeners.push(listener);
    }
    postMessage(data: unknown) {
      for (const channel of channels) {
        if (channel !== this && channel.name === this.name) {
          const copy = structuredClone(data);
          setTimeout(() => channel.listeners.forEach((listener) => listener(new MessageEvent('message', { data: copy }))));
        }
      }
    }
  }
  let queue: Promise<unknown> = Promise.resolve();
  let waiting = 0;
  const locks = {
    request<T>(_name: string, task: () => Promise<T>): Promise<T> {
      waiting += 1;
      const turn = queue.then(() => {
        waiting -= 1;
        return task();
      });
      queue = turn.catch(() => undefined);
      return turn;
    },
  };
  vi.stubGlobal('BroadcastChannel', FakeChannel);
  Object.defineProperty(navigator, 'locks', { value: locks, configurable: true });
  const mine = new FakeChannel('credit-approval.tokens');
  const heard: unknown[] = [];
  mine.addEventListener('message', (event) => heard.push(event.data));
  return {
    heard,
    /** How many renewals wait for the lock. */
    waiting: () => waiting,
    /** Take the lock as a rotating tab would; call what this returns to let it go. */
    holdLock() {
      let release: () => void = () => undefined;
      void locks.request('credit-approval.refresh', () => new Promise<void>((resolve) => (release = resolve)));
      return () => release();
    },
    /** What `look` sees when this tab is given the lock (after whoever holds it now). */
    whenGranted<T>(look: () => T): Promise<T> {
      return locks.request('credit-approval.refresh', async () => look());
    },
    async handOver(spent: string, pair: TokenPair) {
      mine.postMessage({ spent, pair });
      await new Promise((resolve) => setTimeout(resolve));
    },
  };
}

async function loadClient(adapter: AxiosAdapter): Promise<Client> {
  vi.resetModules();
  axios.defaults.adapter = adapter;
  return import('./client');
}

describe('the API client', () => {
  beforeEach(() => sessionStorage.clear());
  afterEach(() => {
    vi.stubGlobal('BroadcastChannel', undefined);
    Reflect.deleteProperty(navigator, 'locks');
  });

  it('refreshes once for concurrent 401s, then retries each request once', async () => {
    const api = fakeApi({ refreshWorks: true });
    const client = await loadClient(api.adapter);
    client.storeTokens({ access_token: 'stale', refresh_token: 'refresh-1', token_type: 'bearer', expires_in: 900 });

    const results = await Promise.all([client.http.get('/data'), client.http.get('/data'), client.http.get('/data')]);

    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(api.calls.filter((c) => c === 'POST /refresh')).toHaveLength(1);
    expect(api.calls.filter((c) => c === 'GET /data')).toHaveLength(6);
    expect(client.refreshToken()).toBe('refresh-2');
  });

  it.each([
    ['refused as reused (401)', undefined],
    ['refused with the API\'s error (403)', (config: InternalAxiosRequestConfig) => reply(config, 403, { error: { code: 'forbidden', message: 'no', details: null } })],
    ['refused with the API\'s error (400)', (config: InternalAxiosRequestConfig) => reply(config, 400, { error: { code: 'invalid_token', message: 'no', details: null } })],
  ])('ends the session when the refresh token is %s', async (_case, answer) => {
    const api = fakeApi({ refreshWorks: false });
    api.refreshFails = answer;
    const client = await loadClient(api.adapter);
    const ended = vi.fn();
    client.onSessionEnded(ended);
    client.storeTokens({ access_token: 'stale', refresh_token: 'refresh-1', token_type: 'bearer', expires_in: 900 });

    await expect(client.http.get('/data')).rejects.toMatchObject({ response: { status: 401 } });

    expect(ended).toHaveBeenCalledOnce();
    expect(client.refreshToken()).toBeNull();
    expect(client.hasAccessToken()).toBe(false);
  });

  it.each([
    ['a network error', (config: InternalAxiosRequestConfig) => Promise.reject(new AxiosError('Network Error', AxiosError.ERR_NETWORK, config))],
    ['a timeout', (config: InternalAxiosRequestConfig) => Promise.reject(new AxiosError('timeout of 30000ms exceeded', AxiosError.ECONNABORTED, config))],
    ['a 503', (config: InternalAxiosRequestConfig) => reply(config, 503, { error: { code: 'unavailable', message: 'down', details: null } })],
    ['a proxy\'s 403 page', (config: InternalAxiosRequestConfig) => reply(config, 403, '<html>Forbidden</html>')],
  ])('keeps the session when the refresh meets %s, failing the request with it', async (_case, answer) => {
    const api = fakeApi({ refreshWorks: true });
    api.refreshFails = answer;
    const client = await loadClient(api.adapter);
    const ended = vi.fn();
    client.onSessionEnded(ended);
    client.storeTokens({ access_token: 'stale', refresh_token: 'refresh-1', token_type: 'bearer', expires_in: 900 });

    await expect(client.http.get('/data')).rejects.toMatchObject({ config: { url: '/refresh' } });

    expect(ended).not.toHaveBeenCalled();
    expect(client.refreshToken()).toBe('refresh-1');
    // Once the API answers again, the same session carries on.
    api.refreshFails = undefined;
    expect((await client.http.get('/data')).status).toBe(200);
    expect(client.refreshToken()).toBe('refresh-2');
  });

  it('waits while a duplicated tab rotates the same refresh token, then takes the pair it hands over', async () => {
    const api = fakeApi({ refreshWorks: true });
    const tab = otherTab();
    const client = await loadClient(api.adapter);
    client.storeTokens({ access_token: 'stale', refresh_token: 'refresh-1', token_type: 'bearer', expires_in: 900 });
    const release = tab.holdLock();

    const answer = client.http.get('/data');
    await vi.waitFor(() => expect(tab.waiting()).toBe(1));
    await tab.handOver('refresh-1', api.rotateElsewhere());
    release();

    expect((await answer).status).toBe(200);
    // Sending the spent refresh-1 would have had the API revoke the whole session.
    expect(api.calls).not.toContain('POST /refresh');
    expect(client.refreshToken()).toBe('refresh-2');
  });

  it('hands the pair it got to tabs still holding the refresh token it spent', async () => {
    const api = fakeApi({ refreshWorks: true });
    const tab = otherTab();
    const client = await loadClient(api.adapter);
    client.storeTokens({ access_token: 'stale', refresh_token: 'refresh-1', token_type: 'bearer', expires_in: 900 });

    await client.http.get('/data');

    await vi.waitFor(() => expect(tab.heard).toEqual([{ spent: 'refresh-1', pair: expect.objectContaining({ access_token: 'access-2', refresh_token: 'refresh-2' }) }]));
  });

  it('keeps the lock until the pair it hands over has reached the tab waiting for it', async () => {
    const api = fakeApi({ refreshWorks: true });
    const tab = otherTab();
    const client = await loadClient(api.adapter);
    client.storeTokens({ access_token: 'stale', refresh_token: 'refresh-1', token_type: 'bearer', expires_in: 900 });

    const answer = client.http.get('/data');
    // Queued while the client holds the lock (its /refresh takes 10 ms).
    await vi.waitFor(() => expect(api.calls).toContain('POST /refresh'), { interval: 1 });
    const heardWhenGranted = tab.whenGranted(() => tab.heard.length);

    expect((await answer).status).toBe(200);
    // Had the other tab been given the lock first, it would have spent refresh-1 again.
    expect(await heardWhenGranted).toBe(1);
  });

  it('takes a pair handed over only for the refresh token it holds', async () => {
    const api = fakeApi({ refreshWorks: true });
    const tab = otherTab();
    const client = await loadClient(api.adapter);
    client.storeTokens({ access_token: 'access-1', refresh_token: 'refresh-1', token_type: 'bearer', expires_in: 900 });

    await tab.handOver('someone-elses', { access_token: 'theirs', refresh_token: 'their-refresh', token_type: 'bearer', expires_in: 900 });
    expect(client.refreshToken()).toBe('refresh-1');

    await tab.handOver('refresh-1', api.rotateElsewhere());
    expect(client.refreshToken()).toBe('refresh-2');
    expect((await client.http.get('/data')).status).toBe(200);
    expect(api.calls).toEqual(['GET /data']);
  });

  it('does not try to refresh a failed login', async () => {
    const api = fakeApi({ refreshWorks: true });
    const client = await loadClient(api.adapter);
    client.storeTokens({ access_token: 'stale', refresh_token: 'refresh-1', token_type: 'bearer', expires_in: 900 });

    await expect(client.http.post('/token', 'username=x&password=y')).rejects.toBeInstanceOf(AxiosError);

    expect(api.calls).toEqual(['POST /token']);
  });

  it('keeps the access token in memory and only the refresh token in sessionStorage', async () => {
    const client = await loadClient(fakeApi({ refreshWorks: true }).adapter);
    client.storeTokens({ access_token: 'access-1', refresh_token: 'refresh-1', token_type: 'bearer', expires_in: 900 });

    expect(Object.values(sessionStorage)).toEqual(['refresh-1']);
    expect(JSON.stringify(localStorage)).not.toContain('access-1');
    client.clearTokens();
    expect(sessionStorage.length).toBe(0);
  });

  it('asks again with If-None-Match and reuses the answer on 304', async () => {
    const sent: (string | undefined)[] = [];
    let version = 1;
    const adapter: AxiosAdapter = async (config) => {
      const match = config.headers.get('If-None-Match');
      sent.push(typeof match === 'string' ? match : undefined);
      const etag = `"v${version}"`;
      if (match === etag) {
        return { data: '', status: 304, statusText: '304', headers: { etag }, config };
      }
      return { data: { version }, status: 200, statusText: '200', headers: { etag }, config };
    };
    const client = await loadClient(adapter);
    client.storeTokens({ access_token: 'a', refresh_token: 'r', token_type: 'bearer', expires_in: 900 });

    expect((await client.http.get('/items', { params: { limit: 5 } })).data).toEqual({ version: 1 });
    const again = await client.http.get('/items', { params: { limit: 5 } });
    expect(again.status).toBe(200);
    expect(again.data).toEqual({ version: 1 });
    version = 2;
    expect((await client.http.get('/items', { params: { limit: 5 } })).data).toEqual({ version: 2 });
    // Another query is another answer: no tag is sent for it.
    await client.http.get('/items', { params: { limit: 6 } });
    expect(sent).toEqual([undefined, '"v1"', '"v1"', undefined]);

    client.clearTokens(); // signing out forgets every kept answer
    await client.http.get('/items', { params: { limit: 5 } });
    expect(sent.at(-1)).toBeUndefined();
  });
});
