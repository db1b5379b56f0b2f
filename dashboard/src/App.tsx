import { lazy, Suspense, type ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { Layout } from './components/Layout';
import { Toaster } from './components/Toaster';
import { Spinner } from './components/ui';
import { previousUser } from './lib/auth';
import { useSession } from './lib/session';
import { LoginPage } from './pages/Login';

const OverviewPage = lazy(() => import('./pages/Overview'));
const EventsPage = lazy(() => import('./pages/Events'));
const SchemasPage = lazy(() => import('./pages/Schemas'));
const AdaptorsPage = lazy(() => import('./pages/Adaptors'));
const PipelinePage = lazy(() => import('./pages/Pipeline'));
const SettingsPage = lazy(() => import('./pages/Settings'));
const SitesPage = lazy(() => import('./pages/Sites'));
const SitePage = lazy(() => import('./pages/Site'));
const SharedPage = lazy(() => import('./pages/Shared'));
const NotFoundPage = lazy(() => import('./pages/NotFound'));

function RequireAuth({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  if (!session) return <Navigate to="/login" replace state={{ from: location.pathname + location.search, user: previousUser() }} />;
  return <>{children}</>;
}

function PageFallback() {
  return (
    <div className="flex h-64 items-center justify-center">
      <Spinner />
    </div>
  );
}

export function App() {
  return (
    <>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        {/* A shared link's read-only dashboard: public, outside the signed-in layout. */}
        <Route
          path="/share"
          element={
            <Suspense fallback={<PageFallback />}>
              <SharedPage />
            </Suspense>
          }
        />
        <Route
          element={
            <RequireAuth>
              <Layout />
            </RequireAuth>
          }
        >
          {[
            ['/', OverviewPage],
            ['/sites', SitesPage],
            ['/sites/:containerId', SitePage],
            ['/events', EventsPage],
            ['/schemas', SchemasPage],
            ['/schemas/:name', SchemasPage],
            ['/adaptors', AdaptorsPage],
            ['/pipeline', PipelinePage],
            ['/settings', SettingsPage],
            ['*', NotFoundPage],
          ].map(([path, Page]) => {
            const Component = Page as typeof OverviewPage;
            return (
              <Route
                key={path as string}
                path={path as string}
                element={
                  <Suspense fallback={<PageFallback />}>
                    <Component />
                  </Suspense>
                }
              />
            );
          })}
        </Route>
      </Routes>
      <Toaster />
    </>
  );
}
