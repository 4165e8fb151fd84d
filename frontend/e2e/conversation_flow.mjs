// A request's conversation in a real browser against a running stack: the approver holding
// the request adds an internal note and sends a message from the request page; the applicant
// follows the link in the email about it, signs in, sees the message (never the note) on
// their request page and answers; axe passes on both
// sides, in both themes, at desktop and phone width. Run by tests/browser/test_conversation.py,
// which sets BASE_URL, STAFF_USERS, STAFF_PASSWORD and AWS_ENDPOINT_URL. Prints the request
// (REQUEST=...) and the people (APPLICANT=..., APPROVER=...) so the test can check the emails.
import { chromium } from 'playwright-core';

import { assert, assigneeOf, axeResults, checkA11yEverywhere, CHROMIUM_ARGS, config, screenshot, signIn, verificationLinkFor, waitFor } from './support.mjs';

const NOTE = 'Internal: payslip matches the bank statement.';
const MESSAGE = "Could you confirm your employer's name?";
const ANSWER = 'Sure: <Acme> & Sons, since 2019.';

const username = `conversing-${Date.now().toString(36)}`;
const password = 'conversing-password-1';
const email = `${username}@example.com`;
const registered = await fetch(`${config.baseUrl}/api/v1/users`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ username, password, email, full_name: 'Cora Conversing' }),
});
assert(registered.status === 201, `registration answered ${registered.status}`);
// Verified as following the welcome email's link would: only then may they file a request.
const token = new URLSearchParams((await verificationLinkFor(email)).split('?')[1]).get('token');
const verified = await fetch(`${config.baseUrl}/api/v1/email-verifications`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ token }),
});
assert(verified.status === 200, `verification answered ${verified.status}`);
const { access_token: applicantToken } = await fetch(`${config.baseUrl}/api/v1/token`, {
  method: 'POST',
  body: new URLSearchParams({ username, password }),
}).then((r) => r.json());
const submitted = await fetch(`${config.baseUrl}/api/v1/credit-requests`, {
  method: 'POST',
  headers: { Authorization: `Bearer ${applicantToken}`, 'Content-Type': 'application/json' },
  body: JSON.stringify({
    amount: '5000.00',
    term_months: 24,
    purpose: 'Car repair',
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
const approver = await assigneeOf(requestId, 1);

const browser = await chromium.launch({ executablePath: config.chromium, args: CHROMIUM_ARGS });
try {
  // The approver: a note (the default), then a message to the applicant.
  const staffContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const staffPage = await staffContext.newPage();
  await signIn(staffPage, approver, config.staffPassword);
  await staffPage.goto(`${config.baseUrl}/requests/${requestId}`);
  const panel = staffPage.getByRole('region', { name: 'Conversation' });
  await panel.getByText('No messages yet.').waitFor();
  assert(await panel.getByRole('radio', { name: 'Internal note (staff only)' }).isChecked(), 'staff start on a note');
  await panel.getByRole('textbox', { name: 'Your note' }).fill(NOTE);
  await panel.getByRole('button', { name: 'Add note' }).click();
  await panel.getByText('Note added.').waitFor();
  await panel.getByRole('radio', { name: 'Message to the applicant' }).check();
  await panel.getByRole('textbox', { name: 'Your message' }).fill(MESSAGE);
  await panel.getByRole('button', { name: 'Send message' }).click();
  await panel.getByText('Message sent.').waitFor();
  const staffEntries = panel.getByTestId('conversation-entry');
  await staffEntries.nth(1).getByText(MESSAGE).waitFor();
  assert((await staffEntries.nth(0).getAttribute('data-kind')) === 'note', 'the note comes first');
  await staffEntries.nth(0).getByText('Internal note', { exact: true }).waitFor();
  await panel.scrollIntoViewIfNeeded();
  await screenshot(staffPage, 'conversation-staff');
  await checkA11yEverywhere(staffPage, 'conversation (staff)');

  // The applicant, signed out, follows the link in the email about the message: signing in
  // lands on the request page, where they see the message, never the note, and answer.
  const subject = `New message about credit request ${requestId.slice(0, 8)}`;
  const link = await waitFor(
    async () => {
      const { messages } = await fetch(`${config.awsEndpoint}/_aws/ses`).then((r) => r.json());
      const message = messages.find((m) => m.Destination.ToAddresses.includes(email) && m.Subject === subject);
      return message?.Body?.text_part?.match(/https?:\/\/\S+\/requests\/[0-9a-f-]{36}/)?.[0] ?? null;
    },
    { what: 'the email about the message to the applicant' },
  );
  assert(link.endsWith(`/requests/${requestId}`), `the email links ${link}`);
  const applicantContext = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await applicantContext.newPage();
  await page.goto(`${config.baseUrl}${new URL(link).pathname}`); // the emails name PUBLIC_URL
  await page.waitForURL((url) => url.pathname === '/login');
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname === `/requests/${requestId}`);
  const mine = page.getByRole('region', { name: 'Conversation' });
  await mine.getByText(MESSAGE).waitFor();
  assert((await page.getByText(NOTE).count()) === 0, 'the applicant sees the internal note');
  assert((await mine.getByRole('radio').count()) === 0, 'the applicant is offered notes');
  await mine.getByRole('textbox', { name: 'Your message' }).fill(ANSWER);
  await mine.getByRole('button', { name: 'Send message' }).click();
  await mine.getByText('Message sent.').waitFor();
  await mine.getByText(ANSWER).waitFor(); // as typed: the markup-looking text is not markup
  const entries = mine.getByTestId('conversation-entry');
  assert((await entries.count()) === 2, `the applicant sees ${await entries.count()} entries`);
  await mine.scrollIntoViewIfNeeded();
  await screenshot(page, 'conversation-applicant');
  await checkA11yEverywhere(page, 'conversation (applicant)');
  process.stdout.write(`REQUEST=${requestId}\nAPPLICANT=${email}\nAPPROVER=${approver}\n`);
} finally {
  await browser.close();
}
for (const result of axeResults) {
  process.stdout.write(`axe ${result.screen}: ${result.violations} violations (${result.passes} rules passed)\n`);
}
