/**
 * Writes a brotli (`.br`) and a gzip (`.gz`) copy beside each text file of the build, once, at
 * the best compression levels: the API then sends whichever the browser accepts without
 * compressing anything per request.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin, ResolvedConfig } from 'vite';

const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|map)$/;
// Below this a compressed copy saves less than its own headers cost.
const SMALLEST = 512;
// Meant to be edited on the server after the build: a stale compressed copy would hide the edit.
const EDITABLE = new Set(['config.js']);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

export function compressFile(file: string): void {
  const content = readFileSync(file);
  writeFileSync(
    `${file}.br`,
    brotliCompressSync(content, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
        [constants.BROTLI_PARAM_SIZE_HINT]: content.length,
      },
    }),
  );
  writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
}

export function precompressDir(dir: string): void {
  for (const file of filesUnder(dir)) {
    if (!COMPRESSIBLE.test(file) || EDITABLE.has(path.basename(file))) continue;
    if (statSync(file).size < SMALLEST) continue;
    compressFile(file);
  }
}

export function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'eventlens-precompress',
    apply: 'build',
    configResolved(config: ResolvedConfig) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle() {
      precompressDir(outDir);
    },
  };
}
