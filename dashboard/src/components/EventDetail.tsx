/** One event in the explorer's drawer: its facts, what collection recorded about the visit, and its JSON. */
import clsx from 'clsx';
import type { ReactNode } from 'react';
import type { EventFieldsFragment } from '../gql/graphql';
import type { EventFilters } from '../lib/eventFilters';
import { formatDateTime } from '../lib/format';
import { hasPlace, placeOf, visitFacts, webRecord } from '../lib/webFields';
import { CopyButton } from './CopyButton';
import { JsonView } from './JsonView';
import { GeoAttribution, placesNotRecorded, usePlacesProblem } from './Places';
import { Badge, focusRing } from './ui';

type Fact = [string, ReactNode];

function Facts({ facts, label, testId }: { facts: Fact[]; label?: string; testId?: string }) {
  return (
    <dl className="grid grid-cols-[7rem_1fr] gap-x-4 gap-y-2.5 text-sm" aria-label={label} data-testid={testId}>
      {facts.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-gray-500 dark:text-gray-400">{k}</dt>
          <dd className="min-w-0 break-words text-gray-900 dark:text-gray-100">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

function FilterLink({ value, onClick }: { value: string | null; onClick: () => void }) {
  if (!value) return '—';
  return (
    <button type="button" className={clsx('text-left font-mono text-[12.5px] text-brand-600 hover:underline dark:text-brand-400', focusRing)} onClick={onClick}>
      {value}
    </button>
  );
}

/** The place, with the attribution its database's licence asks for; or why places are not recorded. */
function placeFact(event: EventFieldsFragment, problem: string | null): Fact | null {
  if (hasPlace(event)) {
    return [
      'Place',
      <>
        <span className="block">{placeOf(event)}</span>
        <GeoAttribution />
      </>,
    ];
  }
  if (problem) {
    return [
      'Place',
      <span className="text-amber-800 dark:text-amber-300" data-testid="geo-notice-detail">
        {placesNotRecorded(problem)}
      </span>,
    ];
  }
  return null;
}

export function EventDetail({ event, adaptorName, onFilter }: { event: EventFieldsFragment; adaptorName: (id: string) => string; onFilter: (change: Partial<EventFilters>) => void }) {
  const problem = usePlacesProblem();
  const facts: Fact[] = [
    ['Event type', <Badge tone="brand">{event.eventType}</Badge>],
    ['Schema', event.schemaId],
    ['Adaptor', event.containerId ? `${adaptorName(event.containerId)} (${event.containerId})` : '—'],
    ['Timestamp', formatDateTime(event.timestamp)],
    ['Received', formatDateTime(event.receivedAt)],
    ['Session', <FilterLink value={event.sessionId} onClick={() => onFilter({ session: event.sessionId })} />],
    ['User', <FilterLink value={event.userId} onClick={() => onFilter({ user: event.userId })} />],
  ];
  const place = placeFact(event, problem);
  const visit: Fact[] = [...visitFacts(event), ...(place ? [place] : [])];
  const full = {
    event_id: event.eventId,
    schema_id: event.schemaId,
    container_id: event.containerId,
    event_type: event.eventType,
    user_id: event.userId,
    session_id: event.sessionId,
    timestamp: event.timestamp,
    received_at: event.receivedAt,
    ...webRecord(event),
    properties: event.properties,
    metadata: event.metadata,
  };
  return (
    <div className="space-y-5">
      <Facts facts={facts} />
      {visit.length > 0 && (
        <section aria-labelledby="event-visit">
          <h3 id="event-visit" className="mb-2 text-sm font-semibold">
            Visit
          </h3>
          <Facts facts={visit} testId="event-visit" />
        </section>
      )}
      <div>
        <div className="mb-2 flex items-center justify-between">
          <h3 className="text-sm font-semibold">Full event</h3>
          <CopyButton text={JSON.stringify(full, null, 2)} label="Copy JSON" />
        </div>
        <JsonView value={full} label="Event JSON" className="max-h-[55vh]" />
      </div>
    </div>
  );
}
