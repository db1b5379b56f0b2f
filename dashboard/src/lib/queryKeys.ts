/**
 * Every TanStack Query key the dashboard uses. Queries are read and invalidated with keys from
 * here only, so a mutation cannot miss a query by spelling its key differently. Keys nest: a
 * group's `all` is a prefix of each of its keys, and invalidating it refreshes all of them.
 */
import type { EventFilterInput, Resolution, StatsInput } from '../gql/graphql';

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
};
