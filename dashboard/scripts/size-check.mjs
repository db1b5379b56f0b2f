#!/usr/bin/env node
/**
 * The dashboard's weight budgets, checked on the build (dist/): what a browser with an empty
 * cache downloads, compressed as the API sends it (brotli when dist/ has a .br copy), for the
 * sign-in page and for the overview, and that the pages without charts load no charting code.
 * Exits non-zero when a budget is exceeded; prints `N passed, M failed` last.
 *
 *   node scripts/size-check.mjs [dist]
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DASHBOARD = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.resolve(process.argv[2] ?? path.join(DASHBOARD, 'dist'));
const KB = 1024;

export const BUDGETS = { login: 150 * KB, overview: 300 * KB };

// The files a page's text needs: the sign-in page is set in Inter only, the overview also shows
// numbers and ids in JetBrains Mono. Only the Latin subsets: the others are fetched for text
// that needs them (their unicode-range).
const FONTS = {
  login: [/^inter-latin-wght-normal-/],
  overview: [/^inter-latin-wght-normal-/, /^jetbrains-mono-latin-wght-normal-/],
};
// Routes whose pages draw no chart: none of them may load the charting chunk.
const WITHOUT_CHARTS = ['src/pages/Login.tsx', 'src/pages/Events.tsx', 'src/pages/Schemas.tsx', 'src/pages/Adaptors.tsx', 'src/pages/Settings.tsx', 'src/pages/Sites.tsx', 'src/pages/NotFound.tsx'];

/** Bytes on the wire for one file of dist/: its brotli copy when there is one. */
export function transferred(dist, file) {
  const full = path.join(dist, file);
  return fs.statSync(fs.existsSync(`${full}.br`) ? `${full}.br` : full).size;
}

/** The chunks `key` loads before it runs (its static imports, transitively) with their CSS. */
export function staticGraph(manifest, key, found = new Set()) {
  const chunk = manifest[key];
  if (!chunk || found.has(chunk.file)) return found;
  found.add(chunk.file);
  for (const css of chunk.css ?? []) found.add(css);
  for (const imported of chunk.imports ?? []) staticGraph(manifest, imported, found);
  return found;
}

/** The scripts index.html names besides the bundle (the theme, the deployment settings). */
function classicScripts(dist) {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  return [...html.matchAll(/<script src="\/([^"]+)"/g)].map((m) => m[1]);
}

function fonts(dist, patterns) {
  const assets = fs.readdirSync(path.join(dist, 'assets'));
  return patterns.map((pattern) => {
    const file = assets.find((name) => pattern.test(name) && name.endsWith('.woff2'));
    if (!file) throw new Error(`no font file matches ${pattern}`);
    return `assets/${file}`;
  });
}

export function pageFiles(dist, manifest, page) {
  // The sign-in page is part of the entry bundle; the overview is its own chunk, and its chart
  // another one that it loads at once.
  const entries = page === 'login' ? ['index.html'] : ['index.html', 'src/pages/Overview.tsx', 'src/components/Charts.tsx'];
  for (const entry of entries) if (!manifest[entry]) throw new Error(`${entry} is not in the build's manifest`);
  const files = new Set(['index.html', 'favicon.svg', ...classicScripts(dist), ...fonts(dist, FONTS[page])]);
  for (const entry of entries) for (const file of staticGraph(manifest, entry)) files.add(file);
  return [...files];
}

function main() {
  const manifest = JSON.parse(fs.readFileSync(path.join(DIST, '.vite', 'manifest.json'), 'utf8'));
  const chartsChunk = Object.values(manifest).find((chunk) => /^assets\/charts-/.test(chunk.file))?.file;
  let passed = 0;
  let failed = 0;
  const check = (ok, message) => {
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${message}`);
    if (ok) passed += 1;
    else failed += 1;
  };

  for (const [page, budget] of Object.entries(BUDGETS)) {
    const files = pageFiles(DIST, manifest, page);
    const sizes = files.map((file) => [file, transferred(DIST, file)]).sort((a, b) => b[1] - a[1]);
    const total = sizes.reduce((sum, [, size]) => sum + size, 0);
    const largest = sizes
      .slice(0, 4)
      .map(([file, size]) => `${path.basename(file)} ${(size / KB).toFixed(1)}`)
      .join(', ');
    check(total <= budget, `${page}: ${(total / KB).toFixed(1)} KB transferred of ${budget / KB} KB (${files.length} files; largest ${largest})`);
  }

  check(!!chartsChunk, `the charting library is a chunk of its own (${chartsChunk ?? 'none'})`);
  for (const entry of WITHOUT_CHARTS) {
    const key = entry === 'src/pages/Login.tsx' ? 'index.html' : entry;
    if (!manifest[key]) {
      check(false, `${entry} is not in the build's manifest`);
      continue;
    }
    check(!staticGraph(manifest, key).has(chartsChunk), `${entry} loads no charting code`);
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exit(main() ? 1 : 0);
