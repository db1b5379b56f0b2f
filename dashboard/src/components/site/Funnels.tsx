/**
 * A site's funnels: the builder (2 to 8 of the site's goals in order, and a window), the
 * chart (a bar per step with its visitors and conversion from the first step, and the
 * drop-off from the previous one, which links to the site dashboard filtered to the visits
 * that dropped off), optionally broken down by one visit dimension, and the saved funnels
 * (admins save and delete them; a saved funnel keeps its window and breakdown). It counts the visits the page's filters keep, as the
 * other cards do.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Filter, Plus, Save, Trash2, X } from 'lucide-react';
import { useMemo, useState, type FormEvent } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { askFunnel, deleteFunnel, dropoffHref, FUNNEL_BREAKDOWNS, goalsOf, MAX_STEPS, MIN_STEPS, saveFunnel, savedFunnelsOf, stepsProblem, WINDOWS, type FunnelAnswer, type Goal, type SavedFunnel } from '../../lib/conversions';
import { messageOf } from '../../lib/errors';
import { formatNumber } from '../../lib/format';
import { queryKeys } from '../../lib/queryKeys';
import { describeFilter, toStatsFilters, type SiteFilter } from '../../lib/siteFilters';
import type { DateRange } from '../../lib/statsApi';
import { toast } from '../../lib/toast';
import { Alert, Button, Card, CardHeader, EmptyState, ErrorState, Field, IconButton, Input, Select, Skeleton } from '../ui';
import { FunnelBreakdown } from './FunnelBreakdown';

function StepPicker({ index, value, goals, onChange, onRemove }: { index: number; value: string; goals: Goal[]; onChange: (name: string) => void; onRemove?: () => void }) {
  return (
    <li className="flex items-end gap-2">
      <Field label={`Step ${index + 1}`} className="flex-1">
        {(p) => (
          <Select {...p} value={value} onChange={(e) => onChange(e.target.value)}>
            <option value="">Choose a goal</option>
            {goals.map((goal) => (
              <option key={goal.id} value={goal.name}>
                {goal.display_name}
              </option>
            ))}
          </Select>
        )}
      </Field>
      {onRemove && (
        <IconButton label={`Remove step ${index + 1}`} onClick={onRemove}>
          <X className="h-4 w-4" aria-hidden />
        </IconButton>
      )}
    </li>
  );
}

export function FunnelChart({ answer, steps }: { answer: FunnelAnswer; steps: string[] }) {
  const { pathname, search } = useLocation();
  const names = answer.steps.map((s) => s.goal);
  return (
    <ol className="space-y-3" aria-label="Funnel" data-testid="funnel-chart">
      {answer.steps.map((step, index) => (
        <li key={step.goal} data-testid="funnel-step">
          <div className="mb-1 flex flex-wrap items-baseline justify-between gap-2 text-sm">
            <span className="font-medium text-gray-900 dark:text-gray-100">
              {index + 1}. {step.goal}
            </span>
            <span className="tabular-nums text-gray-600 dark:text-gray-300">
              <span data-testid="funnel-visitors">{formatNumber(step.visitors)}</span> {step.visitors === 1 ? 'visitor' : 'visitors'} · <span data-testid="funnel-conversion">{step.conversion_rate}%</span> of the first step
            </span>
          </div>
          <div className="h-6 w-full overflow-hidden rounded bg-gray-100 dark:bg-gray-800" aria-hidden>
            <div className="h-full rounded bg-brand-500 dark:bg-brand-400" style={{ width: `${Math.max(step.conversion_rate, 0.5)}%` }} />
          </div>
          {index + 1 < answer.steps.length && (
            <p className="mt-1 text-[13px] text-gray-600 dark:text-gray-400">
              <Link
                to={dropoffHref(pathname, search, names.length ? names : steps, index)}
                className="font-medium text-rose-700 hover:underline dark:text-rose-400"
                data-testid="funnel-dropoff"
              >
                {formatNumber(answer.steps[index + 1].dropoff)} dropped off ({answer.steps[index + 1].dropoff_rate}%)
              </Link>{' '}
              before {answer.steps[index + 1].goal}: their visits on the dashboard
            </p>
          )}
        </li>
      ))}
    </ol>
  );
}

function SavedFunnels({ siteId, isAdmin, onOpen }: { siteId: string; isAdmin: boolean; onOpen: (funnel: SavedFunnel) => void }) {
  const queryClient = useQueryClient();
  const saved = useQuery({ queryKey: queryKeys.site.funnels(siteId), queryFn: () => savedFunnelsOf(siteId) });
  const remove = useMutation({
    mutationFn: (funnel: SavedFunnel) => deleteFunnel(funnel.id),
    onSuccess: (funnel) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.site.funnels(siteId) });
      toast('success', `${funnel.name} deleted`);
    },
    onError: (e) => toast('error', 'Could not delete the funnel', messageOf(e)),
  });
  if (saved.isError) return <ErrorState compact error={saved.error} onRetry={() => void saved.refetch()} />;
  if (!saved.data) return <Skeleton className="h-8" />;
  if (saved.data.length === 0) return <p className="text-[13px] text-gray-500 dark:text-gray-400">No saved funnels yet.</p>;
  return (
    <ul className="flex flex-wrap gap-2" aria-label="Saved funnels">
      {saved.data.map((funnel) => (
        <li key={funnel.id} className="flex items-center gap-1">
          <Button size="sm" onClick={() => onOpen(funnel)}>
            {funnel.name}
          </Button>
          {isAdmin && (
            <IconButton label={`Delete ${funnel.name}`} onClick={() => remove.mutate(funnel)}>
              <Trash2 className="h-3.5 w-3.5" aria-hidden />
            </IconButton>
          )}
        </li>
      ))}
    </ul>
  );
}

export function FunnelsCard({ siteId, dateRange, filters = [], isAdmin }: { siteId: string; dateRange: DateRange; filters?: SiteFilter[]; isAdmin: boolean }) {
  const queryClient = useQueryClient();
  const [steps, setSteps] = useState<string[]>(['', '']);
  const [within, setWithin] = useState('visit');
  const [breakdown, setBreakdown] = useState('');
  const [name, setName] = useState('');
  const goals = useQuery({ queryKey: queryKeys.site.goals(siteId), queryFn: () => goalsOf(siteId) });
  const problem = stepsProblem(steps);
  const chosen = steps.filter(Boolean);
  const statsFilters = useMemo(() => toStatsFilters(filters), [filters]);
  const asked = { steps: chosen, within, filters: statsFilters, breakdown: breakdown || null };
  const funnel = useQuery({
    queryKey: queryKeys.site.funnel(siteId, { dateRange, ...asked }),
    queryFn: () => askFunnel(siteId, dateRange, asked),
    enabled: problem === null,
  });
  const breakdownLabel = FUNNEL_BREAKDOWNS.find((b) => b.value === breakdown)?.label;
  const save = useMutation({
    mutationFn: () => saveFunnel({ site_id: siteId, name: name.trim(), steps: chosen, within, ...(breakdown ? { breakdown } : {}) }),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.site.funnels(siteId) });
      setName('');
      toast('success', `${saved.name} saved`);
    },
  });
  const setStep = (index: number, value: string) => setSteps(steps.map((s, i) => (i === index ? value : s)));
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }

  return (
    <Card aria-labelledby="funnels-heading" data-testid="funnels">
      <CardHeader id="funnels-heading" title="Funnels" subtitle="Visitors who reached each goal in order, and where the others dropped off." />
      <div className="grid gap-6 p-5 lg:grid-cols-[minmax(0,20rem)_1fr]">
        <div className="space-y-4">
          <SavedFunnels
            siteId={siteId}
            isAdmin={isAdmin}
            onOpen={(saved) => {
              setSteps(saved.steps);
              setWithin(saved.within);
              setBreakdown(saved.breakdown ?? '');
            }}
          />
          {goals.isError ? (
            <ErrorState compact error={goals.error} onRetry={() => void goals.refetch()} />
          ) : !goals.data ? (
            <Skeleton className="h-40" />
          ) : goals.data.length < MIN_STEPS ? (
            <EmptyState compact icon={<Filter className="h-5 w-5" aria-hidden />} title="A funnel needs goals">
              Add at least two goals to this site to build a funnel from them.
            </EmptyState>
          ) : (
            <form aria-label="Funnel builder" onSubmit={submit} noValidate className="space-y-3">
              <ol className="space-y-2">
                {steps.map((step, index) => (
                  <StepPicker key={index} index={index} value={step} goals={goals.data} onChange={(v) => setStep(index, v)} onRemove={steps.length > MIN_STEPS ? () => setSteps(steps.filter((_, i) => i !== index)) : undefined} />
                ))}
              </ol>
              {steps.length < MAX_STEPS && (
                <Button size="sm" variant="ghost" icon={<Plus className="h-3.5 w-3.5" aria-hidden />} onClick={() => setSteps([...steps, ''])}>
                  Add step
                </Button>
              )}
              <Field label="Window">
                {(p) => (
                  <Select {...p} value={within} onChange={(e) => setWithin(e.target.value)}>
                    {WINDOWS.map((w) => (
                      <option key={w.value} value={w.value}>
                        {w.label}
                      </option>
                    ))}
                  </Select>
                )}
              </Field>
              <Field label="Break down by" hint="One value of the visit that reached the first step.">
                {(p) => (
                  <Select {...p} value={breakdown} onChange={(e) => setBreakdown(e.target.value)}>
                    <option value="">No breakdown</option>
                    {FUNNEL_BREAKDOWNS.map((b) => (
                      <option key={b.value} value={b.value}>
                        {b.label}
                      </option>
                    ))}
                  </Select>
                )}
              </Field>
              {isAdmin && (
                <div className="space-y-2 border-t border-gray-100 pt-3 dark:border-gray-800">
                  {save.error && <Alert>{messageOf(save.error)}</Alert>}
                  <Field label="Funnel name" hint="Saved for everyone who reads this site.">
                    {(p) => <Input {...p} value={name} maxLength={120} onChange={(e) => setName(e.target.value)} placeholder="Signups" />}
                  </Field>
                  <Button type="submit" size="sm" variant="primary" disabled={problem !== null || !name.trim()} loading={save.isPending} icon={<Save className="h-3.5 w-3.5" aria-hidden />}>
                    Save funnel
                  </Button>
                </div>
              )}
            </form>
          )}
        </div>
        <div aria-live="polite" className="min-w-0 space-y-4">
          {filters.length > 0 && (
            <p className="text-[13px] text-gray-600 dark:text-gray-400" data-testid="funnel-filters">
              Filtered like the rest of the page: {filters.map(describeFilter).join('; ')}.
            </p>
          )}
          {problem !== null ? (
            <p className="text-sm text-gray-500 dark:text-gray-400">{problem}</p>
          ) : funnel.isError ? (
            <ErrorState compact error={funnel.error} onRetry={() => void funnel.refetch()} />
          ) : !funnel.data ? (
            <Skeleton className="h-48" />
          ) : (
            <>
              <FunnelChart answer={funnel.data} steps={chosen} />
              {breakdownLabel && funnel.data.breakdown && <FunnelBreakdown answer={funnel.data} label={breakdownLabel} dimension={breakdown} />}
            </>
          )}
        </div>
      </div>
    </Card>
  );
}
