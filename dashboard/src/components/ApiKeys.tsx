/**
 * Your API keys (Settings): keys that read stats and nothing else, for scripts and Plausible's
 * Stats API clients. A new key is shown once; the list shows each key's first characters.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { KeyRound, Plus, Trash2 } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { messageOf } from '../lib/errors';
import { formatDateTime } from '../lib/format';
import { rest } from '../lib/http';
import { queryKeys } from '../lib/queryKeys';
import { toast } from '../lib/toast';
import { CopyButton } from './CopyButton';
import { ConfirmDialog, Modal } from './Dialog';
import { Alert, Badge, Button, Card, CardHeader, EmptyState, ErrorState, Field, Input, Mono, Skeleton } from './ui';

export interface ApiKeyOut {
  id: string;
  name: string;
  prefix: string;
  scope: string;
  created_at: string;
}

interface IssuedApiKey extends ApiKeyOut {
  key: string;
}

const KEYS = '/api/users/me/api-keys';

function NewKeyDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [issued, setIssued] = useState<IssuedApiKey | null>(null);
  const create = useMutation({
    mutationFn: () => rest<IssuedApiKey>('POST', KEYS, { name: name.trim() || null }),
    onSuccess: (key) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys });
      setIssued(key);
    },
  });
  const close = () => {
    setName('');
    setIssued(null);
    create.reset();
    onClose();
  };
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  return (
    <Modal
      open={open}
      onClose={close}
      title={issued ? `Key ${issued.name || issued.prefix} created` : 'New API key'}
      size="md"
      footer={
        issued ? (
          <Button variant="primary" onClick={close}>
            Done
          </Button>
        ) : (
          <>
            <Button onClick={close}>Cancel</Button>
            <Button type="submit" form="new-api-key" variant="primary" loading={create.isPending}>
              Create key
            </Button>
          </>
        )
      }
    >
      {issued ? (
        <div className="space-y-3">
          <Alert tone="amber" title="Copy the key now">
            It is shown only this once: EventLens keeps a digest of it, not the key.
          </Alert>
          <div className="flex items-center gap-2">
            <Input readOnly value={issued.key} aria-label="API key" className="font-mono text-[12.5px]" data-testid="new-api-key" onFocus={(e) => e.currentTarget.select()} />
            <CopyButton text={issued.key} label="Copy key" variant="primary" />
          </div>
          <p className="text-[13px] text-gray-500 dark:text-gray-400">
            Send it as <code className="font-mono">Authorization: Bearer &lt;key&gt;</code> to <code className="font-mono">POST /api/v2/query</code>. It reads stats and nothing else.
          </p>
        </div>
      ) : (
        <form id="new-api-key" onSubmit={submit} noValidate className="space-y-3">
          {create.error && <Alert>{messageOf(create.error)}</Alert>}
          <Field label="Name" optional hint="What uses it, e.g. Weekly report script.">
            {(p) => <Input {...p} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} data-autofocus />}
          </Field>
        </form>
      )}
    </Modal>
  );
}

export function ApiKeys() {
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: queryKeys.apiKeys, queryFn: () => rest<ApiKeyOut[]>('GET', KEYS) });
  const [creating, setCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKeyOut | null>(null);
  const revoke = useMutation({
    mutationFn: (key: ApiKeyOut) => rest<ApiKeyOut>('DELETE', `${KEYS}/${encodeURIComponent(key.id)}`),
    onSuccess: (key) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.apiKeys });
      toast('success', `Key ${key.name || key.prefix} revoked`, 'Requests with it are refused from now on.');
      setRevoking(null);
    },
    onError: (e) => toast('error', 'Could not revoke the key', messageOf(e)),
  });
  const label = (key: ApiKeyOut) => key.name || 'Unnamed key';

  return (
    <Card>
      <CardHeader
        title="API keys"
        subtitle="For scripts and Plausible’s Stats API clients; a key reads stats and nothing else."
        actions={
          <Button variant="primary" size="sm" icon={<Plus className="h-4 w-4" aria-hidden />} onClick={() => setCreating(true)}>
            New API key
          </Button>
        }
      />
      {keys.isError ? (
        <ErrorState compact error={keys.error} onRetry={() => void keys.refetch()} />
      ) : !keys.data ? (
        <div className="p-4">
          <Skeleton className="h-10" />
        </div>
      ) : keys.data.length === 0 ? (
        <EmptyState compact icon={<KeyRound className="h-5 w-5" aria-hidden />} title="No API keys" />
      ) : (
        <ul className="divide-y divide-gray-100 dark:divide-gray-800" aria-label="API keys" data-testid="api-keys">
          {keys.data.map((key) => (
            <li key={key.id} className="flex flex-wrap items-center gap-3 px-5 py-3" data-testid="api-key">
              <div className="min-w-0 flex-1">
                <p className="flex items-center gap-2 truncate text-sm font-medium text-gray-900 dark:text-white">
                  {label(key)} <Badge>{key.scope}</Badge>
                </p>
                <p className="text-xs text-gray-500 dark:text-gray-400">
                  <Mono>{key.prefix}…</Mono> · created {formatDateTime(key.created_at)}
                </p>
              </div>
              <Button size="sm" variant="danger-ghost" icon={<Trash2 className="h-3.5 w-3.5" aria-hidden />} onClick={() => setRevoking(key)} aria-label={`Revoke ${label(key)}`}>
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      )}
      <NewKeyDialog open={creating} onClose={() => setCreating(false)} />
      <ConfirmDialog open={!!revoking} onClose={() => setRevoking(null)} title={`Revoke ${revoking ? label(revoking) : ''}?`} confirmLabel="Revoke key" danger loading={revoke.isPending} onConfirm={() => revoking && revoke.mutate(revoking)}>
        Scripts using it stop working at once. This cannot be undone.
      </ConfirmDialog>
    </Card>
  );
}
