/**
 * A site's retention period as the dashboard edits it: whole days from 1 to 3650 (the API's
 * bounds), and the UTC day before which a period removes events (the workers expire what was
 * received before the UTC midnight `days` ago, once a day).
 */
export const MAX_RETENTION_DAYS = 3650;

/** What is wrong with the typed number of days, or null when it is a valid period. */
export function daysProblem(text: string): string | null {
  const trimmed = text.trim();
  if (trimmed === '') return 'Enter a number of days.';
  if (!/^\d+$/.test(trimmed)) return 'Enter a whole number of days, without decimals or units.';
  const days = Number(trimmed);
  if (days < 1 || days > MAX_RETENTION_DAYS) return `Enter a number of days from 1 to ${MAX_RETENTION_DAYS} (about ten years).`;
  return null;
}

/** The UTC day (YYYY-MM-DD) before which a period of `days` removes events, seen at `now`. */
export function removedBefore(days: number, now: number = Date.now()): string {
  return new Date(now - days * 24 * 60 * 60 * 1000).toISOString().slice(0, 10);
}

/** "1 day", "3,650 days". */
export function daysText(days: number): string {
  return days === 1 ? '1 day' : `${days.toLocaleString('en-US')} days`;
}

export function describePeriod(days: number | null | undefined): string {
  return days === null || days === undefined ? 'Kept forever' : `Kept for ${daysText(days)}`;
}
