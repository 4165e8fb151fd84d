// The Out of office screen in a real browser against a running stack: an analyst sets an
// absence with a colleague as delegate, sees it scheduled, and cancels it; an administrator
// opens the same user's absences from the Users page. axe passes at both widths in both
// themes. Run by tests/browser/test_delegation.py (BASE_URL, STAFF_USERS, STAFF_PASSWORD).
import { chromium } from 'playwright-core';

import { assert, axeResults, checkA11yEverywhere, CHROMIUM_ARGS, config, screenshot, signIn } from './support.mjs';

const absent = config.staff.analyst1;
const delegate = config.staff.analyst2;

/** A `datetime-local` value, `days` from now, in the browser's (and this process's) local time. */
function local(days) {
  const at = new Date(Date.now() + days * 86_400_000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}T${pad(at.getHours())}:${pad(at.getMinutes())}`;
}

const browser = await chromium.launch({ executablePath: config.chromium, args: CHROMIUM_ARGS });
try {
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await desktop.newPage();
  await signIn(page, absent, config.staffPassword);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Out of office' }).click();
  await page.getByRole('heading', { level: 1, name: 'Out of office' }).waitFor();
  await page.getByRole('combobox', { name: 'Delegate' }).click();
  await page.getByRole('option', { name: new RegExp(`\\(${delegate}\\)`) }).click();
  await page.getByLabel('From').fill(local(1));
  await page.getByLabel('Until').fill(local(2));
  await page.getByRole('button', { name: 'Set out of office' }).click();
  await page.getByTestId('absence-result').getByText(/holds the stages/).waitFor();
  const list = page.getByRole('list', { name: 'Absences' });
  await list.getByText('Scheduled').first().waitFor();
  await checkA11yEverywhere(page, 'out of office (set)');
  await screenshot(page, 'out-of-office-desktop');

  // The same window again overlaps: refused, in words.
  await page.getByRole('combobox', { name: 'Delegate' }).click();
  await page.getByRole('option', { name: new RegExp(`\\(${delegate}\\)`) }).click();
  await page.getByLabel('From').fill(local(1));
  await page.getByLabel('Until').fill(local(2));
  await page.getByRole('button', { name: 'Set out of office' }).click();
  await page.getByText('There is already an absence in this window.').waitFor();

  await list.getByRole('button', { name: 'Cancel this absence' }).first().click();
  await page.getByText('The absence is cancelled.').waitFor();
  await list.getByText('Cancelled').first().waitFor();
  await desktop.close();

  const admin = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const adminPage = await admin.newPage();
  await signIn(adminPage, config.staff.admin1, config.staffPassword);
  await adminPage.goto(`${config.baseUrl}/admin/users?q=${encodeURIComponent(absent)}`);
  await adminPage.getByRole('button', { name: `Out of office for ${absent}` }).click();
  const dialog = adminPage.getByRole('dialog', { name: `Out of office: ${absent}` });
  await dialog.getByText('Cancelled').first().waitFor();
  assert((await dialog.getByText(new RegExp(`Set by ${absent}`)).count()) >= 1, 'the absence the analyst set is listed');
  await checkA11yEverywhere(adminPage, 'out of office (admin dialog)', { phone: false });
  await screenshot(adminPage, 'out-of-office-admin');
  await admin.close();
} finally {
  await browser.close();
}
for (const result of axeResults) {
  process.stdout.write(`axe ${result.screen}: ${result.violations} violations (${result.passes} rules passed)\n`);
}
