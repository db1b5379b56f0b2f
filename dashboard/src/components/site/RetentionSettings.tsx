/**
 * A site's data retention (admins): how long its tracked events are kept, set in whole days
 * (after a confirmation that says older events will be removed) or cleared (kept forever).
 * Read and changed through GraphQL (`adaptor.retention`, `setRetention`, `clearRetention`).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Archive } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { ApiError, messageOf } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { gql } from '../../lib/http';
import { ClearRetentionMutation, SetRetentionMutation, SiteRetentionQuery } from '../../lib/queries';
import { queryKeys } from '../../lib/queryKeys';
import { daysProblem, daysText, describePeriod, MAX_RETENTION_DAYS, removedBefore } from '../../lib/retention';
import { toast } from '../../lib/toast';
import { Modal } from '../Dialog';
import { Alert, Button, ErrorState, Field, Input, Skeleton } from '../ui';

function RetentionForm({ containerId }: { containerId: string }) {
  const queryClient = useQueryClient();
  const key = queryKeys.site.keeps(containerId);
  const current = useQuery({ queryKey: key, queryFn: async () => (await gql(SiteRetentionQuery, { containerId })).adaptor?.retention ?? null });
  const [text, setText] = useState('');
  const [touched, setTouched] = useState(false);
  const [confirming, setConfirming] = useState<number | null>(null);
  const done = (message: string) => {
    void queryClient.invalidateQueries({ queryKey: key });
    setConfirming(null);
    setText('');
    setTouched(false);
    toast('success', message);
  };
  const set = useMutation({
    mutationFn: (days: number) => gql(SetRetentionMutation, { containerId, days }),
    onSuccess: (answer) => done(describePeriod(answer.setRetention.days)),
  });
  const clear = useMutation({
    mutationFn: () => gql(ClearRetentionMutation, { containerId }),
    onSuccess: () => done('Kept forever'),
    onError: (e) => toast('error', 'Could not clear the retention period', messageOf(e)),
  });
  const problem = daysProblem(text);
  const serverProblem = set.error instanceof ApiError && set.error.field === 'days' ? set.error.message : null;
  const shownProblem = (touched && problem) || serverProblem;

  function submit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    set.reset();
    if (problem === null) setConfirming(Number(text.trim()));
  }

  if (current.isError) return <ErrorState compact error={current.error} onRetry={() => void current.refetch()} />;
  if (current.isPending) return <Skeleton className="h-24" />;
  const days = current.data?.days ?? null;
  return (
    <div className="space-y-5">
      <div className="rounded-lg bg-gray-50 px-4 py-3 text-sm dark:bg-gray-800/60" data-testid="retention-current">
        <p className="font-medium text-gray-900 dark:text-gray-100">{describePeriod(days)}</p>
        <p className="mt-0.5 text-gray-600 dark:text-gray-400">
          {days === null ? 'Every tracked event of this site is kept.' : `Events received before the UTC midnight ${daysText(days)} ago are removed once a day.`}
          {current.data?.expiredBefore && ` The last expiry removed what was received before ${formatDateTime(current.data.expiredBefore)}.`}
        </p>
      </div>

      {confirming === null ? (
        <form onSubmit={submit} noValidate aria-label="Retention period" className="flex flex-wrap items-start gap-3">
          <Field label="Keep events for (days)" hint={`A whole number from 1 to ${MAX_RETENTION_DAYS}.`} error={shownProblem || undefined} className="w-full sm:w-56">
            {(p) => <Input {...p} inputMode="numeric" value={text} invalid={!!shownProblem} onChange={(e) => setText(e.target.value)} onBlur={() => setTouched(text !== '')} placeholder={days === null ? '395' : String(days)} />}
          </Field>
          <div className="flex flex-wrap gap-2 sm:pt-6">
            <Button type="submit" variant="primary">
              Set period
            </Button>
            {days !== null && (
              <Button loading={clear.isPending} onClick={() => clear.mutate()}>
                Keep forever
              </Button>
            )}
          </div>
        </form>
      ) : (
        <div role="group" aria-label="Confirm the retention period" className="space-y-3">
          <Alert tone="amber" title={`Keep ${daysText(confirming)} of events?`}>
            Older events will be removed: once a day, this site’s events received before {removedBefore(confirming)} (UTC) are deleted from the read models and, with PostgreSQL, from the event store. Counts without identifiers stay. Removed events cannot be brought back.
          </Alert>
          {set.error && !serverProblem && <Alert>{messageOf(set.error)}</Alert>}
          {serverProblem && <Alert>{serverProblem}</Alert>}
          <div className="flex flex-wrap justify-end gap-2">
            <Button onClick={() => setConfirming(null)} autoFocus>
              Cancel
            </Button>
            <Button variant="danger" loading={set.isPending} onClick={() => set.mutate(confirming)}>
              Remove older events
            </Button>
          </div>
        </div>
      )}
    </div>
  );
}

export function RetentionButton({ containerId, siteName }: { containerId: string; siteName: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="sm" icon={<Archive className="h-3.5 w-3.5" aria-hidden />} onClick={() => setOpen(true)}>
        Data retention
      </Button>
      <Modal open={open} onClose={() => setOpen(false)} title={`Data retention of ${siteName}`} description="How long this site's events are kept. The stats' counts, which name nobody, stay.">
        <RetentionForm containerId={containerId} />
      </Modal>
    </>
  );
}
