/** The explorer's cells for what collection records about a visit: its page and where it came from, and its visitor. */
import { Monitor, Smartphone, Tablet } from 'lucide-react';
import { acquisitionOf, countryName, pageOf, placeOf, softwareOf, type WebEvent } from '../lib/webFields';

export function DeviceIcon({ device }: { device: string | null }) {
  const Icon = device === 'Mobile' ? Smartphone : device === 'Tablet' ? Tablet : device === 'Desktop' ? Monitor : null;
  return Icon ? <Icon className="h-3.5 w-3.5 shrink-0" aria-hidden /> : null;
}

/** `shop.example/pricing` over `newsletter · Email`. */
export function PageCell({ event }: { event: WebEvent }) {
  const page = pageOf(event);
  const acquisition = acquisitionOf(event);
  return (
    <>
      {page && (
        <span className="block truncate text-gray-900 dark:text-gray-100" title={event.url ?? page} data-testid="event-page">
          {event.hostname && <span className="text-gray-500 dark:text-gray-400">{event.hostname}</span>}
          {event.path}
        </span>
      )}
      {acquisition && (
        <span className="block truncate text-xs text-gray-500 dark:text-gray-400" data-testid="event-acquisition">
          {acquisition}
        </span>
      )}
    </>
  );
}

/** `Chrome · Windows` over the device and country. */
export function VisitorCell({ event }: { event: WebEvent }) {
  const software = softwareOf(event);
  const country = countryName(event.country);
  return (
    <>
      {software && (
        <span className="block truncate text-gray-700 dark:text-gray-300" data-testid="event-software">
          {software}
        </span>
      )}
      {(event.device || country) && (
        <span className="flex min-w-0 items-center gap-1 text-xs text-gray-500 dark:text-gray-400" data-testid="event-device-place">
          <DeviceIcon device={event.device} />
          <span className="truncate" title={placeOf(event) ?? undefined}>
            {[event.device, country].filter(Boolean).join(' · ')}
          </span>
        </span>
      )}
    </>
  );
}
