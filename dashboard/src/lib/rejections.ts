/** Why the API rejects an event (its reason codes), and where each is put right. */

export type FixPlace = 'schemas' | 'adaptors';

export const REASONS: ReadonlyArray<{ code: string; label: string; fix: FixPlace }> = [
  { code: 'unknown_event_type', label: 'Unknown event type', fix: 'schemas' },
  { code: 'invalid_properties', label: 'Invalid properties', fix: 'schemas' },
  { code: 'unknown_schema', label: 'Unknown schema', fix: 'schemas' },
  { code: 'retired_schema', label: 'Retired schema', fix: 'schemas' },
  { code: 'unknown_adaptor', label: 'Unknown adaptor', fix: 'adaptors' },
  { code: 'disabled_adaptor', label: 'Disabled adaptor', fix: 'adaptors' },
  { code: 'origin_not_allowed', label: 'Origin not allowed', fix: 'adaptors' },
  // The adaptor names the schema its site's events follow.
  { code: 'adaptor_schema_mismatch', label: 'Adaptor / schema mismatch', fix: 'adaptors' },
  // The site's snippet carries the container ID: the adaptors page has the current one.
  { code: 'missing_container_id', label: 'Missing container ID', fix: 'adaptors' },
];

export const FIXES: Record<FixPlace, { to: string; label: string }> = {
  schemas: { to: '/schemas', label: 'Edit schemas' },
  adaptors: { to: '/adaptors', label: 'Edit adaptors' },
};

/**
 * Where to fix events rejected for these reasons: each place once, schemas first. A code this
 * dashboard does not know (from a newer server) suggests nothing rather than a wrong place.
 */
export function fixesFor(codes: Iterable<string>): Array<{ to: string; label: string }> {
  const places = new Set<FixPlace>();
  for (const code of codes) {
    const fix = REASONS.find((r) => r.code === code)?.fix;
    if (fix) places.add(fix);
  }
  return (['schemas', 'adaptors'] as const).filter((place) => places.has(place)).map((place) => FIXES[place]);
}
