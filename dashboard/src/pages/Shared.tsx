/**
 * A shared link's public page (`/share#<token>`): it asks for the link's password when it has
 * one, exchanges the token, and shows the site's dashboard read-only, with no way into the
 * rest of EventLens.
 */
import { usePageHeading } from '../lib/pageHeading';
import { useMutation, useQuery } from '@tanstack/react-query';
import { KeyRound, LinkIcon } from 'lucide-react';
import { useMemo, useState, type FormEvent, type ReactNode } from 'react';
import { useLocation } from 'react-router-dom';
import { ThemeSwitch } from '../components/Layout';
import { Logo } from '../components/Logo';
import { SiteView } from '../components/site/SiteView';
import { Button, Card, ErrorState, Field, Input, Spinner } from '../components/ui';
import { ApiError, messageOf } from '../lib/errors';
import { queryKeys } from '../lib/queryKeys';
import { openSharedLink, sharedSite, sharedStatsClient, tokenFromHash, type SharedAccess, type SharedSite } from '../lib/sharedAccess';
import { StatsClientContext } from '../lib/statsClient';

function Frame({ children }: { children: ReactNode }) {
  return (
    <div className="min-h-screen">
      <header className="border-b border-gray-200 bg-white dark:border-gray-800 dark:bg-gray-900">
        <div className="mx-auto flex h-14 max-w-7xl items-center justify-between gap-4 px-4 sm:px-6 lg:px-8">
          <Logo />
          <div className="w-28">
            <ThemeSwitch />
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-7xl px-4 py-6 sm:px-6 lg:px-8 lg:py-8">
        {children}
      </main>
    </div>
  );
}

/** A link that cannot open: the page's heading says why (and names the document). */
function Notice({ title, children }: { title: string; children: ReactNode }) {
  const heading = usePageHeading(title);
  return (
    <Card className="mx-auto max-w-lg">
      <div className="flex flex-col items-center justify-center px-6 py-14 text-center">
        <div className="mb-3 flex h-11 w-11 items-center justify-center rounded-full bg-gray-100 text-gray-400 dark:bg-gray-800 dark:text-gray-500">
          <LinkIcon className="h-5 w-5" aria-hidden />
        </div>
        <h1 ref={heading} tabIndex={-1} className="text-sm font-semibold text-gray-900 focus:outline-none dark:text-gray-100">
          {title}
        </h1>
        <div className="mt-1 max-w-sm text-[13px] text-gray-500 dark:text-gray-400">{children}</div>
      </div>
    </Card>
  );
}

function explain(error: unknown): string {
  if (error instanceof ApiError && error.status === 401) return error.message === 'wrong password' ? 'Wrong password.' : 'Enter the password.';
  return messageOf(error);
}

function PasswordForm({ site, onOpen }: { site: SharedSite; onOpen: (password: string) => Promise<void> }) {
  const [password, setPassword] = useState('');
  const open = useMutation({ mutationFn: onOpen });
  const heading = usePageHeading(site.name);
  function submit(e: FormEvent) {
    e.preventDefault();
    if (password) open.mutate(password);
  }
  return (
    <Card className="mx-auto max-w-md">
      <form onSubmit={submit} noValidate className="space-y-4 p-6" aria-label={`Open the dashboard of ${site.name}`}>
        <div className="flex items-center gap-3">
          <span className="flex h-10 w-10 items-center justify-center rounded-full bg-brand-50 text-brand-600 dark:bg-brand-500/10 dark:text-brand-400">
            <KeyRound className="h-5 w-5" aria-hidden />
          </span>
          <div>
            <h1 ref={heading} tabIndex={-1} className="text-base font-semibold text-gray-900 focus:outline-none dark:text-white">
              {site.name}
            </h1>
            <p className="text-[13px] text-gray-500 dark:text-gray-400">This shared dashboard needs a password.</p>
          </div>
        </div>
        <Field label="Password" error={open.error ? explain(open.error) : undefined}>
          {(p) => <Input {...p} type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} autoFocus />}
        </Field>
        <Button type="submit" variant="primary" className="w-full" loading={open.isPending} disabled={!password}>
          Open dashboard
        </Button>
      </form>
    </Card>
  );
}

function Opened({ token, site, access, password }: { token: string; site: SharedSite; access: SharedAccess; password?: string }) {
  const client = useMemo(() => sharedStatsClient(token, password, access), [token, password, access]);
  return (
    <StatsClientContext.Provider value={client}>
      <SiteView site={{ containerId: site.container_id, name: site.name, timezone: site.timezone }} />
    </StatsClientContext.Provider>
  );
}

function SharedLink({ token }: { token: string }) {
  const site = useQuery({ queryKey: queryKeys.shared.site(token), queryFn: () => sharedSite(token), retry: false, staleTime: Infinity });
  const [opened, setOpened] = useState<{ access: SharedAccess; password?: string } | null>(null);
  const withoutPassword = useQuery({
    queryKey: queryKeys.shared.open(token),
    queryFn: () => openSharedLink(token),
    enabled: site.data?.password_required === false,
    retry: false,
    staleTime: Infinity,
  });

  if (site.isError) {
    if (site.error instanceof ApiError && site.error.status === 404) {
      return <Notice title="This link does not work">It does not exist or has been revoked. Ask whoever shared it for a new one.</Notice>;
    }
    return (
      <Card className="mx-auto max-w-lg">
        <ErrorState error={site.error} onRetry={() => void site.refetch()} />
      </Card>
    );
  }
  if (!site.data) return <Spinner className="flex justify-center py-16" label="Opening the shared dashboard" />;
  if (site.data.password_required) {
    if (opened) return <Opened token={token} site={site.data} access={opened.access} password={opened.password} />;
    return <PasswordForm site={site.data} onOpen={async (password) => setOpened({ access: await openSharedLink(token, password), password })} />;
  }
  if (withoutPassword.isError) {
    return (
      <Card className="mx-auto max-w-lg">
        <ErrorState error={withoutPassword.error} onRetry={() => void withoutPassword.refetch()} />
      </Card>
    );
  }
  if (!withoutPassword.data) return <Spinner className="flex justify-center py-16" label="Opening the shared dashboard" />;
  return <Opened token={token} site={site.data} access={withoutPassword.data} />;
}

export default function SharedPage() {
  const { hash } = useLocation();
  const token = tokenFromHash(hash);
  return <Frame>{token ? <SharedLink key={token} token={token} /> : <Notice title="This link is incomplete">A shared dashboard’s address ends with # and its token. Copy the whole link again.</Notice>}</Frame>;
}
