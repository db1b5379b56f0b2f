/**
 * A site's alert rules, their firings and its e-mail report, as `/api/alerts/` and
 * `/api/adaptors/{id}/email-report` answer them; and where a firing falls on the top graph.
 */
import { nowStampIn } from './sitePeriod';

export type AlertKind = 'traffic' | 'goal_conversions' | 'rejected_events' | 'bots' | 'projection_lag';

export interface AlertRuleOut {
  id: string;
  site_id: string;
  settings: {
    kind: AlertKind;
    name: string;
    enabled: boolean;
    threshold: number;
    emails: string[];
    webhook_url: string | null;
    webhook_format: 'json' | 'slack';
    dedup_minutes: number;
    [setting: string]: unknown;
  };
  created_at: string;
  updated_at: string;
}

export interface FiringOut {
  id: number;
  rule_id: string;
  rule_name: string;
  kind: AlertKind;
  started_at: string;
  resolved_at: string | null;
  observed: number;
  expected: number | null;
  direction: string | null;
  summary: string;
}

export interface EmailReportOut {
  site_id: string;
  period: 'weekly' | 'monthly';
  recipients: string[];
  updated_at: string | null;
}

export const KINDS: Array<{ value: AlertKind; label: string; threshold: string; fallback: number }> = [
  { value: 'traffic', label: 'Traffic spike or drop', threshold: 'Sensitivity (MADs from the expected value)', fallback: 3 },
  { value: 'goal_conversions', label: "A goal's conversions below a floor", threshold: 'Floor (conversions in the window)', fallback: 1 },
  { value: 'rejected_events', label: 'Rejected events above a threshold', threshold: 'Rejected events in the window', fallback: 100 },
  { value: 'bots', label: 'Bot events above a threshold', threshold: 'Bot events today (UTC)', fallback: 1000 },
  { value: 'projection_lag', label: 'Projection lag above N seconds', threshold: 'Seconds behind', fallback: 60 },
];

export const rulesPath = (siteId: string) => `/api/alerts/?site_id=${encodeURIComponent(siteId)}`;
export const reportPath = (containerId: string) => `/api/adaptors/${encodeURIComponent(containerId)}/email-report`;

export function firingsPath(siteId: string, range: [string, string]): string {
  const query = new URLSearchParams({ site_id: siteId, from: range[0], to: range[1] });
  return `/api/alerts/firings?${query}`;
}

/** Addresses typed one a line, or separated by commas or spaces. */
export function addressList(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((a) => a.trim())
    .filter(Boolean);
}

/** The label of the graph's bucket (`time:hour`, `time:day`, `time:month`) a moment falls in. */
export function bucketOf(moment: string, timezone: string, interval: string): string {
  const stamp = nowStampIn(timezone, new Date(moment));
  if (interval === 'time:hour') return `${stamp.slice(0, 13)}:00:00`;
  if (interval === 'time:month') return `${stamp.slice(0, 7)}-01`;
  return stamp.slice(0, 10);
}

export interface GraphMark {
  label: string;
  text: string;
}

/** A mark per firing, on the bucket it started in: what the graph and its table show. */
export function graphMarks(firings: FiringOut[], timezone: string, interval: string): GraphMark[] {
  return firings.map((f) => ({
    label: bucketOf(f.started_at, timezone, interval),
    text: `${f.rule_name}${f.direction ? ` (${f.direction})` : ''}: ${f.summary}${f.resolved_at ? '' : ' Still firing.'}`,
  }));
}
