import clsx from 'clsx';
import {
  Activity,
  Braces,
  Globe,
  LayoutDashboard,
  ListFilter,
  LogOut,
  Menu,
  Monitor,
  Moon,
  Plug,
  Settings,
  Sun,
  X,
} from 'lucide-react';
import { FocusTrap } from 'focus-trap-react';
import { useRef, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { logout } from '../lib/auth';
import { useSession } from '../lib/session';
import { useTheme, type Theme } from '../lib/theme';
import { radioKeyDown, radioTabIndex } from './radioGroup';
import { Badge, focusRing, IconButton } from './ui';
import { Logo } from './Logo';
import { useQueryClient } from '@tanstack/react-query';

const NAV = [
  { to: '/', label: 'Overview', icon: LayoutDashboard, end: true },
  { to: '/sites', label: 'Sites', icon: Globe },
  { to: '/events', label: 'Events', icon: ListFilter },
  { to: '/schemas', label: 'Schemas', icon: Braces },
  { to: '/adaptors', label: 'Adaptors', icon: Plug },
  { to: '/pipeline', label: 'Pipeline health', icon: Activity },
  { to: '/settings', label: 'Settings', icon: Settings },
];

export function ThemeSwitch() {
  const [theme, setTheme] = useTheme();
  const options: Array<{ value: Theme; label: string; icon: typeof Sun }> = [
    { value: 'light', label: 'Light', icon: Sun },
    { value: 'system', label: 'System', icon: Monitor },
    { value: 'dark', label: 'Dark', icon: Moon },
  ];
  return (
    <div
      role="radiogroup"
      aria-label="Theme"
      className="flex rounded-lg bg-gray-100 p-0.5 dark:bg-gray-800"
      onKeyDown={radioKeyDown(
        options.map((o) => o.value),
        theme,
        setTheme,
      )}
    >
      {options.map(({ value, label, icon: Icon }, index) => (
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
          title={`${label} theme`}
          aria-label={`${label} theme`}
          onClick={() => setTheme(value)}
          className={clsx(
            'flex h-7 flex-1 items-center justify-center rounded-md transition-colors',
            theme === value ? 'bg-white text-gray-900 shadow-sm dark:bg-gray-700 dark:text-white' : 'text-gray-500 hover:text-gray-900 dark:text-gray-400 dark:hover:text-white',
            focusRing,
          )}
        >
          <Icon className="h-3.5 w-3.5" aria-hidden />
        </button>
      ))}
    </div>
  );
}

function Sidebar({ onNavigate }: { onNavigate?: () => void }) {
  const session = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  return (
    <div className="flex h-full flex-col">
      <div className="flex h-16 shrink-0 items-center px-5">
        <Logo />
      </div>
      <nav aria-label="Main" className="flex-1 space-y-0.5 overflow-y-auto px-3 py-2">
        {NAV.map(({ to, label, icon: Icon, end }) => (
          <NavLink
            key={to}
            to={to}
            end={end}
            onClick={onNavigate}
            className={({ isActive }) =>
              clsx(
                'group flex items-center gap-3 rounded-lg px-3 py-2 text-sm font-medium transition-colors',
                isActive
                  ? 'bg-brand-50 text-brand-700 dark:bg-brand-500/10 dark:text-brand-300'
                  : 'text-gray-600 hover:bg-gray-100 hover:text-gray-900 dark:text-gray-400 dark:hover:bg-gray-800/70 dark:hover:text-white',
                focusRing,
              )
            }
          >
            {({ isActive }) => (
              <>
                <Icon className={clsx('h-[18px] w-[18px] shrink-0', isActive ? 'text-brand-600 dark:text-brand-400' : 'text-gray-400 group-hover:text-gray-600 dark:text-gray-500 dark:group-hover:text-gray-300')} aria-hidden />
                {label}
              </>
            )}
          </NavLink>
        ))}
      </nav>
      <div className="space-y-3 border-t border-gray-200 p-4 dark:border-gray-800">
        <ThemeSwitch />
        {session && (
          <div className="flex items-center gap-3">
            <div className="flex h-8 w-8 shrink-0 items-center justify-center rounded-full bg-gradient-to-br from-brand-500 to-violet-500 text-sm font-semibold uppercase text-white" aria-hidden>
              {session.user.username.slice(0, 1)}
            </div>
            <div className="min-w-0 flex-1">
              <p className="truncate text-sm font-medium text-gray-900 dark:text-white" data-testid="current-user">
                {session.user.username}
              </p>
              <Badge tone={session.user.role === 'admin' ? 'brand' : 'gray'} className="mt-0.5">
                {session.user.role}
              </Badge>
            </div>
            <IconButton
              label="Sign out"
              onClick={() => {
                logout();
                queryClient.clear();
                navigate('/login', { replace: true });
              }}
            >
              <LogOut className="h-4 w-4" aria-hidden />
            </IconButton>
          </div>
        )}
      </div>
    </div>
  );
}

export function Layout() {
  const [open, setOpen] = useState(false);
  const { pathname } = useLocation();
  // Any navigation (a link, back, forward) closes the menu: adjusted while rendering, so the
  // new page never paints with the menu still open.
  const [shownFor, setShownFor] = useState(pathname);
  if (shownFor !== pathname) {
    setShownFor(pathname);
    setOpen(false);
  }
  const openedAt = useRef(pathname);

  return (
    <div className="min-h-screen lg:flex">
      <a href="#main" className="sr-only z-[70] rounded-md bg-brand-600 px-3 py-2 text-sm font-medium text-white focus:not-sr-only focus:fixed focus:left-3 focus:top-3">
        Skip to content
      </a>
      <aside className="hidden w-60 shrink-0 border-r border-gray-200 bg-white dark:border-gray-800 dark:bg-gray-900 lg:block">
        <div className="sticky top-0 h-screen">
          <Sidebar />
        </div>
      </aside>

      <header className="sticky top-0 z-20 flex h-14 items-center gap-3 border-b border-gray-200 bg-white/90 px-4 backdrop-blur dark:border-gray-800 dark:bg-gray-900/90 lg:hidden">
        <IconButton
          label="Open navigation"
          aria-expanded={open}
          aria-controls="mobile-nav"
          onClick={() => {
            openedAt.current = pathname;
            setOpen(true);
          }}
          className="-ml-2"
        >
          <Menu className="h-5 w-5" aria-hidden />
        </IconButton>
        <Logo />
      </header>

      {open && (
        // Like the other dialogs: focus stays inside, Escape closes, and focus returns to the menu button.
        <FocusTrap
          focusTrapOptions={{
            escapeDeactivates: () => {
              setOpen(false);
              return false;
            },
            allowOutsideClick: true,
            // Closed by going to another page: that page's heading takes focus instead.
            setReturnFocus: (opener) => (window.location.pathname === openedAt.current ? opener : false),
          }}
        >
          <div className="fixed inset-0 z-40 lg:hidden" id="mobile-nav">
            <div className="absolute inset-0 animate-fade-in bg-gray-950/50" onClick={() => setOpen(false)} aria-hidden />
            <div className="absolute inset-y-0 left-0 w-72 max-w-[85vw] animate-slide-in-left bg-white shadow-xl dark:bg-gray-900" role="dialog" aria-modal="true" aria-label="Navigation">
              <IconButton label="Close navigation" onClick={() => setOpen(false)} className="absolute right-3 top-3.5">
                <X className="h-5 w-5" aria-hidden />
              </IconButton>
              <Sidebar onNavigate={() => setOpen(false)} />
            </div>
          </div>
        </FocusTrap>
      )}

      <main id="main" className="min-w-0 flex-1">
        <div className="mx-auto max-w-7xl px-4 py-6 sm:px-6 lg:px-8 lg:py-8">
          <Outlet />
        </div>
      </main>
    </div>
  );
}
