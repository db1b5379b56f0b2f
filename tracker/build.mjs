#!/usr/bin/env node
/**
 * Minifies the tracker (tracker/t.js) into src/eventlens/api/static/t.js. The build is
 * committed, so the Python package serves it without Node.js.
 *
 *   node tracker/build.mjs            write the build
 *   node tracker/build.mjs --check    exit 1 when the committed build is not what the source
 *                                     builds to, or when it is over the size budget
 *
 * Terser comes from the dashboard's dev dependencies, pinned, so a build is reproducible
 * (`npm ci` in dashboard/ first).
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = path.join(ROOT, 'tracker', 't.js');
const BUILT = path.join(ROOT, 'src', 'eventlens', 'api', 'static', 't.js');
// The most the tracker may weigh gzipped (level 9); tests/unit/test_tracker_script.py holds
// the same number.
const GZIP_BUDGET = 1536;

const { minify } = createRequire(path.join(ROOT, 'dashboard', 'package.json'))('terser');

async function build() {
  const { code } = await minify(fs.readFileSync(SOURCE, 'utf8'), {
    ecma: 2017,
    format: { comments: false },
  });
  return code + '\n';
}

const code = await build();
const gzipped = zlib.gzipSync(code, { level: 9 }).length;
const sizes = `${Buffer.byteLength(code)} bytes minified, ${gzipped} gzipped (budget ${GZIP_BUDGET})`;

if (process.argv.includes('--check')) {
  const committed = fs.existsSync(BUILT) ? fs.readFileSync(BUILT, 'utf8') : '';
  if (committed !== code) {
    console.error(`tracker: ${path.relative(ROOT, BUILT)} is not the build of tracker/t.js; run node tracker/build.mjs`);
    process.exit(1);
  }
  if (gzipped > GZIP_BUDGET) {
    console.error(`tracker: over budget: ${sizes}`);
    process.exit(1);
  }
  console.log(`tracker: the committed build is current; ${sizes}`);
} else {
  fs.mkdirSync(path.dirname(BUILT), { recursive: true });
  fs.writeFileSync(BUILT, code);
  console.log(`tracker: wrote ${path.relative(ROOT, BUILT)}; ${sizes}`);
}
