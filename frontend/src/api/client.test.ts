import axios, { type AxiosAdapter, AxiosError, type InternalAxiosRequestConfig } from 'axios';
import { beforeEach, describe, expect, it, vi } from 'vitest';

type Client = typeof import('./client');

function reply(config: InternalAxiosRequestConfig, status: number, data: unknown) {
  const response = { data, status, statusText: String(status), headers: {}, config };
  if (status >= 400) {
    return Promise.reject(new AxiosError(`status ${status}`, undefined, config, undefined, response));
  }
  return Promise.resolve(response);
}

/** A fake API: /refresh rotates tokens; /data needs the newest access token. */
function fakeApi(options: { refreshWorks: boolean }) {
  const calls: string[] = [];
  let current = 'access-1';
  const adapter: AxiosAdapter = async (config) => {
    calls.push(`${config.method?.toUpperCase()} ${config.url}`);
    if (config.url === '/refresh') {
      await new Promise((resolve) => setTimeout(resolve, 10));
      if (!options.refreshWorks) return reply(config, 401, { error: { code: 'token_reused', message: 'reused', details: null } });
      current = 'access-2';
      return reply(config, 200, { access_token: current, refresh_token: 'refresh-2', token_type: 'bearer', expires_in: 900 });
    }
    const sent = config.headers.get('Authorization');
    if (sent !== `Bearer ${current}`) return reply(config, 401, { error: { code: 'token_expired', message: 'expired', details: null } });
    return reply(config, 200, { ok: true });
  };
  return { calls, adapter, expire: () => (current = 'access-expired') };
}

async function loadClient(adapter: AxiosAdapter): Promise<Client> {
  vi.resetModules();
  axios.defaults.adapter = adapter;
  return import('./client');
}

describe('the API client', () => {
  beforeEach(() => sessionStorage.clear());

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

  it('ends the session when the refresh token is refused', async () => {
    const api = fakeApi({ refreshWorks: false });
    const client = await loadClient(api.adapter);
    const ended = vi.fn();
    client.onSessionEnded(ended);
    client.storeTokens({ access_token: 'stale', refresh_token: 'refresh-1', token_type: 'bearer', expires_in: 900 });

    await expect(client.http.get('/data')).rejects.toMatchObject({ response: { status: 401 } });

    expect(ended).toHaveBeenCalledOnce();
    expect(client.refreshToken()).toBeNull();
    expect(client.hasAccessToken()).toBe(false);
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
