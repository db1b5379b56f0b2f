/**
 * The site dashboard's view in the URL's query string: the period (`period`, `from`, `to`),
 * the filters (`f`, see siteFilters.ts) and the graphed metric (`graph`). A new period or
 * filter is a new history entry, so Back undoes it; the fragment is kept (a shared link's
 * token lives there).
 */
import { useCallback, useMemo } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { formatFilter, parseFilters, type SiteFilter } from './siteFilters';
import { DEFAULT_PERIOD, isPeriodPreset, type SitePeriod } from './sitePeriod';

export type GraphMetric = 'visitors' | 'visits' | 'pageviews' | 'bounce_rate' | 'visit_duration';

const GRAPH_METRICS: GraphMetric[] = ['visitors', 'visits', 'pageviews', 'bounce_rate', 'visit_duration'];

export interface SiteState {
  period: SitePeriod;
  filters: SiteFilter[];
  graph: GraphMetric;
}

const OWN_KEYS = ['period', 'from', 'to', 'f', 'graph'];

export function parseSiteState(params: URLSearchParams): SiteState {
  const raw = params.get('period');
  let period: SitePeriod = DEFAULT_PERIOD;
  if (isPeriodPreset(raw)) period = { kind: raw };
  else if (raw === 'custom') period = { kind: 'custom', from: params.get('from') ?? undefined, to: params.get('to') ?? undefined };
  const graph = params.get('graph');
  return {
    period,
    filters: parseFilters(params),
    graph: GRAPH_METRICS.includes(graph as GraphMetric) ? (graph as GraphMetric) : 'visitors',
  };
}

/** Writes `state` into a copy of `params`, leaving other parameters alone; defaults are left out. */
export function writeSiteState(params: URLSearchParams, state: SiteState): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const key of OWN_KEYS) next.delete(key);
  if (state.period.kind !== DEFAULT_PERIOD.kind) next.set('period', state.period.kind);
  if (state.period.kind === 'custom') {
    if (state.period.from) next.set('from', state.period.from);
    if (state.period.to) next.set('to', state.period.to);
  }
  for (const filter of state.filters) next.append('f', formatFilter(filter));
  if (state.graph !== 'visitors') next.set('graph', state.graph);
  return next;
}

export type SiteStateChange = Partial<SiteState>;

export function useSiteState(): [SiteState, (change: SiteStateChange, options?: { replace?: boolean }) => void] {
  const location = useLocation();
  const navigate = useNavigate();
  const state = useMemo(() => parseSiteState(new URLSearchParams(location.search)), [location.search]);
  const update = useCallback(
    (change: SiteStateChange, options: { replace?: boolean } = {}) => {
      const params = writeSiteState(new URLSearchParams(location.search), { ...state, ...change });
      const search = params.toString();
      navigate({ pathname: location.pathname, search: search ? `?${search}` : '', hash: location.hash }, { replace: options.replace ?? false });
    },
    [location.pathname, location.search, location.hash, navigate, state],
  );
  return [state, update];
}
