import { useMutation, useQueryClient } from '@tanstack/react-query';
import clsx from 'clsx';
import { BarChart3, Code2, Globe, Pencil, Plug, Plus, Power, PowerOff } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Link } from 'react-router-dom';
import { CopyButton } from '../components/CopyButton';
import { ConfirmDialog, Modal } from '../components/Dialog';
import { Alert, Badge, Button, Card, EmptyState, ErrorState, Field, Input, Mono, PageHeader, Select, Skeleton, Textarea, Toggle, focusRing } from '../components/ui';
import type { AdaptorsQuery as AdaptorsResult } from '../gql/graphql';
import { ApiError, messageOf } from '../lib/errors';
import { formatNumber, formatRelative } from '../lib/format';
import { rest } from '../lib/http';
import { useAdaptors, useCatalog } from '../lib/queryHooks';
import { queryKeys } from '../lib/queryKeys';
import { useIsAdmin } from '../lib/session';
import { toast } from '../lib/toast';

type AdaptorItem = AdaptorsResult['adaptors'][number];

interface AdaptorOut {
  container_id: string;
  name: string;
  snippet: string;
  inline_snippet: string;
}

/** What an adaptor hands out: the tag (`snippet`), and the seed's inline snippet. */
interface Install {
  name: string;
  tag: string;
  inlineSnippet: string;
  created?: boolean;
}

interface FormState {
  name: string;
  schemaId: string;
  websiteUrl: string;
  origins: string;
  description: string;
  timezone: string;
  isActive: boolean;
}

/** The IANA zones the browser knows, for the site's days; the browser's own zone first for a new site. */
function timeZones(current: string): string[] {
  const known = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  const zones = known.includes('UTC') ? known : ['UTC', ...known];
  return zones.includes(current) ? zones : [current, ...zones];
}

function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

const codeBlock = 'overflow-auto rounded-lg bg-gray-950 p-4 font-mono text-[12px] leading-relaxed text-gray-100 ring-1 ring-gray-800';

function SnippetView({ tag, inlineSnippet }: { tag: string; inlineSnippet: string }) {
  return (
    <div>
      <div className="mb-2 flex items-center justify-between gap-2">
        <p className="text-[13px] text-gray-600 dark:text-gray-300">
          Paste this tag into the <code className="font-mono">{'<head>'}</code> of every page of the site.
        </p>
        <CopyButton text={tag} label="Copy tag" variant="primary" />
      </div>
      <pre className={clsx(codeBlock, 'whitespace-pre-wrap break-all')} tabIndex={0} aria-label="Tracking tag" data-testid="snippet">
        <code>{tag}</code>
      </pre>
      <p className="mt-2 text-xs text-gray-500 dark:text-gray-400">
        It records page views (single-page apps too), outbound links, downloads and time on page, and keeps nothing in the visitor’s browser: no cookie, no consent banner needed. For your own events, add{' '}
        <code className="font-mono">data-event="name"</code> to an element or call <code className="font-mono">window.eventlens.track(type, properties)</code>.
      </p>
      <details className="mt-4 rounded-lg border border-gray-200 p-3 dark:border-gray-700">
        <summary className={clsx('cursor-pointer rounded text-[13px] font-medium text-gray-900 dark:text-white', focusRing)}>Inline snippet, for identified tracking with consent</summary>
        <p className="mt-2 text-xs text-gray-500 dark:text-gray-400">
          The original snippet: it keeps a user ID in <code className="font-mono">localStorage</code> and a session ID in <code className="font-mono">sessionStorage</code>, so use it only where visitors have agreed. Paste it before{' '}
          <code className="font-mono">{'</body>'}</code> instead of the tag.
        </p>
        <div className="my-2 flex justify-end">
          <CopyButton text={inlineSnippet} label="Copy inline snippet" />
        </div>
        <pre className={clsx(codeBlock, 'max-h-[40vh]')} tabIndex={0} aria-label="Inline snippet" data-testid="inline-snippet">
          <code>{inlineSnippet}</code>
        </pre>
      </details>
    </div>
  );
}

function lines(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export default function AdaptorsPage() {
  const isAdmin = useIsAdmin();
  const queryClient = useQueryClient();
  const adaptors = useAdaptors();
  const catalog = useCatalog();
  const [editing, setEditing] = useState<{ mode: 'create' | 'edit'; adaptor?: AdaptorItem } | null>(null);
  const [form, setForm] = useState<FormState>({ name: '', schemaId: '', websiteUrl: '', origins: '', description: '', timezone: 'UTC', isActive: true });
  const [snippet, setSnippet] = useState<Install | null>(null);
  const [disabling, setDisabling] = useState<AdaptorItem | null>(null);
  const [touched, setTouched] = useState(false);

  const invalidate = () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.adaptors });
    void queryClient.invalidateQueries({ queryKey: queryKeys.catalog });
  };

  const save = useMutation({
    mutationFn: async (f: FormState) => {
      const body = {
        name: f.name.trim(),
        schema_id: f.schemaId,
        website_url: f.websiteUrl.trim() || null,
        allowed_origins: lines(f.origins),
        description: f.description,
        timezone: f.timezone,
      };
      if (editing?.mode === 'edit' && editing.adaptor) {
        return rest<AdaptorOut>('PUT', `/api/adaptors/${encodeURIComponent(editing.adaptor.containerId)}`, {
          ...body,
          website_url: undefined,
          website_urls: f.websiteUrl.trim() ? [f.websiteUrl.trim(), ...editing.adaptor.websiteUrls.slice(1)] : [],
          is_active: f.isActive,
        });
      }
      return rest<AdaptorOut>('POST', '/api/adaptors/', body);
    },
    onSuccess: (out) => {
      invalidate();
      if (editing?.mode === 'create') {
        setSnippet({ name: out.name, tag: out.snippet, inlineSnippet: out.inline_snippet, created: true });
        toast('success', `Adaptor ${out.name} created`, `Container ID ${out.container_id}`);
      } else toast('success', `Adaptor ${out.name} saved`);
      setEditing(null);
    },
  });

  const setActive = useMutation({
    mutationFn: ({ adaptor, active }: { adaptor: AdaptorItem; active: boolean }) =>
      active ? rest('PUT', `/api/adaptors/${encodeURIComponent(adaptor.containerId)}`, { is_active: true }) : rest('DELETE', `/api/adaptors/${encodeURIComponent(adaptor.containerId)}`),
    onSuccess: (_d, { adaptor, active }) => {
      invalidate();
      toast('success', `${adaptor.name} ${active ? 'enabled' : 'disabled'}`, active ? 'Its events are accepted again.' : 'Its events are refused from now on; its history stays.');
      setDisabling(null);
    },
    onError: (e) => toast('error', 'Could not change the adaptor', messageOf(e)),
  });

  const activeSchemas = (catalog.data?.schemas ?? []).filter((s) => s.isActive);

  function open(mode: 'create' | 'edit', adaptor?: AdaptorItem) {
    save.reset();
    setTouched(false);
    setForm(
      adaptor
        ? { name: adaptor.name, schemaId: adaptor.schemaId, websiteUrl: adaptor.websiteUrls[0] ?? '', origins: adaptor.allowedOrigins.join('\n'), description: adaptor.description, timezone: adaptor.timezone, isActive: adaptor.isActive }
        : { name: '', schemaId: activeSchemas[0]?.name ?? '', websiteUrl: '', origins: '', description: '', timezone: browserTimeZone(), isActive: true },
    );
    setEditing({ mode, adaptor });
  }

  const errors = {
    name: !form.name.trim() ? 'Give the adaptor a name.' : null,
    schemaId: !form.schemaId ? 'Choose the schema its events follow.' : null,
    websiteUrl: form.websiteUrl.trim() && !/^https?:\/\/[^\s/]+/.test(form.websiteUrl.trim()) ? 'Start with http:// or https://' : null,
  };
  const serverError = save.error instanceof ApiError ? save.error : null;
  const fieldError = (field: string) => (serverError?.field === field || serverError?.field === field.replace('schema_id', 'schema_name') ? serverError.message : null);

  function submit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (errors.name || errors.schemaId || errors.websiteUrl) return;
    save.mutate(form);
  }

  const list = adaptors.data?.adaptors ?? [];

  return (
    <>
      <PageHeader
        title="Adaptors"
        description="One per tracked site: it ties the site’s events to a schema and gives you the tag to paste."
        actions={
          isAdmin && (
            <Button variant="primary" icon={<Plus className="h-4 w-4" aria-hidden />} onClick={() => open('create')} disabled={catalog.isSuccess && activeSchemas.length === 0} title={activeSchemas.length === 0 ? 'Create a schema first' : undefined}>
              New adaptor
            </Button>
          )
        }
      />

      {catalog.isSuccess && activeSchemas.length === 0 && (
        <Alert tone="brand" className="mb-4" title="Create a schema first">
          An adaptor sends events that follow a schema. <Link to="/schemas" className="font-medium underline">Go to schemas</Link>.
        </Alert>
      )}

      {adaptors.isError ? (
        <Card>
          <ErrorState error={adaptors.error} onRetry={() => void adaptors.refetch()} />
        </Card>
      ) : adaptors.isPending ? (
        <Card className="space-y-3 p-4">
          {[1, 2, 3].map((i) => (
            <Skeleton key={i} className="h-14" />
          ))}
        </Card>
      ) : list.length === 0 ? (
        <Card>
          <EmptyState icon={<Plug className="h-5 w-5" aria-hidden />} title="No adaptors yet" action={isAdmin && activeSchemas.length > 0 ? <Button variant="primary" icon={<Plus className="h-4 w-4" aria-hidden />} onClick={() => open('create')}>New adaptor</Button> : undefined}>
            Create one per website; you get a container ID and a tag to paste.
          </EmptyState>
        </Card>
      ) : (
        <Card className="overflow-hidden">
          <div className="relative overflow-x-auto">
            <table className="w-full min-w-[760px] text-left text-sm" data-testid="adaptors-table">
              <thead className="border-b border-gray-200 bg-gray-50/80 text-xs font-medium uppercase tracking-wide text-gray-500 dark:border-gray-800 dark:bg-gray-900/60 dark:text-gray-400">
                <tr>
                  <th scope="col" className="px-4 py-2.5">Adaptor</th>
                  <th scope="col" className="px-4 py-2.5">Schema</th>
                  <th scope="col" className="px-4 py-2.5">Status</th>
                  <th scope="col" className="px-4 py-2.5">Last seen</th>
                  <th scope="col" className="px-4 py-2.5 text-right">Events, last hour</th>
                  <th scope="col" className="px-4 py-2.5 text-right">
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-gray-100 dark:divide-gray-800">
                {list.map((a) => (
                  <tr key={a.containerId} data-testid="adaptor-row" className="align-top">
                    <td className="px-4 py-3">
                      <p className="font-medium text-gray-900 dark:text-white">{a.name}</p>
                      <p className="mt-0.5 flex flex-wrap items-center gap-x-2 text-xs text-gray-500 dark:text-gray-400">
                        <Mono data-testid="container-id">{a.containerId}</Mono>
                        {a.websiteUrls[0] && (
                          <span className="inline-flex items-center gap-1">
                            <Globe className="h-3 w-3" aria-hidden />
                            {a.websiteUrls[0]}
                          </span>
                        )}
                      </p>
                    </td>
                    <td className="px-4 py-3">
                      <Link to={`/schemas/${encodeURIComponent(a.schemaId)}`} className={clsx('rounded font-mono text-[13px] text-brand-600 hover:underline dark:text-brand-400', focusRing)}>
                        {a.schemaId}
                      </Link>
                    </td>
                    <td className="px-4 py-3">{a.isActive ? <Badge tone="green" dot>Active</Badge> : <Badge tone="gray">Disabled</Badge>}</td>
                    <td className="whitespace-nowrap px-4 py-3 text-gray-600 dark:text-gray-300" title={a.lastSeenAt ?? undefined}>
                      {a.lastSeenAt ? formatRelative(a.lastSeenAt) : <span className="text-gray-400">never</span>}
                    </td>
                    <td className="px-4 py-3 text-right font-medium tabular text-gray-900 dark:text-white" data-testid="events-last-hour">
                      {formatNumber(a.eventsLastHour)}
                    </td>
                    <td className="px-4 py-3">
                      <div className="flex justify-end gap-1">
                        <Link
                          to={`/sites/${encodeURIComponent(a.containerId)}`}
                          aria-label={`Dashboard of ${a.name}`}
                          className={clsx('inline-flex h-8 shrink-0 items-center gap-1.5 rounded-lg px-2.5 text-[13px] font-medium text-gray-600 transition-colors hover:bg-gray-100 hover:text-gray-900 dark:text-gray-300 dark:hover:bg-gray-800 dark:hover:text-white', focusRing)}
                        >
                          <BarChart3 className="h-3.5 w-3.5" aria-hidden />
                          Dashboard
                        </Link>
                        <Button size="sm" variant="ghost" icon={<Code2 className="h-3.5 w-3.5" aria-hidden />} onClick={() => setSnippet({ name: a.name, tag: a.snippet, inlineSnippet: a.inlineSnippet })}>
                          Snippet
                        </Button>
                        {isAdmin && (
                          <>
                            <Button size="sm" variant="ghost" icon={<Pencil className="h-3.5 w-3.5" aria-hidden />} onClick={() => open('edit', a)} aria-label={`Edit ${a.name}`}>
                              Edit
                            </Button>
                            {a.isActive ? (
                              <Button size="sm" variant="danger-ghost" icon={<PowerOff className="h-3.5 w-3.5" aria-hidden />} onClick={() => setDisabling(a)} aria-label={`Disable ${a.name}`}>
                                Disable
                              </Button>
                            ) : (
                              <Button size="sm" variant="ghost" icon={<Power className="h-3.5 w-3.5" aria-hidden />} onClick={() => setActive.mutate({ adaptor: a, active: true })} aria-label={`Enable ${a.name}`}>
                                Enable
                              </Button>
                            )}
                          </>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}

      <Modal
        open={!!editing}
        onClose={() => setEditing(null)}
        title={editing?.mode === 'create' ? 'New adaptor' : `Edit ${editing?.adaptor?.name ?? ''}`}
        description={editing?.mode === 'edit' ? <Mono>{editing.adaptor?.containerId}</Mono> : 'You get a container ID and a ready-to-paste tag.'}
        footer={
          <>
            <Button onClick={() => setEditing(null)}>Cancel</Button>
            <Button type="submit" form="adaptor-form" variant="primary" loading={save.isPending}>
              {editing?.mode === 'create' ? 'Create adaptor' : 'Save changes'}
            </Button>
          </>
        }
      >
        <form id="adaptor-form" onSubmit={submit} noValidate className="space-y-4">
          {serverError && !['name', 'schema_name', 'schema_id', 'website_url', 'website_urls', 'allowed_origins', 'description', 'timezone'].includes(serverError.field ?? '') && <Alert>{serverError.message}</Alert>}
          {save.error && !serverError && <Alert>{messageOf(save.error)}</Alert>}
          <Field label="Name" error={(touched && errors.name) || fieldError('name')}>
            {(p) => <Input {...p} value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} placeholder="My Portfolio" data-autofocus />}
          </Field>
          <Field label="Schema" error={(touched && errors.schemaId) || fieldError('schema_id')} hint="The event types this site may send.">
            {(p) => (
              <Select {...p} value={form.schemaId} onChange={(e) => setForm({ ...form, schemaId: e.target.value })}>
                <option value="">Choose a schema…</option>
                {activeSchemas.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Website URL" optional error={errors.websiteUrl || fieldError('website_url') || fieldError('website_urls')} hint="Its origin may send events from browsers.">
            {(p) => <Input {...p} type="url" value={form.websiteUrl} onChange={(e) => setForm({ ...form, websiteUrl: e.target.value })} placeholder="https://example.com" />}
          </Field>
          <Field label="Other allowed origins" optional error={fieldError('allowed_origins')} hint={'One per line, e.g. https://www.example.com, or * for any origin.'}>
            {(p) => <Textarea {...p} rows={2} value={form.origins} onChange={(e) => setForm({ ...form, origins: e.target.value })} className="font-mono text-[13px]" />}
          </Field>
          <Field label="Time zone" error={fieldError('timezone')} hint="The site’s days (today, this month) in its reports.">
            {(p) => (
              <Select {...p} value={form.timezone} onChange={(e) => setForm({ ...form, timezone: e.target.value })}>
                {timeZones(form.timezone).map((zone) => (
                  <option key={zone} value={zone}>
                    {zone.replace(/_/g, ' ')}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          <Field label="Description" optional error={fieldError('description')}>
            {(p) => <Input {...p} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} placeholder="Personal website tracking" />}
          </Field>
          {editing?.mode === 'edit' && (
            <label className="flex items-center justify-between gap-3 rounded-lg border border-gray-200 px-3 py-2.5 text-sm dark:border-gray-800">
              <span>
                <span className="font-medium text-gray-900 dark:text-white">Active</span>
                <span className="block text-xs text-gray-500 dark:text-gray-400">A disabled adaptor’s events are refused.</span>
              </span>
              <Toggle checked={form.isActive} onChange={(v) => setForm({ ...form, isActive: v })} label="Active" />
            </label>
          )}
        </form>
      </Modal>

      <Modal open={!!snippet} onClose={() => setSnippet(null)} title={snippet?.created ? `${snippet.name} is ready` : `Snippet for ${snippet?.name ?? ''}`} size="lg">
        {snippet && <SnippetView tag={snippet.tag} inlineSnippet={snippet.inlineSnippet} />}
      </Modal>

      <ConfirmDialog
        open={!!disabling}
        onClose={() => setDisabling(null)}
        title={`Disable ${disabling?.name ?? ''}?`}
        confirmLabel="Disable adaptor"
        danger
        loading={setActive.isPending}
        onConfirm={() => disabling && setActive.mutate({ adaptor: disabling, active: false })}
      >
        Events from this site will be refused (403) until you enable it again. Its history stays.
      </ConfirmDialog>
    </>
  );
}
