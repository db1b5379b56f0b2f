/** What a site dashboard shows under the site's name: its address without the scheme. */
export function siteDomain(websiteUrls: string[]): string | null {
  const first = websiteUrls[0];
  if (!first) return null;
  try {
    return new URL(first).host;
  } catch {
    return first;
  }
}
