/**
 * A site's goals (admins): add one (a custom event, optionally with revenue in a currency, or
 * a visit to pages matching a path with `*` and `**`), list them, remove one. A new goal
 * counts the site's whole history at once.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Plus, Target, Trash2 } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { messageOf } from '../../lib/errors';
import { goalBody, goalsPath, type GoalOut } from '../../lib/goals';
import { rest } from '../../lib/http';
import { queryKeys } from '../../lib/queryKeys';
import { toast } from '../../lib/toast';
import { Modal } from '../Dialog';
import { Alert, Badge, Button, EmptyState, ErrorState, Field, Input, Segmented, Skeleton } from '../ui';

type Kind = 'event' | 'page';

function useRefreshGoals(containerId: string) {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.site.goals(containerId) });
    void queryClient.invalidateQueries({ queryKey: queryKeys.site.all });
  };
}

function NewGoal({ containerId }: { containerId: string }) {
  const refresh = useRefreshGoals(containerId);
  const [kind, setKind] = useState<Kind>('event');
  const [target, setTarget] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [currency, setCurrency] = useState('');
  const add = useMutation({
    mutationFn: () => rest<GoalOut>('POST', '/api/goals/', goalBody(containerId, kind, target, displayName, currency)),
    onSuccess: (goal) => {
      refresh();
      setTarget('');
      setDisplayName('');
      setCurrency('');
      toast('success', `Goal ${goal.name} added`, 'It counts the whole history of the site.');
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    add.mutate();
  }
  return (
    <form onSubmit={submit} noValidate aria-label="New goal" className="space-y-3 rounded-xl border border-gray-200 p-4 dark:border-gray-800">
      {add.error && <Alert>{messageOf(add.error)}</Alert>}
      <Segmented<Kind>
        label="Goal type"
        value={kind}
        onChange={setKind}
        options={[
          { value: 'event', label: 'Custom event' },
          { value: 'page', label: 'Page visit' },
        ]}
      />
      <div className="grid gap-3 sm:grid-cols-2">
        {kind === 'event' ? (
          <Field label="Event name" hint="As the tracker sends it, e.g. Signup.">
            {(p) => <Input {...p} value={target} maxLength={120} onChange={(e) => setTarget(e.target.value)} placeholder="Signup" data-autofocus />}
          </Field>
        ) : (
          <Field label="Page path" hint="* matches within a segment, ** across: /blog/**.">
            {(p) => <Input {...p} value={target} maxLength={2000} onChange={(e) => setTarget(e.target.value)} placeholder="/thank-you" className="font-mono" />}
          </Field>
        )}
        <Field label="Display name" optional hint="Shown instead of the goal's name.">
          {(p) => <Input {...p} value={displayName} maxLength={120} onChange={(e) => setDisplayName(e.target.value)} />}
        </Field>
        {kind === 'event' && (
          <Field label="Revenue currency" optional hint="ISO 4217, e.g. EUR: the goal sums its events' revenue.">
            {(p) => <Input {...p} value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value)} placeholder="EUR" className="uppercase" />}
          </Field>
        )}
      </div>
      <div className="flex justify-end">
        <Button type="submit" variant="primary" loading={add.isPending} icon={<Plus className="h-4 w-4" aria-hidden />}>
          Add goal
        </Button>
      </div>
    </form>
  );
}

function GoalRow({ containerId, goal }: { containerId: string; goal: GoalOut }) {
  const refresh = useRefreshGoals(containerId);
  const [confirming, setConfirming] = useState(false);
  const remove = useMutation({
    mutationFn: () => rest<GoalOut>('DELETE', `/api/goals/${encodeURIComponent(goal.id)}`),
    onSuccess: () => {
      refresh();
      toast('success', `Goal ${goal.name} removed`, 'Its events stay recorded.');
    },
    onError: (e) => toast('error', 'Could not remove the goal', messageOf(e)),
  });
  return (
    <li className="flex flex-wrap items-center gap-3 py-3" data-testid="goal" data-goal-id={goal.id}>
      <div className="min-w-0 flex-1">
        <p className="flex items-center gap-2 truncate text-sm font-medium text-gray-900 dark:text-white">
          {goal.display_name}
          {goal.currency && <Badge tone="green">{goal.currency}</Badge>}
        </p>
        <p className="truncate text-xs text-gray-500 dark:text-gray-400">{goal.goal_type === 'page' ? `Page visit ${goal.page_path}` : `Custom event ${goal.event_name}`}</p>
      </div>
      {confirming ? (
        <div className="flex items-center gap-2" role="group" aria-label={`Remove ${goal.name}?`}>
          <span className="text-[13px] text-gray-600 dark:text-gray-300">Remove it?</span>
          <Button size="sm" onClick={() => setConfirming(false)} autoFocus>
            Cancel
          </Button>
          <Button size="sm" variant="danger" loading={remove.isPending} onClick={() => remove.mutate()}>
            Remove
          </Button>
        </div>
      ) : (
        <Button size="sm" variant="danger-ghost" icon={<Trash2 className="h-3.5 w-3.5" aria-hidden />} onClick={() => setConfirming(true)} aria-label={`Remove ${goal.name}`}>
          Remove
        </Button>
      )}
    </li>
  );
}

function GoalList({ containerId }: { containerId: string }) {
  const goals = useQuery({ queryKey: queryKeys.site.goals(containerId), queryFn: () => rest<GoalOut[]>('GET', goalsPath(containerId)) });
  if (goals.isError) return <ErrorState compact error={goals.error} onRetry={() => void goals.refetch()} />;
  if (!goals.data) return <Skeleton className="h-16" />;
  if (goals.data.length === 0) return <EmptyState compact icon={<Target className="h-5 w-5" aria-hidden />} title="No goals yet" />;
  return (
    <ul className="divide-y divide-gray-100 dark:divide-gray-800" aria-label="Goals" data-testid="goals">
      {goals.data.map((goal) => (
        <GoalRow key={goal.id} containerId={containerId} goal={goal} />
      ))}
    </ul>
  );
}

export function GoalsButton({ containerId, siteName }: { containerId: string; siteName: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="sm" icon={<Target className="h-3.5 w-3.5" aria-hidden />} onClick={() => setOpen(true)}>
        Goals
      </Button>
      <Modal open={open} onClose={() => setOpen(false)} title={`Goals of ${siteName}`} description="What visitors are meant to do: a custom event, or a visit to some pages." size="lg">
        <div className="space-y-5">
          <NewGoal containerId={containerId} />
          <GoalList containerId={containerId} />
        </div>
      </Modal>
    </>
  );
}
