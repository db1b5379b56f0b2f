/** Bot events kept out of collection, as `GET /api/collection/bots` counts them, per site and day. */

/** One row of `GET /api/collection/bots`: a site's bot events on one UTC day. */
export interface BotCount {
  day: string;
  container_id: string;
  events: number;
}

export interface SiteBots {
  /** The adaptor the events named; '' when they named none. */
  containerId: string;
  total: number;
  today: number;
  /** One count per day of the window, oldest first. */
  perDay: number[];
}

export interface BotSummary {
  /** The window's UTC days, oldest first (`YYYY-MM-DD`). */
  days: string[];
  /** Busiest site first. */
  sites: SiteBots[];
  total: number;
}

/** The `days` UTC days ending with `today`'s, oldest first. */
export function utcDays(days: number, today: Date): string[] {
  const end = Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate());
  return Array.from({ length: days }, (_, i) => new Date(end - (days - 1 - i) * 86_400_000).toISOString().slice(0, 10));
}

/** Per site, a count for every day of the window (days without bots are 0); rows outside it are left out. */
export function summariseBots(rows: readonly BotCount[], days: number, today: Date = new Date()): BotSummary {
  const window = utcDays(days, today);
  const index = new Map(window.map((day, i) => [day, i]));
  const bySite = new Map<string, number[]>();
  for (const row of rows) {
    const at = index.get(row.day);
    if (at === undefined) continue;
    const perDay = bySite.get(row.container_id) ?? window.map(() => 0);
    perDay[at] += row.events;
    bySite.set(row.container_id, perDay);
  }
  const sites = [...bySite].map(([containerId, perDay]) => ({
    containerId,
    perDay,
    today: perDay[perDay.length - 1],
    total: perDay.reduce((sum, n) => sum + n, 0),
  }));
  sites.sort((a, b) => b.total - a.total || a.containerId.localeCompare(b.containerId));
  return { days: window, sites, total: sites.reduce((sum, s) => sum + s.total, 0) };
}
