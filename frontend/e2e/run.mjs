// Browser end-to-end flows against a running stack, in Debian's Chromium through
// playwright-core. Run by tests/browser/test_web_app.py, which starts the stack and sets
// BASE_URL, STAFF_USERS, STAFF_PASSWORD and AWS_ENDPOINT_URL. Exit code 0 when all pass.
import { chromium } from 'playwright-core';

import { FLOWS } from './flows.mjs';
import { axeResults, CHROMIUM_ARGS, config } from './support.mjs';

const browser = await chromium.launch({ executablePath: config.chromium, args: CHROMIUM_ARGS });
const state = { browser };
let passed = 0;
let failed = 0;
try {
  for (const [name, flow] of FLOWS) {
    const started = Date.now();
    try {
      await flow(state);
      passed += 1;
      process.stdout.write(`ok    ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    } catch (error) {
      failed += 1;
      process.stdout.write(`FAIL  ${name}\n${error instanceof Error ? error.stack : String(error)}\n`);
    }
  }
} finally {
  await browser.close();
}
process.stdout.write('\naxe-core scans (WCAG 2.0/2.1/2.2 A and AA):\n');
for (const result of axeResults) {
  process.stdout.write(`  ${result.screen}: ${result.violations} violations (${result.passes} rules passed)\n`);
}
process.stdout.write(`\nbrowser flows: ${passed} passed, ${failed} failed\n`);
process.exit(failed === 0 ? 0 : 1);
