/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type EventFilterInput = {
  adaptorId?: string | null | undefined;
  end?: string | null | undefined;
  eventType?: string | null | undefined;
  /** Match events whose properties contain this object. */
  properties?: unknown;
  schemaId?: string | null | undefined;
  sessionId?: string | null | undefined;
  start?: string | null | undefined;
  userId?: string | null | undefined;
};

export type Resolution =
  | 'DAY'
  | 'HOUR'
  | 'MINUTE';

/** Which events to count: a range (default: the last 7 days). */
export type StatsInput = {
  adaptorId?: string | null | undefined;
  days?: number | null | undefined;
  end?: string | null | undefined;
  eventType?: string | null | undefined;
  /** The last N hours. */
  hours?: number | null | undefined;
  schemaId?: string | null | undefined;
  start?: string | null | undefined;
};

export type StatsTotalsFragment = { totalEvents: number, pageViews: number, clicks: number, uniqueSessions: number, uniqueUsers: number };

export type StatsBreakdownFragment = { start: string, end: string, totalEvents: number, pageViews: number, clicks: number, uniqueSessions: number, uniqueUsers: number, eventsByType: Array<{ key: string, count: number }>, eventsByAdaptor: Array<{ key: string, count: number }> };

export type EventFieldsFragment = { eventId: string, schemaId: string, containerId: string | null, eventType: string, userId: string | null, sessionId: string | null, timestamp: string, receivedAt: string, properties: unknown, metadata: unknown, visitorId: string | null, url: string | null, hostname: string | null, path: string | null, referrer: string | null, source: string | null, channel: string | null, utmSource: string | null, utmMedium: string | null, utmCampaign: string | null, utmContent: string | null, utmTerm: string | null, browser: string | null, browserVersion: string | null, os: string | null, osVersion: string | null, device: string | null, screenWidth: number | null, country: string | null, region: string | null, city: string | null };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { me: { username: string, role: string } };

export type OverviewStatsQueryVariables = Exact<{
  filter?: StatsInput | null | undefined;
}>;


export type OverviewStatsQuery = { stats: { start: string, end: string, totalEvents: number, pageViews: number, clicks: number, uniqueSessions: number, uniqueUsers: number, eventsByType: Array<{ key: string, count: number }>, eventsByAdaptor: Array<{ key: string, count: number }> } };

export type PreviousStatsQueryVariables = Exact<{
  filter?: StatsInput | null | undefined;
}>;


export type PreviousStatsQuery = { stats: { totalEvents: number, pageViews: number, clicks: number, uniqueSessions: number, uniqueUsers: number } };

export type LiveStatsSubscriptionVariables = Exact<{
  filter?: StatsInput | null | undefined;
}>;


export type LiveStatsSubscription = { liveStats: { start: string, end: string, totalEvents: number, pageViews: number, clicks: number, uniqueSessions: number, uniqueUsers: number, eventsByType: Array<{ key: string, count: number }>, eventsByAdaptor: Array<{ key: string, count: number }> } };

export type TimeSeriesQueryVariables = Exact<{
  resolution: Resolution;
  filter?: StatsInput | null | undefined;
}>;


export type TimeSeriesQuery = { timeSeries: Array<{ bucket: string, count: number }> };

export type TopQueryVariables = Exact<{
  filter?: StatsInput | null | undefined;
  limit: number;
}>;


export type TopQuery = { topPages: Array<{ key: string, count: number }>, topLinks: Array<{ key: string, count: number }> };

export type CatalogQueryVariables = Exact<{ [key: string]: never; }>;


export type CatalogQuery = { schemas: Array<{ name: string, isActive: boolean, eventTypes: Array<{ name: string }> }>, adaptors: Array<{ containerId: string, name: string, schemaId: string, isActive: boolean }> };

export type EventsQueryVariables = Exact<{
  filter?: EventFilterInput | null | undefined;
  limit: number;
  cursor?: string | null | undefined;
}>;


export type EventsQuery = { events: { nextCursor: string | null, items: Array<{ eventId: string, schemaId: string, containerId: string | null, eventType: string, userId: string | null, sessionId: string | null, timestamp: string, receivedAt: string, properties: unknown, metadata: unknown, visitorId: string | null, url: string | null, hostname: string | null, path: string | null, referrer: string | null, source: string | null, channel: string | null, utmSource: string | null, utmMedium: string | null, utmCampaign: string | null, utmContent: string | null, utmTerm: string | null, browser: string | null, browserVersion: string | null, os: string | null, osVersion: string | null, device: string | null, screenWidth: number | null, country: string | null, region: string | null, city: string | null }> } };

export type NewEventsSubscriptionVariables = Exact<{
  filter?: EventFilterInput | null | undefined;
}>;


export type NewEventsSubscription = { newEvents: { eventId: string, schemaId: string, containerId: string | null, eventType: string, userId: string | null, sessionId: string | null, timestamp: string, receivedAt: string, properties: unknown, metadata: unknown, visitorId: string | null, url: string | null, hostname: string | null, path: string | null, referrer: string | null, source: string | null, channel: string | null, utmSource: string | null, utmMedium: string | null, utmCampaign: string | null, utmContent: string | null, utmTerm: string | null, browser: string | null, browserVersion: string | null, os: string | null, osVersion: string | null, device: string | null, screenWidth: number | null, country: string | null, region: string | null, city: string | null } };

export type SchemasQueryVariables = Exact<{
  includeRetired: boolean;
}>;


export type SchemasQuery = { schemas: Array<{ name: string, description: string, version: number, isActive: boolean, createdAt: string, updatedAt: string, eventTypes: Array<{ name: string, jsonSchema: unknown }> }> };

export type SchemaVersionsQueryVariables = Exact<{
  name: string;
}>;


export type SchemaVersionsQuery = { schemaVersions: Array<{ version: number, description: string, eventTypes: unknown, recordedAt: string }> };

export type AdaptorsQueryVariables = Exact<{ [key: string]: never; }>;


export type AdaptorsQuery = { adaptors: Array<{ containerId: string, name: string, schemaId: string, websiteUrls: Array<string>, allowedOrigins: Array<string>, description: string, isActive: boolean, createdAt: string, updatedAt: string, timezone: string, lastSeenAt: string | null, eventsLastHour: number, snippet: string, inlineSnippet: string }> };

export type PipelineQueryVariables = Exact<{
  rateFilter?: StatsInput | null | undefined;
}>;


export type PipelineQuery = { timeSeries: Array<{ bucket: string, count: number }> };

export type PipelineHealthQueryVariables = Exact<{ [key: string]: never; }>;


export type PipelineHealthQuery = { databaseHealth: { available: boolean, problem: string | null }, projectionLag: Array<{ projection: string, eventsBehind: number, secondsBehind: number, lastAppliedAt: string | null }> };

export type RejectedEventsQueryVariables = Exact<{
  schemaId?: string | null | undefined;
  reason?: string | null | undefined;
  limit: number;
  cursor?: string | null | undefined;
}>;


export type RejectedEventsQuery = { rejectedEvents: { nextCursor: string | null, items: Array<{ eventId: string, schemaId: string | null, containerId: string | null, eventType: string | null, receivedAt: string, payload: unknown, reprocessed: boolean, reasons: Array<{ code: string, message: string }> }> } };

export type UsersQueryVariables = Exact<{ [key: string]: never; }>;


export type UsersQuery = { users: Array<{ username: string, role: string }> };

export type ReplayStatusQueryVariables = Exact<{ [key: string]: never; }>;


export type ReplayStatusQuery = { replayStatus: Array<{ projection: string, state: string, eventsDone: number, eventsTotal: number, rate: number, etaSeconds: number | null, startedAt: string, finishedAt: string | null }> };

export type SiteQueryVariables = Exact<{
  containerId: string;
}>;


export type SiteQuery = { adaptor: { containerId: string, name: string, websiteUrls: Array<string>, timezone: string, isActive: boolean } | null };

export type WebStatsQueryVariables = Exact<{
  query: unknown;
}>;


export type WebStatsQuery = { webStats: unknown };

export type CurrentVisitorsQueryVariables = Exact<{
  siteId: string;
}>;


export type CurrentVisitorsQuery = { currentVisitors: number };

export type LiveCurrentVisitorsSubscriptionVariables = Exact<{
  siteId: string;
}>;


export type LiveCurrentVisitorsSubscription = { currentVisitors: number };

export type SiteEventsSubscriptionVariables = Exact<{
  filter?: EventFilterInput | null | undefined;
}>;


export type SiteEventsSubscription = { newEvents: { eventId: string } };

export type SiteRetentionQueryVariables = Exact<{
  containerId: string;
}>;


export type SiteRetentionQuery = { adaptor: { containerId: string, retention: { days: number | null, expiredBefore: string | null } } | null };

export type SetRetentionMutationVariables = Exact<{
  containerId: string;
  days: number;
}>;


export type SetRetentionMutation = { setRetention: { days: number | null, expiredBefore: string | null } };

export type ClearRetentionMutationVariables = Exact<{
  containerId: string;
}>;


export type ClearRetentionMutation = { clearRetention: { days: number | null, expiredBefore: string | null } };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const StatsTotalsFragmentDoc = new TypedDocumentString(`
    fragment StatsTotals on Stats {
  totalEvents
  pageViews
  clicks
  uniqueSessions
  uniqueUsers
}
    `, {"fragmentName":"StatsTotals"}) as unknown as TypedDocumentString<StatsTotalsFragment, unknown>;
export const StatsBreakdownFragmentDoc = new TypedDocumentString(`
    fragment StatsBreakdown on Stats {
  ...StatsTotals
  eventsByType {
    key
    count
  }
  eventsByAdaptor {
    key
    count
  }
  start
  end
}
    fragment StatsTotals on Stats {
  totalEvents
  pageViews
  clicks
  uniqueSessions
  uniqueUsers
}`, {"fragmentName":"StatsBreakdown"}) as unknown as TypedDocumentString<StatsBreakdownFragment, unknown>;
export const EventFieldsFragmentDoc = new TypedDocumentString(`
    fragment EventFields on Event {
  eventId
  schemaId
  containerId
  eventType
  userId
  sessionId
  timestamp
  receivedAt
  properties
  metadata
  visitorId
  url
  hostname
  path
  referrer
  source
  channel
  utmSource
  utmMedium
  utmCampaign
  utmContent
  utmTerm
  browser
  browserVersion
  os
  osVersion
  device
  screenWidth
  country
  region
  city
}
    `, {"fragmentName":"EventFields"}) as unknown as TypedDocumentString<EventFieldsFragment, unknown>;
export const MeDocument = new TypedDocumentString(`
    query Me {
  me {
    username
    role
  }
}
    `) as unknown as TypedDocumentString<MeQuery, MeQueryVariables>;
export const OverviewStatsDocument = new TypedDocumentString(`
    query OverviewStats($filter: StatsInput) {
  stats(filter: $filter) {
    ...StatsBreakdown
  }
}
    fragment StatsTotals on Stats {
  totalEvents
  pageViews
  clicks
  uniqueSessions
  uniqueUsers
}
fragment StatsBreakdown on Stats {
  ...StatsTotals
  eventsByType {
    key
    count
  }
  eventsByAdaptor {
    key
    count
  }
  start
  end
}`) as unknown as TypedDocumentString<OverviewStatsQuery, OverviewStatsQueryVariables>;
export const PreviousStatsDocument = new TypedDocumentString(`
    query PreviousStats($filter: StatsInput) {
  stats(filter: $filter) {
    ...StatsTotals
  }
}
    fragment StatsTotals on Stats {
  totalEvents
  pageViews
  clicks
  uniqueSessions
  uniqueUsers
}`) as unknown as TypedDocumentString<PreviousStatsQuery, PreviousStatsQueryVariables>;
export const LiveStatsDocument = new TypedDocumentString(`
    subscription LiveStats($filter: StatsInput) {
  liveStats(filter: $filter) {
    ...StatsBreakdown
  }
}
    fragment StatsTotals on Stats {
  totalEvents
  pageViews
  clicks
  uniqueSessions
  uniqueUsers
}
fragment StatsBreakdown on Stats {
  ...StatsTotals
  eventsByType {
    key
    count
  }
  eventsByAdaptor {
    key
    count
  }
  start
  end
}`) as unknown as TypedDocumentString<LiveStatsSubscription, LiveStatsSubscriptionVariables>;
export const TimeSeriesDocument = new TypedDocumentString(`
    query TimeSeries($resolution: Resolution!, $filter: StatsInput) {
  timeSeries(resolution: $resolution, filter: $filter) {
    bucket
    count
  }
}
    `) as unknown as TypedDocumentString<TimeSeriesQuery, TimeSeriesQueryVariables>;
export const TopDocument = new TypedDocumentString(`
    query Top($filter: StatsInput, $limit: Int!) {
  topPages(filter: $filter, limit: $limit) {
    key
    count
  }
  topLinks(filter: $filter, limit: $limit) {
    key
    count
  }
}
    `) as unknown as TypedDocumentString<TopQuery, TopQueryVariables>;
export const CatalogDocument = new TypedDocumentString(`
    query Catalog {
  schemas(includeRetired: true) {
    name
    isActive
    eventTypes {
      name
    }
  }
  adaptors {
    containerId
    name
    schemaId
    isActive
  }
}
    `) as unknown as TypedDocumentString<CatalogQuery, CatalogQueryVariables>;
export const EventsDocument = new TypedDocumentString(`
    query Events($filter: EventFilterInput, $limit: Int!, $cursor: String) {
  events(filter: $filter, limit: $limit, cursor: $cursor) {
    items {
      ...EventFields
    }
    nextCursor
  }
}
    fragment EventFields on Event {
  eventId
  schemaId
  containerId
  eventType
  userId
  sessionId
  timestamp
  receivedAt
  properties
  metadata
  visitorId
  url
  hostname
  path
  referrer
  source
  channel
  utmSource
  utmMedium
  utmCampaign
  utmContent
  utmTerm
  browser
  browserVersion
  os
  osVersion
  device
  screenWidth
  country
  region
  city
}`) as unknown as TypedDocumentString<EventsQuery, EventsQueryVariables>;
export const NewEventsDocument = new TypedDocumentString(`
    subscription NewEvents($filter: EventFilterInput) {
  newEvents(filter: $filter) {
    ...EventFields
  }
}
    fragment EventFields on Event {
  eventId
  schemaId
  containerId
  eventType
  userId
  sessionId
  timestamp
  receivedAt
  properties
  metadata
  visitorId
  url
  hostname
  path
  referrer
  source
  channel
  utmSource
  utmMedium
  utmCampaign
  utmContent
  utmTerm
  browser
  browserVersion
  os
  osVersion
  device
  screenWidth
  country
  region
  city
}`) as unknown as TypedDocumentString<NewEventsSubscription, NewEventsSubscriptionVariables>;
export const SchemasDocument = new TypedDocumentString(`
    query Schemas($includeRetired: Boolean!) {
  schemas(includeRetired: $includeRetired) {
    name
    description
    version
    isActive
    createdAt
    updatedAt
    eventTypes {
      name
      jsonSchema
    }
  }
}
    `) as unknown as TypedDocumentString<SchemasQuery, SchemasQueryVariables>;
export const SchemaVersionsDocument = new TypedDocumentString(`
    query SchemaVersions($name: String!) {
  schemaVersions(name: $name) {
    version
    description
    eventTypes
    recordedAt
  }
}
    `) as unknown as TypedDocumentString<SchemaVersionsQuery, SchemaVersionsQueryVariables>;
export const AdaptorsDocument = new TypedDocumentString(`
    query Adaptors {
  adaptors {
    containerId
    name
    schemaId
    websiteUrls
    allowedOrigins
    description
    isActive
    createdAt
    updatedAt
    timezone
    lastSeenAt
    eventsLastHour
    snippet
    inlineSnippet
  }
}
    `) as unknown as TypedDocumentString<AdaptorsQuery, AdaptorsQueryVariables>;
export const PipelineDocument = new TypedDocumentString(`
    query Pipeline($rateFilter: StatsInput) {
  timeSeries(resolution: MINUTE, filter: $rateFilter) {
    bucket
    count
  }
}
    `) as unknown as TypedDocumentString<PipelineQuery, PipelineQueryVariables>;
export const PipelineHealthDocument = new TypedDocumentString(`
    query PipelineHealth {
  databaseHealth {
    available
    problem
  }
  projectionLag {
    projection
    eventsBehind
    secondsBehind
    lastAppliedAt
  }
}
    `) as unknown as TypedDocumentString<PipelineHealthQuery, PipelineHealthQueryVariables>;
export const RejectedEventsDocument = new TypedDocumentString(`
    query RejectedEvents($schemaId: String, $reason: String, $limit: Int!, $cursor: String) {
  rejectedEvents(
    schemaId: $schemaId
    reason: $reason
    limit: $limit
    cursor: $cursor
  ) {
    items {
      eventId
      schemaId
      containerId
      eventType
      receivedAt
      reasons {
        code
        message
      }
      payload
      reprocessed
    }
    nextCursor
  }
}
    `) as unknown as TypedDocumentString<RejectedEventsQuery, RejectedEventsQueryVariables>;
export const UsersDocument = new TypedDocumentString(`
    query Users {
  users {
    username
    role
  }
}
    `) as unknown as TypedDocumentString<UsersQuery, UsersQueryVariables>;
export const ReplayStatusDocument = new TypedDocumentString(`
    query ReplayStatus {
  replayStatus {
    projection
    state
    eventsDone
    eventsTotal
    rate
    etaSeconds
    startedAt
    finishedAt
  }
}
    `) as unknown as TypedDocumentString<ReplayStatusQuery, ReplayStatusQueryVariables>;
export const SiteDocument = new TypedDocumentString(`
    query Site($containerId: String!) {
  adaptor(containerId: $containerId) {
    containerId
    name
    websiteUrls
    timezone
    isActive
  }
}
    `) as unknown as TypedDocumentString<SiteQuery, SiteQueryVariables>;
export const WebStatsDocument = new TypedDocumentString(`
    query WebStats($query: JSON!) {
  webStats(query: $query)
}
    `) as unknown as TypedDocumentString<WebStatsQuery, WebStatsQueryVariables>;
export const CurrentVisitorsDocument = new TypedDocumentString(`
    query CurrentVisitors($siteId: String!) {
  currentVisitors(siteId: $siteId)
}
    `) as unknown as TypedDocumentString<CurrentVisitorsQuery, CurrentVisitorsQueryVariables>;
export const LiveCurrentVisitorsDocument = new TypedDocumentString(`
    subscription LiveCurrentVisitors($siteId: String!) {
  currentVisitors(siteId: $siteId)
}
    `) as unknown as TypedDocumentString<LiveCurrentVisitorsSubscription, LiveCurrentVisitorsSubscriptionVariables>;
export const SiteEventsDocument = new TypedDocumentString(`
    subscription SiteEvents($filter: EventFilterInput) {
  newEvents(filter: $filter) {
    eventId
  }
}
    `) as unknown as TypedDocumentString<SiteEventsSubscription, SiteEventsSubscriptionVariables>;
export const SiteRetentionDocument = new TypedDocumentString(`
    query SiteRetention($containerId: String!) {
  adaptor(containerId: $containerId) {
    containerId
    retention {
      days
      expiredBefore
    }
  }
}
    `) as unknown as TypedDocumentString<SiteRetentionQuery, SiteRetentionQueryVariables>;
export const SetRetentionDocument = new TypedDocumentString(`
    mutation SetRetention($containerId: String!, $days: Int!) {
  setRetention(containerId: $containerId, days: $days) {
    days
    expiredBefore
  }
}
    `) as unknown as TypedDocumentString<SetRetentionMutation, SetRetentionMutationVariables>;
export const ClearRetentionDocument = new TypedDocumentString(`
    mutation ClearRetention($containerId: String!) {
  clearRetention(containerId: $containerId) {
    days
    expiredBefore
  }
}
    `) as unknown as TypedDocumentString<ClearRetentionMutation, ClearRetentionMutationVariables>;