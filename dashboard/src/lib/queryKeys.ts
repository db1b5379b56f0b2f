/**
 * Every TanStack Query key the dashboard uses. Queries are read and invalidated with keys from
 * here only, so a mutation cannot miss a query by spelling its key differently. Keys nest: a
 * group's `all` is a prefix of each of its keys, and invalidating it refreshes all of them.
 */
import type { EventFilterInput, Resolution, StatsInput } from '../gql/graphql';
import type { StatsQuery } from './statsApi';

export const queryKeys = {
  catalog: ['catalog'] as const,

  stats: {
    all: ['stats'] as const,
    current: (filter: StatsInput) => ['stats', 'current', filter] as const,
    previous: (filter: StatsInput) => ['stats', 'previous', filter] as const,
  },
  timeSeries: {
    all: ['timeSeries'] as const,
    of: (resolution: Resolution, filter: StatsInput) => ['timeSeries', resolution, filter] as const,
  },
  top: {
    all: ['top'] as const,
    of: (filter: StatsInput, limit: number) => ['top', filter, limit] as const,
  },

  events: {
    all: ['events'] as const,
    list: (filter: EventFilterInput) => ['events', 'list', filter] as const,
  },

  schemas: {
    all: ['schemas'] as const,
    list: (includeRetired: boolean) => ['schemas', 'list', includeRetired] as const,
    versions: (name: string) => ['schemas', 'versions', name] as const,
  },
  adaptors: ['adaptors'] as const,

  pipeline: ['pipeline'] as const,
  // Under `pipeline`: invalidating the pipeline refreshes it too.
  pipelineHealth: ['pipeline', 'health'] as const,
  replay: ['replay'] as const,
  rejected: {
    all: ['rejected'] as const,
    list: (schemaId: string | null, reason: string | null) => ['rejected', 'list', schemaId, reason] as const,
  },
  collection: {
    bots: (days: number) => ['collection', 'bots', days] as const,
    status: ['collection', 'status'] as const,
  },

  users: ['users'] as const,
  apiKeys: ['apiKeys'] as const,
  /** The audit log, by the request's path (its filters and page). */
  auditLog: (path: string) => ['auditLog', path] as const,

  /** Site dashboards; `reader` tells a signed-in user's answers from a shared link's. */
  site: {
    all: ['site'] as const,
    info: (containerId: string) => ['site', 'info', containerId] as const,
    stats: (reader: string) => ['site', 'stats', reader] as const,
    query: (reader: string, query: StatsQuery) => ['site', 'stats', reader, query] as const,
    rows: (reader: string, query: StatsQuery) => ['site', 'stats', reader, 'rows', query] as const,
    current: (reader: string, siteId: string) => ['site', 'current', reader, siteId] as const,
    sharedLinks: (containerId: string) => ['site', 'sharedLinks', containerId] as const,
    goals: (containerId: string) => ['site', 'goals', containerId] as const,
    funnels: (containerId: string) => ['site', 'funnels', containerId] as const,
    funnel: (containerId: string, asked: unknown) => ['site', 'funnel', containerId, asked] as const,
    retention: (containerId: string, asked: unknown) => ['site', 'retention', containerId, asked] as const,
    /** How long the site's events are kept (its retention period). */
    keeps: (containerId: string) => ['site', 'keeps', containerId] as const,
    alertRules: (containerId: string) => ['site', 'alertRules', containerId] as const,
    emailReport: (containerId: string) => ['site', 'emailReport', containerId] as const,
    firings: (containerId: string, range: readonly string[]) => ['site', 'firings', containerId, ...range] as const,
  },
  /** A shared link's public side: the site it opens, and its exchange when it has no password. */
  shared: {
    site: (token: string) => ['shared', 'site', token] as const,
    open: (token: string) => ['shared', 'open', token] as const,
  },
};
