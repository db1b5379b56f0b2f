/** One rejected event on the pipeline page, and the links to where its reasons are fixed. */
import clsx from 'clsx';
import { ChevronDown } from 'lucide-react';
import { Fragment, useState } from 'react';
import { Link } from 'react-router-dom';
import type { RejectedEventsQuery } from '../gql/graphql';
import { formatDateTime, formatRelative } from '../lib/format';
import { fixesFor } from '../lib/rejections';
import { JsonView } from './JsonView';
import { Badge, focusRing, focusRingInset, Mono } from './ui';

export type Rejected = RejectedEventsQuery['rejectedEvents']['items'][number];

/** "Edit schemas", "Edit adaptors" or both, as these reasons call for. */
export function FixLinks({ codes }: { codes: Iterable<string> }) {
  return fixesFor(codes).map((fix, i) => (
    <Fragment key={fix.to}>
      {i > 0 && ' · '}
      <Link to={fix.to} className={clsx('rounded font-medium text-brand-600 hover:underline dark:text-brand-400', focusRing)}>
        {fix.label}
      </Link>
    </Fragment>
  ));
}

export function RejectedRow({ item }: { item: Rejected }) {
  const [open, setOpen] = useState(false);
  return (
    <li data-testid="rejected-row" data-event-type={item.eventType ?? ''} data-reprocessed={item.reprocessed ? 'true' : 'false'}>
      <button
        type="button"
        aria-expanded={open}
        onClick={() => setOpen(!open)}
        className={clsx('flex w-full items-start gap-3 px-5 py-3 text-left hover:bg-gray-50 focus-visible:bg-gray-50 dark:hover:bg-gray-800/40 dark:focus-visible:bg-gray-800/40', focusRingInset)}
      >
        <span className={clsx('mt-1 flex h-2 w-2 shrink-0 rounded-full', item.reprocessed ? 'bg-emerald-500' : 'bg-rose-500')} aria-hidden />
        <span className="min-w-0 flex-1">
          <span className="flex flex-wrap items-center gap-2">
            <span className="font-mono text-[13px] font-medium text-gray-900 dark:text-white">{item.eventType ?? '(no type)'}</span>
            <span className="text-xs text-gray-500 dark:text-gray-400">{item.schemaId ?? 'no schema'}</span>
            {item.reprocessed ? <Badge tone="green">re-processed</Badge> : <Badge tone="red">rejected</Badge>}
          </span>
          <span className="mt-1 block space-y-0.5">
            {item.reasons.map((r, i) => (
              <span key={i} className="block text-[13px] text-gray-600 dark:text-gray-300">
                <Badge tone="amber" className="mr-1.5 font-mono">
                  {r.code}
                </Badge>
                {r.message}
              </span>
            ))}
          </span>
        </span>
        <span className="shrink-0 text-right text-xs text-gray-500 dark:text-gray-400" title={formatDateTime(item.receivedAt)}>
          {formatRelative(item.receivedAt)}
        </span>
        <ChevronDown className={clsx('mt-0.5 h-4 w-4 shrink-0 text-gray-400 transition-transform', open && 'rotate-180')} aria-hidden />
      </button>
      {open && (
        <div className="px-5 pb-4 pl-10">
          <p className="mb-1.5 text-xs text-gray-500 dark:text-gray-400">
            Event <Mono>{item.eventId}</Mono>
            {item.containerId && (
              <>
                {' '}
                · adaptor <Mono>{item.containerId}</Mono>
              </>
            )}
            {!item.reprocessed && fixesFor(item.reasons.map((r) => r.code)).length > 0 && (
              <>
                {' '}
                · fix it: <FixLinks codes={item.reasons.map((r) => r.code)} />
              </>
            )}
          </p>
          <JsonView value={item.payload} className="max-h-72" label="Rejected event payload" />
        </div>
      )}
    </li>
  );
}
