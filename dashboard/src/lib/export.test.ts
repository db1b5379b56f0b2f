import { describe, expect, it } from 'vitest';
import { csvCell, exportFilename, toCsv, toNdjson, type ExportEvent } from './export';

const event = (over: Partial<ExportEvent> = {}): ExportEvent => ({
  eventId: '11111111-1111-1111-1111-111111111111',
  schemaId: 'portfolio_events',
  containerId: 'CAP-ABC123',
  eventType: 'github_project_click',
  userId: 'user_1',
  sessionId: 'session_1',
  timestamp: '2025-01-01T00:00:00+00:00',
  receivedAt: '2025-01-01T00:00:01+00:00',
  properties: { link_text: 'EventLens', page_path: '/' },
  metadata: {},
  ...over,
});

describe('CSV export', () => {
  it('escapes commas, quotes and line breaks (RFC 4180)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });

  it('defuses spreadsheet formulas in visitor-supplied text', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('@cmd')).toBe("'@cmd");
    expect(csvCell(-5)).toBe('-5');
  });

  it('writes a header, one column per property key and the full JSON', () => {
    const csv = toCsv([event(), event({ eventId: '2', eventType: 'page_view', properties: { page_path: '/a,b', extra: true }, userId: null })]);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe(
      'event_id,timestamp,received_at,schema_id,container_id,event_type,user_id,session_id,properties.extra,properties.link_text,properties.page_path,properties,metadata',
    );
    expect(lines[1]).toBe(
      '11111111-1111-1111-1111-111111111111,2025-01-01T00:00:00+00:00,2025-01-01T00:00:01+00:00,portfolio_events,CAP-ABC123,github_project_click,user_1,session_1,,EventLens,/,"{""link_text"":""EventLens"",""page_path"":""/""}",{}',
    );
    expect(lines[2]).toBe(
      '2,2025-01-01T00:00:00+00:00,2025-01-01T00:00:01+00:00,portfolio_events,CAP-ABC123,page_view,,session_1,true,,"/a,b","{""page_path"":""/a,b"",""extra"":true}",{}',
    );
    expect(lines[3]).toBe('');
    expect(lines).toHaveLength(4);
  });

  it('an empty export is a header only', () => {
    expect(toCsv([])).toBe('event_id,timestamp,received_at,schema_id,container_id,event_type,user_id,session_id,properties,metadata\r\n');
  });
});

describe('NDJSON export', () => {
  it('writes one JSON object per line with the REST field names', () => {
    const text = toNdjson([event(), event({ eventId: '2' })]);
    const lines = text.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[2]).toBe('');
    expect(JSON.parse(lines[0])).toEqual({
      event_id: '11111111-1111-1111-1111-111111111111',
      schema_id: 'portfolio_events',
      container_id: 'CAP-ABC123',
      event_type: 'github_project_click',
      user_id: 'user_1',
      session_id: 'session_1',
      timestamp: '2025-01-01T00:00:00+00:00',
      received_at: '2025-01-01T00:00:01+00:00',
      properties: { link_text: 'EventLens', page_path: '/' },
      metadata: {},
    });
    expect(toNdjson([])).toBe('');
  });

  it('names files after the format and time', () => {
    expect(exportFilename('csv', new Date('2025-01-02T03:04:05.678Z'))).toBe('eventlens-events-2025-01-02T030405Z.csv');
  });
});
