/**
 * GraphiQL's requests, authenticated with the dashboard's session (lib/auth.ts). The page is
 * served from the dashboard's origin, so it reads the same stored session and keeps it fresh the
 * same way: nothing to paste into GraphiQL's headers editor.
 */
import { createGraphiQLFetcher, type Fetcher } from '@graphiql/toolkit';
import { createClient, type Client } from 'graphql-ws';
import { accessToken, refresh } from '../lib/auth';

export const GRAPHQL_PATH = '/graphql';

/**
 * `fetch` with `Authorization: Bearer <the session's access token>`, sent once more after a
 * refresh when the server refuses the token.
 */
export async function authorizedFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
  // An Authorization typed into the headers editor wins (to try a request as another user); it
  // is then not ours to refresh.
  const ownHeader = new Headers(init.headers).has('Authorization');
  const send = () => {
    const headers = new Headers(init.headers);
    const token = accessToken();
    if (token && !ownHeader) headers.set('Authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  };
  const response = await send();
  if (ownHeader || !(await refused(response)) || !(await refresh())) return response;
  return send();
}

interface GraphQLErrors {
  errors?: Array<{ extensions?: { status?: number } }>;
}

/** HTTP 401, or a GraphQL error with `extensions.status` 401 (GraphQL answers those with 200). */
async function refused(response: Response): Promise<boolean> {
  if (response.status === 401) return true;
  if (!response.headers.get('content-type')?.includes('application/json')) return false;
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as GraphQLErrors | null;
  return body?.errors?.some((error) => error.extensions?.status === 401) ?? false;
}

/** Subscriptions over graphql-transport-ws; the token goes in the connection params. */
export function subscriptionClient(): Client {
  const { protocol, host } = window.location;
  return createClient({
    url: `${protocol === 'https:' ? 'wss' : 'ws'}://${host}${GRAPHQL_PATH}`,
    lazy: true,
    // Read at each (re)connection, so a refreshed token is used.
    connectionParams: () => {
      const token = accessToken();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
    on: {
      closed: (event) => {
        // 4403: the server refused the token (on_ws_connect); the next subscription gets a new one.
        const code = (event as CloseEvent | undefined)?.code;
        if (code === 4401 || code === 4403) void refresh();
      },
    },
  });
}

export function eventLensFetcher(): Fetcher {
  return createGraphiQLFetcher({ url: GRAPHQL_PATH, fetch: authorizedFetch, wsClient: subscriptionClient() });
}
