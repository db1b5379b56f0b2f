/**
 * The GraphiQL page (graphiql.html), which the API serves at GET /graphql to browsers. It runs
 * as the user signed in to the dashboard; without a session it says to sign in first.
 */
import 'graphiql/style.css';
import './graphiql.css';
import { GraphiQL } from 'graphiql';
import React, { useEffect } from 'react';
import ReactDOM from 'react-dom/client';
import { useSession } from '../lib/session';
import { getTheme } from '../lib/theme';
import { eventLensFetcher } from './fetcher';

const DEFAULT_QUERY = `# Requests carry your dashboard session's token: nothing to paste.
# Run with Ctrl-Enter; the schema is in the documentation pane (left).
{
  me {
    username
    role
  }
}
`;

// One fetcher for the page's life: its WebSocket client connects on the first subscription.
const fetcher = eventLensFetcher();

function SignedOut() {
  useEffect(() => {
    // Signing in from another tab writes the session to localStorage: reload to pick it up.
    const reload = () => window.location.reload();
    window.addEventListener('storage', reload);
    return () => window.removeEventListener('storage', reload);
  }, []);
  return (
    <main className="eventlens-signed-out" data-testid="graphiql-signed-out">
      <h1>Sign in to the dashboard first</h1>
      <p>
        GraphiQL runs your queries as the user signed in to the EventLens dashboard in this browser,
        with that session’s token. There is no session now, or it has ended.
      </p>
      <p>
        <a href="/login">Sign in to the dashboard</a>, then open <code>/graphql</code> again (a tab
        left open here reloads itself when you sign in).
      </p>
    </main>
  );
}

function Page() {
  const session = useSession();
  if (!session) return <SignedOut />;
  const theme = getTheme();
  return (
    <GraphiQL fetcher={fetcher} defaultQuery={DEFAULT_QUERY} defaultTheme={theme === 'system' ? null : theme}>
      <GraphiQL.Logo>
        <a href="/" title="Back to the dashboard">
          EventLens
        </a>{' '}
        GraphiQL <small data-testid="graphiql-user">as {session.user.username}</small>
      </GraphiQL.Logo>
    </GraphiQL>
  );
}

ReactDOM.createRoot(document.getElementById('graphiql')!).render(
  <React.StrictMode>
    <Page />
  </React.StrictMode>,
);
