/**
 * Session tokens: kept in localStorage so a reload keeps you signed in, refreshed shortly before
 * the access token expires and once more when a request answers 401.
 */
import { ApiError, errorFromBody } from './errors';

/** `admin` or `viewer`; any other name a newer server sends is kept as it is. */
export type Role = 'admin' | 'viewer' | (string & {});

export interface User {
  username: string;
  role: Role;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  /** epoch milliseconds */
  expiresAt: number;
  user: User;
}

interface TokenResponse {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  user: User;
}

const KEY = 'eventlens.session';
type Listener = (session: Session | null) => void;
const listeners = new Set<Listener>();
let current: Session | null = load();
let refreshing: Promise<Session | null> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

function load(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Session;
    return parsed.accessToken && parsed.user ? parsed : null;
  } catch {
    return null;
  }
}

let endedUser: string | null = null;

/** Who was signed in before the session ended (to send them back where they were). */
export function previousUser(): string | null {
  return endedUser;
}

function save(session: Session | null): void {
  if (!session && current) endedUser = current.user.username;
  current = session;
  try {
    if (session) localStorage.setItem(KEY, JSON.stringify(session));
    else localStorage.removeItem(KEY);
  } catch {
    /* private mode: the session lives in memory only */
  }
  schedule();
  listeners.forEach((l) => l(session));
}

function schedule(): void {
  if (timer) clearTimeout(timer);
  if (!current) return;
  const wait = Math.max(5_000, current.expiresAt - Date.now() - 60_000);
  timer = setTimeout(() => void refresh(), Math.min(wait, 2 ** 31 - 1));
}

function toSession(body: TokenResponse): Session {
  return {
    accessToken: body.access_token,
    refreshToken: body.refresh_token,
    expiresAt: Date.now() + body.expires_in * 1000,
    user: { username: body.user.username, role: body.user.role },
  };
}

export function getSession(): Session | null {
  return current;
}

export function accessToken(): string | null {
  return current?.accessToken ?? null;
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

async function post(path: string, body: unknown): Promise<TokenResponse> {
  let response: Response;
  try {
    response = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network', message: 'The server could not be reached. Is EventLens running?' });
  }
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) throw errorFromBody(response.status, data);
  return data as TokenResponse;
}

export async function login(username: string, password: string): Promise<Session> {
  const session = toSession(await post('/api/auth/login', { username, password }));
  save(session);
  return session;
}

/** The refresh token to send: the server spends each one, and another tab may have spent
 * this tab's already and stored the next. */
function latestRefreshToken(): string | undefined {
  const stored = load();
  if (stored && current && stored.user.username === current.user.username) return stored.refreshToken;
  return current?.refreshToken;
}

/** Exchanges the refresh token; signs out when it is no longer valid. */
export function refresh(): Promise<Session | null> {
  if (refreshing) return refreshing;
  const token = latestRefreshToken();
  if (!token) return Promise.resolve(null);
  refreshing = post('/api/auth/refresh', { refresh_token: token })
    .then((body) => {
      const session = toSession(body);
      save(session);
      return session;
    })
    .catch((error: unknown) => {
      if (error instanceof ApiError && error.status === 401) save(null);
      return null;
    })
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** Signs out here and on the server, which ends the sign-in's refresh tokens. */
export function logout(): void {
  const token = latestRefreshToken();
  save(null);
  if (!token) return;
  void fetch('/api/auth/logout', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ refresh_token: token }),
    keepalive: true,
  }).catch(() => undefined);
}

schedule();
