import type { ReactNode } from 'react';
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { formatCompact, formatNumber } from '../lib/format';
import type { Resolution } from '../lib/range';
import { useTheme } from '../lib/theme';

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
  color = '#6366f1',
}: {
  points: Array<{ bucket: string; count: number }>;
  resolution: Resolution;
  height?: number;
  name?: string;
  color?: string;
}) {
  const [, , dark] = useTheme();
  const first = points[0]?.bucket;
  const last = points[points.length - 1]?.bucket;
  const multiDay = !!first && !!last && new Date(last).getTime() - new Date(first).getTime() > 86_400_000;
  const grid = dark ? '#1e293b' : '#eef2f7';
  const axis = dark ? '#64748b' : '#94a3b8';
  const id = `fill-${color.replace('#', '')}`;
  return (
    <div style={{ height }} className="w-full" role="img" aria-label={`${name} over time, ${points.length} points, ${formatNumber(points.reduce((s, p) => s + p.count, 0))} in total`}>
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: -12 }}>
          <defs>
            <linearGradient id={id} x1="0" y1="0" x2="0" y2="1">
              <stop offset="0%" stopColor={color} stopOpacity={dark ? 0.35 : 0.25} />
              <stop offset="100%" stopColor={color} stopOpacity={0} />
            </linearGradient>
          </defs>
          <CartesianGrid stroke={grid} vertical={false} />
          <XAxis
            dataKey="bucket"
            tickFormatter={tickFormatter(resolution, multiDay)}
            tick={{ fill: axis, fontSize: 11 }}
            axisLine={false}
            tickLine={false}
            minTickGap={28}
          />
          <YAxis allowDecimals={false} tickFormatter={formatCompact} tick={{ fill: axis, fontSize: 11 }} axisLine={false} tickLine={false} width={48} />
          <Tooltip
            cursor={{ stroke: axis, strokeDasharray: '3 3' }}
            labelFormatter={(v) => (typeof v === 'string' ? tooltipLabel(resolution)(v) : v)}
            formatter={(v) => [formatNumber(Number(v)), name]}
            contentStyle={{
              background: dark ? '#0f172a' : '#ffffff',
              border: `1px solid ${dark ? '#1e293b' : '#e2e8f0'}`,
              borderRadius: 10,
              fontSize: 12,
              boxShadow: '0 8px 24px rgb(15 23 42 / 0.12)',
            }}
            labelStyle={{ color: dark ? '#cbd5e1' : '#475569', marginBottom: 2 }}
            itemStyle={{ color: dark ? '#f1f5f9' : '#0f172a' }}
          />
          <Area type="monotone" dataKey="count" name={name} stroke={color} strokeWidth={2} fill={`url(#${id})`} isAnimationActive={false} dot={false} activeDot={{ r: 4 }} />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}

/** A ranked list with proportional bars (events by type, top pages, ...). */
export function RankedBars({
  items,
  label,
  format = formatNumber,
  renderKey,
  color = 'bg-brand-500/15 dark:bg-brand-400/15',
  testId,
}: {
  items: Array<{ key: string; count: number }>;
  label: string;
  format?: (n: number) => string;
  renderKey?: (key: string) => ReactNode;
  color?: string;
  testId?: string;
}) {
  const max = Math.max(1, ...items.map((i) => i.count));
  return (
    <ol aria-label={label} className="space-y-1.5" data-testid={testId}>
      {items.map((item) => (
        <li key={item.key} className="relative flex items-center justify-between gap-3 overflow-hidden rounded-md px-2.5 py-1.5 text-[13px]">
          <span aria-hidden className={`absolute inset-y-0 left-0 rounded-md ${color}`} style={{ width: `${(item.count / max) * 100}%` }} />
          <span className="relative min-w-0 truncate text-gray-700 dark:text-gray-200" title={item.key}>
            {renderKey ? renderKey(item.key) : item.key}
          </span>
          <span className="relative shrink-0 font-medium tabular text-gray-900 dark:text-white">{format(item.count)}</span>
        </li>
      ))}
    </ol>
  );
}
