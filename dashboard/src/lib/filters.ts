/** The overview's state in the URL query string, so a view can be shared by its link. */
import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import { isPreset, type RangeSelection } from './range';

export interface OverviewFilters {
  schema: string | null;
  adaptor: string | null;
  type: string | null;
}

export interface OverviewState {
  range: RangeSelection;
  filters: OverviewFilters;
}

export const DEFAULT_RANGE: RangeSelection = { kind: '24h' };

export function parseOverview(params: URLSearchParams): OverviewState {
  const raw = params.get('range');
  let range: RangeSelection = DEFAULT_RANGE;
  if (isPreset(raw)) range = { kind: raw };
  else if (raw === 'custom') range = { kind: 'custom', from: params.get('from') ?? undefined, to: params.get('to') ?? undefined };
  const value = (key: string) => {
    const v = params.get(key);
    return v && v.trim() ? v : null;
  };
  return { range, filters: { schema: value('schema'), adaptor: value('adaptor'), type: value('type') } };
}

/** Writes the state into `params` (a copy), leaving unrelated parameters alone. */
export function writeOverview(params: URLSearchParams, state: OverviewState): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const key of ['range', 'from', 'to', 'schema', 'adaptor', 'type']) next.delete(key);
  if (state.range.kind !== DEFAULT_RANGE.kind) next.set('range', state.range.kind);
  if (state.range.kind === 'custom') {
    if (state.range.from) next.set('from', state.range.from);
    if (state.range.to) next.set('to', state.range.to);
  }
  if (state.filters.schema) next.set('schema', state.filters.schema);
  if (state.filters.adaptor) next.set('adaptor', state.filters.adaptor);
  if (state.filters.type) next.set('type', state.filters.type);
  return next;
}

export interface OverviewChange {
  range?: RangeSelection;
  filters?: Partial<OverviewFilters>;
}

export function useOverviewState(): [OverviewState, (change: OverviewChange) => void] {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => parseOverview(params), [params]);
  const update = useCallback(
    (change: OverviewChange) => {
      setParams(
        (prev) => {
          const base = parseOverview(prev);
          return writeOverview(prev, {
            range: change.range ?? base.range,
            filters: { ...base.filters, ...(change.filters ?? {}) },
          });
        },
        { replace: true },
      );
    },
    [setParams],
  );
  return [state, update];
}
