/**
 * Who asks the Stats API for a site dashboard: the signed-in user (GraphQL with the session's
 * token; current visitors pushed over the WebSocket), or a shared link's reader (its own
 * token, see sharedAccess.ts; current visitors asked every ten seconds, as a shared link's
 * token opens no WebSocket). The dashboard's components take it from the context.
 */
import { createContext, useContext } from 'react';
import { gql } from './http';
import { CurrentVisitorsQuery, WebStatsQuery } from './queries';
import type { StatsAnswer, StatsQuery } from './statsApi';

export interface StatsClient {
  /** Tells the readers' cached answers apart. */
  key: string;
  query(query: StatsQuery): Promise<StatsAnswer>;
  currentVisitors(siteId: string): Promise<number>;
  /** Whether current visitors can be pushed (a subscription) rather than asked for. */
  canSubscribe: boolean;
}

export const sessionStatsClient: StatsClient = {
  key: 'session',
  query: async (query) => (await gql(WebStatsQuery, { query })).webStats as StatsAnswer,
  currentVisitors: async (siteId) => (await gql(CurrentVisitorsQuery, { siteId })).currentVisitors,
  canSubscribe: true,
};

export const StatsClientContext = createContext<StatsClient | null>(null);

export function useStatsClient(): StatsClient {
  const client = useContext(StatsClientContext);
  if (!client) throw new Error('useStatsClient needs a StatsClientContext provider');
  return client;
}
