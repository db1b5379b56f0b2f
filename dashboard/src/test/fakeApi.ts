/**
 * A stand-in for lib/http in page tests: one shop schema with one adaptor, nothing rejected.
 * Use it as `vi.mock('../lib/http', () => import('../test/fakeApi'))`.
 */
import { vi } from 'vitest';

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
  snippet: '<script></script>',
};

export const user = { username: 'someone', role: 'admin', created_at: '2025-01-01T00:00:00Z', updated_at: '2025-01-01T00:00:00Z' };

function answer(query: string): unknown {
  if (query.includes('query Schemas')) return { schemas: [schema] };
  if (query.includes('query SchemaVersions')) return { schemaVersions: [] };
  if (query.includes('query Catalog')) return { schemas: [{ name: 'shop', isActive: true, eventTypes: [{ name: 'page_view' }] }], adaptors: [adaptor] };
  if (query.includes('query Adaptors')) return { adaptors: [adaptor] };
  if (query.includes('query Pipeline')) return { projectionLag: [], timeSeries: [] };
  if (query.includes('query RejectedEvents')) return { rejectedEvents: { items: [], nextCursor: null } };
  if (query.includes('query ReplayStatus')) return { replayStatus: [] };
  throw new Error(`unexpected query ${query.slice(0, 40)}`);
}

export const gql = vi.fn((document: { toString(): string }) => {
  try {
    return Promise.resolve(answer(document.toString()));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
});

export const rest = vi.fn((method: string, path: string) => Promise.resolve(method === 'GET' && path === '/api/users/' ? [user] : {}));
