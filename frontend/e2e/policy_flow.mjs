// The credit policy editor in a real browser against a running stack: a risk officer drafts
// a version on the forms (a threshold, ranks, a band), sees a refused proposal's problems next
// to their fields, and proposes; a second risk officer simulates, approves and activates it.
// Every screen is axe-scanned at desktop and 390 px, in both themes. Run by tests/browser/test_policy_editor.py, which sets
// BASE_URL, STAFF_USERS, STAFF_PASSWORD and AWS_ENDPOINT_URL.
import { chromium } from 'playwright-core';

import { assert, axeResults, checkA11yEverywhere, CHROMIUM_ARGS, config, screenshot, signIn } from './support.mjs';

const author = config.staff.risk_officer1;
const reviewer = config.staff.risk_officer2;

const browser = await chromium.launch({ executablePath: config.chromium, args: CHROMIUM_ARGS });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await signIn(page, author, config.staffPassword);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Credit policy' }).click();
  await page.getByRole('heading', { level: 1, name: 'Credit policy' }).waitFor();
  await checkA11yEverywhere(page, 'policy versions');
  await page.getByRole('button', { name: 'New draft' }).click();
  await page.getByTestId('policy-status').getByText('Draft').waitFor();
  const versionUrl = page.url();

  // A stricter score threshold, every reason ranked, and a band that overlaps the one below.
  const threshold = page.getByLabel('Threshold for Credit score').first();
  await threshold.fill('600');
  const ranks = page.getByLabel(/^Rank of /);
  for (let i = 0; i < (await ranks.count()); i += 1) await ranks.nth(i).fill(String(i + 1));
  await page.getByRole('button', { name: 'Add a band' }).click();
  await page.getByLabel('Band 4: above').fill('5000');
  await page.getByTestId('policy-diff-row').first().waitFor();
  await page.getByLabel('Reason for the change').fill('Scores below 600 default twice as often.');
  await page.getByRole('button', { name: 'Propose' }).click();
  await page.getByTestId('policy-error').getByText('The policy is not consistent.').waitFor();
  assert((await page.getByLabel('Band 4: above').getAttribute('aria-invalid')) === 'true', 'the overlapping band is marked');
  await checkA11yEverywhere(page, 'policy editor (problems shown)');
  await screenshot(page, 'policy-editor-problems');

  // A fresh draft without the extra band is consistent.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Credit policy' }).click();
  await page.getByRole('button', { name: 'New draft' }).click();
  await page.waitForURL((url) => url.href !== versionUrl && url.pathname.startsWith('/policies/'));
  await page.getByTestId('policy-status').getByText('Draft').waitFor();
  const proposedUrl = page.url();
  await page.getByLabel('Threshold for Credit score').first().fill('600');
  for (let i = 0; i < (await ranks.count()); i += 1) await ranks.nth(i).fill(String(i + 1));
  await page.getByLabel('Reason for the change').fill('Scores below 600 default twice as often.');
  await page.getByRole('button', { name: 'Propose' }).click();
  await page.getByTestId('policy-status').getByText('Proposed').waitFor();
  const approveOwn = page.getByRole('button', { name: 'Approve' });
  await approveOwn.click();
  await page.getByTestId('policy-error').getByText(/someone else must approve it/).waitFor();
  await context.close();

  const second = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const review = await second.newPage();
  await signIn(review, reviewer, config.staffPassword);
  await review.goto(proposedUrl);
  await review.getByTestId('policy-status').getByText('Proposed').waitFor();
  await review.getByRole('button', { name: 'Simulate on the last 1,000 requests' }).click();
  await review.getByTestId('simulation-summary').waitFor();
  await checkA11yEverywhere(review, 'policy editor (simulated)');
  await screenshot(review, 'policy-editor-simulation');
  await review.getByRole('button', { name: 'Approve' }).click();
  await review.getByTestId('policy-status').getByText('Approved').waitFor();
  await review.getByRole('button', { name: 'Activate' }).click();
  await review.getByTestId('policy-status').getByText('Active').waitFor();
  await review.getByTestId('policy-history').getByText(/approved by /).waitFor();
  await review.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Credit policy' }).click();
  await review.getByTestId('policy-row').first().getByText('Active').waitFor();
  await checkA11yEverywhere(review, 'policy versions (history)');
  await second.close();
} finally {
  await browser.close();
}
for (const result of axeResults) {
  process.stdout.write(`axe ${result.screen}: ${result.violations} violations (${result.passes} rules passed)\n`);
}
