/** The top graph: the chosen metric over the period, the previous period dashed behind it. */
import { Area, CartesianGrid, ComposedChart, Line, ReferenceDot, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { GraphMark } from '../../lib/alerts';
import type { MetricSpec } from '../../lib/siteMetrics';
import { bucketLabel } from '../../lib/sitePeriod';
import type { StatsAnswer } from '../../lib/statsApi';
import { useChartColors } from '../../lib/chartColors';
import { ChartFigure } from '../ChartData';

export interface GraphPoint {
  label: string;
  value: number | null;
  previous: number | null;
  previousLabel: string | null;
}

/**
 * Every bucket the API named (`time_labels`), with its value and the previous period's; the
 * buckets after `nowStamp` (the rest of this month, of today) have no value yet.
 */
export function graphPoints(answer: StatsAnswer, nowStamp: string): GraphPoint[] {
  const rows = new Map(answer.results.map((row) => [row.dimensions[0], row]));
  const labels = answer.meta.time_labels ?? answer.results.map((row) => row.dimensions[0]);
  return labels.map((label) => {
    const row = rows.get(label);
    const future = label > nowStamp;
    const previous = row?.comparison?.metrics[0];
    return {
      label,
      value: future ? null : typeof row?.metrics[0] === 'number' ? row.metrics[0] : 0,
      previous: typeof previous === 'number' ? previous : null,
      previousLabel: row?.comparison?.dimensions[0] ?? null,
    };
  });
}

function summary(spec: MetricSpec, points: GraphPoint[], interval: string): string {
  const known = points.filter((p) => p.value !== null);
  const unit = interval.replace('time:', '');
  if (known.length === 0) return `${spec.label} per ${unit}: no values yet`;
  const top = known.reduce((best, p) => ((p.value ?? 0) > (best.value ?? 0) ? p : best));
  return `${spec.label} per ${unit}, ${points.length} points from ${bucketLabel(points[0].label, interval, true)} to ${bucketLabel(points[points.length - 1].label, interval, true)}; highest ${spec.format(top.value ?? 0)} on ${bucketLabel(top.label, interval, true)}`;
}

function bucketHeader(interval: string): string {
  const unit = interval.replace('time:', '');
  return unit.charAt(0).toUpperCase() + unit.slice(1);
}

const ALERT_COLOUR = '#e11d48';

/** The alerts that fired in the period: a dot on the graph each, and the same in words. */
function marksOn(points: GraphPoint[], marks: GraphMark[]): GraphMark[] {
  const labels = new Set(points.map((p) => p.label));
  return marks.filter((m) => labels.has(m.label));
}

export function SiteGraph({ spec, points, interval, height = 260, marks = [] }: { spec: MetricSpec; points: GraphPoint[]; interval: string; height?: number; marks?: GraphMark[] }) {
  const colors = useChartColors();
  const shown = marksOn(points, marks);
  const marked = new Map<string, string[]>();
  for (const mark of shown) marked.set(mark.label, [...(marked.get(mark.label) ?? []), mark.text]);
  const color = colors.primary;
  const fill = `site-graph-fill-${colors.dark ? 'dark' : 'light'}`;
  const hasPrevious = points.some((p) => p.previous !== null);
  const format = (value: number | null) => (value === null ? '—' : spec.format(value));
  return (
    <>
    <ChartFigure
      className="w-full"
      summary={summary(spec, points, interval)}
      columns={[bucketHeader(interval), spec.label, ...(hasPrevious ? ['Previous period'] : []), ...(shown.length ? ['Alerts'] : [])]}
      rows={points.map((p) => [
        bucketLabel(p.label, interval, true),
        format(p.value),
        ...(hasPrevious ? [format(p.previous)] : []),
        ...(shown.length ? [(marked.get(p.label) ?? []).join(' ')] : []),
      ])}
      data-testid="site-graph"
      data-points={points.length}
    >
      <div style={{ height }} className="w-full">
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -8 }} accessibilityLayer={false}>
            <defs>
              <linearGradient id={fill} x1="0" y1="0" x2="0" y2="1">
                <stop offset="0%" stopColor={color} stopOpacity={colors.dark ? 0.35 : 0.25} />
                <stop offset="100%" stopColor={color} stopOpacity={0} />
              </linearGradient>
            </defs>
            <CartesianGrid stroke={colors.grid} vertical={false} />
            <XAxis dataKey="label" tickFormatter={(label: string) => bucketLabel(label, interval)} tick={{ fill: colors.axis, fontSize: 11 }} axisLine={false} tickLine={false} minTickGap={28} />
            <YAxis allowDecimals={false} tickFormatter={(v: number) => spec.format(v)} tick={{ fill: colors.axis, fontSize: 11 }} axisLine={false} tickLine={false} width={56} />
            <Tooltip
              cursor={{ stroke: colors.axis, strokeDasharray: '3 3' }}
              labelFormatter={(label) => (typeof label === 'string' ? bucketLabel(label, interval, true) : label)}
              formatter={(value, name, item) => {
                const point = item.payload as GraphPoint;
                if (name === 'previous') return [spec.format(Number(value)), point.previousLabel ? `Previous period (${bucketLabel(point.previousLabel, interval, true)})` : 'Previous period'];
                return [spec.format(Number(value)), spec.label];
              }}
              contentStyle={{
                background: colors.tooltipBackground,
                border: `1px solid ${colors.tooltipBorder}`,
                borderRadius: 10,
                fontSize: 12,
                boxShadow: '0 8px 24px rgb(15 23 42 / 0.12)',
              }}
              labelStyle={{ color: colors.tooltipLabel, marginBottom: 2 }}
              itemStyle={{ color: colors.tooltipText }}
            />
            {hasPrevious && <Line type="monotone" dataKey="previous" name="previous" stroke={colors.previous} strokeWidth={1.5} strokeDasharray="4 4" dot={false} isAnimationActive={false} />}
            <Area type="monotone" dataKey="value" name="value" stroke={color} strokeWidth={2} fill={`url(#${fill})`} isAnimationActive={false} dot={false} activeDot={{ r: 4 }} connectNulls={false} />
            {[...marked.keys()].map((label) => (
              <ReferenceDot key={label} x={label} y={points.find((p) => p.label === label)?.value ?? 0} r={5} fill={ALERT_COLOUR} stroke={colors.tooltipBackground} strokeWidth={2} ifOverflow="extendDomain" />
            ))}
          </ComposedChart>
        </ResponsiveContainer>
      </div>
    </ChartFigure>
      {shown.length > 0 && (
        <ul className="mt-3 space-y-1 text-[13px] text-gray-700 dark:text-gray-300" aria-label="Alerts in this period" data-testid="graph-alerts">
          {shown.map((mark, index) => (
            <li key={index} className="flex gap-2">
              <span aria-hidden className="mt-1.5 inline-block h-2 w-2 shrink-0 rounded-full" style={{ background: ALERT_COLOUR }} />
              <span>
                <span className="font-medium">{bucketLabel(mark.label, interval, true)}:</span> {mark.text}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
