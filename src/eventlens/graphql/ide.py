"""GraphiQL for browsers at `GET /graphql`: the page the dashboard build makes (`graphiql.html`).

strawberry's own page loads React and GraphiQL from a public CDN, which leaves it blank offline
and makes a privacy-first product send its users' browsers to a third party, and it wants the
API token pasted into its headers editor. The dashboard builds GraphiQL from pinned npm packages
beside its own pages (dashboard/graphiql.html, dashboard/src/graphiql/). Served from the
dashboard's origin, that page reads the dashboard's stored session and sends its token itself.
"""

from __future__ import annotations

from pathlib import Path

PAGE = "graphiql.html"

# Self-contained: nothing loaded from anywhere, not even from this server.
NOT_BUILT = """<!doctype html>
<html lang="en">
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · EventLens</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:38rem;margin:4rem auto;padding:0 1.5rem}
</style>
<h1>GraphiQL needs the dashboard build</h1>
<p>GraphiQL is built with the dashboard, and the dashboard is not built here.
<code>make up</code> builds it (that takes Node.js 18+; the API itself runs without it).</p>
<p>The GraphQL API answers at this address all the same: <code>POST /graphql</code> with
<code>Authorization: Bearer &lt;token&gt;</code>, subscriptions over WebSocket.
<code>eventlens graphql-schema</code> prints the schema; the REST API is described at
<a href="/docs">/docs</a>.</p>
</html>
"""


def graphiql_html(dashboard_dist: Path) -> str:
    """The built page, read at each request like the dashboard's own files (a rebuild shows
    without a restart), or NOT_BUILT when the dashboard has not been built."""
    try:
        return (dashboard_dist / PAGE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return NOT_BUILT
