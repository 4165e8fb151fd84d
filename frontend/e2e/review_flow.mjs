// Human review of an automatic decline in a real browser against a running stack: an
// applicant whose two requests were declined automatically asks for a review of each on the
// request page (one with corrected data); the analyst it goes to opens each from the inbox,
// overturns the first and confirms the second; the applicant then reads the reviewer's
// rationale. axe scans each new screen at both widths in both themes. Run by
// tests/browser/test_decline_review.py, which sets BASE_URL, STAFF_USERS, STAFF_PASSWORD,
// AWS_ENDPOINT_URL, and APPLICANT, APPLICANT_PASSWORD, REVIEWER, REVIEWER_PASSWORD,
// OVERTURN_ID and CONFIRM_ID (the two declined requests).
import { chromium } from 'playwright-core';

import { assert, axeResults, checkA11yEverywhere, CHROMIUM_ARGS, config, screenshot, signIn, waitFor } from './support.mjs';

function env(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set`);
  return value;
}

const applicant = { username: env('APPLICANT'), password: env('APPLICANT_PASSWORD') };
const reviewer = { username: env('REVIEWER'), password: env('REVIEWER_PASSWORD') };
const overturnId = env('OVERTURN_ID');
const confirmId = env('CONFIRM_ID');

async function ask(page, requestId, { correct }) {
  await page.goto(`${config.baseUrl}/requests/${requestId}`);
  const panel = page.getByTestId('decline-review');
  await panel.getByText('You have the right to ask a person to review it').waitFor({ timeout: 45_000 });
  if (correct) {
    await checkA11yEverywhere(page, 'request detail (review may be asked)');
    await screenshot(page, 'review-01-right-to-review');
  }
  await panel.getByRole('button', { name: 'Ask for a human review' }).click();
  await panel.getByRole('textbox', { name: /Why should a person review this decision/ }).fill('The bankruptcy on my file is my late father’s, filed under my name by mistake.');
  if (correct) {
    await panel.getByRole('checkbox', { name: 'Some of the data I gave was wrong: correct it' }).check();
    await panel.getByRole('textbox', { name: 'Bankruptcies in the last 7 years' }).fill('0');
    await checkA11yEverywhere(page, 'request detail (review form)');
    await screenshot(page, 'review-02-form');
  }
  await panel.getByRole('button', { name: 'Send the request for review' }).click();
  await panel.getByText(/You asked for a human review on/).waitFor();
  if (correct) await screenshot(page, 'review-03-asked');
}

async function openFromInbox(page, requestId) {
  const link = page.getByRole('link', { name: `Review request ${requestId.slice(0, 8)}` });
  await waitFor(
    async () => {
      await page.goto(`${config.baseUrl}/inbox`);
      // The section loads after the page: give it a moment before looking again.
      return link.waitFor({ timeout: 5_000 }).then(
        () => true,
        () => false,
      );
    },
    { what: `the review of ${requestId} in the inbox` },
  );
  await link.click();
  await page.getByRole('heading', { level: 1, name: 'Review of an automatic decline' }).waitFor();
}

async function decide(page, outcome, rationale) {
  await page.getByRole('radio', { name: outcome === 'overturned' ? /Overturn it/ : 'Confirm the decline' }).check();
  await page.getByRole('textbox', { name: /Your rationale/ }).fill(rationale);
  await page.getByRole('button', { name: 'Record the outcome' }).click();
  await page.getByTestId('review-decided').waitFor();
}

const browser = await chromium.launch({ executablePath: config.chromium, args: CHROMIUM_ARGS });
try {
  const applicantContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const applicantPage = await applicantContext.newPage();
  await signIn(applicantPage, applicant.username, applicant.password);
  await ask(applicantPage, overturnId, { correct: true });

  const reviewerContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await reviewerContext.newPage();
  await signIn(page, reviewer.username, reviewer.password);
  await openFromInbox(page, overturnId);
  await page.getByTestId('review-statement').getByText(/late father/).waitFor();
  const diff = page.getByRole('row', { name: /Bankruptcies in the last 7 years/ });
  assert((await diff.textContent()).includes('1') && (await diff.textContent()).includes('0'), 'the correction shows beside the original');
  await checkA11yEverywhere(page, 'review page');
  await screenshot(page, 'review-04-reviewer-page');
  await decide(page, 'overturned', 'The bureau file shows the bankruptcy belongs to another person.');
  await checkA11yEverywhere(page, 'review page (overturned)', { phone: false });
  await screenshot(page, 'review-05-overturned');

  // Asked only now: reviews go to the least-loaded analyst, which the reviewer is again.
  await ask(applicantPage, confirmId, { correct: false });
  await openFromInbox(page, confirmId);
  const rationale = 'Even without the bankruptcy, the credit score of 540 is below our minimum of 580.';
  await decide(page, 'confirmed', rationale);
  await screenshot(page, 'review-06-confirmed');

  // The applicant reads the outcome and the reviewer's rationale on their request's page.
  await applicantPage.goto(`${config.baseUrl}/requests/${confirmId}`);
  await applicantPage.getByTestId('review-rationale').getByText(rationale).waitFor({ timeout: 45_000 });
  await checkA11yEverywhere(applicantPage, 'request detail (decline confirmed on review)');
  await screenshot(applicantPage, 'review-07-applicant-reads-rationale');
  await applicantPage.goto(`${config.baseUrl}/requests/${overturnId}`);
  await applicantPage.locator('[data-status="pending_approval"]').first().waitFor({ timeout: 45_000 });
  await applicantPage.getByTestId('review-rationale').getByText('The bureau file shows the bankruptcy belongs to another person.').waitFor();
  await screenshot(applicantPage, 'review-08-overturned-pending-approval');
} finally {
  await browser.close();
}
for (const result of axeResults) {
  process.stdout.write(`axe ${result.screen}: ${result.violations} violations (${result.passes} rules passed)\n`);
}
