// The Notifications screen in a real browser against a running stack: a new applicant turns
// on a signed webhook pointing at RECEIVER_URL (a receiver the calling test runs), sees the
// signing secret once, and axe passes at both widths in both themes. Run by tests/browser/test_notifications_screen.py,
// which sets BASE_URL, STAFF_USERS, STAFF_PASSWORD, AWS_ENDPOINT_URL and RECEIVER_URL. Prints
// the secret it was shown (SECRET=...) so the test can verify a real delivery with it.
import { chromium } from 'playwright-core';

import { assert, axeResults, checkA11yEverywhere, CHROMIUM_ARGS, config, screenshot, signIn } from './support.mjs';

const receiver = process.env.RECEIVER_URL;
if (!receiver) throw new Error('RECEIVER_URL must be set');

const username = `notified-${Date.now().toString(36)}`;
const password = 'notified-password-1';
const registered = await fetch(`${config.baseUrl}/api/v1/users`, {
  method: 'POST',
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({ username, password, email: `${username}@example.com`, full_name: 'Nora Notified' }),
});
assert(registered.status === 201, `registration answered ${registered.status}`);

const browser = await chromium.launch({ executablePath: config.chromium, args: CHROMIUM_ARGS });
try {
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const small = await phone.newPage();
  await signIn(small, username, password);
  await small.getByRole('button', { name: 'Open navigation' }).click();
  await small.getByRole('link', { name: 'Notifications' }).click();
  await small.getByRole('heading', { level: 1, name: 'Notifications' }).waitFor();
  await small.getByRole('region', { name: 'Webhook' }).waitFor();
  await checkA11yEverywhere(small, 'notifications (phone)');
  await screenshot(small, 'notifications-phone');
  await phone.close();

  const desktop = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await desktop.newPage();
  await signIn(page, username, password);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Notifications' }).click();
  const webhook = page.getByRole('region', { name: 'Webhook' });
  await webhook.getByRole('switch', { name: 'Send signed webhooks to my server' }).check();
  await webhook.getByRole('textbox', { name: 'Webhook URL' }).fill(receiver);
  await page.getByRole('button', { name: 'Save notification settings' }).click();
  await page.getByText('Your notification settings are saved.').waitFor();
  const secret = (await page.getByTestId('webhook-secret').textContent())?.trim() ?? '';
  assert(secret.startsWith('whsec_'), `the secret shown: ${secret}`);
  await checkA11yEverywhere(page, 'notifications (secret shown)');
  await screenshot(page, 'notifications-desktop');

  // Once: after a reload the secret is gone, and the page says one is set.
  await page.reload();
  await webhook.getByText(/A signing secret is set/).waitFor();
  assert((await page.getByTestId('webhook-secret').count()) === 0, 'the secret is shown again');
  // A metadata address is refused on its field.
  await webhook.getByRole('textbox', { name: 'Webhook URL' }).fill('http://169.254.169.254/latest/meta-data/');
  await page.getByRole('button', { name: 'Save notification settings' }).click();
  await webhook.getByText(/link-local or cloud metadata address/).waitFor();
  await checkA11yEverywhere(page, 'notifications (URL refused)');
  process.stdout.write(`SECRET=${secret}\nUSER=${username}\nPASSWORD=${password}\n`);
} finally {
  await browser.close();
}
for (const result of axeResults) {
  process.stdout.write(`axe ${result.screen}: ${result.violations} violations (${result.passes} rules passed)\n`);
}
