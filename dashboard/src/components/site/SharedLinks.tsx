/**
 * A site's shared links (admins): make one (optionally with a password) and copy its address,
 * which is shown once; list them; revoke one, which ends its access at once.
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link2, Lock, Share2, Trash2 } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { messageOf } from '../../lib/errors';
import { formatDateTime } from '../../lib/format';
import { rest } from '../../lib/http';
import { queryKeys } from '../../lib/queryKeys';
import { sharedLinkUrl } from '../../lib/sharedAccess';
import { toast } from '../../lib/toast';
import { CopyButton } from '../CopyButton';
import { Modal } from '../Dialog';
import { Alert, Badge, Button, EmptyState, ErrorState, Field, Input, Skeleton } from '../ui';

export interface SharedLinkOut {
  id: string;
  name: string;
  has_password: boolean;
  created_at: string;
}

interface IssuedSharedLink extends SharedLinkOut {
  token: string;
}

const linksPath = (containerId: string) => `/api/adaptors/${encodeURIComponent(containerId)}/shared-links`;

function NewLink({ containerId, onCreated }: { containerId: string; onCreated: (link: IssuedSharedLink) => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const create = useMutation({
    mutationFn: () => rest<IssuedSharedLink>('POST', linksPath(containerId), { name: name.trim() || null, password: password || null }),
    onSuccess: (link) => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.site.sharedLinks(containerId) });
      setName('');
      setPassword('');
      onCreated(link);
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  return (
    <form onSubmit={submit} noValidate aria-label="New shared link" className="space-y-3 rounded-xl border border-gray-200 p-4 dark:border-gray-800">
      {create.error && <Alert>{messageOf(create.error)}</Alert>}
      <div className="grid gap-3 sm:grid-cols-2">
        <Field label="Name" optional hint="To tell your links apart.">
          {(p) => <Input {...p} value={name} maxLength={100} onChange={(e) => setName(e.target.value)} placeholder="Public stats" data-autofocus />}
        </Field>
        <Field label="Password" optional hint="Asked of whoever opens the link.">
          {(p) => <Input {...p} type="password" autoComplete="new-password" value={password} maxLength={256} onChange={(e) => setPassword(e.target.value)} />}
        </Field>
      </div>
      <div className="flex justify-end">
        <Button type="submit" variant="primary" loading={create.isPending} icon={<Link2 className="h-4 w-4" aria-hidden />}>
          Create link
        </Button>
      </div>
    </form>
  );
}

function LinkRow({ containerId, link }: { containerId: string; link: SharedLinkOut }) {
  const queryClient = useQueryClient();
  const [confirming, setConfirming] = useState(false);
  const label = link.name || 'Unnamed link';
  const revoke = useMutation({
    mutationFn: () => rest<SharedLinkOut>('DELETE', `${linksPath(containerId)}/${encodeURIComponent(link.id)}`),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.site.sharedLinks(containerId) });
      toast('success', `${label} revoked`, 'Whoever holds it can no longer open the dashboard.');
    },
    onError: (e) => toast('error', 'Could not revoke the link', messageOf(e)),
  });
  return (
    <li className="flex flex-wrap items-center gap-3 py-3" data-testid="shared-link" data-link-id={link.id}>
      <div className="min-w-0 flex-1">
        <p className="flex items-center gap-2 truncate text-sm font-medium text-gray-900 dark:text-white">
          {label}
          {link.has_password && (
            <Badge tone="amber">
              <Lock className="h-3 w-3" aria-hidden />
              password
            </Badge>
          )}
        </p>
        <p className="text-xs text-gray-500 dark:text-gray-400">created {formatDateTime(link.created_at)}</p>
      </div>
      {confirming ? (
        <div className="flex items-center gap-2" role="group" aria-label={`Revoke ${label}?`}>
          <span className="text-[13px] text-gray-600 dark:text-gray-300">Revoke it?</span>
          <Button size="sm" onClick={() => setConfirming(false)} autoFocus>
            Cancel
          </Button>
          <Button size="sm" variant="danger" loading={revoke.isPending} onClick={() => revoke.mutate()}>
            Revoke
          </Button>
        </div>
      ) : (
        <Button size="sm" variant="danger-ghost" icon={<Trash2 className="h-3.5 w-3.5" aria-hidden />} onClick={() => setConfirming(true)} aria-label={`Revoke ${label}`}>
          Revoke
        </Button>
      )}
    </li>
  );
}

function LinkList({ containerId }: { containerId: string }) {
  const links = useQuery({ queryKey: queryKeys.site.sharedLinks(containerId), queryFn: () => rest<SharedLinkOut[]>('GET', linksPath(containerId)) });
  if (links.isError) return <ErrorState compact error={links.error} onRetry={() => void links.refetch()} />;
  if (!links.data) return <Skeleton className="h-16" />;
  if (links.data.length === 0) return <EmptyState compact icon={<Share2 className="h-5 w-5" aria-hidden />} title="No shared links yet" />;
  return (
    <ul className="divide-y divide-gray-100 dark:divide-gray-800" aria-label="Shared links" data-testid="shared-links">
      {links.data.map((link) => (
        <LinkRow key={link.id} containerId={containerId} link={link} />
      ))}
    </ul>
  );
}

export function SharedLinksButton({ containerId, siteName }: { containerId: string; siteName: string }) {
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<IssuedSharedLink | null>(null);
  const close = () => {
    setOpen(false);
    setCreated(null);
  };
  const url = created ? sharedLinkUrl(created.token) : '';
  return (
    <>
      <Button size="sm" icon={<Share2 className="h-3.5 w-3.5" aria-hidden />} onClick={() => setOpen(true)}>
        Share
      </Button>
      <Modal open={open} onClose={close} title={`Share ${siteName}`} description="A read-only dashboard of this site for anyone holding the link." size="lg">
        <div className="space-y-5">
          {created && (
            <Alert tone="green" title="Link created: copy it now">
              <p className="mb-2">It is shown only this once; the token is kept in the part of the address that browsers never send to a server.</p>
              <div className="flex items-center gap-2">
                <Input readOnly value={url} aria-label="Shared link" className="font-mono text-[12.5px]" data-testid="new-shared-link" onFocus={(e) => e.currentTarget.select()} />
                <CopyButton text={url} label="Copy link" variant="primary" />
              </div>
            </Alert>
          )}
          <NewLink containerId={containerId} onCreated={setCreated} />
          <LinkList containerId={containerId} />
        </div>
      </Modal>
    </>
  );
}
