/**
 * The site dashboard's cards: which breakdowns each shows (its tabs), what a row's click
 * filters on, and a breakdown as a CSV file.
 */
import { csvCell } from './export';
import type { StatsRow } from './statsApi';

export interface BreakdownView {
  id: string;
  /** The name column's heading, and what a UTM choice is called. */
  column: string;
  /** What is asked; the first is the one shown and filtered on, others go into the CSV. */
  dimensions: string[];
  /** The CSV's headings for `dimensions`. */
  headers: string[];
}

export interface BreakdownTab {
  id: string;
  label: string;
  /** One view, or several to choose from (UTM parameters). */
  views: BreakdownView[];
}

export interface BreakdownCardSpec {
  id: string;
  title: string;
  tabs: BreakdownTab[];
  /** Places need their database's attribution. */
  geo?: boolean;
}

const view = (id: string, column: string, dimension: string, extra: Array<[string, string]> = []): BreakdownView => ({
  id,
  column,
  dimensions: [dimension, ...extra.map(([d]) => d)],
  headers: [column, ...extra.map(([, h]) => h)],
});

const single = (id: string, label: string, column: string, dimension: string, extra: Array<[string, string]> = []): BreakdownTab => ({
  id,
  label,
  views: [view(id, column, dimension, extra)],
});

export const CARDS: BreakdownCardSpec[] = [
  {
    id: 'sources',
    title: 'Sources',
    tabs: [
      single('channels', 'Channels', 'Channel', 'visit:channel'),
      single('sources', 'Sources', 'Source', 'visit:source'),
      {
        id: 'utm',
        label: 'UTM',
        views: [
          view('utm-source', 'UTM source', 'visit:utm_source'),
          view('utm-medium', 'UTM medium', 'visit:utm_medium'),
          view('utm-campaign', 'UTM campaign', 'visit:utm_campaign'),
          view('utm-content', 'UTM content', 'visit:utm_content'),
          view('utm-term', 'UTM term', 'visit:utm_term'),
        ],
      },
    ],
  },
  {
    id: 'pages',
    title: 'Pages',
    tabs: [single('top-pages', 'Top pages', 'Page', 'event:page'), single('entry-pages', 'Entry pages', 'Entry page', 'visit:entry_page'), single('exit-pages', 'Exit pages', 'Exit page', 'visit:exit_page')],
  },
  {
    id: 'locations',
    title: 'Locations',
    geo: true,
    tabs: [
      single('countries', 'Countries', 'Country', 'visit:country_name', [['visit:country', 'Country code']]),
      single('regions', 'Regions', 'Region', 'visit:region_name'),
      single('cities', 'Cities', 'City', 'visit:city_name'),
    ],
  },
  {
    id: 'devices',
    title: 'Devices',
    tabs: [single('devices', 'Devices', 'Device', 'visit:device'), single('browsers', 'Browsers', 'Browser', 'visit:browser'), single('os', 'OS', 'Operating system', 'visit:os')],
  },
];

/** Rows as CSV (RFC 4180, formula-safe), headed by the view's dimensions, visitors and share. */
export function breakdownCsv(view: BreakdownView, rows: StatsRow[]): string {
  const header = [...view.headers, 'Visitors', 'Share of visitors (%)'];
  const lines = rows.map((row) => [...view.dimensions.map((_, i) => row.dimensions[i] ?? ''), row.metrics[0], row.metrics[1]].map(csvCell).join(','));
  return [header.map(csvCell).join(','), ...lines].join('\r\n') + '\r\n';
}

export function breakdownFilename(siteId: string, view: BreakdownView, days: [string, string] | undefined): string {
  const span = days ? `-${days[0].slice(0, 10)}-to-${days[1].slice(0, 10)}` : '';
  return `${siteId}-${view.id}${span}.csv`.replace(/[^\w.-]+/g, '_');
}
