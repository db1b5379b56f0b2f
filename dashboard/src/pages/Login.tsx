import { AlertCircle, Eye, EyeOff, LogIn } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Navigate, useLocation, useNavigate } from 'react-router-dom';
import { Logo } from '../components/Logo';
import { Button, Field, Input, focusRing } from '../components/ui';
import { login } from '../lib/auth';
import { usePageHeading } from '../lib/pageHeading';
import { ApiError } from '../lib/errors';
import { useSession } from '../lib/session';

function explain(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 401) return 'Wrong username or password.';
    if (error.status === 429) return error.message.replace(/^too many failed sign-ins/i, 'Too many failed sign-ins') + '.';
    if (error.status === 422) return 'Enter both a username and a password.';
    if (error.status === 0) return error.message;
    return error.message;
  }
  return 'Something went wrong. Please try again.';
}

export function LoginPage() {
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const state = location.state as { from?: string; user?: string | null } | null;
  // Back to where the session ended, unless someone else signs in.
  const target = (name: string) => (state?.from && (!state.user || state.user.toLowerCase() === name.toLowerCase()) ? state.from : '/');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [show, setShow] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const heading = usePageHeading('Sign in');

  if (session) return <Navigate to={target(session.user.username)} replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!username.trim() || !password) {
      setError('Enter both a username and a password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
      navigate(target(username.trim()), { replace: true });
    } catch (err) {
      setError(explain(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="relative flex min-h-screen items-center justify-center overflow-hidden px-4 py-12">
      <div aria-hidden className="pointer-events-none absolute inset-0 bg-[radial-gradient(60rem_40rem_at_50%_-10%,rgb(99_102_241/0.16),transparent)] dark:bg-[radial-gradient(60rem_40rem_at_50%_-10%,rgb(99_102_241/0.22),transparent)]" />
      <div className="relative w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center text-center">
          <Logo large />
          <p className="mt-3 text-sm text-gray-500 dark:text-gray-400">Real-time, privacy-first event analytics</p>
        </div>
        <form
          onSubmit={submit}
          noValidate
          className="space-y-4 rounded-2xl border border-gray-200 bg-white p-6 shadow-xl shadow-gray-900/5 dark:border-gray-800 dark:bg-gray-900 dark:shadow-black/20"
          aria-labelledby="login-title"
        >
          <h1 id="login-title" ref={heading} tabIndex={-1} className="text-lg font-semibold text-gray-900 focus:outline-none dark:text-white">
            Sign in
          </h1>
          {error && (
            <div role="alert" className="flex items-start gap-2 rounded-lg border border-rose-200 bg-rose-50 px-3 py-2.5 text-sm text-rose-800 dark:border-rose-500/30 dark:bg-rose-500/10 dark:text-rose-200" data-testid="login-error">
              <AlertCircle className="mt-0.5 h-4 w-4 shrink-0" aria-hidden />
              <span>{error}</span>
            </div>
          )}
          <Field label="Username">
            {(p) => <Input {...p} name="username" autoComplete="username" autoFocus value={username} onChange={(e) => setUsername(e.target.value)} />}
          </Field>
          <Field label="Password">
            {(p) => (
              <div className="relative">
                <Input {...p} name="password" type={show ? 'text' : 'password'} autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} className="pr-10" />
                <button
                  type="button"
                  onClick={() => setShow((s) => !s)}
                  aria-label={show ? 'Hide password' : 'Show password'}
                  className={`absolute inset-y-0 right-0 flex w-10 items-center justify-center rounded-r-lg text-gray-400 hover:text-gray-600 dark:hover:text-gray-200 ${focusRing}`}
                >
                  {show ? <EyeOff className="h-4 w-4" aria-hidden /> : <Eye className="h-4 w-4" aria-hidden />}
                </button>
              </div>
            )}
          </Field>
          <Button type="submit" variant="primary" className="w-full" loading={busy} icon={<LogIn className="h-4 w-4" aria-hidden />}>
            Sign in
          </Button>
        </form>
        <p className="mt-6 text-center text-xs text-gray-500 dark:text-gray-500">
          First start? The admin password was printed by <code className="font-mono">eventlens up</code> and saved in <code className="font-mono">.eventlens/admin-password</code>.
        </p>
      </div>
    </main>
  );
}
