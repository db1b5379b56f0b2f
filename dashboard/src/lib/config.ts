/** Deployment settings: `window.EVENTLENS_GRAFANA_URL` (dist/config.js) or VITE_GRAFANA_URL. */
declare global {
  interface Window {
    EVENTLENS_GRAFANA_URL?: string;
  }
}

export function grafanaUrl(): string | null {
  const fromWindow = typeof window !== 'undefined' ? window.EVENTLENS_GRAFANA_URL : undefined;
  const value = (fromWindow || (import.meta.env.VITE_GRAFANA_URL as string | undefined) || '').trim();
  return value ? value.replace(/\/+$/, '') : null;
}

/**
 * A link to the configured Grafana dashboard for a time range (Grafana's `from`/`to`, in ms) and
 * the overview's filters as dashboard variables (`var-schema`, `var-adaptor`, `var-event_type`).
 */
export function grafanaLink(
  base: string,
  start: Date,
  end: Date,
  vars: Record<string, string | null | undefined> = {},
): string {
  const url = new URL(base, window.location.origin);
  url.searchParams.set('from', String(start.getTime()));
  url.searchParams.set('to', String(end.getTime()));
  for (const [k, v] of Object.entries(vars)) if (v) url.searchParams.set(`var-${k}`, v);
  return url.toString();
}
