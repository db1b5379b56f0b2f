# Shared by build.sh and test.sh (sourced, not run).

# Node.js 20.19+ and npm, or a clear message.
have_node() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'
}

# `npm ci` when node_modules is missing or package-lock.json changed since the last install.
ensure_deps() {
  local stamp=node_modules/.eventlens-lock
  local want
  want="$(sha1sum package-lock.json | cut -c1-40)"
  if [ ! -d node_modules ] || [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "dashboard: npm ci" >&2
    npm ci --no-audit --no-fund --loglevel=error
    echo "$want" >"$stamp"
  fi
}

# True when dist/ is missing or older than any source of the build.
needs_build() {
  [ -f dist/index.html ] && [ -f dist/graphiql.html ] || return 0
  [ -n "$(find src public build scripts/size-check.mjs index.html graphiql.html package.json package-lock.json vite.config.ts tailwind.config.js \
    postcss.config.js tsconfig.json -newer dist/index.html -print -quit 2>/dev/null)" ]
}
