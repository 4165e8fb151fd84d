// Accessibility scan of rendered emails: each HTML file given on the command line is opened in
// Debian's Chromium (playwright-core) at desktop and phone width and scanned by axe-core for
// WCAG 2.x A/AA violations. Run by tests/browser/test_email_accessibility.py, which renders
// the emails. Prints one line per scan; exit code 0 when no scan found a violation. With
// SCREENSHOT_DIR set, also saves email-<file name>-<width>.png there.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import AxeBuilder from '@axe-core/playwright';
import { chromium } from 'playwright-core';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const VIEWPORTS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: node e2e/email_axe.mjs <email.html>...\n');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: CHROMIUM_ARGS,
});
let violations = 0;
try {
  for (const file of files) {
    for (const [size, viewport] of Object.entries(VIEWPORTS)) {
      const context = await browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(pathToFileURL(file).href);
      const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
      violations += results.violations.length;
      if (process.env.SCREENSHOT_DIR) {
        await mkdir(process.env.SCREENSHOT_DIR, { recursive: true });
        const name = `email-${path.basename(file, '.html')}-${size}.png`;
        await page.screenshot({ path: path.join(process.env.SCREENSHOT_DIR, name), fullPage: true });
      }
      process.stdout.write(
        `${file} (${size}): ${results.violations.length} violations, ${results.passes.length} rules passed\n`,
      );
      for (const v of results.violations) {
        process.stdout.write(`  ${v.id} (${v.impact}): ${v.help}\n`);
        for (const node of v.nodes) process.stdout.write(`    ${node.target.join(' ')}: ${node.failureSummary}\n`);
      }
      await context.close();
    }
  }
} finally {
  await browser.close();
}
process.exit(violations === 0 ? 0 : 1);
