/**
 * A site's watching, for its admins: alert rules (made, listed, changed, deleted) and the e-mail
 * report's period and recipients. What each rule measures is in docs/ALERTS.md.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { BellRing, Mail, Pencil, Trash2 } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { addressList, KINDS, reportPath, rulesPath, type AlertRuleOut, type EmailReportOut } from '../../lib/alerts';
import { messageOf } from '../../lib/errors';
import { rest } from '../../lib/http';
import { queryKeys } from '../../lib/queryKeys';
import { toast } from '../../lib/toast';
import { Modal } from '../Dialog';
import { Alert, Badge, Button, EmptyState, ErrorState, Field, Select, Skeleton, Textarea } from '../ui';
import { AlertRuleForm } from './AlertRuleForm';

function RuleRow({ containerId, rule }: { containerId: string; rule: AlertRuleOut }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const [editing, setEditing] = useState(false);
  const label = rule.settings.name;
  const remove = useMutation({
    mutationFn: () => rest<AlertRuleOut>('DELETE', `/api/alerts/${encodeURIComponent(rule.id)}`),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.site.alertRules(containerId) });
      toast('success', `${label} deleted`);
    },
    onError: (e) => toast('error', 'Could not delete the rule', messageOf(e)),
  });
  const channels = [...rule.settings.emails, ...(rule.settings.webhook_url ? [`webhook (${rule.settings.webhook_format})`] : [])];
  if (editing) {
    return (
      <li className="py-3" data-testid="alert-rule">
        <AlertRuleForm containerId={containerId} rule={rule} onDone={() => setEditing(false)} />
      </li>
    );
  }
  return (
    <li className="flex flex-wrap items-center gap-3 py-3" data-testid="alert-rule">
      <div className="min-w-0 flex-1">
        <p className="flex items-center gap-2 truncate text-sm font-medium text-gray-900 dark:text-white">
          {label}
          {!rule.settings.enabled && <Badge>disabled</Badge>}
        </p>
        <p className="text-xs text-gray-500 dark:text-gray-400">
          {KINDS.find((k) => k.value === rule.settings.kind)?.label} · threshold {rule.settings.threshold} · {channels.length ? channels.join(', ') : 'marked on the graph only'}
        </p>
      </div>
      {confirming ? (
        <div className="flex items-center gap-2" role="group" aria-label={`Delete ${label}?`}>
          <Button size="sm" onClick={() => setConfirming(false)} autoFocus>
            Cancel
          </Button>
          <Button size="sm" variant="danger" loading={remove.isPending} onClick={() => remove.mutate()}>
            Delete
          </Button>
        </div>
      ) : (
        <>
          <Button size="sm" variant="ghost" icon={<Pencil className="h-3.5 w-3.5" aria-hidden />} onClick={() => setEditing(true)} aria-label={`Edit ${label}`}>
            Edit
          </Button>
          <Button size="sm" variant="danger-ghost" icon={<Trash2 className="h-3.5 w-3.5" aria-hidden />} onClick={() => setConfirming(true)} aria-label={`Delete ${label}`}>
            Delete
          </Button>
        </>
      )}
    </li>
  );
}

function RuleList({ containerId }: { containerId: string }) {
  const rules = useQuery({ queryKey: queryKeys.site.alertRules(containerId), queryFn: () => rest<AlertRuleOut[]>('GET', rulesPath(containerId)) });
  if (rules.isError) return <ErrorState compact error={rules.error} onRetry={() => void rules.refetch()} />;
  if (!rules.data) return <Skeleton className="h-16" />;
  if (rules.data.length === 0) return <EmptyState compact icon={<BellRing className="h-5 w-5" aria-hidden />} title="No alert rules yet" />;
  return (
    <ul className="divide-y divide-gray-100 dark:divide-gray-800" aria-label="Alert rules">
      {rules.data.map((rule) => (
        <RuleRow key={rule.id} containerId={containerId} rule={rule} />
      ))}
    </ul>
  );
}

function ReportForm({ containerId }: { containerId: string }) {
  const report = useQuery({ queryKey: queryKeys.site.emailReport(containerId), queryFn: () => rest<EmailReportOut>('GET', reportPath(containerId)) });
  if (report.isError) return <ErrorState compact error={report.error} onRetry={() => void report.refetch()} />;
  if (!report.data) return <Skeleton className="h-24" />;
  return <ReportFields key={report.data.updated_at ?? 'new'} containerId={containerId} saved={report.data} />;
}

function ReportFields({ containerId, saved: initial }: { containerId: string; saved: EmailReportOut }) {
  const queryClient = useQueryClient();
  const [period, setPeriod] = useState<'weekly' | 'monthly'>(initial.period);
  const [recipients, setRecipients] = useState(initial.recipients.join('\n'));
  const save = useMutation({
    mutationFn: () => rest<EmailReportOut>('PUT', reportPath(containerId), { period, recipients: addressList(recipients) }),
    onSuccess: (saved) => {
      queryClient.setQueryData(queryKeys.site.emailReport(containerId), saved);
      toast('success', 'E-mail report saved', saved.recipients.length ? `${saved.recipients.length} recipients` : 'No recipients: none is sent.');
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  return (
    <form onSubmit={submit} noValidate aria-label="E-mail report" className="space-y-3 rounded-xl border border-gray-200 p-4 dark:border-gray-800">
      {save.error && <Alert>{messageOf(save.error)}</Alert>}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Report" hint="Visitors, top sources and pages, goals, and the change from the period before.">
          {(p) => (
            <Select {...p} value={period} onChange={(e) => setPeriod(e.target.value as 'weekly' | 'monthly')}>
              <option value="weekly">Weekly (Mondays)</option>
              <option value="monthly">Monthly (the 1st)</option>
            </Select>
          )}
        </Field>
        <Field label="Recipients" hint="One address a line. Each message has its own unsubscribe link.">
          {(p) => <Textarea {...p} rows={3} value={recipients} onChange={(e) => setRecipients(e.target.value)} placeholder="ann@example.com" />}
        </Field>
      </div>
      <div className="flex justify-end">
        <Button type="submit" variant="primary" loading={save.isPending} icon={<Mail className="h-4 w-4" aria-hidden />}>
          Save report
        </Button>
      </div>
    </form>
  );
}

export function SiteWatchButton({ containerId, siteName }: { containerId: string; siteName: string }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button size="sm" icon={<BellRing className="h-3.5 w-3.5" aria-hidden />} onClick={() => setOpen(true)}>
        Alerts & reports
      </Button>
      <Modal open={open} onClose={() => setOpen(false)} title={`Alerts and reports of ${siteName}`} description="Rules are evaluated every minute; their firings are marked on the graph." size="lg">
        <div className="space-y-5">
          <h3 className="text-sm font-semibold text-gray-900 dark:text-white">Alert rules</h3>
          <AlertRuleForm containerId={containerId} />
          <RuleList containerId={containerId} />
          <h3 className="text-sm font-semibold text-gray-900 dark:text-white">E-mail report</h3>
          <ReportForm containerId={containerId} />
        </div>
      </Modal>
    </>
  );
}
