// Helpers for the browser flows: configuration, accessibility scans, screenshots, the API
// (only to look things up that a person would know, such as who an email went to) and the
// SES mailbox LocalStack keeps.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import AxeBuilder from '@axe-core/playwright';

const here = path.dirname(fileURLToPath(import.meta.url));

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must be set (see tests/browser/test_web_app.py)`);
  return value;
}

export const config = {
  baseUrl: required('BASE_URL').replace(/\/$/, ''),
  staff: JSON.parse(required('STAFF_USERS')),
  staffPassword: required('STAFF_PASSWORD'),
  awsEndpoint: required('AWS_ENDPOINT_URL').replace(/\/$/, ''),
  chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  screenshots: process.env.SCREENSHOT_DIR ?? path.resolve(here, '../../artifacts/screenshots'),
};

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Every screen scanned, with its violation count, for the closing summary. */
export const axeResults = [];

export async function checkA11y(page, screen) {
  // Scan what a person sees, not a frame of a fade-in (colours mid-transition).
  // Endless ones (progress spinners) never finish and hold no colour to check.
  await page.waitForFunction(() =>
    document
      .getAnimations()
      .every((a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity),
  );
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  axeResults.push({ screen, violations: results.violations.length, passes: results.passes.length });
  if (results.violations.length > 0) {
    const detail = results.violations
      .map((v) => `  ${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(' ')}: ${n.failureSummary}`).join('\n')}`)
      .join('\n');
    throw new Error(`axe found ${results.violations.length} violation(s) on ${screen}:\n${detail}`);
  }
}

export const PHONE_SIZE = { width: 390, height: 844 };

/** Wait until the app shows `scheme` (Material UI sets data-color-scheme on <html>). */
async function showScheme(page, scheme) {
  await page.emulateMedia({ colorScheme: scheme });
  await page.waitForFunction((s) => document.documentElement.getAttribute('data-color-scheme') === s, scheme);
}

/**
 * axe on the screen as it is, in both themes (the system's, as the app follows it until the
 * person picks one), at its own width and at 390 px: four scans, all must be clean.
 */
export async function checkA11yEverywhere(page, screen, { phone = true } = {}) {
  const size = page.viewportSize();
  const widths = phone && size.width !== PHONE_SIZE.width ? [size, PHONE_SIZE] : [size];
  try {
    for (const width of widths) {
      if (width !== size) await page.setViewportSize(width);
      for (const scheme of ['light', 'dark']) {
        await showScheme(page, scheme);
        await checkA11y(page, `${screen} [${width.width} px, ${scheme}]`);
      }
    }
  } finally {
    if (page.viewportSize().width !== size.width) await page.setViewportSize(size);
    await showScheme(page, 'light');
  }
}

/** The element that has the keyboard focus: its text and a few attributes, for assertions. */
export async function focused(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    return {
      tag: element?.tagName.toLowerCase() ?? '',
      text: element?.textContent?.trim() ?? '',
      testId: element?.closest('[data-testid]')?.getAttribute('data-testid') ?? null,
      listIndex: element?.closest('[data-list-item]')
        ? [...document.querySelectorAll('[data-list-item]')].indexOf(element.closest('[data-list-item]'))
        : -1,
    };
  });
}

/** Record every text a live region takes from now on (what a screen reader would announce). */
export async function recordAnnouncements(page, selector) {
  await page.locator(selector).waitFor();
  await page.evaluate((sel) => {
    const region = document.querySelector(sel);
    window.__announced = [region.textContent];
    new MutationObserver(() => {
      if (window.__announced.at(-1) !== region.textContent) window.__announced.push(region.textContent);
    }).observe(region, { childList: true, characterData: true, subtree: true });
    window.__region = region;
  }, selector);
}

/** The texts the recorded live region took, and whether it is still the same element on the page. */
export async function announcements(page) {
  return page.evaluate(() => ({ texts: window.__announced ?? [], attached: Boolean(window.__region?.isConnected) }));
}

export async function screenshot(page, name) {
  await mkdir(config.screenshots, { recursive: true });
  await page.screenshot({ path: path.join(config.screenshots, `${name}.png`), fullPage: true });
}

export async function waitFor(check, { timeout = 45_000, interval = 500, what = 'condition' } = {}) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const result = await check();
    if (result) return result;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** Sign in through the login form and wait for the start page. */
export async function signIn(page, username, password) {
  await page.goto(`${config.baseUrl}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/login'));
  // React Router renders a navigation as a transition: the URL changes first and the login
  // form stays on screen until the next page commits, which closes the menu drawer. A
  // drawer opened in between (a loaded machine, once) shut under the click that followed.
  await page.getByLabel('Password').waitFor({ state: 'detached' });
}

/** The API as a staff member, for look-ups only. */
export async function apiAs(username, password = config.staffPassword) {
  const token = await fetch(`${config.baseUrl}/api/v1/token`, {
    method: 'POST',
    body: new URLSearchParams({ username, password }),
  }).then((r) => r.json());
  const headers = { Authorization: `Bearer ${token.access_token}` };
  return {
    async get(pathname) {
      const response = await fetch(`${config.baseUrl}/api/v1${pathname}`, { headers });
      if (!response.ok) throw new Error(`GET ${pathname}: ${response.status} ${await response.text()}`);
      return response.json();
    },
    async post(pathname, body) {
      const response = await fetch(`${config.baseUrl}/api/v1${pathname}`, {
        method: 'POST',
        headers: { ...headers, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`POST ${pathname}: ${response.status} ${await response.text()}`);
      return response.json();
    },
  };
}

/** What an applicant is told of a staff member: the first word of their full name. */
export async function firstNameOf(username) {
  const admin = await apiAs(config.staff.admin1);
  const { items } = await admin.get(`/users?q=${encodeURIComponent(username)}`);
  const user = items.find((u) => u.username === username);
  if (!user) throw new Error(`no user ${username}`);
  return user.full_name.trim().split(/\s+/)[0];
}

/** The username assigned to a request's stage once routing has assigned it. */
export async function assigneeOf(requestId, level) {
  const admin = await apiAs(config.staff.admin1);
  return waitFor(
    async () => {
      const detail = await admin.get(`/credit-requests/${requestId}`);
      const stage = detail.stages.find((s) => s.level === level && s.status === 'pending');
      return stage?.assignee ?? null;
    },
    { what: `stage ${level} of ${requestId} to be assigned` },
  );
}

/** The path (with its token) of the verification link in the welcome email LocalStack's SES accepted. */
export async function verificationLinkFor(email) {
  return waitFor(
    async () => {
      const { messages } = await fetch(`${config.awsEndpoint}/_aws/ses`).then((r) => r.json());
      const message = messages.find((m) => m.Destination.ToAddresses.includes(email));
      const match = message?.Body?.text_part?.match(/\/verify-email\?token=[A-Za-z0-9_\-.]+/);
      return match ? match[0] : null;
    },
    { what: `the welcome email to ${email}` },
  );
}

/** The approval link token from the email LocalStack's SES accepted for this request. */
export async function approvalLinkFor(email, requestId) {
  return waitFor(
    async () => {
      const { messages } = await fetch(`${config.awsEndpoint}/_aws/ses`).then((r) => r.json());
      const message = messages.find(
        (m) => m.Destination.ToAddresses.includes(email) && m.Subject.includes(requestId.slice(0, 8)),
      );
      const match = message?.Body?.text_part?.match(/\/approvals\/([A-Za-z0-9_\-.]+)/);
      return match ? match[1] : null;
    },
    { what: `the approval email to ${email}` },
  );
}
