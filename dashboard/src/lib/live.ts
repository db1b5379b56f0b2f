/**
 * GraphQL subscriptions over WebSocket (graphql-transport-ws), authenticated with the access
 * token in connectionParams. One shared connection; it reconnects with backoff and is rebuilt
 * when the session changes.
 */
import { createClient, type Client } from 'graphql-ws';
import { useEffect, useLayoutEffect, useRef, useState, useSyncExternalStore } from 'react';
import { accessToken, refresh, subscribe as onSession } from './auth';
import type { TypedDocumentString } from '../gql/graphql';

export type LiveState = 'connecting' | 'live' | 'offline';

let client: Client | null = null;
let state: LiveState = 'connecting';
const stateListeners = new Set<() => void>();

function setState(next: LiveState): void {
  if (state === next) return;
  state = next;
  stateListeners.forEach((l) => l());
}

function url(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/graphql`;
}

function getClient(): Client {
  if (client) return client;
  client = createClient({
    url: url(),
    lazy: true,
    lazyCloseTimeout: 3_000,
    retryAttempts: Infinity,
    shouldRetry: () => true,
    retryWait: async (retries) => {
      const base = Math.min(1_000 * 2 ** retries, 15_000);
      await new Promise((r) => setTimeout(r, base / 2 + Math.random() * (base / 2)));
    },
    // Read on every (re)connect, so a reconnect presents the newest token.
    connectionParams: () => {
      const token = accessToken();
      return token ? { Authorization: `Bearer ${token}` } : {};
    },
    on: {
      connecting: () => setState('connecting'),
      connected: () => setState('live'),
      closed: (event) => {
        setState('offline');
        // 4403/4401: the server refused the token; get a new one before the next attempt.
        const code = (event as CloseEvent | undefined)?.code;
        if (code === 4401 || code === 4403 || code === 4400) void refresh();
      },
      error: () => setState('offline'),
    },
  });
  return client;
}

let lastToken = accessToken();
onSession((session) => {
  const token = session?.accessToken ?? null;
  // A new sign-in (another user) or sign-out: drop the connection. A token refresh for the same
  // user keeps the open connection; when its first token expires, the server closes it (4403)
  // and the client reconnects with the current one.
  const userChanged = !session || !lastToken;
  lastToken = token;
  if (userChanged && client) {
    void client.dispose();
    client = null;
    setState('connecting');
  }
});

export function useLiveState(): LiveState {
  return useSyncExternalStore(
    (cb) => {
      stateListeners.add(cb);
      return () => stateListeners.delete(cb);
    },
    () => state,
  );
}

/**
 * Subscribes while mounted; `onData` receives each pushed result. Re-subscribes when the
 * variables change (compared as JSON).
 */
export function useSubscription<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  onData: (data: TResult) => void,
  enabled = true,
): { error: string | null } {
  // The newest callback, without re-subscribing when it changes.
  const handler = useRef(onData);
  useLayoutEffect(() => {
    handler.current = onData;
  });
  const key = JSON.stringify(variables);
  // An error belongs to the subscription that reported it: new variables start clean.
  const [failure, setFailure] = useState<{ key: string; message: string } | null>(null);

  useEffect(() => {
    if (!enabled) return;
    const fail = (message: string) => setFailure({ key, message });
    const dispose = getClient().subscribe<TResult>(
      { query: document.toString(), variables: JSON.parse(key) as Record<string, unknown> },
      {
        next: (result) => {
          if (result.errors?.length) fail(result.errors[0].message);
          else if (result.data) handler.current(result.data);
        },
        error: (err) => fail(err instanceof Error ? err.message : 'live updates stopped'),
        complete: () => undefined,
      },
    );
    return () => {
      dispose();
      setFailure(null);
    };
  }, [document, key, enabled]);

  return { error: enabled && failure?.key === key ? failure.message : null };
}
