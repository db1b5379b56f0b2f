/** REST and GraphQL over fetch, with the bearer token and one retry after a refresh on 401. */
import { accessToken, refresh } from './auth';
import { ApiError, errorFromBody } from './errors';
import type { TypedDocumentString } from '../gql/graphql';

async function send(path: string, init: RequestInit): Promise<Response> {
  const attempt = () => {
    const headers = new Headers(init.headers);
    const token = accessToken();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    return fetch(path, { ...init, headers });
  };
  let response: Response;
  try {
    response = await attempt();
    if (response.status === 401 && (await refresh())) response = await attempt();
  } catch {
    throw new ApiError({ status: 0, code: 'network', message: 'The server could not be reached. Check that EventLens is running.' });
  }
  return response;
}

/** A REST call; resolves to the parsed JSON body or throws an ApiError. */
export async function rest<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await send(path, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) throw errorFromBody(response.status, data);
  return data as T;
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: Array<{ message: string; extensions?: { status?: number; code?: string; field?: string } }>;
}

/** Runs a typed GraphQL operation. */
export async function gql<TResult, TVariables>(
  document: TypedDocumentString<TResult, TVariables>,
  ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
): Promise<TResult> {
  return rawGql<TResult>(document.toString(), variables ?? undefined);
}

/** Runs a GraphQL operation given as text (for fields the generated types do not know yet). */
export async function rawGql<TResult>(query: string, variables?: unknown, retried = false): Promise<TResult> {
  const response = await send('/graphql', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json().catch(() => null)) as GraphQLResponse<TResult> | null;
  const first = body?.errors?.[0];
  if (first) {
    const status = first.extensions?.status ?? (response.ok ? 400 : response.status);
    if (status === 401 && !retried) {
      // Tokens rejected inside GraphQL (HTTP 200): refresh once and try again.
      if (await refresh()) return rawGql<TResult>(query, variables, true);
    }
    throw new ApiError({
      status,
      code: first.extensions?.code ?? 'graphql_error',
      message: first.message,
      field: first.extensions?.field ?? null,
    });
  }
  if (!response.ok || !body?.data) throw errorFromBody(response.status, body);
  return body.data;
}
