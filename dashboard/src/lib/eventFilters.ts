/** The events explorer's filters, kept in the URL and turned into the API's EventFilterInput. */
import type { EventFilterInput } from '../gql/graphql';

export interface PropertyPair {
  key: string;
  value: string;
}

export interface EventFilters {
  schema: string | null;
  adaptor: string | null;
  type: string | null;
  /** datetime-local values (local time), e.g. 2025-01-31T14:05 */
  from: string | null;
  to: string | null;
  session: string | null;
  user: string | null;
  props: PropertyPair[];
}

export const EMPTY_FILTERS: EventFilters = { schema: null, adaptor: null, type: null, from: null, to: null, session: null, user: null, props: [] };
const SIMPLE = ['schema', 'adaptor', 'type', 'from', 'to', 'session', 'user'] as const;

export function parseEventFilters(params: URLSearchParams): EventFilters {
  const out: EventFilters = { ...EMPTY_FILTERS, props: [] };
  for (const key of SIMPLE) {
    const v = params.get(key);
    out[key] = v && v.trim() ? v : null;
  }
  for (const raw of params.getAll('prop')) {
    const at = raw.indexOf('=');
    if (at > 0) out.props.push({ key: raw.slice(0, at), value: raw.slice(at + 1) });
  }
  return out;
}

export function writeEventFilters(params: URLSearchParams, filters: EventFilters): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const key of [...SIMPLE, 'prop']) next.delete(key);
  for (const key of SIMPLE) {
    const v = filters[key];
    if (v) next.set(key, v);
  }
  for (const p of filters.props) if (p.key.trim()) next.append('prop', `${p.key.trim()}=${p.value}`);
  return next;
}

/**
 * A property value as typed: numbers, true/false/null and JSON objects/arrays are matched as
 * JSON; "quoted" text as that text; anything else as text.
 */
export function parsePropertyValue(raw: string): unknown {
  const text = raw.trim();
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (/^["{[]/.test(text)) {
    try {
      return JSON.parse(text);
    } catch {
      return raw;
    }
  }
  return raw;
}

export function localToIso(value: string | null): string | null {
  if (!value) return null;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

export function toEventFilterInput(f: EventFilters): EventFilterInput {
  const props: Record<string, unknown> = {};
  for (const p of f.props) if (p.key.trim()) props[p.key.trim()] = parsePropertyValue(p.value);
  return {
    schemaId: f.schema,
    adaptorId: f.adaptor,
    eventType: f.type,
    sessionId: f.session,
    userId: f.user,
    start: localToIso(f.from),
    end: localToIso(f.to),
    properties: Object.keys(props).length ? props : null,
  };
}

export function countActive(f: EventFilters): number {
  return SIMPLE.filter((k) => f[k]).length + f.props.filter((p) => p.key.trim()).length;
}
