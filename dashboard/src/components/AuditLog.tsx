/**
 * The audit log (Settings, admins): every change to the catalog and every sign-in, with who
 * and when, newest first, filtered by who and by kind, a page at a time. Read-only: nothing
 * here changes it, and nothing anywhere can.
 */
import { useQuery } from '@tanstack/react-query';
import { ScrollText } from 'lucide-react';
import { useState } from 'react';
import { formatDateTime } from '../lib/format';
import { rest } from '../lib/http';
import { queryKeys } from '../lib/queryKeys';
import { Button, Card, CardHeader, EmptyState, ErrorState, Field, focusRingInset, Input, Select, Skeleton } from './ui';

export interface AuditEntry {
  position: number;
  recorded_at: string;
  actor: string;
  action: string;
  subject_type: string;
  subject: string | null;
  details: Record<string, unknown>;
}

export interface AuditPage {
  entries: AuditEntry[];
  total: number;
  limit: number;
  offset: number;
}

export const AUDIT_PAGE = 25;
/** The kinds an admin filters by: an action prefix each (`User.` matches every user change). */
export const AUDIT_KINDS: Array<{ value: string; label: string }> = [
  { value: '', label: 'Everything' },
  { value: 'Session.', label: 'Sign-ins and sign-outs' },
  { value: 'User.', label: 'Users, roles and API keys' },
  { value: 'Schema.', label: 'Schemas' },
  { value: 'Adaptor.', label: 'Sites, goals and shared links' },
  { value: 'Retention.', label: 'Retention' },
  { value: 'Erasure.', label: 'Erasures' },
  { value: 'OptOut.', label: 'Opt-out list' },
];

export function auditPath(actor: string, action: string, page: number): string {
  const params = new URLSearchParams({ limit: String(AUDIT_PAGE), offset: String(page * AUDIT_PAGE) });
  if (actor.trim()) params.set('actor', actor.trim());
  if (action) params.set('action', action);
  return `/api/audit-log?${params.toString()}`;
}

function summary(details: Record<string, unknown>): string {
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(', ');
}

export function AuditLog() {
  const [actor, setActor] = useState('');
  const [action, setAction] = useState('');
  const [page, setPage] = useState(0);
  const path = auditPath(actor, action, page);
  const log = useQuery({ queryKey: queryKeys.auditLog(path), queryFn: () => rest<AuditPage>('GET', path) });
  const pages = log.data ? Math.max(1, Math.ceil(log.data.total / AUDIT_PAGE)) : 1;
  return (
    <Card aria-labelledby="audit-log-title">
      <CardHeader id="audit-log-title" title="Audit log" subtitle="Who changed what, and every sign-in. Nobody can edit it." />
      <form role="search" aria-label="Filter the audit log" className="grid gap-3 border-b border-gray-100 px-5 py-4 sm:grid-cols-2 dark:border-gray-800" onSubmit={(e) => e.preventDefault()}>
        <Field label="Who" optional>
          {(p) => (
            <Input
              {...p}
              value={actor}
              placeholder="A username"
              onChange={(e) => {
                setActor(e.target.value);
                setPage(0);
              }}
            />
          )}
        </Field>
        <Field label="What">
          {(p) => (
            <Select
              {...p}
              value={action}
              onChange={(e) => {
                setAction(e.target.value);
                setPage(0);
              }}
            >
              {AUDIT_KINDS.map((kind) => (
                <option key={kind.value} value={kind.value}>
                  {kind.label}
                </option>
              ))}
            </Select>
          )}
        </Field>
      </form>
      {log.isError ? (
        <ErrorState compact error={log.error} onRetry={() => void log.refetch()} />
      ) : !log.data ? (
        <div className="space-y-2 p-5">
          <Skeleton className="h-8" />
          <Skeleton className="h-8" />
        </div>
      ) : log.data.entries.length === 0 ? (
        <EmptyState compact icon={<ScrollText className="h-5 w-5" />} title="No entries">
          Nothing matches these filters.
        </EmptyState>
      ) : (
        // Focusable, so keyboard users can scroll it sideways on a narrow screen.
        <div className={`overflow-x-auto ${focusRingInset}`} tabIndex={0} role="region" aria-label="Audit log entries">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">
              Audit log, newest first: page {page + 1} of {pages}, {log.data.total} entries
            </caption>
            <thead className="text-xs uppercase text-gray-500 dark:text-gray-400">
              <tr>
                <th scope="col" className="px-5 py-2 font-medium">When</th>
                <th scope="col" className="px-5 py-2 font-medium">Who</th>
                <th scope="col" className="px-5 py-2 font-medium">What</th>
                <th scope="col" className="px-5 py-2 font-medium">On</th>
                <th scope="col" className="px-5 py-2 font-medium">Details</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-gray-100 dark:divide-gray-800">
              {log.data.entries.map((entry) => (
                <tr key={entry.position} data-testid="audit-entry">
                  <td className="whitespace-nowrap px-5 py-2 tabular-nums">
                    <time dateTime={entry.recorded_at}>{formatDateTime(entry.recorded_at)}</time>
                  </td>
                  <td className="px-5 py-2">{entry.actor}</td>
                  <td className="px-5 py-2 font-mono text-xs">{entry.action}</td>
                  <td className="px-5 py-2">{entry.subject ?? '—'}</td>
                  <td className="max-w-xs truncate px-5 py-2 text-xs text-gray-500 dark:text-gray-400" title={summary(entry.details)}>
                    {summary(entry.details)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav aria-label="Audit log pages" className="flex items-center justify-between gap-3 border-t border-gray-100 px-5 py-3 text-sm dark:border-gray-800">
        <Button disabled={page === 0} onClick={() => setPage(page - 1)}>
          Newer
        </Button>
        <span aria-live="polite">
          Page {page + 1} of {pages}
        </span>
        <Button disabled={page + 1 >= pages} onClick={() => setPage(page + 1)}>
          Older
        </Button>
      </nav>
    </Card>
  );
}
