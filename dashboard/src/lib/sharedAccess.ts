/**
 * A shared link's side: the token travels in the page's fragment (`/share#<token>`), which
 * browsers never send to the server, so it stays out of access logs. The token is exchanged
 * (with the link's password, when it has one) for an hour-long token that reads that one
 * site's stats; when it expires, the link is exchanged again with what was given.
 *
 * Plain fetch, never lib/http: a shared link's 401 (a wrong password) must not touch the
 * session of someone signed in in the same browser.
 */
import type { TypedDocumentString } from '../gql/graphql';
import { ApiError, errorFromBody } from './errors';
import { CurrentVisitorsQuery, WebStatsQuery } from './queries';
import type { StatsAnswer } from './statsApi';
import type { StatsClient } from './statsClient';

export interface SharedSite {
  container_id: string;
  name: string;
  timezone: string;
  password_required: boolean;
}

export interface SharedAccess {
  access_token: string;
  container_id: string;
  expires_in: number;
}

/** The token in a location's fragment (`#abc`), or null when there is none. */
export function tokenFromHash(hash: string): string | null {
  const raw = hash.replace(/^#/, '').trim();
  if (!raw) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The public address of a shared link: the dashboard's origin, `/share`, the token in the fragment. */
export function sharedLinkUrl(token: string, origin: string = window.location.origin): string {
  return `${origin}/share#${token}`;
}

const NETWORK = () => new ApiError({ status: 0, code: 'network', message: 'The server could not be reached. Check your connection.' });

async function request<T>(method: string, path: string, body?: unknown, token?: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: { ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...(token ? { Authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw NETWORK();
  }
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) throw errorFromBody(response.status, data);
  return data as T;
}

const linkPath = (token: string) => `/api/shared/${encodeURIComponent(token)}`;

/** The site a link opens and whether it asks for a password (404: unknown or revoked). */
export function sharedSite(token: string): Promise<SharedSite> {
  return request<SharedSite>('GET', linkPath(token));
}

/** Exchanges the link (401: a password is needed, or it is wrong; 429: too many tries). */
export function openSharedLink(token: string, password?: string): Promise<SharedAccess> {
  return request<SharedAccess>('POST', linkPath(token), password ? { password } : {});
}

interface GraphQLAnswer<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { status?: number; code?: string; field?: string } }>;
}

/** Reads the link's site with `access`, exchanging the link again (with `password`) once its token has expired. */
export function sharedStatsClient(token: string, password: string | undefined, access: SharedAccess): StatsClient {
  let current = access.access_token;
  let renewing: Promise<string> | null = null;

  // Requests refused together wait for one exchange; one refused after it just retries.
  function renew(stale: string): Promise<string> {
    if (current !== stale) return Promise.resolve(current);
    renewing ??= openSharedLink(token, password)
      .then((renewed) => (current = renewed.access_token))
      .finally(() => {
        renewing = null;
      });
    return renewing;
  }

  async function run<TResult, TVariables>(document: TypedDocumentString<TResult, TVariables>, variables: TVariables, retried = false): Promise<TResult> {
    const used = current;
    let response: Response;
    try {
      response = await fetch('/graphql', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', Authorization: `Bearer ${used}` },
        body: JSON.stringify({ query: document.toString(), variables }),
      });
    } catch {
      throw NETWORK();
    }
    const body = (await response.json().catch(() => null)) as GraphQLAnswer<TResult> | null;
    const first = body?.errors?.[0];
    const status = first ? (first.extensions?.status ?? (response.ok ? 400 : response.status)) : response.status;
    if (status === 401 && !retried) {
      await renew(used);
      return run(document, variables, true);
    }
    if (first) throw new ApiError({ status, code: first.extensions?.code ?? 'graphql_error', message: first.message, field: first.extensions?.field ?? null });
    if (!response.ok || !body?.data) throw errorFromBody(response.status, body);
    return body.data;
  }

  return {
    key: `shared:${access.container_id}`,
    query: async (query) => (await run(WebStatsQuery, { query })).webStats as StatsAnswer,
    currentVisitors: async (siteId) => (await run(CurrentVisitorsQuery, { siteId })).currentVisitors,
    canSubscribe: false,
  };
}
