/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompress } from './build/precompress';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The API serves dist/ at "/"; in development, Vite proxies the API to a running `eventlens up`.
const api = process.env.EVENTLENS_API ?? 'http://127.0.0.1:8000';
const page = (name: string) => fileURLToPath(new URL(name, import.meta.url));

/** A package and, transitively, what it depends on (npm installs them flat in node_modules). */
function withDependencies(name: string, found = new Set<string>()): Set<string> {
  if (found.has(name)) return found;
  found.add(name);
  try {
    const manifest = JSON.parse(readFileSync(page(`node_modules/${name}/package.json`), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    for (const dependency of Object.keys(manifest.dependencies ?? {})) withDependencies(dependency, found);
  } catch {
    /* not installed (an optional dependency) */
  }
  return found;
}

// Vendor chunks by package: React for both pages, and the charts library with what it uses for the
// dashboard. use-sync-external-store goes with React because GraphiQL needs it too, and the
// GraphiQL page should not download the charts for it.
const REACT = new Set([
  'react',
  'react-dom',
  'react-router',
  'react-router-dom',
  '@remix-run/router',
  'scheduler',
  'use-sync-external-store',
]);
const manifest = JSON.parse(readFileSync(page('package.json'), 'utf8')) as { dependencies: Record<string, string> };
const SHARED = Object.keys(manifest.dependencies)
  .filter((name) => name !== 'recharts')
  .reduce((found, name) => withDependencies(name, found), new Set<string>());
// What the charts share with the rest of the app (clsx, for one) goes with React, which every
// page loads: Rollup would otherwise pull it into the charts chunk and every page would
// download the charts with it.
const CHARTS = new Set([...withDependencies('recharts')].filter((name) => !SHARED.has(name)));
const CHARTS_SHARED = new Set([...withDependencies('recharts')].filter((name) => SHARED.has(name)));

function vendorChunk(id: string): string | undefined {
  const name = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(id)?.[1];
  if (!name) return undefined;
  if (REACT.has(name) || CHARTS_SHARED.has(name)) return 'react';
  if (CHARTS.has(name)) return 'charts';
  return undefined;
}

export default defineConfig({
  plugins: [react(), precompress()],
  build: {
    outDir: 'dist',
    sourcemap: false,
    // Which chunks each page loads, for the size check (scripts/size-check.mjs).
    manifest: true,
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      // Two pages: the dashboard, and GraphiQL, which the API serves at GET /graphql to browsers
      // (dist/graphiql.html) so that it loads nothing from a CDN and reuses the dashboard's sign-in.
      input: { index: page('index.html'), graphiql: page('graphiql.html') },
      output: { manualChunks: vendorChunk },
    },
  },
  server: {
    proxy: {
      '/api': api,
      '/graphql': {
        target: api,
        ws: true,
        // A browser's page load gets this build's GraphiQL (the API would serve dist/'s).
        bypass: (req) => (req.method === 'GET' && req.headers.accept?.includes('text/html') ? '/graphiql.html' : undefined),
      },
      '/health': api,
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    // Tests that type and click through a page take a few seconds on a busy two-core machine.
    testTimeout: 15_000,
    css: false,
  },
});
