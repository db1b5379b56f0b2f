/** Events as CSV or NDJSON files, built in the browser from pages of the `events` query. */

export interface ExportEvent {
  eventId: string;
  schemaId: string;
  containerId: string | null;
  eventType: string;
  userId: string | null;
  sessionId: string | null;
  timestamp: string;
  receivedAt: string;
  properties: unknown;
  metadata: unknown;
}

/** The REST API's field names, so exported files match `GET /api/events/recent`. */
export function toRecord(e: ExportEvent): Record<string, unknown> {
  return {
    event_id: e.eventId,
    schema_id: e.schemaId,
    container_id: e.containerId,
    event_type: e.eventType,
    user_id: e.userId,
    session_id: e.sessionId,
    timestamp: e.timestamp,
    received_at: e.receivedAt,
    properties: e.properties ?? {},
    metadata: e.metadata ?? {},
  };
}

export function toNdjson(events: ExportEvent[]): string {
  return events.map((e) => JSON.stringify(toRecord(e))).join('\n') + (events.length ? '\n' : '');
}

const BASE_COLUMNS = [
  'event_id',
  'timestamp',
  'received_at',
  'schema_id',
  'container_id',
  'event_type',
  'user_id',
  'session_id',
] as const;

/**
 * One CSV cell (RFC 4180). Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR
 * at the start) is prefixed with an apostrophe: these values come from website visitors.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text: string;
  if (typeof value === 'string') {
    text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  } else if (typeof value === 'number' || typeof value === 'boolean') {
    text = String(value);
  } else {
    text = JSON.stringify(value);
  }
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/**
 * CSV with a header row: the event's fields, one `properties.<key>` column per top-level
 * property key seen (sorted), then the full `properties` and `metadata` as JSON.
 */
export function toCsv(events: ExportEvent[]): string {
  const keys = new Set<string>();
  for (const e of events) {
    if (e.properties && typeof e.properties === 'object' && !Array.isArray(e.properties)) {
      Object.keys(e.properties).forEach((k) => keys.add(k));
    }
  }
  const propertyKeys = [...keys].sort();
  const header = [...BASE_COLUMNS, ...propertyKeys.map((k) => `properties.${k}`), 'properties', 'metadata'];
  const rows = events.map((e) => {
    const record = toRecord(e);
    const props = (record.properties ?? {}) as Record<string, unknown>;
    return [
      ...BASE_COLUMNS.map((c) => csvCell(record[c])),
      ...propertyKeys.map((k) => csvCell(props[k])),
      csvCell(JSON.stringify(record.properties)),
      csvCell(JSON.stringify(record.metadata)),
    ].join(',');
  });
  return [header.map(csvCell).join(','), ...rows].join('\r\n') + '\r\n';
}

export function download(filename: string, content: string, type: string): void {
  const blob = new Blob([content], { type });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1_000);
}

export function exportFilename(format: 'csv' | 'ndjson', now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `eventlens-events-${stamp}.${format}`;
}
