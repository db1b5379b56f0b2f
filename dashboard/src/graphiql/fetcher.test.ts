import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

interface FakeAuth {
  token: string | null;
  refresh: ReturnType<typeof vi.fn>;
}
const auth: FakeAuth = vi.hoisted(() => ({ token: 'old-token', refresh: vi.fn() }));
vi.mock('../lib/auth', () => ({ accessToken: () => auth.token, refresh: auth.refresh }));

import { authorizedFetch } from './fetcher';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
const refused = () => json({ data: null, errors: [{ message: 'sign in first', extensions: { status: 401 } }] });
const sentAuthorization = (fetch: ReturnType<typeof vi.fn>, call: number) => new Headers((fetch.mock.calls[call][1] as RequestInit).headers).get('Authorization');

describe('GraphiQL requests', () => {
  let fetch: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    auth.token = 'old-token';
    auth.refresh.mockReset();
    fetch = vi.fn();
    vi.stubGlobal('fetch', fetch);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('carry the dashboard session’s token', async () => {
    fetch.mockResolvedValue(json({ data: { me: { username: 'admin' } } }));
    const response = await authorizedFetch('/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(await response.json()).toEqual({ data: { me: { username: 'admin' } } });
    expect(sentAuthorization(fetch, 0)).toBe('Bearer old-token');
    expect(new Headers((fetch.mock.calls[0][1] as RequestInit).headers).get('content-type')).toBe('application/json');
  });

  it('are sent again with a refreshed token when GraphQL refuses the token', async () => {
    fetch.mockResolvedValueOnce(refused()).mockResolvedValueOnce(json({ data: { me: { username: 'admin' } } }));
    auth.refresh.mockImplementation(() => {
      auth.token = 'new-token';
      return Promise.resolve({ accessToken: 'new-token' });
    });
    const response = await authorizedFetch('/graphql', { method: 'POST', body: '{}' });
    expect(await response.json()).toEqual({ data: { me: { username: 'admin' } } });
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(sentAuthorization(fetch, 1)).toBe('Bearer new-token');
  });

  it('answer the refusal when the session cannot be refreshed', async () => {
    fetch.mockResolvedValue(json({ detail: 'no' }, 401));
    auth.refresh.mockResolvedValue(null);
    const response = await authorizedFetch('/graphql', { method: 'POST', body: '{}' });
    expect(response.status).toBe(401);
    expect(fetch).toHaveBeenCalledTimes(1);
  });

  it('keep an Authorization typed into the headers editor, and do not refresh for it', async () => {
    fetch.mockResolvedValue(refused());
    await authorizedFetch('/graphql', { method: 'POST', headers: { Authorization: 'Bearer someone-else' }, body: '{}' });
    expect(sentAuthorization(fetch, 0)).toBe('Bearer someone-else');
    expect(auth.refresh).not.toHaveBeenCalled();
  });

  it('go without a token when there is no session', async () => {
    auth.token = null;
    fetch.mockResolvedValue(json({ data: null }));
    await authorizedFetch('/graphql', { method: 'POST', body: '{}' });
    expect(sentAuthorization(fetch, 0)).toBeNull();
  });
});
