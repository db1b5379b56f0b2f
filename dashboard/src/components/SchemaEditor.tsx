/** Create or edit a schema: its event types and their JSON Schemas, checked as you type. */
import clsx from 'clsx';
import { AlertTriangle, CheckCircle2, Plus, Trash2, XCircle } from 'lucide-react';
import { useLayoutEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import type { ApiError } from '../lib/errors';
import { checkEventTypeName, checkEventTypeSchema, checkSchemaName, MAX_DESCRIPTION, type SchemaCheck } from '../lib/jsonSchema';
import { Alert, Button, Field, Input, Textarea, focusRing } from './ui';

export interface SchemaDraft {
  name: string;
  description: string;
  eventTypes: Array<{ name: string; jsonSchema: unknown }>;
}

export interface SchemaPayload {
  name: string;
  description: string;
  properties: Record<string, Record<string, unknown>>;
}

interface Row {
  id: number;
  name: string;
  text: string;
}

const TYPED_EXAMPLE = `{
  "type": "object",
  "properties": {
    "link_text": { "type": "string" }
  },
  "required": ["link_text"]
}`;

let nextId = 1;
const toRow = (name: string, schema: unknown): Row => ({
  id: nextId++,
  name,
  text: schema && typeof schema === 'object' && Object.keys(schema).length ? JSON.stringify(schema, null, 2) : '{}',
});

/** Which part of the form a server error names: `name`, `description` or `properties.<type>`. */
export function errorTarget(error: ApiError | null): { field: 'name' | 'description' | 'properties' | null; eventType: string | null } {
  if (!error?.field) return { field: null, eventType: null };
  if (error.field === 'name' || error.field === 'description') return { field: error.field, eventType: null };
  if (error.field.startsWith('properties.')) return { field: 'properties', eventType: error.field.slice('properties.'.length) };
  if (error.field === 'properties') return { field: 'properties', eventType: null };
  return { field: null, eventType: null };
}

function RowStatus({ check }: { check: SchemaCheck }) {
  if (check.errors.length) {
    return (
      <ul className="mt-2 space-y-1" data-testid="schema-errors">
        {check.errors.map((e, i) => (
          <li key={i} className="flex items-start gap-1.5 text-[13px] text-rose-600 dark:text-rose-400">
            <XCircle className="mt-0.5 h-3.5 w-3.5 shrink-0" aria-hidden />
            <span>{e.message}</span>
          </li>
        ))}
      </ul>
    );
  }
  return (
    <ul className="mt-2 space-y-1">
      <li className="flex items-center gap-1.5 text-[13px] text-emerald-600 dark:text-emerald-400" data-testid="schema-valid">
        <CheckCircle2 className="h-3.5 w-3.5" aria-hidden />
        {check.value && Object.keys(check.value).length === 0 ? 'Accepts any properties' : 'Valid JSON Schema'}
      </li>
      {check.warnings.map((w, i) => (
        <li key={i} className="flex items-start gap-1.5 text-[13px] text-amber-700 dark:text-amber-400" data-testid="schema-warning">
          <AlertTriangle className="mt-0.5 h-3.5 w-3.5 shrink-0" aria-hidden />
          <span>{w.message}</span>
        </li>
      ))}
    </ul>
  );
}

export function SchemaEditor({
  mode,
  initial,
  onSubmit,
  onCancel,
  serverError,
  submitting,
}: {
  mode: 'create' | 'edit';
  initial?: SchemaDraft;
  onSubmit: (payload: SchemaPayload) => void;
  onCancel: () => void;
  serverError?: ApiError | null;
  submitting?: boolean;
}) {
  const [name, setName] = useState(initial?.name ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const [rows, setRows] = useState<Row[]>(() => (initial?.eventTypes.length ? initial.eventTypes.map((t) => toRow(t.name, t.jsonSchema)) : [toRow('page_view', {})]));
  const [touched, setTouched] = useState(false);
  const list = useRef<HTMLDivElement>(null);
  const focusRow = useRef<number | null>(null);

  const checks = useMemo(() => rows.map((r) => checkEventTypeSchema(r.text)), [rows]);
  const nameErrors = rows.map((r, i) => checkEventTypeName(r.name, rows.filter((_, j) => j !== i).map((o) => o.name)));
  const schemaNameError = mode === 'create' ? checkSchemaName(name) : null;
  const descriptionError = description.length > MAX_DESCRIPTION ? `At most ${MAX_DESCRIPTION} characters.` : null;
  const invalid = !!schemaNameError || !!descriptionError || rows.length === 0 || checks.some((c) => c.errors.length) || nameErrors.some(Boolean);
  const target = errorTarget(serverError ?? null);

  function update(id: number, change: Partial<Row>) {
    setRows((rs) => rs.map((r) => (r.id === id ? { ...r, ...change } : r)));
  }

  function addRow(text = '{}') {
    const id = nextId++;
    setRows((rs) => [...rs, { id, name: '', text }]);
    focusRow.current = id;
  }

  // Focus the new row's name right after it is rendered (in the same commit as the click).
  useLayoutEffect(() => {
    if (focusRow.current === null) return;
    list.current?.querySelector<HTMLInputElement>(`#et-name-${focusRow.current}`)?.focus();
    focusRow.current = null;
  }, [rows]);

  function submit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (invalid) return;
    const properties: Record<string, Record<string, unknown>> = {};
    rows.forEach((r, i) => {
      properties[r.name.trim()] = checks[i].value ?? {};
    });
    onSubmit({ name, description, properties });
  }

  return (
    <form onSubmit={submit} noValidate aria-label={mode === 'create' ? 'New schema' : `Edit schema ${name}`}>
      <div className="space-y-5">
        {serverError && (
          <Alert title={serverError.status === 409 ? 'Conflict' : 'The server refused this schema'}>
            {serverError.message}
            {serverError.field && (
              <span className="mt-1 block text-xs opacity-80">
                Field: <code className="font-mono">{serverError.field}</code>
              </span>
            )}
          </Alert>
        )}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            label="Name"
            hint={mode === 'create' ? 'Lowercase letters, digits and _. Becomes the table events_<name>.' : 'A schema cannot be renamed.'}
            error={(touched || name) && schemaNameError ? schemaNameError : target.field === 'name' ? serverError?.message : undefined}
          >
            {(p) => <Input {...p} value={name} onChange={(e) => setName(e.target.value)} disabled={mode === 'edit'} placeholder="portfolio_events" className="font-mono text-[13px]" data-autofocus={mode === 'create' || undefined} />}
          </Field>
          <Field label="Description" optional error={descriptionError ?? (target.field === 'description' ? serverError?.message : undefined)}>
            {(p) => <Input {...p} value={description} onChange={(e) => setDescription(e.target.value)} placeholder="What this schema tracks" />}
          </Field>
        </div>

        <div>
          <div className="mb-2 flex flex-wrap items-end justify-between gap-2">
            <div>
              <h3 className="text-sm font-semibold text-gray-900 dark:text-white">Event types</h3>
              <p className="text-xs text-gray-500 dark:text-gray-400">
                Each maps to a JSON Schema (Draft 2020-12) for its properties. <code className="font-mono">{'{}'}</code> accepts anything; extra properties are allowed unless{' '}
                <code className="font-mono">"additionalProperties": false</code>.
              </p>
            </div>
          </div>
          {target.field === 'properties' && !target.eventType && serverError && <Alert className="mb-3">{serverError.message}</Alert>}
          <div ref={list} className="space-y-3">
            {rows.map((row, i) => {
              const check = checks[i];
              const nameError = (touched || row.name) && nameErrors[i];
              const serverRowError = target.eventType && target.eventType === row.name.trim() ? serverError?.message : null;
              return (
                <div
                  key={row.id}
                  data-row
                  data-testid="event-type-row"
                  className={clsx(
                    'rounded-lg border p-3',
                    check.errors.length || nameError || serverRowError ? 'border-rose-300 dark:border-rose-500/40' : 'border-gray-200 dark:border-gray-800',
                  )}
                >
                  <div className="flex items-start gap-2">
                    <div className="min-w-0 flex-1">
                      <label className="sr-only" htmlFor={`et-name-${row.id}`}>
                        Event type {i + 1} name
                      </label>
                      <Input
                        id={`et-name-${row.id}`}
                        value={row.name}
                        onChange={(e) => update(row.id, { name: e.target.value })}
                        placeholder="event_type"
                        className="font-mono text-[13px] font-medium"
                        invalid={!!nameError}
                        aria-invalid={!!nameError}
                        aria-describedby={nameError ? `et-name-err-${row.id}` : undefined}
                      />
                      {nameError && (
                        <p id={`et-name-err-${row.id}`} className="mt-1 text-[13px] text-rose-600 dark:text-rose-400">
                          {nameError}
                        </p>
                      )}
                    </div>
                    <Button size="md" variant="ghost" onClick={() => update(row.id, { text: TYPED_EXAMPLE })} title="Replace with a typed example">
                      Example
                    </Button>
                    <button
                      type="button"
                      aria-label={`Remove event type ${row.name || i + 1}`}
                      onClick={() => setRows((rs) => rs.filter((r) => r.id !== row.id))}
                      disabled={rows.length === 1}
                      className={clsx('inline-flex h-9 w-9 shrink-0 items-center justify-center rounded-lg text-gray-400 hover:bg-gray-100 hover:text-rose-600 disabled:opacity-40 dark:hover:bg-gray-800', focusRing)}
                    >
                      <Trash2 className="h-4 w-4" aria-hidden />
                    </button>
                  </div>
                  <label className="sr-only" htmlFor={`et-schema-${row.id}`}>
                    JSON Schema of {row.name || `event type ${i + 1}`}
                  </label>
                  <Textarea
                    id={`et-schema-${row.id}`}
                    value={row.text}
                    onChange={(e) => update(row.id, { text: e.target.value })}
                    rows={Math.min(14, Math.max(2, row.text.split('\n').length))}
                    spellCheck={false}
                    className="mt-2 font-mono text-[12.5px] leading-relaxed"
                    invalid={check.errors.length > 0}
                    aria-invalid={check.errors.length > 0}
                  />
                  {serverRowError && (
                    <p className="mt-2 flex items-start gap-1.5 text-[13px] text-rose-600 dark:text-rose-400" role="alert">
                      <XCircle className="mt-0.5 h-3.5 w-3.5 shrink-0" aria-hidden />
                      Server: {serverRowError}
                    </p>
                  )}
                  <RowStatus check={check} />
                </div>
              );
            })}
          </div>
          <Button className="mt-3" size="sm" icon={<Plus className="h-3.5 w-3.5" aria-hidden />} onClick={() => addRow()}>
            Add event type
          </Button>
        </div>
      </div>
      <div className="sticky -bottom-4 z-10 -mx-5 -mb-4 mt-6 flex flex-wrap items-center justify-end gap-2 border-t border-gray-100 bg-white/95 px-5 py-3 backdrop-blur dark:border-gray-800 dark:bg-gray-900/95">
        {invalid && touched && <p className="mr-auto text-[13px] text-rose-600 dark:text-rose-400">Fix the problems above to save.</p>}
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="primary" loading={submitting} disabled={touched && invalid}>
          {mode === 'create' ? 'Create schema' : 'Save changes'}
        </Button>
      </div>
    </form>
  );
}
