/** The typed query hooks read under the factory's keys, so invalidating a group reaches them. */
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const gql = vi.hoisted(() => vi.fn());
vi.mock('./http', () => ({ gql, rest: vi.fn() }));
vi.mock('./live', () => ({ useSubscription: () => ({ error: null }) }));

import { overviewStatsOptions, useOverviewStats, usePreviousStats, useSchemas, useSchemaVersions } from './queryHooks';
import { queryKeys } from './queryKeys';

const stats = (totalEvents: number) => ({ stats: { totalEvents, pageViews: 0, clicks: 0, uniqueSessions: 0, uniqueUsers: 0 } });

function wrapper(client: QueryClient) {
  return function Wrapper({ children }: { children: ReactNode }) {
    return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
  };
}

function newClient() {
  return new QueryClient({ defaultOptions: { queries: { retry: false } } });
}

describe('query keys', () => {
  it("nest every key of a group under the group's prefix", () => {
    const filter = { hours: 24 };
    const groups: Array<[readonly unknown[], ReadonlyArray<readonly unknown[]>]> = [
      [queryKeys.stats.all, [queryKeys.stats.current(filter), queryKeys.stats.previous(filter)]],
      [queryKeys.timeSeries.all, [queryKeys.timeSeries.of('HOUR', filter)]],
      [queryKeys.top.all, [queryKeys.top.of(filter, 8)]],
      [queryKeys.events.all, [queryKeys.events.list({ schemaId: 'shop' })]],
      [queryKeys.schemas.all, [queryKeys.schemas.list(false), queryKeys.schemas.versions('shop')]],
      [queryKeys.rejected.all, [queryKeys.rejected.list('shop', null)]],
    ];
    for (const [prefix, keys] of groups) for (const key of keys) expect(key.slice(0, prefix.length)).toEqual(prefix);
  });

  it('tell different filters apart', () => {
    expect(queryKeys.stats.current({ hours: 24 })).not.toEqual(queryKeys.stats.current({ hours: 1 }));
    expect(queryKeys.stats.current({ hours: 24 })).not.toEqual(queryKeys.stats.previous({ hours: 24 }));
  });
});

describe('query hooks', () => {
  beforeEach(() => {
    gql.mockReset();
  });

  it('invalidating the stats group refreshes the current and the previous period', async () => {
    let total = 1;
    gql.mockImplementation(() => Promise.resolve(stats(total)));
    const client = newClient();
    const current = renderHook(() => useOverviewStats({ hours: 24 }), { wrapper: wrapper(client) });
    const previous = renderHook(() => usePreviousStats({ hours: 48 }), { wrapper: wrapper(client) });
    await waitFor(() => expect(current.result.current.data?.stats.totalEvents).toBe(1));
    await waitFor(() => expect(previous.result.current.data?.stats.totalEvents).toBe(1));

    total = 2;
    await client.invalidateQueries({ queryKey: queryKeys.stats.all });
    await waitFor(() => expect(current.result.current.data?.stats.totalEvents).toBe(2));
    await waitFor(() => expect(previous.result.current.data?.stats.totalEvents).toBe(2));
  });

  it('a live update written under the options key is what the hook shows', async () => {
    gql.mockResolvedValue(stats(1));
    const client = newClient();
    const filter = { hours: 24 };
    const { result } = renderHook(() => useOverviewStats(filter), { wrapper: wrapper(client) });
    await waitFor(() => expect(result.current.data?.stats.totalEvents).toBe(1));
    const pushed = { ...stats(7).stats, start: '', end: '', eventsByType: [], eventsByAdaptor: [] };
    client.setQueryData(overviewStatsOptions(filter).queryKey, { stats: pushed });
    await waitFor(() => expect(result.current.data?.stats.totalEvents).toBe(7));
  });

  it('invalidating the schemas group refreshes the lists and the version histories', async () => {
    gql.mockImplementation((doc: { toString(): string }) =>
      Promise.resolve(doc.toString().includes('query SchemaVersions') ? { schemaVersions: [{ version: 1 }] } : { schemas: [] }),
    );
    const client = newClient();
    renderHook(() => useSchemas(false), { wrapper: wrapper(client) });
    const versions = renderHook(() => useSchemaVersions('shop', 1), { wrapper: wrapper(client) });
    await waitFor(() => expect(versions.result.current.isSuccess).toBe(true));
    gql.mockClear();
    await client.invalidateQueries({ queryKey: queryKeys.schemas.all });
    const sent = gql.mock.calls.map(([doc]) => String(doc));
    expect(sent.some((q) => q.includes('query Schemas('))).toBe(true);
    expect(sent.some((q) => q.includes('query SchemaVersions'))).toBe(true);
  });
});
