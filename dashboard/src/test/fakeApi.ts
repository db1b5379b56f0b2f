/**
 * A stand-in for lib/http in page tests: one shop schema with one adaptor, the events in
 * `storedEvents` (newest first) and the rejected ones in `rejectedEvents`.
 * Use it as `vi.mock('../lib/http', () => import('../test/fakeApi'))`.
 */
import { vi } from 'vitest';
import type { EventsQuery, RejectedEventsQuery } from '../gql/graphql';

type EventItem = EventsQuery['events']['items'][number];

export const schema = {
  name: 'shop',
  description: 'Shop',
  version: 2,
  isActive: true,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-02T00:00:00Z',
  eventTypes: [{ name: 'page_view', jsonSchema: {} }],
};

export const adaptor = {
  containerId: 'CAP-ABC123',
  name: 'Shop site',
  schemaId: 'shop',
  websiteUrls: ['https://shop.example'],
  allowedOrigins: [],
  description: '',
  isActive: true,
  createdAt: '2025-01-01T00:00:00Z',
  updatedAt: '2025-01-01T00:00:00Z',
  lastSeenAt: null,
  eventsLastHour: 0,
  snippet: '<script defer src="https://stats.example/t.js" data-site="CAP-ABC123"></script>',
  inlineSnippet: '<script></script>',
};

export const user = { username: 'someone', role: 'admin', created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z' };

let made = 0;

/** An accepted page_view of the shop, newest so far unless `at` says otherwise. */
export function makeEvent(change: Partial<EventItem> = {}): EventItem {
  made += 1;
  const at = new Date(Date.UTC(2025, 0, 1) + made * 1_000).toISOString();
  return {
    eventId: `00000000-0000-4000-8000-${String(made).padStart(12, '0')}`,
    schemaId: 'shop',
    containerId: adaptor.containerId,
    eventType: 'page_view',
    userId: 'user_1',
    sessionId: 'session_1',
    timestamp: at,
    receivedAt: at,
    properties: { page_path: `/page-${made}` },
    metadata: {},
    ...change,
  };
}

/** What the events query pages through, newest first; cursors are offsets. */
export const storedEvents: EventItem[] = [];

function eventsPage(variables: { limit: number; cursor: string | null }): EventsQuery {
  const from = Number(variables.cursor ?? 0);
  const to = from + variables.limit;
  return { events: { items: storedEvents.slice(from, to), nextCursor: to < storedEvents.length ? String(to) : null } };
}

export const rejectedEvents: Array<RejectedEventsQuery['rejectedEvents']['items'][number]> = [];

function answer(query: string, variables: unknown): unknown {
  if (query.includes('query Events')) return eventsPage(variables as { limit: number; cursor: string | null });
  if (query.includes('query Schemas')) return { schemas: [schema] };
  if (query.includes('query SchemaVersions')) return { schemaVersions: [] };
  if (query.includes('query Catalog')) return { schemas: [{ name: 'shop', isActive: true, eventTypes: [{ name: 'page_view' }] }], adaptors: [adaptor] };
  if (query.includes('query Adaptors')) return { adaptors: [adaptor] };
  if (query.includes('query Pipeline')) return { projectionLag: [], timeSeries: [] };
  if (query.includes('query RejectedEvents')) return { rejectedEvents: { items: rejectedEvents, nextCursor: null } };
  if (query.includes('query ReplayStatus')) return { replayStatus: [] };
  throw new Error(`unexpected query ${query.slice(0, 40)}`);
}

export const gql = vi.fn((document: { toString(): string }, variables?: unknown) => {
  try {
    return Promise.resolve(answer(document.toString(), variables));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
});

export const rest = vi.fn((method: string, path: string) => Promise.resolve(method === 'GET' && path === '/api/users/' ? [user] : {}));
