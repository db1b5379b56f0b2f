/** The top graph's metrics: their names, how their values and changes read, and which way is good. */
import { formatNumber } from './format';
import type { GraphMetric } from './siteState';

export interface MetricSpec {
  metric: GraphMetric;
  label: string;
  format: (value: number) => string;
  /** Bounce rate: a rise is bad news. */
  lowerIsBetter?: boolean;
  /** Bounce rate's change is a difference of percentages (points), the others' a relative change (%). */
  changeInPoints?: boolean;
}

/** "42s", "3m 05s", "1h 02m": Plausible's way of writing a visit's length. */
export function formatVisitDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3_600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  return `${Math.floor(s / 3_600)}h ${pad(Math.floor((s % 3_600) / 60))}m`;
}

export const METRICS: MetricSpec[] = [
  { metric: 'visitors', label: 'Unique visitors', format: formatNumber },
  { metric: 'visits', label: 'Total visits', format: formatNumber },
  { metric: 'pageviews', label: 'Total pageviews', format: formatNumber },
  { metric: 'bounce_rate', label: 'Bounce rate', format: (v) => `${formatNumber(v)}%`, lowerIsBetter: true, changeInPoints: true },
  { metric: 'visit_duration', label: 'Visit duration', format: formatVisitDuration },
];

export function metricSpec(metric: GraphMetric): MetricSpec {
  return METRICS.find((m) => m.metric === metric)!;
}

export type ChangeTone = 'good' | 'bad' | 'flat';

/** How a change reads: its direction as good or bad news, and its text ("150%", "3 pp"). */
export function describeChange(spec: MetricSpec, change: number): { tone: ChangeTone; text: string; spoken: string } {
  const size = formatNumber(Math.abs(change));
  const text = spec.changeInPoints ? `${size} pp` : `${size}%`;
  const unit = spec.changeInPoints ? `${size} percentage points` : `${size}%`;
  if (change === 0) return { tone: 'flat', text, spoken: 'unchanged from the previous period' };
  const up = change > 0;
  return {
    tone: up !== !!spec.lowerIsBetter ? 'good' : 'bad',
    text,
    spoken: `${up ? 'up' : 'down'} ${unit} from the previous period`,
  };
}
