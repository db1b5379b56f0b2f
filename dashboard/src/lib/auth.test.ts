import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const KEY = 'eventlens.session';

function stored(refreshToken: string): string {
  return JSON.stringify({
    accessToken: `access-for-${refreshToken}`,
    refreshToken,
    expiresAt: Date.now() + 3_600_000,
    user: { username: 'ada', role: 'admin' },
  });
}

function tokenResponse(refreshToken: string): Response {
  const body = { access_token: 'new-access', refresh_token: refreshToken, expires_in: 3600, user: { username: 'ada', role: 'admin' } };
  return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
}

describe('the session', () => {
  let fetchMock: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.resetModules();
    fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it('signs out on the server too, ending the sign-in its refresh token belongs to', async () => {
    localStorage.setItem(KEY, stored('refresh-1'));
    fetchMock.mockResolvedValue(new Response(null, { status: 204 }));
    const auth = await import('./auth');

    auth.logout();

    expect(auth.getSession()).toBeNull();
    expect(localStorage.getItem(KEY)).toBeNull();
    expect(fetchMock).toHaveBeenCalledWith(
      '/api/auth/logout',
      expect.objectContaining({ method: 'POST', body: JSON.stringify({ refresh_token: 'refresh-1' }) }),
    );
  });

  it('refreshes with the token another tab stored, since the server spends each one', async () => {
    localStorage.setItem(KEY, stored('refresh-1'));
    const auth = await import('./auth');
    localStorage.setItem(KEY, stored('refresh-2')); // another tab refreshed meanwhile
    fetchMock.mockResolvedValue(tokenResponse('refresh-3'));

    const session = await auth.refresh();

    expect(fetchMock).toHaveBeenCalledWith('/api/auth/refresh', expect.objectContaining({ body: JSON.stringify({ refresh_token: 'refresh-2' }) }));
    expect(session?.refreshToken).toBe('refresh-3');
    expect((JSON.parse(localStorage.getItem(KEY) ?? '{}') as { refreshToken?: string }).refreshToken).toBe('refresh-3');
  });
});
