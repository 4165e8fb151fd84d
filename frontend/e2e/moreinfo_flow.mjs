// Request more information in a real browser against a running stack: the approver of
// REQUEST_ID asks from their decision page; the applicant (APPLICANT_USER, APPLICANT_PASSWORD)
// reads the questions on their request page and answers with a correction; axe scans both
// screens and screenshots are kept. Run by tests/browser/test_more_information.py.
import { chromium } from 'playwright-core';

import { assert, assigneeOf, axeResults, checkA11y, CHROMIUM_ARGS, config, screenshot, signIn } from './support.mjs';

const requestId = process.env.REQUEST_ID;
const applicant = process.env.APPLICANT_USER;
const applicantPassword = process.env.APPLICANT_PASSWORD;
if (!requestId || !applicant || !applicantPassword) throw new Error('REQUEST_ID, APPLICANT_USER and APPLICANT_PASSWORD must be set');
const questions = 'What exactly is the car repair for? Please also confirm your income.';

const browser = await chromium.launch({ executablePath: config.chromium, args: CHROMIUM_ARGS });
try {
  const approver = await assigneeOf(requestId, 1);
  const staff = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const desk = await staff.newPage();
  await signIn(desk, approver, config.staffPassword);
  await desk.goto(`${config.baseUrl}/inbox/${requestId}`);
  const ask = desk.getByTestId('ask-for-information');
  await ask.getByRole('heading', { name: 'Request more information' }).waitFor();
  await checkA11y(desk, 'decision page with "request more information"');
  await ask.getByRole('button', { name: 'Send the questions' }).click();
  await ask.getByText('Write the questions the applicant should answer.').waitFor();
  await ask.getByLabel('Your questions').fill(questions);
  await ask.getByRole('button', { name: 'Send the questions' }).click();
  await desk.getByText('Your questions were sent to the applicant.').waitFor();
  await desk.getByTestId('information-round').getByText(questions).waitFor();
  await screenshot(desk, 'more-information-asked');
  await staff.close();

  const own = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await own.newPage();
  await signIn(page, applicant, applicantPassword);
  await page.goto(`${config.baseUrl}/requests/${requestId}`);
  const section = page.getByTestId('more-information');
  await section.getByText(questions).waitFor();
  await section.getByText(/Answer by .*, or the request is closed as incomplete\./).waitFor();
  await checkA11y(page, 'request page awaiting the answer');
  await section.getByRole('textbox', { name: 'Answer' }).fill('It is a new gearbox; my income is unchanged.');
  await section.getByLabel('Correct my request as well').check();
  await section.getByRole('textbox', { name: 'Amount' }).fill('4500');
  await checkA11y(page, 'request page with corrections');
  await screenshot(page, 'more-information-answering');
  await section.getByRole('button', { name: 'Send my answer' }).click();
  await section.getByText('The request went back to its approver.').waitFor();
  await section.getByText('Amount: from 5000.00 to 4500.00').waitFor();
  await screenshot(page, 'more-information-answered');
  assert((await section.getByTestId('answer-form').count()) === 0, 'the answer form stays after answering');
  await own.close();
} finally {
  await browser.close();
}
for (const result of axeResults) {
  process.stdout.write(`axe ${result.screen}: ${result.violations} violations (${result.passes} rules passed)\n`);
}
