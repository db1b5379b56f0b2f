import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useChartColors } from '../lib/chartColors';
import { formatCompact, formatNumber } from '../lib/format';
import type { Resolution } from '../lib/range';
import { ChartFigure } from './ChartData';

export function tickFormatter(resolution: Resolution, multiDay: boolean) {
  return (iso: string) => {
    const d = new Date(iso);
    if (resolution === 'DAY') return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
    if (resolution === 'HOUR' && multiDay) return d.toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
    return d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  };
}

function tooltipLabel(resolution: Resolution) {
  return (iso: string) => {
    const d = new Date(iso);
    if (resolution === 'DAY') return d.toLocaleDateString(undefined, { weekday: 'short', year: 'numeric', month: 'short', day: 'numeric' });
    return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
  };
}

export function TimeSeriesChart({
  points,
  resolution,
  height = 260,
  name = 'Events',
  tone = 'primary',
}: {
  points: Array<{ bucket: string; count: number }>;
  resolution: Resolution;
  height?: number;
  name?: string;
  tone?: 'primary' | 'secondary';
}) {
  const colors = useChartColors();
  const color = colors[tone];
  const first = points[0]?.bucket;
  const last = points[points.length - 1]?.bucket;
  const multiDay = !!first && !!last && new Date(last).getTime() - new Date(first).getTime() > 86_400_000;
  const id = `fill-${tone}-${colors.dark ? 'dark' : 'light'}`;
  const label = tooltipLabel(resolution);
  return (
    <ChartFigure
      className="w-full"
      summary={`${name} over time, ${points.length} points, ${formatNumber(points.reduce((s, p) => s + p.count, 0))} in total`}
      columns={['Time', name]}
      rows={points.map((p) => [label(p.bucket), formatNumber(p.count)])}
    >
      <div style={{ height }} className="w-full">
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -12 }} accessibilityLayer={false}>
            <defs>
              <linearGradient id={id} x1="0" y1="0" x2="0" y2="1">
                <stop offset="0%" stopColor={color} stopOpacity={colors.dark ? 0.35 : 0.25} />
                <stop offset="100%" stopColor={color} stopOpacity={0} />
              </linearGradient>
            </defs>
            <CartesianGrid stroke={colors.grid} vertical={false} />
            <XAxis
              dataKey="bucket"
              tickFormatter={tickFormatter(resolution, multiDay)}
              tick={{ fill: colors.axis, fontSize: 11 }}
              axisLine={false}
              tickLine={false}
              minTickGap={28}
            />
            <YAxis allowDecimals={false} tickFormatter={formatCompact} tick={{ fill: colors.axis, fontSize: 11 }} axisLine={false} tickLine={false} width={48} />
            <Tooltip
              cursor={{ stroke: colors.axis, strokeDasharray: '3 3' }}
              labelFormatter={(v) => (typeof v === 'string' ? label(v) : v)}
              formatter={(v) => [formatNumber(Number(v)), name]}
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
            <Area type="monotone" dataKey="count" name={name} stroke={color} strokeWidth={2} fill={`url(#${id})`} isAnimationActive={false} dot={false} activeDot={{ r: 4 }} />
          </AreaChart>
        </ResponsiveContainer>
      </div>
    </ChartFigure>
  );
}
