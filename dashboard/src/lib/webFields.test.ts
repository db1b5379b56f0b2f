import { describe, expect, it } from 'vitest';
import { NO_WEB_FIELDS, TRACKED_FIELDS } from '../test/fakeApi';
import { acquisitionOf, campaignOf, countryName, pageOf, placeOf, softwareOf, visitFacts, webRecord } from './webFields';

describe("an event's web fields, read for display", () => {
  it('reads the page, where the visit came from, the software and the place', () => {
    expect(pageOf(TRACKED_FIELDS)).toBe('shop.example/pricing');
    expect(acquisitionOf(TRACKED_FIELDS)).toBe('newsletter · Email');
    expect(softwareOf(TRACKED_FIELDS)).toBe('Safari · iOS');
    expect(placeOf(TRACKED_FIELDS)).toBe('London, England, United Kingdom');
    expect(campaignOf(TRACKED_FIELDS)).toBe('source newsletter · medium email · campaign spring');
  });

  it('says Direct once for a visit with no referrer and no campaign', () => {
    expect(acquisitionOf({ ...NO_WEB_FIELDS, source: 'Direct / None', channel: 'Direct' })).toBe('Direct');
    expect(acquisitionOf({ ...NO_WEB_FIELDS, source: 'Google', channel: 'Organic Search' })).toBe('Google · Organic Search');
  });

  it('names countries from their codes, and keeps a code it cannot name', () => {
    expect(countryName('DE')).toBe('Germany');
    expect(countryName('not a code')).toBe('not a code');
    expect(countryName(null)).toBeNull();
  });

  it('gives nothing for fields an event lacks (older events, server-side senders)', () => {
    expect([pageOf, acquisitionOf, softwareOf, placeOf, campaignOf].map((read) => read(NO_WEB_FIELDS))).toEqual([null, null, null, null, null]);
    expect(visitFacts(NO_WEB_FIELDS)).toEqual([]);
    expect(webRecord(NO_WEB_FIELDS)).toEqual({});
    expect(placeOf({ ...NO_WEB_FIELDS, country: 'FR' })).toBe('France');
  });

  it('lists the visit facts that were recorded, with versions, in reading order', () => {
    expect(visitFacts({ ...NO_WEB_FIELDS, path: '/about', browser: 'Firefox', browserVersion: '128.0', screenWidth: 1280 })).toEqual([
      ['Page', '/about'],
      ['Browser', 'Firefox 128.0'],
      ['Screen width', '1280 px'],
    ]);
    expect(visitFacts(TRACKED_FIELDS).map(([label]) => label)).toEqual(['Page', 'Referrer', 'Source', 'Channel', 'Campaign', 'Browser', 'OS', 'Device', 'Screen width', 'Visitor']);
  });

  it('names the recorded fields as the REST API does', () => {
    expect(webRecord({ ...NO_WEB_FIELDS, utmSource: 'newsletter', screenWidth: 390, country: 'GB' })).toEqual({ utm_source: 'newsletter', screen_width: 390, country: 'GB' });
  });
});
