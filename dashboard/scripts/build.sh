#!/usr/bin/env bash
# Builds the dashboard into dashboard/dist, which `eventlens up` serves at /.
# Installs dependencies (npm ci) when node_modules is missing or package-lock.json changed, and
# builds only when a source is newer than dist/. Safe to call on every `make up`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

if ! have_node; then
  if [ -f dist/index.html ]; then
    echo "dashboard: Node.js 20.19+ not found; serving the existing build in dashboard/dist" >&2
    exit 0
  fi
  echo "dashboard: Node.js 20.19+ and npm are needed to build the dashboard (the API runs without it)" >&2
  exit 1
fi

ensure_deps
if needs_build; then
  echo "dashboard: building" >&2
  npm run --silent build
  touch dist/index.html
else
  echo "dashboard: dist/ is up to date" >&2
fi
