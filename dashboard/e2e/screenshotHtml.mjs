#!/usr/bin/env node
/**
 * A screenshot of an HTML file as a mail client's reading pane shows it (no network: the
 * page must stand alone), in Debian's Chromium through playwright-core.
 *
 *   node e2e/screenshotHtml.mjs page.html shot.png [width]
 *
 * Environment: CHROMIUM (default /usr/bin/chromium).
 */
import path from 'node:path';
import { chromium } from 'playwright-core';

const [input, output, width = '760'] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: screenshotHtml.mjs page.html shot.png [width]');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
try {
  const page = await browser.newPage({ viewport: { width: Number(width), height: 600 } });
  const requests = [];
  page.on('request', (request) => {
    if (!request.url().startsWith('file:')) requests.push(request.url());
  });
  await page.goto('file://' + path.resolve(input));
  await page.screenshot({ path: output, fullPage: true });
  const { scrollWidth, clientWidth } = await page.evaluate(() => ({
    scrollWidth: window.document.documentElement.scrollWidth,
    clientWidth: window.document.documentElement.clientWidth,
  }));
  // What the test checks: nothing fetched from the network, nothing wider than the pane.
  console.log(JSON.stringify({ requests, overflows: scrollWidth > clientWidth }));
} finally {
  await browser.close();
}
