/**
 * Every GraphQL operation the dashboard sends. `npm run codegen` types them from
 * docs/schema.graphql into src/gql/.
 */
import { graphql } from '../gql';

/** Selections several operations share, written once. */
export const StatsTotalsFragment = graphql(`
  fragment StatsTotals on Stats {
    totalEvents
    pageViews
    clicks
    uniqueSessions
    uniqueUsers
  }
`);

export const StatsBreakdownFragment = graphql(`
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
`);

export const EventFieldsFragment = graphql(`
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
`);

export const MeQuery = graphql(`
  query Me {
    me {
      username
      role
    }
  }
`);

export const OverviewStatsQuery = graphql(`
  query OverviewStats($filter: StatsInput) {
    stats(filter: $filter) {
      ...StatsBreakdown
    }
  }
`);

export const PreviousStatsQuery = graphql(`
  query PreviousStats($filter: StatsInput) {
    stats(filter: $filter) {
      ...StatsTotals
    }
  }
`);

export const LiveStatsSubscription = graphql(`
  subscription LiveStats($filter: StatsInput) {
    liveStats(filter: $filter) {
      ...StatsBreakdown
    }
  }
`);

export const TimeSeriesQuery = graphql(`
  query TimeSeries($resolution: Resolution!, $filter: StatsInput) {
    timeSeries(resolution: $resolution, filter: $filter) {
      bucket
      count
    }
  }
`);

export const TopQuery = graphql(`
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
`);

export const CatalogQuery = graphql(`
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
`);

export const EventsQuery = graphql(`
  query Events($filter: EventFilterInput, $limit: Int!, $cursor: String) {
    events(filter: $filter, limit: $limit, cursor: $cursor) {
      items {
        ...EventFields
      }
      nextCursor
    }
  }
`);

export const NewEventsSubscription = graphql(`
  subscription NewEvents($filter: EventFilterInput) {
    newEvents(filter: $filter) {
      ...EventFields
    }
  }
`);

export const SchemasQuery = graphql(`
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
`);

export const SchemaVersionsQuery = graphql(`
  query SchemaVersions($name: String!) {
    schemaVersions(name: $name) {
      version
      description
      eventTypes
      recordedAt
    }
  }
`);

export const AdaptorsQuery = graphql(`
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
`);

export const PipelineQuery = graphql(`
  query Pipeline($rateFilter: StatsInput) {
    timeSeries(resolution: MINUTE, filter: $rateFilter) {
      bucket
      count
    }
  }
`);

// Apart from the ingest rate: while the database is away (Kafka mode) the lag is still
// measured, and the rate's query fails.
export const PipelineHealthQuery = graphql(`
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
`);

export const RejectedEventsQuery = graphql(`
  query RejectedEvents($schemaId: String, $reason: String, $limit: Int!, $cursor: String) {
    rejectedEvents(schemaId: $schemaId, reason: $reason, limit: $limit, cursor: $cursor) {
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
`);

export const UsersQuery = graphql(`
  query Users {
    users {
      username
      role
    }
  }
`);

export const ReplayStatusQuery = graphql(`
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
`);

/** A site's name, addresses and time zone, for its dashboard. */
export const SiteQuery = graphql(`
  query Site($containerId: String!) {
    adaptor(containerId: $containerId) {
      containerId
      name
      websiteUrls
      timezone
      isActive
    }
  }
`);

/** Plausible's Stats API v2 query; the answer is its JSON (lib/statsApi.ts types it). */
export const WebStatsQuery = graphql(`
  query WebStats($query: JSON!) {
    webStats(query: $query)
  }
`);

export const CurrentVisitorsQuery = graphql(`
  query CurrentVisitors($siteId: String!) {
    currentVisitors(siteId: $siteId)
  }
`);

export const CurrentVisitorsSubscription = graphql(`
  subscription LiveCurrentVisitors($siteId: String!) {
    currentVisitors(siteId: $siteId)
  }
`);

/** That a site's events arrived (the site dashboard asks its stats again). */
export const SiteEventsSubscription = graphql(`
  subscription SiteEvents($filter: EventFilterInput) {
    newEvents(filter: $filter) {
      eventId
    }
  }
`);

/** How long a site's tracked events are kept (days null: forever); admins set and clear it. */
export const SiteRetentionQuery = graphql(`
  query SiteRetention($containerId: String!) {
    adaptor(containerId: $containerId) {
      containerId
      retention {
        days
        expiredBefore
      }
    }
  }
`);

export const SetRetentionMutation = graphql(`
  mutation SetRetention($containerId: String!, $days: Int!) {
    setRetention(containerId: $containerId, days: $days) {
      days
      expiredBefore
    }
  }
`);

export const ClearRetentionMutation = graphql(`
  mutation ClearRetention($containerId: String!) {
    clearRetention(containerId: $containerId) {
      days
      expiredBefore
    }
  }
`);
