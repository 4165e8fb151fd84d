// A counteroffer in a real browser against a running stack: the final approver approves other
// terms on the decision page (amount, term, the installment as they type, reasons from the
// policy's catalogue, the reason), and the applicant accepts the offer on their request page.
// axe passes on each screen at both widths in both themes. Run by tests/browser/test_offers.py.
import { chromium } from 'playwright-core';

import {
  assert,
  assigneeOf,
  axeResults,
  checkA11yEverywhere,
  CHROMIUM_ARGS,
  config,
  screenshot,
  signIn,
  verificationLinkFor,
  waitFor,
} from './support.mjs';

const username = `offered-${Date.now().toString(36)}`;
const password = 'offered-password-1';
const email = `${username}@example.com`;
const api = (path, init = {}) => fetch(`${config.baseUrl}/api/v1${path}`, init);

const registered = await api('/users', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ username, password, email, full_name: 'Olga Offered' }),
});
assert(registered.status === 201, `registration answered ${registered.status}`);
const token = new URL(`${config.baseUrl}${await verificationLinkFor(email)}`).searchParams.get('token');
const verified = await api('/email-verifications', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ token }),
});
assert(verified.ok, `verification answered ${verified.status}`);
const { access_token: access } = await api('/token', { method: 'POST', body: new URLSearchParams({ username, password }) }).then((r) => r.json());
const submitted = await api('/credit-requests', {
  method: 'POST',
  headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${access}` },
  // One analyst stage: the first stage is the last, which may approve other terms.
  body: JSON.stringify({
    amount: '5000.00',
    term_months: 24,
    purpose: 'Kitchen oven',
    monthly_income: '6000.00',
    monthly_debt: '300.00',
    employment_status: 'employed',
    credit_score: 760,
    delinquencies_24m: 0,
    bankruptcies_7y: 0,
  }),
});
assert(submitted.status === 202, `submission answered ${submitted.status}`);
const requestId = (await submitted.json()).id;
const analyst = await assigneeOf(requestId, 1);

const browser = await chromium.launch({ executablePath: config.chromium, args: CHROMIUM_ARGS });
try {
  const staffContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await staffContext.newPage();
  await signIn(page, analyst, config.staffPassword);
  await page.goto(`${config.baseUrl}/inbox/${requestId}`);
  await page.getByRole('button', { name: 'Approve with other terms' }).click();
  await page.getByRole('heading', { name: 'Approve with other terms' }).waitFor();
  await page.getByLabel('Offered amount').fill('4000');
  await page.getByLabel('Offered term (months)').fill('36');
  // 4,000 over 36 months at the default 12% reference rate.
  await page.getByTestId('offer-installment').getByText(/\$132\.86/).waitFor();
  await page.getByLabel(/too high for your income/).check();
  await page.getByLabel('Reason for the applicant').fill('We can lend 4,000 over 36 months on your income.');
  await checkA11yEverywhere(page, 'counteroffer form');
  await screenshot(page, 'offer-01-counteroffer-form');
  await page.getByRole('button', { name: 'Make the offer' }).click();
  await page.getByText('You approved this stage with other terms.').waitFor();
  await staffContext.close();

  const applicantContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const mine = await applicantContext.newPage();
  await signIn(mine, username, password);
  await mine.goto(`${config.baseUrl}/requests/${requestId}`);
  const panel = mine.getByTestId('offer-panel');
  await panel.getByRole('heading', { name: 'Our offer' }).waitFor();
  await panel.getByTestId('offer-amount').getByText('$4,000.00').waitFor();
  await panel.getByTestId('offer-installment').getByText('$132.86').waitFor();
  await panel.getByText('We can lend 4,000 over 36 months on your income.').waitFor();
  await checkA11yEverywhere(mine, 'offer panel');
  await screenshot(mine, 'offer-02-applicant-offer');
  await panel.getByRole('button', { name: 'Accept the offer' }).click();
  const dialog = mine.getByRole('dialog', { name: 'Accept this offer?' });
  await dialog.waitFor();
  await checkA11yEverywhere(mine, 'offer acceptance dialog', { phone: false });
  await dialog.getByRole('button', { name: 'Accept the offer' }).click();
  await mine.getByTestId('offer-outcome').getByText(/You accepted this offer/).waitFor();
  await waitFor(async () => (await mine.getByRole('button', { name: 'Accept the offer' }).count()) === 0, { what: 'the buttons to go' });
  await screenshot(mine, 'offer-03-accepted');
  await checkA11yEverywhere(mine, 'offer accepted');
} finally {
  await browser.close();
}
for (const result of axeResults) {
  process.stdout.write(`axe ${result.screen}: ${result.violations} violations (${result.passes} rules passed)\n`);
}
