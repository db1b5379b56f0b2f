/** The charts' colours, from the theme's CSS variables (src/index.css): one place for both themes. */
import { useTheme } from './theme';

export interface ChartColors {
  axis: string;
  grid: string;
  primary: string;
  secondary: string;
  previous: string;
  tooltipBackground: string;
  tooltipBorder: string;
  tooltipLabel: string;
  tooltipText: string;
}

// Where no stylesheet is loaded (component tests): the light theme's values.
const FALLBACK: ChartColors = {
  axis: '#5f6e84',
  grid: '#e2e8f0',
  primary: '#5e61f1',
  secondary: '#0277b3',
  previous: '#607490',
  tooltipBackground: '#ffffff',
  tooltipBorder: '#e2e8f0',
  tooltipLabel: '#475569',
  tooltipText: '#0f172a',
};

const VARIABLES: Record<keyof ChartColors, string> = {
  axis: '--chart-axis',
  grid: '--chart-grid',
  primary: '--chart-primary',
  secondary: '--chart-secondary',
  previous: '--chart-previous',
  tooltipBackground: '--chart-tooltip-background',
  tooltipBorder: '--chart-tooltip-border',
  tooltipLabel: '--chart-tooltip-label',
  tooltipText: '--chart-tooltip-text',
};

export function chartColors(): ChartColors {
  const style = getComputedStyle(document.documentElement);
  const colors = { ...FALLBACK };
  for (const key of Object.keys(VARIABLES) as Array<keyof ChartColors>) {
    const value = style.getPropertyValue(VARIABLES[key]).trim();
    if (value) colors[key] = value;
  }
  return colors;
}

/** The colours of the theme shown now; a chart using them redraws when the theme changes. */
export function useChartColors(): ChartColors & { dark: boolean } {
  const [, , dark] = useTheme();
  return { ...chartColors(), dark };
}
