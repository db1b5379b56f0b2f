import { useMutation, useQueryClient } from '@tanstack/react-query';
import clsx from 'clsx';
import { KeyRound, Monitor, Moon, Sun, Trash2, UserPlus, Users } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { ApiKeys } from '../components/ApiKeys';
import { AuditLog } from '../components/AuditLog';
import { ConfirmDialog, Modal } from '../components/Dialog';
import { CommitSelect } from '../components/CommitSelect';
import { Alert, Badge, Button, Card, CardHeader, EmptyState, ErrorState, Field, Input, PageHeader, Select, Skeleton, focusRing } from '../components/ui';
import { radioKeyDown, radioTabIndex } from '../components/radioGroup';
import { login } from '../lib/auth';
import { ApiError, messageOf } from '../lib/errors';
import { formatDateTime } from '../lib/format';
import { rest } from '../lib/http';
import { useUsers, type UserOut } from '../lib/queryHooks';
import { queryKeys } from '../lib/queryKeys';
import { useIsAdmin, useSession } from '../lib/session';
import { useTheme, type Theme } from '../lib/theme';
import { toast } from '../lib/toast';

const MIN_PASSWORD = 8;

function fieldError(error: unknown, field: string): string | undefined {
  return error instanceof ApiError && error.field === field ? error.message : undefined;
}

function otherError(error: unknown, fields: string[]): string | undefined {
  if (!error) return undefined;
  if (error instanceof ApiError && error.field && fields.includes(error.field)) return undefined;
  return messageOf(error);
}

function Appearance() {
  const [theme, setTheme] = useTheme();
  const options: Array<{ value: Theme; label: string; icon: typeof Sun; hint: string }> = [
    { value: 'light', label: 'Light', icon: Sun, hint: 'Always light' },
    { value: 'dark', label: 'Dark', icon: Moon, hint: 'Always dark' },
    { value: 'system', label: 'System', icon: Monitor, hint: 'Follow your device' },
  ];
  return (
    <Card>
      <CardHeader title="Appearance" subtitle="Saved in this browser" />
      <div
        role="radiogroup"
        aria-label="Theme"
        className="grid gap-3 p-5 sm:grid-cols-3"
        onKeyDown={radioKeyDown(
          options.map((o) => o.value),
          theme,
          setTheme,
        )}
      >
        {options.map(({ value, label, icon: Icon, hint }, index) => (
          <button
            key={value}
            type="button"
            role="radio"
            aria-checked={theme === value}
            tabIndex={radioTabIndex(
              options.map((o) => o.value),
              theme,
              index,
            )}
            onClick={() => setTheme(value)}
            className={clsx(
              'flex items-center gap-3 rounded-xl border p-3.5 text-left transition-colors',
              theme === value ? 'border-brand-500 bg-brand-50/60 ring-1 ring-brand-500 dark:bg-brand-500/10' : 'border-gray-200 hover:border-gray-300 dark:border-gray-800 dark:hover:border-gray-700',
              focusRing,
            )}
          >
            <span className={clsx('flex h-9 w-9 items-center justify-center rounded-lg', theme === value ? 'bg-brand-600 text-white' : 'bg-gray-100 text-gray-500 dark:bg-gray-800 dark:text-gray-400')}>
              <Icon className="h-4 w-4" aria-hidden />
            </span>
            <span>
              <span className="block text-sm font-medium text-gray-900 dark:text-white">{label}</span>
              <span className="block text-xs text-gray-500 dark:text-gray-400">{hint}</span>
            </span>
          </button>
        ))}
      </div>
    </Card>
  );
}

function OwnPassword() {
  const session = useSession()!;
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [confirm, setConfirm] = useState('');
  const [touched, setTouched] = useState(false);
  const change = useMutation({
    mutationFn: async () => {
      await rest('PUT', `/api/users/${encodeURIComponent(session.user.username)}`, { password: next, current_password: current });
      // A password change ends every earlier session, this one included: sign in again.
      await login(session.user.username, next);
    },
    onSuccess: () => {
      toast('success', 'Password changed', 'Other sessions were signed out.');
      setCurrent('');
      setNext('');
      setConfirm('');
      setTouched(false);
    },
  });
  const errors = {
    current: !current ? 'Enter your current password.' : fieldError(change.error, 'current_password'),
    next: next.length < MIN_PASSWORD ? `At least ${MIN_PASSWORD} characters.` : next === current ? 'Choose a password different from the current one.' : fieldError(change.error, 'password'),
    confirm: confirm !== next ? 'The passwords do not match.' : undefined,
  };
  function submit(e: FormEvent) {
    e.preventDefault();
    setTouched(true);
    if (errors.current || errors.next || errors.confirm) return;
    change.mutate();
  }
  return (
    <Card>
      <CardHeader title="Your account" subtitle={<>Signed in as <strong className="font-medium text-gray-700 dark:text-gray-200">{session.user.username}</strong> · <Badge tone={session.user.role === 'admin' ? 'brand' : 'gray'}>{session.user.role}</Badge></>} />
      <form onSubmit={submit} noValidate className="space-y-4 p-5" aria-label="Change your password">
        {otherError(change.error, ['current_password', 'password']) && <Alert>{otherError(change.error, ['current_password', 'password'])}</Alert>}
        <Field label="Current password" error={touched ? errors.current : fieldError(change.error, 'current_password')}>
          {(p) => <Input {...p} type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />}
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label="New password" hint={`At least ${MIN_PASSWORD} characters`} error={touched ? errors.next : undefined}>
            {(p) => <Input {...p} type="password" autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />}
          </Field>
          <Field label="Confirm new password" error={touched || confirm ? (confirm && errors.confirm) || (touched ? errors.confirm : undefined) : undefined}>
            {(p) => <Input {...p} type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />}
          </Field>
        </div>
        <div className="flex justify-end">
          <Button type="submit" variant="primary" loading={change.isPending} icon={<KeyRound className="h-4 w-4" aria-hidden />}>
            Change password
          </Button>
        </div>
      </form>
    </Card>
  );
}

function UserAdmin() {
  const session = useSession()!;
  const queryClient = useQueryClient();
  const users = useUsers();
  const [creating, setCreating] = useState(false);
  const [form, setForm] = useState({ username: '', password: '', role: 'viewer' });
  const [touched, setTouched] = useState(false);
  const [resetting, setResetting] = useState<string | null>(null);
  const [resetPassword, setResetPassword] = useState('');
  const [removing, setRemoving] = useState<string | null>(null);
  const invalidate = () => void queryClient.invalidateQueries({ queryKey: queryKeys.users });

  const create = useMutation({
    mutationFn: () => rest<UserOut>('POST', '/api/users/', form),
    onSuccess: (u) => {
      invalidate();
      toast('success', `User ${u.username} created`, `Role: ${u.role}`);
      setCreating(false);
    },
  });
  const setRole = useMutation({
    mutationFn: ({ username, role }: { username: string; role: string }) => rest<UserOut>('PUT', `/api/users/${encodeURIComponent(username)}`, { role }),
    onSuccess: (u) => {
      invalidate();
      toast('success', `${u.username} is now ${u.role === 'admin' ? 'an admin' : 'a viewer'}`);
    },
    onError: (e) => toast('error', 'Could not change the role', messageOf(e)),
  });
  const reset = useMutation({
    mutationFn: () => rest<UserOut>('PUT', `/api/users/${encodeURIComponent(resetting!)}`, { password: resetPassword }),
    onSuccess: (u) => {
      toast('success', `Password of ${u.username} reset`, 'Their sessions were signed out.');
      setResetting(null);
    },
  });
  const remove = useMutation({
    mutationFn: (username: string) => rest('DELETE', `/api/users/${encodeURIComponent(username)}`),
    onSuccess: (_d, username) => {
      invalidate();
      toast('success', `User ${username} removed`);
      setRemoving(null);
    },
    onError: (e) => toast('error', 'Could not remove the user', messageOf(e)),
  });

  const createErrors = {
    username: !/^[A-Za-z0-9][A-Za-z0-9_.@-]{1,63}$/.test(form.username) ? "2–64 letters, digits, '_', '.', '@' or '-'." : fieldError(create.error, 'username'),
    password: form.password.length < MIN_PASSWORD ? `At least ${MIN_PASSWORD} characters.` : fieldError(create.error, 'password'),
  };

  return (
    <Card>
      <CardHeader
        title="Users and roles"
        subtitle="Admins change the catalog and users; viewers read everything else."
        actions={
          <Button
            variant="primary"
            size="sm"
            icon={<UserPlus className="h-4 w-4" aria-hidden />}
            onClick={() => {
              setForm({ username: '', password: '', role: 'viewer' });
              setTouched(false);
              create.reset();
              setCreating(true);
            }}
          >
            Add user
          </Button>
        }
      />
      {users.isError ? (
        <ErrorState compact error={users.error} onRetry={() => void users.refetch()} />
      ) : !users.data ? (
        <div className="space-y-2 p-4">
          <Skeleton className="h-10" />
          <Skeleton className="h-10" />
        </div>
      ) : users.data.length === 0 ? (
        <EmptyState compact icon={<Users className="h-5 w-5" aria-hidden />} title="No users" />
      ) : (
        <ul className="divide-y divide-gray-100 dark:divide-gray-800" data-testid="users">
          {users.data.map((u) => {
            const self = u.username.toLowerCase() === session.user.username.toLowerCase();
            return (
              <li key={u.username} className="flex flex-wrap items-center gap-3 px-5 py-3">
                <div className="flex h-8 w-8 shrink-0 items-center justify-center rounded-full bg-gray-100 text-sm font-semibold uppercase text-gray-600 dark:bg-gray-800 dark:text-gray-300" aria-hidden>
                  {u.username.slice(0, 1)}
                </div>
                <div className="min-w-0 flex-1">
                  <p className="truncate text-sm font-medium text-gray-900 dark:text-white">
                    {u.username} {self && <span className="text-xs font-normal text-gray-500">(you)</span>}
                  </p>
                  <p className="text-xs text-gray-500 dark:text-gray-400">since {formatDateTime(u.created_at)}</p>
                </div>
                <label className="sr-only" htmlFor={`role-${u.username}`}>
                  Role of {u.username}
                </label>
<div className="w-28 shrink-0">
                  <CommitSelect id={`role-${u.username}`} value={u.role} disabled={self || setRole.isPending} onCommit={(role) => setRole.mutate({ username: u.username, role })} title={self ? 'You cannot change your own role' : undefined}>
                  <option value="admin">admin</option>
                  <option value="viewer">viewer</option>
                </CommitSelect>
                </div>
                {!self && (
                  <>
                    <Button size="sm" variant="ghost" icon={<KeyRound className="h-3.5 w-3.5" aria-hidden />} onClick={() => { setResetPassword(''); reset.reset(); setResetting(u.username); }} aria-label={`Reset the password of ${u.username}`}>
                      Reset password
                    </Button>
                    <Button size="sm" variant="danger-ghost" icon={<Trash2 className="h-3.5 w-3.5" aria-hidden />} onClick={() => setRemoving(u.username)} aria-label={`Remove ${u.username}`}>
                      Remove
                    </Button>
                  </>
                )}
              </li>
            );
          })}
        </ul>
      )}

      <Modal
        open={creating}
        onClose={() => setCreating(false)}
        title="Add a user"
        size="sm"
        footer={
          <>
            <Button onClick={() => setCreating(false)}>Cancel</Button>
            <Button type="submit" form="new-user" variant="primary" loading={create.isPending}>
              Add user
            </Button>
          </>
        }
      >
        <form
          id="new-user"
          noValidate
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            setTouched(true);
            if (!createErrors.username && !createErrors.password) create.mutate();
          }}
        >
          {otherError(create.error, ['username', 'password']) && <Alert>{otherError(create.error, ['username', 'password'])}</Alert>}
          <Field label="Username" error={touched || fieldError(create.error, 'username') ? createErrors.username : undefined}>
            {(p) => <Input {...p} autoComplete="off" value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} data-autofocus />}
          </Field>
          <Field label="Password" hint={`At least ${MIN_PASSWORD} characters; share it safely`} error={touched || fieldError(create.error, 'password') ? createErrors.password : undefined}>
            {(p) => <Input {...p} type="password" autoComplete="new-password" value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} />}
          </Field>
          <Field label="Role">
            {(p) => (
              <Select {...p} value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
                <option value="viewer">Viewer — reads dashboards and events</option>
                <option value="admin">Admin — also manages schemas, adaptors and users</option>
              </Select>
            )}
          </Field>
        </form>
      </Modal>

      <Modal
        open={!!resetting}
        onClose={() => setResetting(null)}
        title={`Reset the password of ${resetting ?? ''}`}
        size="sm"
        footer={
          <>
            <Button onClick={() => setResetting(null)}>Cancel</Button>
            <Button type="submit" form="reset-password" variant="primary" loading={reset.isPending} disabled={resetPassword.length < MIN_PASSWORD}>
              Reset password
            </Button>
          </>
        }
      >
        <form id="reset-password" noValidate onSubmit={(e) => { e.preventDefault(); if (resetPassword.length >= MIN_PASSWORD) reset.mutate(); }} className="space-y-3">
          {reset.error && <Alert>{messageOf(reset.error)}</Alert>}
          <Field label="New password" hint={`At least ${MIN_PASSWORD} characters. Their sessions end.`}>
            {(p) => <Input {...p} type="password" autoComplete="new-password" value={resetPassword} onChange={(e) => setResetPassword(e.target.value)} data-autofocus />}
          </Field>
        </form>
      </Modal>

      <ConfirmDialog open={!!removing} onClose={() => setRemoving(null)} title={`Remove ${removing ?? ''}?`} confirmLabel="Remove user" danger loading={remove.isPending} onConfirm={() => removing && remove.mutate(removing)}>
        They can no longer sign in. Their history in the catalog stays.
      </ConfirmDialog>
    </Card>
  );
}

export default function SettingsPage() {
  const isAdmin = useIsAdmin();
  return (
    <>
      <PageHeader title="Settings" description={isAdmin ? 'Appearance, your account and API keys, who can sign in, and the audit log.' : 'Appearance, your account and API keys.'} />
      <div className="max-w-3xl space-y-6">
        <Appearance />
        <OwnPassword />
        <ApiKeys />
        {isAdmin && <UserAdmin />}
        {isAdmin && <AuditLog />}
      </div>
    </>
  );
}
