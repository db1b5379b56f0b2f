import { useMutation, useQueryClient } from '@tanstack/react-query';
import clsx from 'clsx';
import { Archive, ArrowLeft, Braces, ChevronDown, History, Pencil, Plus } from 'lucide-react';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { JsonView } from '../components/JsonView';
import { SchemaEditor, type SchemaPayload } from '../components/SchemaEditor';
import { ConfirmDialog, Modal } from '../components/Dialog';
import { Badge, Button, Card, CardHeader, EmptyState, ErrorState, PageHeader, Skeleton, Toggle, focusRing } from '../components/ui';
import type { SchemasQuery as SchemasResult } from '../gql/graphql';
import { ApiError, messageOf } from '../lib/errors';
import { formatDateTime, formatRelative } from '../lib/format';
import { rest } from '../lib/http';
import { useSchemas, useSchemaVersions } from '../lib/queryHooks';
import { queryKeys } from '../lib/queryKeys';
import { useIsAdmin } from '../lib/session';
import { toast } from '../lib/toast';

type SchemaItem = SchemasResult['schemas'][number];

function useSchemaMutations(onDone: () => void) {
  const queryClient = useQueryClient();
  const invalidate = () => {
    // The lists and every schema's version history.
    void queryClient.invalidateQueries({ queryKey: queryKeys.schemas.all });
    void queryClient.invalidateQueries({ queryKey: queryKeys.catalog });
  };
  const create = useMutation({
    mutationFn: (p: SchemaPayload) => rest('POST', '/api/schemas/', p),
    onSuccess: (_d, p) => {
      invalidate();
      toast('success', `Schema ${p.name} created`);
      onDone();
    },
  });
  const update = useMutation({
    mutationFn: (p: SchemaPayload) => rest('PUT', `/api/schemas/${encodeURIComponent(p.name)}`, { description: p.description, properties: p.properties }),
    onSuccess: (_d, p) => {
      invalidate();
      toast('success', `Schema ${p.name} saved`, 'A new version was recorded.');
      onDone();
    },
  });
  const retire = useMutation({
    mutationFn: (name: string) => rest('DELETE', `/api/schemas/${encodeURIComponent(name)}`),
    onSuccess: (_d, name) => {
      invalidate();
      toast('success', `Schema ${name} retired`, 'New events for it are refused; its history stays.');
    },
    onError: (e) => toast('error', 'Could not retire the schema', messageOf(e)),
  });
  return { create, update, retire };
}

function SchemaList({ schemas, isAdmin, onNew }: { schemas: SchemaItem[]; isAdmin: boolean; onNew: () => void }) {
  if (!schemas.length) {
    return (
      <Card>
        <EmptyState
          icon={<Braces className="h-5 w-5" aria-hidden />}
          title="No schemas yet"
          action={
            isAdmin ? (
              <Button variant="primary" icon={<Plus className="h-4 w-4" aria-hidden />} onClick={onNew}>
                New schema
              </Button>
            ) : undefined
          }
        >
          A schema names the event types a site may send and, optionally, the JSON Schema each event’s properties must follow.
        </EmptyState>
      </Card>
    );
  }
  return (
    <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3" data-testid="schema-list">
      {schemas.map((s) => (
        <Link
          key={s.name}
          to={`/schemas/${encodeURIComponent(s.name)}`}
          className={clsx('group block rounded-xl border border-gray-200 bg-white p-5 shadow-card transition hover:border-brand-300 hover:shadow-md dark:border-gray-800 dark:bg-gray-900 dark:hover:border-brand-500/50', focusRing)}
          data-testid="schema-card"
        >
          <div className="flex items-start justify-between gap-3">
            <div className="min-w-0">
              <p className="truncate font-mono text-[15px] font-semibold text-gray-900 group-hover:text-brand-700 dark:text-white dark:group-hover:text-brand-300">{s.name}</p>
              <p className="mt-1 line-clamp-2 text-[13px] text-gray-500 dark:text-gray-400">{s.description || 'No description'}</p>
            </div>
            {s.isActive ? <Badge tone="green" dot>Active</Badge> : <Badge tone="gray">Retired</Badge>}
          </div>
          <div className="mt-4 flex flex-wrap gap-1.5">
            {s.eventTypes.slice(0, 6).map((t) => (
              <Badge key={t.name} tone={t.jsonSchema && Object.keys(t.jsonSchema).length ? 'brand' : 'gray'} className="font-mono">
                {t.name}
              </Badge>
            ))}
            {s.eventTypes.length > 6 && <Badge>+{s.eventTypes.length - 6} more</Badge>}
          </div>
          <p className="mt-4 text-xs text-gray-500 dark:text-gray-400">
            v{s.version} · {s.eventTypes.length} event {s.eventTypes.length === 1 ? 'type' : 'types'} · updated {formatRelative(s.updatedAt)}
          </p>
        </Link>
      ))}
    </div>
  );
}

function diffTypes(now: Record<string, unknown>, before: Record<string, unknown> | undefined) {
  if (!before) return { added: Object.keys(now), removed: [] as string[], changed: [] as string[] };
  const added = Object.keys(now).filter((k) => !(k in before));
  const removed = Object.keys(before).filter((k) => !(k in now));
  const changed = Object.keys(now).filter((k) => k in before && JSON.stringify(now[k]) !== JSON.stringify(before[k]));
  return { added, removed, changed };
}

function VersionHistory({ name, current }: { name: string; current: number }) {
  const versions = useSchemaVersions(name, current);
  const [open, setOpen] = useState<number | null>(null);
  if (versions.isError) return <ErrorState compact error={versions.error} onRetry={() => void versions.refetch()} />;
  if (!versions.data)
    return (
      <div className="space-y-2 p-4">
        <Skeleton className="h-10" />
        <Skeleton className="h-10" />
      </div>
    );
  const list = versions.data.schemaVersions;
  if (!list.length) return <EmptyState compact title="No versions recorded yet" icon={<History className="h-5 w-5" aria-hidden />}>Versions appear once the catalog projection has caught up.</EmptyState>;
  return (
    <ol className="divide-y divide-gray-100 dark:divide-gray-800" data-testid="version-history">
      {list.map((v, i) => {
        const types = (v.eventTypes ?? {}) as Record<string, unknown>;
        const d = diffTypes(types, list[i + 1]?.eventTypes as Record<string, unknown> | undefined);
        const expanded = open === v.version;
        return (
          <li key={v.version}>
            <button
              type="button"
              aria-expanded={expanded}
              onClick={() => setOpen(expanded ? null : v.version)}
              className={clsx('flex w-full items-start gap-3 px-5 py-3 text-left hover:bg-gray-50 dark:hover:bg-gray-800/40', focusRing)}
            >
              <span className="mt-0.5 inline-flex h-6 min-w-[2.25rem] items-center justify-center rounded-md bg-gray-100 px-1.5 font-mono text-xs font-semibold text-gray-700 dark:bg-gray-800 dark:text-gray-200">v{v.version}</span>
              <span className="min-w-0 flex-1">
                <span className="block text-sm text-gray-900 dark:text-gray-100">
                  {i === list.length - 1 ? 'Registered' : 'Updated'} · <span className="text-gray-500 dark:text-gray-400">{formatDateTime(v.recordedAt)}</span>
                </span>
                <span className="mt-1 flex flex-wrap gap-1">
                  {d.added.map((t) => (
                    <Badge key={`a-${t}`} tone="green" className="font-mono">+ {t}</Badge>
                  ))}
                  {d.changed.map((t) => (
                    <Badge key={`c-${t}`} tone="amber" className="font-mono">~ {t}</Badge>
                  ))}
                  {d.removed.map((t) => (
                    <Badge key={`r-${t}`} tone="red" className="font-mono">− {t}</Badge>
                  ))}
                  {i < list.length - 1 && !d.added.length && !d.changed.length && !d.removed.length && <span className="text-xs text-gray-500">Description only</span>}
                </span>
              </span>
              <ChevronDown className={clsx('mt-1 h-4 w-4 shrink-0 text-gray-400 transition-transform', expanded && 'rotate-180')} aria-hidden />
            </button>
            {expanded && (
              <div className="px-5 pb-4">
                {v.description && <p className="mb-2 text-[13px] text-gray-600 dark:text-gray-300">{v.description}</p>}
                <JsonView value={types} className="max-h-80" label={`Event types of version ${v.version}`} />
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}

function SchemaDetail({ schema, isAdmin, onEdit, onRetire }: { schema: SchemaItem; isAdmin: boolean; onEdit: () => void; onRetire: () => void }) {
  return (
    <>
      <div className="mb-4">
        <Link to="/schemas" className={clsx('inline-flex items-center gap-1 rounded text-[13px] font-medium text-gray-500 hover:text-gray-900 dark:text-gray-400 dark:hover:text-white', focusRing)}>
          <ArrowLeft className="h-3.5 w-3.5" aria-hidden /> All schemas
        </Link>
      </div>
      <PageHeader
        title={schema.name}
        description={
          <span className="flex flex-wrap items-center gap-2">
            {schema.isActive ? <Badge tone="green" dot>Active</Badge> : <Badge>Retired</Badge>}
            <span>
              Version {schema.version} · created {formatDateTime(schema.createdAt)}
            </span>
          </span>
        }
        actions={
          isAdmin &&
          schema.isActive && (
            <>
              <Button icon={<Pencil className="h-4 w-4" aria-hidden />} onClick={onEdit}>
                Edit
              </Button>
              <Button variant="danger-ghost" icon={<Archive className="h-4 w-4" aria-hidden />} onClick={onRetire}>
                Retire
              </Button>
            </>
          )
        }
      />
      {schema.description && <p className="-mt-3 mb-6 max-w-3xl text-sm text-gray-600 dark:text-gray-300">{schema.description}</p>}
      <div className="grid gap-4 lg:grid-cols-5">
        <Card className="lg:col-span-3">
          <CardHeader title="Event types" subtitle="Each event’s properties must follow its JSON Schema" />
          <ul className="divide-y divide-gray-100 dark:divide-gray-800" data-testid="event-types">
            {schema.eventTypes.map((t) => {
              const empty = !t.jsonSchema || Object.keys(t.jsonSchema).length === 0;
              return (
                <li key={t.name} className="px-5 py-3">
                  <div className="flex items-center justify-between gap-2">
                    <span className="font-mono text-sm font-medium text-gray-900 dark:text-white">{t.name}</span>
                    {empty ? <Badge>any properties</Badge> : <Badge tone="brand">typed</Badge>}
                  </div>
                  {!empty && <JsonView value={t.jsonSchema} className="mt-2 max-h-64" label={`JSON Schema of ${t.name}`} />}
                </li>
              );
            })}
          </ul>
        </Card>
        <Card className="self-start lg:col-span-2">
          <CardHeader title="Version history" subtitle="Every definition is kept" />
          <VersionHistory name={schema.name} current={schema.version} />
        </Card>
      </div>
    </>
  );
}

export default function SchemasPage() {
  const { name } = useParams();
  const navigate = useNavigate();
  const isAdmin = useIsAdmin();
  const [includeRetired, setIncludeRetired] = useState(false);
  const [editor, setEditor] = useState<'create' | 'edit' | null>(null);
  const [confirmRetire, setConfirmRetire] = useState(false);
  // A retired schema's own page still shows it.
  const schemas = useSchemas(includeRetired || !!name);
  const { create, update, retire } = useSchemaMutations(() => setEditor(null));
  const selected = name ? schemas.data?.schemas.find((s) => s.name === name) : undefined;
  const mutation = editor === 'create' ? create : update;

  const openEditor = (mode: 'create' | 'edit') => {
    create.reset();
    update.reset();
    setEditor(mode);
  };

  let body;
  if (schemas.isError) body = <Card><ErrorState error={schemas.error} onRetry={() => void schemas.refetch()} /></Card>;
  else if (schemas.isPending)
    body = (
      <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        {[1, 2, 3].map((i) => (
          <Skeleton key={i} className="h-40 rounded-xl" />
        ))}
      </div>
    );
  else if (name && !selected)
    body = (
      <Card>
        <EmptyState title={`Schema ${name} does not exist`} action={<Button onClick={() => navigate('/schemas')}>All schemas</Button>} />
      </Card>
    );
  else if (selected) body = <SchemaDetail schema={selected} isAdmin={isAdmin} onEdit={() => openEditor('edit')} onRetire={() => setConfirmRetire(true)} />;
  else body = <SchemaList schemas={schemas.data.schemas} isAdmin={isAdmin} onNew={() => openEditor('create')} />;

  return (
    <>
      {!name && (
        <PageHeader
          title="Schemas"
          description="Event types and the JSON Schemas their properties must follow. Events that break them are kept as rejected events, never dropped."
          actions={
            <>
              <label className="flex items-center gap-2 text-[13px] text-gray-600 dark:text-gray-300">
                <Toggle checked={includeRetired} onChange={setIncludeRetired} label="Show retired schemas" />
                Show retired
              </label>
              {isAdmin && (
                <Button variant="primary" icon={<Plus className="h-4 w-4" aria-hidden />} onClick={() => openEditor('create')}>
                  New schema
                </Button>
              )}
            </>
          }
        />
      )}
      {body}

      <Modal
        open={editor !== null}
        onClose={() => setEditor(null)}
        title={editor === 'create' ? 'New schema' : `Edit ${selected?.name ?? ''}`}
        description={editor === 'edit' ? 'Saving records a new version; events are judged by the newest one.' : undefined}
        size="xl"
      >
        {editor && (
          <SchemaEditor
            mode={editor}
            initial={editor === 'edit' && selected ? { name: selected.name, description: selected.description, eventTypes: selected.eventTypes } : undefined}
            onSubmit={(p) => mutation.mutate(p)}
            onCancel={() => setEditor(null)}
            serverError={mutation.error instanceof ApiError ? mutation.error : mutation.error ? new ApiError({ status: 0, code: 'error', message: messageOf(mutation.error) }) : null}
            submitting={mutation.isPending}
          />
        )}
      </Modal>

      <ConfirmDialog
        open={confirmRetire}
        onClose={() => setConfirmRetire(false)}
        title={`Retire ${selected?.name ?? ''}?`}
        confirmLabel="Retire schema"
        danger
        loading={retire.isPending}
        onConfirm={() => selected && retire.mutate(selected.name, { onSettled: () => setConfirmRetire(false) })}
      >
        New events for this schema will be refused (410). Its history, tables and rejected events stay. You can register it again later under the same name.
      </ConfirmDialog>
    </>
  );
}
