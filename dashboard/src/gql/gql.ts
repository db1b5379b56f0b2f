/* eslint-disable */
import * as types from './graphql';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment StatsTotals on Stats {\n    totalEvents\n    pageViews\n    clicks\n    uniqueSessions\n    uniqueUsers\n  }\n": typeof types.StatsTotalsFragmentDoc,
    "\n  fragment StatsBreakdown on Stats {\n    ...StatsTotals\n    eventsByType {\n      key\n      count\n    }\n    eventsByAdaptor {\n      key\n      count\n    }\n    start\n    end\n  }\n": typeof types.StatsBreakdownFragmentDoc,
    "\n  fragment EventFields on Event {\n    eventId\n    schemaId\n    containerId\n    eventType\n    userId\n    sessionId\n    timestamp\n    receivedAt\n    properties\n    metadata\n    visitorId\n    url\n    hostname\n    path\n    referrer\n    source\n    channel\n    utmSource\n    utmMedium\n    utmCampaign\n    utmContent\n    utmTerm\n    browser\n    browserVersion\n    os\n    osVersion\n    device\n    screenWidth\n    country\n    region\n    city\n  }\n": typeof types.EventFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      username\n      role\n    }\n  }\n": typeof types.MeDocument,
    "\n  query OverviewStats($filter: StatsInput) {\n    stats(filter: $filter) {\n      ...StatsBreakdown\n    }\n  }\n": typeof types.OverviewStatsDocument,
    "\n  query PreviousStats($filter: StatsInput) {\n    stats(filter: $filter) {\n      ...StatsTotals\n    }\n  }\n": typeof types.PreviousStatsDocument,
    "\n  subscription LiveStats($filter: StatsInput) {\n    liveStats(filter: $filter) {\n      ...StatsBreakdown\n    }\n  }\n": typeof types.LiveStatsDocument,
    "\n  query TimeSeries($resolution: Resolution!, $filter: StatsInput) {\n    timeSeries(resolution: $resolution, filter: $filter) {\n      bucket\n      count\n    }\n  }\n": typeof types.TimeSeriesDocument,
    "\n  query Top($filter: StatsInput, $limit: Int!) {\n    topPages(filter: $filter, limit: $limit) {\n      key\n      count\n    }\n    topLinks(filter: $filter, limit: $limit) {\n      key\n      count\n    }\n  }\n": typeof types.TopDocument,
    "\n  query Catalog {\n    schemas(includeRetired: true) {\n      name\n      isActive\n      eventTypes {\n        name\n      }\n    }\n    adaptors {\n      containerId\n      name\n      schemaId\n      isActive\n    }\n  }\n": typeof types.CatalogDocument,
    "\n  query Events($filter: EventFilterInput, $limit: Int!, $cursor: String) {\n    events(filter: $filter, limit: $limit, cursor: $cursor) {\n      items {\n        ...EventFields\n      }\n      nextCursor\n    }\n  }\n": typeof types.EventsDocument,
    "\n  subscription NewEvents($filter: EventFilterInput) {\n    newEvents(filter: $filter) {\n      ...EventFields\n    }\n  }\n": typeof types.NewEventsDocument,
    "\n  query Schemas($includeRetired: Boolean!) {\n    schemas(includeRetired: $includeRetired) {\n      name\n      description\n      version\n      isActive\n      createdAt\n      updatedAt\n      eventTypes {\n        name\n        jsonSchema\n      }\n    }\n  }\n": typeof types.SchemasDocument,
    "\n  query SchemaVersions($name: String!) {\n    schemaVersions(name: $name) {\n      version\n      description\n      eventTypes\n      recordedAt\n    }\n  }\n": typeof types.SchemaVersionsDocument,
    "\n  query Adaptors {\n    adaptors {\n      containerId\n      name\n      schemaId\n      websiteUrls\n      allowedOrigins\n      description\n      isActive\n      createdAt\n      updatedAt\n      timezone\n      lastSeenAt\n      eventsLastHour\n      snippet\n      inlineSnippet\n    }\n  }\n": typeof types.AdaptorsDocument,
    "\n  query Pipeline($rateFilter: StatsInput) {\n    timeSeries(resolution: MINUTE, filter: $rateFilter) {\n      bucket\n      count\n    }\n  }\n": typeof types.PipelineDocument,
    "\n  query PipelineHealth {\n    databaseHealth {\n      available\n      problem\n    }\n    projectionLag {\n      projection\n      eventsBehind\n      secondsBehind\n      lastAppliedAt\n    }\n  }\n": typeof types.PipelineHealthDocument,
    "\n  query RejectedEvents($schemaId: String, $reason: String, $limit: Int!, $cursor: String) {\n    rejectedEvents(schemaId: $schemaId, reason: $reason, limit: $limit, cursor: $cursor) {\n      items {\n        eventId\n        schemaId\n        containerId\n        eventType\n        receivedAt\n        reasons {\n          code\n          message\n        }\n        payload\n        reprocessed\n      }\n      nextCursor\n    }\n  }\n": typeof types.RejectedEventsDocument,
    "\n  query Users {\n    users {\n      username\n      role\n    }\n  }\n": typeof types.UsersDocument,
    "\n  query ReplayStatus {\n    replayStatus {\n      projection\n      state\n      eventsDone\n      eventsTotal\n      rate\n      etaSeconds\n      startedAt\n      finishedAt\n    }\n  }\n": typeof types.ReplayStatusDocument,
    "\n  query Site($containerId: String!) {\n    adaptor(containerId: $containerId) {\n      containerId\n      name\n      websiteUrls\n      timezone\n      isActive\n    }\n  }\n": typeof types.SiteDocument,
    "\n  query WebStats($query: JSON!) {\n    webStats(query: $query)\n  }\n": typeof types.WebStatsDocument,
    "\n  query CurrentVisitors($siteId: String!) {\n    currentVisitors(siteId: $siteId)\n  }\n": typeof types.CurrentVisitorsDocument,
    "\n  subscription LiveCurrentVisitors($siteId: String!) {\n    currentVisitors(siteId: $siteId)\n  }\n": typeof types.LiveCurrentVisitorsDocument,
    "\n  subscription SiteEvents($filter: EventFilterInput) {\n    newEvents(filter: $filter) {\n      eventId\n    }\n  }\n": typeof types.SiteEventsDocument,
    "\n  query SiteRetention($containerId: String!) {\n    adaptor(containerId: $containerId) {\n      containerId\n      retention {\n        days\n        expiredBefore\n      }\n    }\n  }\n": typeof types.SiteRetentionDocument,
    "\n  mutation SetRetention($containerId: String!, $days: Int!) {\n    setRetention(containerId: $containerId, days: $days) {\n      days\n      expiredBefore\n    }\n  }\n": typeof types.SetRetentionDocument,
    "\n  mutation ClearRetention($containerId: String!) {\n    clearRetention(containerId: $containerId) {\n      days\n      expiredBefore\n    }\n  }\n": typeof types.ClearRetentionDocument,
};
const documents: Documents = {
    "\n  fragment StatsTotals on Stats {\n    totalEvents\n    pageViews\n    clicks\n    uniqueSessions\n    uniqueUsers\n  }\n": types.StatsTotalsFragmentDoc,
    "\n  fragment StatsBreakdown on Stats {\n    ...StatsTotals\n    eventsByType {\n      key\n      count\n    }\n    eventsByAdaptor {\n      key\n      count\n    }\n    start\n    end\n  }\n": types.StatsBreakdownFragmentDoc,
    "\n  fragment EventFields on Event {\n    eventId\n    schemaId\n    containerId\n    eventType\n    userId\n    sessionId\n    timestamp\n    receivedAt\n    properties\n    metadata\n    visitorId\n    url\n    hostname\n    path\n    referrer\n    source\n    channel\n    utmSource\n    utmMedium\n    utmCampaign\n    utmContent\n    utmTerm\n    browser\n    browserVersion\n    os\n    osVersion\n    device\n    screenWidth\n    country\n    region\n    city\n  }\n": types.EventFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      username\n      role\n    }\n  }\n": types.MeDocument,
    "\n  query OverviewStats($filter: StatsInput) {\n    stats(filter: $filter) {\n      ...StatsBreakdown\n    }\n  }\n": types.OverviewStatsDocument,
    "\n  query PreviousStats($filter: StatsInput) {\n    stats(filter: $filter) {\n      ...StatsTotals\n    }\n  }\n": types.PreviousStatsDocument,
    "\n  subscription LiveStats($filter: StatsInput) {\n    liveStats(filter: $filter) {\n      ...StatsBreakdown\n    }\n  }\n": types.LiveStatsDocument,
    "\n  query TimeSeries($resolution: Resolution!, $filter: StatsInput) {\n    timeSeries(resolution: $resolution, filter: $filter) {\n      bucket\n      count\n    }\n  }\n": types.TimeSeriesDocument,
    "\n  query Top($filter: StatsInput, $limit: Int!) {\n    topPages(filter: $filter, limit: $limit) {\n      key\n      count\n    }\n    topLinks(filter: $filter, limit: $limit) {\n      key\n      count\n    }\n  }\n": types.TopDocument,
    "\n  query Catalog {\n    schemas(includeRetired: true) {\n      name\n      isActive\n      eventTypes {\n        name\n      }\n    }\n    adaptors {\n      containerId\n      name\n      schemaId\n      isActive\n    }\n  }\n": types.CatalogDocument,
    "\n  query Events($filter: EventFilterInput, $limit: Int!, $cursor: String) {\n    events(filter: $filter, limit: $limit, cursor: $cursor) {\n      items {\n        ...EventFields\n      }\n      nextCursor\n    }\n  }\n": types.EventsDocument,
    "\n  subscription NewEvents($filter: EventFilterInput) {\n    newEvents(filter: $filter) {\n      ...EventFields\n    }\n  }\n": types.NewEventsDocument,
    "\n  query Schemas($includeRetired: Boolean!) {\n    schemas(includeRetired: $includeRetired) {\n      name\n      description\n      version\n      isActive\n      createdAt\n      updatedAt\n      eventTypes {\n        name\n        jsonSchema\n      }\n    }\n  }\n": types.SchemasDocument,
    "\n  query SchemaVersions($name: String!) {\n    schemaVersions(name: $name) {\n      version\n      description\n      eventTypes\n      recordedAt\n    }\n  }\n": types.SchemaVersionsDocument,
    "\n  query Adaptors {\n    adaptors {\n      containerId\n      name\n      schemaId\n      websiteUrls\n      allowedOrigins\n      description\n      isActive\n      createdAt\n      updatedAt\n      timezone\n      lastSeenAt\n      eventsLastHour\n      snippet\n      inlineSnippet\n    }\n  }\n": types.AdaptorsDocument,
    "\n  query Pipeline($rateFilter: StatsInput) {\n    timeSeries(resolution: MINUTE, filter: $rateFilter) {\n      bucket\n      count\n    }\n  }\n": types.PipelineDocument,
    "\n  query PipelineHealth {\n    databaseHealth {\n      available\n      problem\n    }\n    projectionLag {\n      projection\n      eventsBehind\n      secondsBehind\n      lastAppliedAt\n    }\n  }\n": types.PipelineHealthDocument,
    "\n  query RejectedEvents($schemaId: String, $reason: String, $limit: Int!, $cursor: String) {\n    rejectedEvents(schemaId: $schemaId, reason: $reason, limit: $limit, cursor: $cursor) {\n      items {\n        eventId\n        schemaId\n        containerId\n        eventType\n        receivedAt\n        reasons {\n          code\n          message\n        }\n        payload\n        reprocessed\n      }\n      nextCursor\n    }\n  }\n": types.RejectedEventsDocument,
    "\n  query Users {\n    users {\n      username\n      role\n    }\n  }\n": types.UsersDocument,
    "\n  query ReplayStatus {\n    replayStatus {\n      projection\n      state\n      eventsDone\n      eventsTotal\n      rate\n      etaSeconds\n      startedAt\n      finishedAt\n    }\n  }\n": types.ReplayStatusDocument,
    "\n  query Site($containerId: String!) {\n    adaptor(containerId: $containerId) {\n      containerId\n      name\n      websiteUrls\n      timezone\n      isActive\n    }\n  }\n": types.SiteDocument,
    "\n  query WebStats($query: JSON!) {\n    webStats(query: $query)\n  }\n": types.WebStatsDocument,
    "\n  query CurrentVisitors($siteId: String!) {\n    currentVisitors(siteId: $siteId)\n  }\n": types.CurrentVisitorsDocument,
    "\n  subscription LiveCurrentVisitors($siteId: String!) {\n    currentVisitors(siteId: $siteId)\n  }\n": types.LiveCurrentVisitorsDocument,
    "\n  subscription SiteEvents($filter: EventFilterInput) {\n    newEvents(filter: $filter) {\n      eventId\n    }\n  }\n": types.SiteEventsDocument,
    "\n  query SiteRetention($containerId: String!) {\n    adaptor(containerId: $containerId) {\n      containerId\n      retention {\n        days\n        expiredBefore\n      }\n    }\n  }\n": types.SiteRetentionDocument,
    "\n  mutation SetRetention($containerId: String!, $days: Int!) {\n    setRetention(containerId: $containerId, days: $days) {\n      days\n      expiredBefore\n    }\n  }\n": types.SetRetentionDocument,
    "\n  mutation ClearRetention($containerId: String!) {\n    clearRetention(containerId: $containerId) {\n      days\n      expiredBefore\n    }\n  }\n": types.ClearRetentionDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StatsTotals on Stats {\n    totalEvents\n    pageViews\n    clicks\n    uniqueSessions\n    uniqueUsers\n  }\n"): typeof import('./graphql').StatsTotalsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment StatsBreakdown on Stats {\n    ...StatsTotals\n    eventsByType {\n      key\n      count\n    }\n    eventsByAdaptor {\n      key\n      count\n    }\n    start\n    end\n  }\n"): typeof import('./graphql').StatsBreakdownFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment EventFields on Event {\n    eventId\n    schemaId\n    containerId\n    eventType\n    userId\n    sessionId\n    timestamp\n    receivedAt\n    properties\n    metadata\n    visitorId\n    url\n    hostname\n    path\n    referrer\n    source\n    channel\n    utmSource\n    utmMedium\n    utmCampaign\n    utmContent\n    utmTerm\n    browser\n    browserVersion\n    os\n    osVersion\n    device\n    screenWidth\n    country\n    region\n    city\n  }\n"): typeof import('./graphql').EventFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      username\n      role\n    }\n  }\n"): typeof import('./graphql').MeDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query OverviewStats($filter: StatsInput) {\n    stats(filter: $filter) {\n      ...StatsBreakdown\n    }\n  }\n"): typeof import('./graphql').OverviewStatsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PreviousStats($filter: StatsInput) {\n    stats(filter: $filter) {\n      ...StatsTotals\n    }\n  }\n"): typeof import('./graphql').PreviousStatsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveStats($filter: StatsInput) {\n    liveStats(filter: $filter) {\n      ...StatsBreakdown\n    }\n  }\n"): typeof import('./graphql').LiveStatsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query TimeSeries($resolution: Resolution!, $filter: StatsInput) {\n    timeSeries(resolution: $resolution, filter: $filter) {\n      bucket\n      count\n    }\n  }\n"): typeof import('./graphql').TimeSeriesDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Top($filter: StatsInput, $limit: Int!) {\n    topPages(filter: $filter, limit: $limit) {\n      key\n      count\n    }\n    topLinks(filter: $filter, limit: $limit) {\n      key\n      count\n    }\n  }\n"): typeof import('./graphql').TopDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Catalog {\n    schemas(includeRetired: true) {\n      name\n      isActive\n      eventTypes {\n        name\n      }\n    }\n    adaptors {\n      containerId\n      name\n      schemaId\n      isActive\n    }\n  }\n"): typeof import('./graphql').CatalogDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Events($filter: EventFilterInput, $limit: Int!, $cursor: String) {\n    events(filter: $filter, limit: $limit, cursor: $cursor) {\n      items {\n        ...EventFields\n      }\n      nextCursor\n    }\n  }\n"): typeof import('./graphql').EventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription NewEvents($filter: EventFilterInput) {\n    newEvents(filter: $filter) {\n      ...EventFields\n    }\n  }\n"): typeof import('./graphql').NewEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Schemas($includeRetired: Boolean!) {\n    schemas(includeRetired: $includeRetired) {\n      name\n      description\n      version\n      isActive\n      createdAt\n      updatedAt\n      eventTypes {\n        name\n        jsonSchema\n      }\n    }\n  }\n"): typeof import('./graphql').SchemasDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SchemaVersions($name: String!) {\n    schemaVersions(name: $name) {\n      version\n      description\n      eventTypes\n      recordedAt\n    }\n  }\n"): typeof import('./graphql').SchemaVersionsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Adaptors {\n    adaptors {\n      containerId\n      name\n      schemaId\n      websiteUrls\n      allowedOrigins\n      description\n      isActive\n      createdAt\n      updatedAt\n      timezone\n      lastSeenAt\n      eventsLastHour\n      snippet\n      inlineSnippet\n    }\n  }\n"): typeof import('./graphql').AdaptorsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Pipeline($rateFilter: StatsInput) {\n    timeSeries(resolution: MINUTE, filter: $rateFilter) {\n      bucket\n      count\n    }\n  }\n"): typeof import('./graphql').PipelineDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query PipelineHealth {\n    databaseHealth {\n      available\n      problem\n    }\n    projectionLag {\n      projection\n      eventsBehind\n      secondsBehind\n      lastAppliedAt\n    }\n  }\n"): typeof import('./graphql').PipelineHealthDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query RejectedEvents($schemaId: String, $reason: String, $limit: Int!, $cursor: String) {\n    rejectedEvents(schemaId: $schemaId, reason: $reason, limit: $limit, cursor: $cursor) {\n      items {\n        eventId\n        schemaId\n        containerId\n        eventType\n        receivedAt\n        reasons {\n          code\n          message\n        }\n        payload\n        reprocessed\n      }\n      nextCursor\n    }\n  }\n"): typeof import('./graphql').RejectedEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Users {\n    users {\n      username\n      role\n    }\n  }\n"): typeof import('./graphql').UsersDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query ReplayStatus {\n    replayStatus {\n      projection\n      state\n      eventsDone\n      eventsTotal\n      rate\n      etaSeconds\n      startedAt\n      finishedAt\n    }\n  }\n"): typeof import('./graphql').ReplayStatusDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Site($containerId: String!) {\n    adaptor(containerId: $containerId) {\n      containerId\n      name\n      websiteUrls\n      timezone\n      isActive\n    }\n  }\n"): typeof import('./graphql').SiteDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query WebStats($query: JSON!) {\n    webStats(query: $query)\n  }\n"): typeof import('./graphql').WebStatsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query CurrentVisitors($siteId: String!) {\n    currentVisitors(siteId: $siteId)\n  }\n"): typeof import('./graphql').CurrentVisitorsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription LiveCurrentVisitors($siteId: String!) {\n    currentVisitors(siteId: $siteId)\n  }\n"): typeof import('./graphql').LiveCurrentVisitorsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SiteEvents($filter: EventFilterInput) {\n    newEvents(filter: $filter) {\n      eventId\n    }\n  }\n"): typeof import('./graphql').SiteEventsDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query SiteRetention($containerId: String!) {\n    adaptor(containerId: $containerId) {\n      containerId\n      retention {\n        days\n        expiredBefore\n      }\n    }\n  }\n"): typeof import('./graphql').SiteRetentionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation SetRetention($containerId: String!, $days: Int!) {\n    setRetention(containerId: $containerId, days: $days) {\n      days\n      expiredBefore\n    }\n  }\n"): typeof import('./graphql').SetRetentionDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ClearRetention($containerId: String!) {\n    clearRetention(containerId: $containerId) {\n      days\n      expiredBefore\n    }\n  }\n"): typeof import('./graphql').ClearRetentionDocument;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
