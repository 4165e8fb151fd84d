// The adverse action notice page in a real browser against a running stack: an applicant whose
// request the automatic analysis declined opens it from the request page, sees every element
// of the notice, and axe passes at both widths in both themes. Run by
// tests/browser/test_adverse_action.py, which sets BASE_URL, USER, PASSWORD and REQUEST_ID
// (an applicant with a declined request, made through the API).
import { chromium } from 'playwright-core';

import { assert, axeResults, checkA11yEverywhere, CHROMIUM_ARGS, config, screenshot, signIn } from './support.mjs';

const { USER: username, PASSWORD: password, REQUEST_ID: requestId } = process.env;
if (!username || !password || !requestId) throw new Error('USER, PASSWORD and REQUEST_ID must be set');

const browser = await chromium.launch({ executablePath: config.chromium, args: CHROMIUM_ARGS });
try {
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await desktop.newPage();
  await signIn(page, username, password);
  await page.goto(`${config.baseUrl}/requests/${requestId}`);
  await page.getByTestId('notice-link').click();
  await page.waitForURL((url) => url.pathname === `/requests/${requestId}/notice`);
  await page.getByRole('heading', { level: 1, name: 'Your credit request was declined' }).waitFor();
  for (const name of [
    'Principal reasons',
    'Your credit score',
    'Key factors that adversely affected your score',
    'The consumer reporting agency',
    'Your rights',
    'Equal Credit Opportunity Act notice',
  ]) {
    assert((await page.getByRole('heading', { name, exact: true }).count()) === 1, `the heading ${name}`);
  }
  const reasons = await page.getByTestId('notice-reasons').getByRole('listitem').allTextContents();
  assert(reasons.length >= 1 && reasons.length <= 4, `1 to 4 reasons: ${reasons}`);
  assert(reasons.includes('The credit score of 510 is below the minimum of 580.'), `the score reason: ${reasons}`);
  const text = await page.getByTestId('adverse-action-notice').textContent();
  for (const element of ['510', '300 to 850', 'fictional stand-in', '1-800-555-0100', '60 days', 'dispute', 'Consumer Financial Protection Bureau']) {
    assert(text.includes(element), `the notice says ${element}`);
  }
  await checkA11yEverywhere(page, 'adverse action notice');
  await screenshot(page, 'adverse-action-notice-desktop');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'adverse-action-notice-phone');
} finally {
  await browser.close();
}
for (const result of axeResults) {
  process.stdout.write(`axe ${result.screen}: ${result.violations} violations (${result.passes} rules passed)\n`);
}
