// The Data retention screen in a real browser against a running stack: an admin opens it from
// the navigation, runs a dry run (counts, nothing changed), then removes personal data after
// confirming; axe passes at both widths in both themes. Run by tests/browser/test_retention_screen.py,
// which has aged one declined request past 25 months first and checks the database afterwards.
import { chromium } from 'playwright-core';

import { axeResults, checkA11yEverywhere, CHROMIUM_ARGS, config, screenshot, signIn } from './support.mjs';

const admin = config.staff.admin1;

const browser = await chromium.launch({ executablePath: config.chromium, args: CHROMIUM_ARGS });
try {
  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await desktop.newPage();
  await signIn(page, admin, config.staffPassword);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data retention' }).click();
  await page.getByRole('heading', { level: 1, name: 'Data retention' }).waitFor();

  await page.getByRole('button', { name: 'Dry run' }).click();
  await page.getByText(/^Dry run, nothing changed\. Due now: requests \d+, applicants \d+, audit rows \d+\.$/).waitFor();
  await page.getByRole('table', { name: 'Retention runs, newest first' }).getByText('Dry run').first().waitFor();
  await checkA11yEverywhere(page, 'retention (dry run done)');
  await screenshot(page, 'retention-dry-run');
  await page.setViewportSize({ width: 390, height: 844 });
  await screenshot(page, 'retention-phone');
  await page.setViewportSize({ width: 1280, height: 900 });

  await page.getByRole('button', { name: 'Remove personal data now' }).click();
  const dialog = page.getByRole('dialog', { name: 'Remove personal data now?' });
  await dialog.waitFor();
  await checkA11yEverywhere(page, 'retention (confirm)', { phone: false });
  await dialog.getByRole('button', { name: 'Remove personal data' }).click();
  await page.getByText(/^Done\. Personal data removed: requests \d+/).waitFor();
  await screenshot(page, 'retention-applied');
} finally {
  await browser.close();
}
for (const result of axeResults) {
  process.stdout.write(`axe ${result.screen}: ${result.violations} violations (${result.passes} rules passed)\n`);
}
