/**
 * An alert rule's form: a new rule (POST) or an existing one changed (PATCH), in the site's
 * "Alerts & reports" dialog. What each kind measures is in docs/ALERTS.md.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { BellRing, Save } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { addressList, KINDS, type AlertKind, type AlertRuleOut } from '../../lib/alerts';
import { messageOf } from '../../lib/errors';
import { rest } from '../../lib/http';
import { queryKeys } from '../../lib/queryKeys';
import { toast } from '../../lib/toast';
import { Alert, Button, Field, Input, Select, Textarea, Toggle } from '../ui';

/** A number when the text is one; otherwise the text, so the API names the bad field. */
function numberOrText(text: string): number | string {
  const value = Number(text.trim());
  return Number.isFinite(value) ? value : text.trim();
}

function changesOf(rule: AlertRuleOut, fields: Fields): Record<string, unknown> {
  // Every field the form shows is sent: an emptied one goes back to its default (null).
  return {
    ...(fields.kind !== rule.settings.kind && { kind: fields.kind }),
    name: fields.name.trim() || null,
    enabled: fields.enabled,
    threshold: fields.threshold.trim() ? numberOrText(fields.threshold) : null,
    ...(fields.kind === 'goal_conversions' && { goal: fields.goal.trim() }),
    emails: addressList(fields.emails),
    webhook_url: fields.webhook.trim() || null,
    ...(fields.webhook.trim() && { webhook_format: fields.format }),
  };
}

interface Fields {
  kind: AlertKind;
  name: string;
  enabled: boolean;
  threshold: string;
  goal: string;
  emails: string;
  webhook: string;
  format: 'json' | 'slack';
}

function initialFields(rule?: AlertRuleOut): Fields {
  const s = rule?.settings;
  return {
    kind: s?.kind ?? 'traffic',
    name: s?.name ?? '',
    enabled: s?.enabled ?? true,
    threshold: s ? String(s.threshold) : '',
    goal: typeof s?.goal === 'string' ? s.goal : '',
    emails: s ? s.emails.join('\n') : '',
    webhook: s?.webhook_url ?? '',
    format: s?.webhook_format ?? 'json',
  };
}

/** Without `rule`, a new rule of the site; with it, that rule's settings to change. */
export function AlertRuleForm({ containerId, rule, onDone }: { containerId: string; rule?: AlertRuleOut; onDone?: () => void }) {
  const queryClient = useQueryClient();
  const [fields, setFields] = useState<Fields>(() => initialFields(rule));
  const set = <K extends keyof Fields>(key: K, value: Fields[K]) => setFields((f) => ({ ...f, [key]: value }));
  const { kind, name, threshold, goal, emails, webhook, format } = fields;
  const spec = KINDS.find((k) => k.value === kind)!;
  const save = useMutation({
    mutationFn: () =>
      rule
        ? rest<AlertRuleOut>('PATCH', `/api/alerts/${encodeURIComponent(rule.id)}`, changesOf(rule, fields))
        : rest<AlertRuleOut>('POST', '/api/alerts/', {
            site_id: containerId,
            kind,
            ...(name.trim() && { name: name.trim() }),
            ...(threshold.trim() && { threshold: numberOrText(threshold) }),
            ...(kind === 'goal_conversions' && { goal: goal.trim() }),
            emails: addressList(emails),
            ...(webhook.trim() && { webhook_url: webhook.trim(), webhook_format: format }),
          }),
    onSuccess: (saved) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.site.alertRules(containerId) });
      if (rule) {
        toast('success', `${saved.settings.name} saved`);
      } else {
        setFields((f) => ({ ...f, name: '', threshold: '' }));
        toast('success', `${saved.settings.name} created`, 'It is evaluated every minute.');
      }
      onDone?.();
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    save.mutate();
  }
  return (
    <form
      onSubmit={submit}
      noValidate
      aria-label={rule ? `Edit ${rule.settings.name}` : 'New alert rule'}
      className="space-y-3 rounded-xl border border-gray-200 p-4 dark:border-gray-800"
    >
      {save.error && <Alert>{messageOf(save.error)}</Alert>}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="When">
          {(p) => (
            <Select {...p} value={kind} onChange={(e) => set('kind', e.target.value as AlertKind)} data-autofocus={rule ? undefined : true}>
              {KINDS.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </Select>
          )}
        </Field>
        <Field label="Name" optional>
          {(p) => <Input {...p} value={name} maxLength={100} onChange={(e) => set('name', e.target.value)} placeholder={spec.label} />}
        </Field>
        <Field label={spec.threshold} optional hint={`Default ${spec.fallback}.`}>
          {(p) => <Input {...p} inputMode="decimal" value={threshold} onChange={(e) => set('threshold', e.target.value)} />}
        </Field>
        {kind === 'goal_conversions' && (
          <Field label="Goal" hint="Its name, as the goals list shows it.">
            {(p) => <Input {...p} value={goal} maxLength={200} onChange={(e) => set('goal', e.target.value)} placeholder="Signup" />}
          </Field>
        )}
        <Field label="E-mail to" optional hint="One address a line, or separated by commas.">
          {(p) => <Textarea {...p} rows={2} value={emails} onChange={(e) => set('emails', e.target.value)} placeholder="ops@example.com" />}
        </Field>
        <Field label="Webhook URL" optional hint="http(s); a Slack incoming webhook takes the Slack format.">
          {(p) => <Input {...p} type="url" value={webhook} maxLength={2000} onChange={(e) => set('webhook', e.target.value)} placeholder="https://hooks.example/…" />}
        </Field>
        {webhook.trim() && (
          <Field label="Webhook format">
            {(p) => (
              <Select {...p} value={format} onChange={(e) => set('format', e.target.value as 'json' | 'slack')}>
                <option value="json">JSON</option>
                <option value="slack">Slack</option>
              </Select>
            )}
          </Field>
        )}
      </div>
      <div className="flex flex-wrap items-center justify-end gap-3">
        {rule && (
          <label className="mr-auto flex items-center gap-2 text-[13px] text-gray-700 dark:text-gray-300">
            <Toggle checked={fields.enabled} onChange={(v) => set('enabled', v)} label="Enabled" />
            Enabled
          </label>
        )}
        {onDone && (
          <Button type="button" onClick={onDone}>
            Cancel
          </Button>
        )}
        <Button type="submit" variant="primary" loading={save.isPending} icon={rule ? <Save className="h-4 w-4" aria-hidden /> : <BellRing className="h-4 w-4" aria-hidden />}>
          {rule ? 'Save rule' : 'Create rule'}
        </Button>
      </div>
    </form>
  );
}
