/**
 * Places (country, region, city) come from DB-IP's database, whose licence (CC BY 4.0) asks for
 * its attribution wherever they are shown; when the server records none, it says why.
 */
import clsx from 'clsx';
import { MapPinOff } from 'lucide-react';
import { useCollectionStatus } from '../lib/queryHooks';
import { Alert, focusRing } from './ui';

export const GEO_ATTRIBUTION_URL = 'https://db-ip.com';

export function GeoAttribution({ className }: { className?: string }) {
  return (
    <a
      href={GEO_ATTRIBUTION_URL}
      target="_blank"
      rel="noopener noreferrer"
      className={clsx('rounded text-xs text-gray-500 underline decoration-gray-300 underline-offset-2 hover:text-gray-800 dark:text-gray-400 dark:decoration-gray-600 dark:hover:text-gray-200', focusRing, className)}
      data-testid="geo-attribution"
    >
      IP Geolocation by DB-IP
    </a>
  );
}

/** Why places are not recorded, or null while they are (or while the server has not said). */
export function usePlacesProblem(): string | null {
  const { data } = useCollectionStatus();
  if (!data || data.geo.enabled) return null;
  return data.geo.problem ?? 'the server has no geo database';
}

export function placesNotRecorded(problem: string): string {
  return `Places are not recorded: ${problem.replace(/\.$/, '')}.`;
}

/** A page-wide notice, shown only while places are not recorded. */
export function PlacesNotice({ className }: { className?: string }) {
  const problem = usePlacesProblem();
  if (!problem) return null;
  return (
    <Alert tone="amber" className={className}>
      <span className="flex items-start gap-2" data-testid="geo-notice">
        <MapPinOff className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
        <span className="min-w-0 break-words">{placesNotRecorded(problem)}</span>
      </span>
    </Alert>
  );
}
