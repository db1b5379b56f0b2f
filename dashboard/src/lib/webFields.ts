/**
 * An event's web-analytics fields, read for display. Events from before collection recorded
 * them, and those sent by servers, lack some or all: a missing field gives nothing, never a
 * placeholder.
 */
import type { EventFieldsFragment } from '../gql/graphql';

export type WebEvent = Pick<
  EventFieldsFragment,
  | 'visitorId'
  | 'url'
  | 'hostname'
  | 'path'
  | 'referrer'
  | 'source'
  | 'channel'
  | 'utmSource'
  | 'utmMedium'
  | 'utmCampaign'
  | 'utmContent'
  | 'utmTerm'
  | 'browser'
  | 'browserVersion'
  | 'os'
  | 'osVersion'
  | 'device'
  | 'screenWidth'
  | 'country'
  | 'region'
  | 'city'
>;

const joined = (parts: Array<string | null | undefined>, separator: string): string | null => parts.filter((p) => !!p).join(separator) || null;

/** The page as the site owner reads it: `shop.example/pricing`. */
export function pageOf(e: WebEvent): string | null {
  return joined([e.hostname, e.path], '');
}

/** Where the visit came from: `newsletter · Email`, the source alone when it names the channel. */
export function acquisitionOf(e: WebEvent): string | null {
  if (e.source && e.channel && e.source.toLowerCase().startsWith(e.channel.toLowerCase())) return e.channel;
  return joined([e.source, e.channel], ' · ');
}

/** Browser and OS by name: `Chrome · Windows`. */
export function softwareOf(e: WebEvent): string | null {
  return joined([e.browser, e.os], ' · ');
}

export function withVersion(name: string | null, version: string | null): string | null {
  return name ? joined([name, version], ' ') : null;
}

let regionNames: Intl.DisplayNames | null | undefined;

/** A country's name from its ISO 3166 code (`GB` → United Kingdom); the code when it has none. */
export function countryName(code: string | null): string | null {
  if (!code) return null;
  if (regionNames === undefined) {
    try {
      regionNames = new Intl.DisplayNames(undefined, { type: 'region' });
    } catch {
      regionNames = null;
    }
  }
  try {
    return regionNames?.of(code.toUpperCase()) ?? code;
  } catch {
    return code;
  }
}

/** `London, England, United Kingdom`, or as much of it as was found. */
export function placeOf(e: WebEvent): string | null {
  return joined([e.city, e.region, countryName(e.country)], ', ');
}

export function hasPlace(e: WebEvent): boolean {
  return !!(e.country || e.region || e.city);
}

/** The UTM tags the page's URL carried, named: `source newsletter · medium email`. */
export function campaignOf(e: WebEvent): string | null {
  const tags: Array<[string, string | null]> = [
    ['source', e.utmSource],
    ['medium', e.utmMedium],
    ['campaign', e.utmCampaign],
    ['content', e.utmContent],
    ['term', e.utmTerm],
  ];
  return joined(
    tags.map(([name, value]) => (value ? `${name} ${value}` : null)),
    ' · ',
  );
}

/** The recorded visit facts for an event's detail, in reading order; places are shown apart. */
export function visitFacts(e: WebEvent): Array<[string, string]> {
  const facts: Array<[string, string | null]> = [
    ['Page', e.url ?? pageOf(e)],
    ['Referrer', e.referrer],
    ['Source', e.source],
    ['Channel', e.channel],
    ['Campaign', campaignOf(e)],
    ['Browser', withVersion(e.browser, e.browserVersion)],
    ['OS', withVersion(e.os, e.osVersion)],
    ['Device', e.device],
    ['Screen width', e.screenWidth != null ? `${e.screenWidth} px` : null],
    ['Visitor', e.visitorId],
  ];
  return facts.filter((fact): fact is [string, string] => fact[1] !== null && fact[1] !== '');
}

/** The web fields as `GET /api/events/recent` names them, leaving out those not recorded. */
export function webRecord(e: WebEvent): Record<string, string | number> {
  const named: Record<string, string | number | null> = {
    visitor_id: e.visitorId,
    url: e.url,
    hostname: e.hostname,
    path: e.path,
    referrer: e.referrer,
    source: e.source,
    channel: e.channel,
    utm_source: e.utmSource,
    utm_medium: e.utmMedium,
    utm_campaign: e.utmCampaign,
    utm_content: e.utmContent,
    utm_term: e.utmTerm,
    browser: e.browser,
    browser_version: e.browserVersion,
    os: e.os,
    os_version: e.osVersion,
    device: e.device,
    screen_width: e.screenWidth,
    country: e.country,
    region: e.region,
    city: e.city,
  };
  return Object.fromEntries(Object.entries(named).filter((entry): entry is [string, string | number] => entry[1] !== null));
}
