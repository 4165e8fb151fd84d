// The flows, in order; later ones continue the story of the earlier ones through `state`.
import {
  approvalLinkFor,
  assert,
  assigneeOf,
  checkA11y,
  config,
  screenshot,
  signIn,
  waitFor,
} from './support.mjs';

const DESKTOP = { viewport: { width: 1280, height: 900 } };
const PHONE = { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true };

function need(state, key) {
  if (state[key] === undefined) throw new Error(`an earlier flow did not provide ${key}`);
  return state[key];
}

async function fillApplication(page, values) {
  // The form first: labels match loosely, and the page we came from may have an "amount" filter.
  await page.getByRole('heading', { name: 'New credit request' }).waitFor();
  for (const [label, value] of Object.entries(values)) {
    await page.getByLabel(label, { exact: false }).first().fill(value);
  }
}

async function registerApplicant(state) {
  const context = await state.browser.newContext(DESKTOP);
  const page = await context.newPage();
  await page.goto(`${config.baseUrl}/`);
  await page.waitForURL('**/login**');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await checkA11y(page, 'login');
  await screenshot(page, '01-login');

  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByRole('heading', { name: 'Create an account' }).waitFor();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Use at least 10 characters.').waitFor();
  await checkA11y(page, 'register (with validation messages)');
  const username = `browser-${Date.now().toString(36)}`;
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Full name').fill('Browser Applicant');
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Password').fill('applicant-password-1');
  await screenshot(page, '02-register');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/requests/new');
  state.applicant = { username, password: 'applicant-password-1', context, page };
}

async function submitRequest(state) {
  const { page } = need(state, 'applicant');
  await page.getByRole('heading', { name: 'New credit request' }).waitFor();
  await page.getByRole('button', { name: 'Submit request' }).click();
  await page.getByText('Enter an amount.').first().waitFor();
  await checkA11y(page, 'new request (with validation messages)');
  // 50,000 over 5 years on a good income: low risk, so an analyst then a manager decide.
  await fillApplication(page, {
    Amount: '50,000',
    'Term in months': '60',
    Purpose: 'Workshop equipment',
    'Monthly income': '20000',
    'Monthly debt payments': '300',
    'Credit score': '760',
  });
  await page.getByText('$50,000.00').first().waitFor();
  await screenshot(page, '03-new-request');
  await page.getByRole('button', { name: 'Submit request' }).click();
  await page.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
  state.requestId = page.url().split('/').pop();
  // The page updates by itself: no reload.
  await page.locator('[data-status="pending_approval"]').first().waitFor({ timeout: 45_000 });
  await page.getByText('Pending approval').first().waitFor();
  await page.getByText('Assigned to').first().waitFor({ timeout: 45_000 });
  await checkA11y(page, 'request detail');
  await screenshot(page, '04-request-detail-pending');

  await page.getByRole('link', { name: 'My requests' }).click();
  await page.getByRole('heading', { name: 'My requests' }).waitFor();
  await page.locator(`[data-request-id="${state.requestId}"]`).waitFor();
  await checkA11y(page, 'my requests');
  await screenshot(page, '05-my-requests');
}

async function declinedRequestShowsReasons(state) {
  const { page } = need(state, 'applicant');
  await page.getByRole('link', { name: 'New request' }).first().click();
  await fillApplication(page, {
    Amount: '1200',
    'Term in months': '12',
    Purpose: 'Holiday',
    'Monthly income': '0',
    'Credit score': '700',
  });
  await page.getByRole('button', { name: 'Submit request' }).click();
  await page.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
  await page.locator('[data-status="auto_rejected"]').first().waitFor({ timeout: 45_000 });
  await page.getByRole('heading', { name: 'Reasons for the automatic decision' }).waitFor();
  await page.getByText('NO_INCOME').waitFor();
  await checkA11y(page, 'request detail (auto-rejected)');
  await screenshot(page, '06-request-detail-auto-rejected');
}

async function approverDecidesFromInbox(state) {
  const requestId = need(state, 'requestId');
  const analyst = await assigneeOf(requestId, 1);
  const context = await state.browser.newContext(DESKTOP);
  const page = await context.newPage();
  await signIn(page, analyst, config.staffPassword);
  await page.waitForURL('**/inbox');
  await page.getByRole('heading', { name: 'Inbox' }).waitFor();
  const row = page.locator(`[data-request-id="${requestId}"]`);
  await row.waitFor();
  await checkA11y(page, 'inbox');
  await screenshot(page, '07-inbox');

  await row.getByRole('link').click();
  await page.getByRole('heading', { name: 'Decision: stage 1' }).waitFor();
  // The stored analysis of 50,000 over 60 months at the default 12% reference rate, with 300
  // of other debt on an income of 20,000: (300 + 1,112.22) / 20,000 = 7.06%.
  const analysis = page.getByRole('region', { name: 'Automatic analysis' });
  await analysis.getByText('$1,112.22').waitFor();
  await analysis.getByText('7.06%').waitFor();
  await analysis.getByRole('heading', { name: 'Credit bureau report' }).waitFor();
  await page.getByRole('button', { name: 'Reject' }).click();
  await page.getByText('A rejection needs a comment explaining it.').waitFor();
  await checkA11y(page, 'decision page');
  await screenshot(page, '08-decision-page');
  await page.getByLabel('Comment').fill('Income and purpose verified.');
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByText('The request moves on to the next approver.').waitFor();
  await page.getByRole('link', { name: 'Back to the inbox' }).click();
  await waitFor(async () => (await page.locator(`[data-request-id="${requestId}"]`).count()) === 0, {
    what: 'the decided stage to leave the inbox',
  });
  await context.close();
  state.analyst = analyst;
}

async function approverFollowsEmailedLink(state) {
  const requestId = need(state, 'requestId');
  need(state, 'analyst');
  const manager = await assigneeOf(requestId, 2);
  const token = await approvalLinkFor(`${manager}@example.com`, requestId);
  const context = await state.browser.newContext(DESKTOP);
  const page = await context.newPage();
  await page.goto(`${config.baseUrl}/approvals/${token}`);
  await page.getByRole('heading', { name: /Decision: stage 2/ }).waitFor();
  await page.getByText('$50,000.00').first().waitFor();
  await checkA11y(page, 'deep link page');
  await screenshot(page, '09-deep-link');
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.getByText('The credit request is now approved.').waitFor();
  await screenshot(page, '10-deep-link-decided');

  await page.reload();
  await page.getByText('This link has already been used').waitFor();
  await checkA11y(page, 'deep link page (used link)');
  await page.goto(`${config.baseUrl}/approvals/not-a-real-token`);
  await page.getByText('This link is not valid').waitFor();
  await context.close();
  state.manager = manager;
}

async function applicantSeesFinalDecision(state) {
  const { page } = need(state, 'applicant');
  const requestId = need(state, 'requestId');
  need(state, 'manager');
  await page.goto(`${config.baseUrl}/requests/${requestId}`);
  await page.locator('[data-status="approved"]').first().waitFor({ timeout: 45_000 });
  await page.getByText(`Approved by ${state.analyst}`, { exact: false }).waitFor();
  await page.getByText(`Approved by ${state.manager}`, { exact: false }).waitFor();
  await page.getByText('Income and purpose verified.', { exact: false }).waitFor();
  assert((await page.getByRole('button', { name: 'Withdraw request' }).count()) === 0, 'a decided request cannot be withdrawn');
  await screenshot(page, '11-request-detail-approved');

  // The session survives a reload (refresh token in sessionStorage, access token renewed).
  await page.reload();
  await page.locator('[data-status="approved"]').first().waitFor();
}

async function applicantWithdraws(state) {
  const { page } = need(state, 'applicant');
  await page.goto(`${config.baseUrl}/requests/new`);
  await fillApplication(page, {
    Amount: '800',
    'Term in months': '6',
    Purpose: 'Laptop',
    'Monthly income': '3000',
    'Credit score': '700',
  });
  await page.getByRole('button', { name: 'Submit request' }).click();
  await page.waitForURL(/\/requests\/[0-9a-f-]{36}$/);
  await page.getByRole('button', { name: 'Withdraw request' }).click();
  const dialog = page.getByRole('dialog', { name: 'Withdraw this request?' });
  await checkA11y(page, 'withdraw confirmation');
  await dialog.getByRole('button', { name: 'Withdraw' }).click();
  await page.locator('[data-status="withdrawn"]').first().waitFor();
  assert((await page.getByRole('button', { name: 'Withdraw request' }).count()) === 0, 'a withdrawn request offers no withdraw');
}

async function roleBasedNavigation(state) {
  const { page } = need(state, 'applicant');
  await page.goto(`${config.baseUrl}/requests`);
  const nav = page.getByRole('navigation', { name: 'Main' }).first();
  await nav.getByRole('link', { name: 'My requests' }).waitFor();
  for (const hidden of ['Users', 'Audit log', 'Dashboard', 'Inbox', 'All requests']) {
    assert((await nav.getByRole('link', { name: hidden }).count()) === 0, `an applicant sees no "${hidden}" link`);
  }
  for (const path of ['/admin/users', '/admin/audit', '/dashboard', '/inbox']) {
    await page.goto(`${config.baseUrl}${path}`);
    await page.getByRole('heading', { name: 'Not authorized' }).waitFor();
  }
  await checkA11y(page, 'not authorized');
  await screenshot(page, '12-not-authorized');

  const context = await state.browser.newContext(DESKTOP);
  const analystPage = await context.newPage();
  await signIn(analystPage, config.staff.analyst2, config.staffPassword);
  const staffNav = analystPage.getByRole('navigation', { name: 'Main' }).first();
  for (const shown of ['Inbox', 'All requests', 'Dashboard']) {
    await staffNav.getByRole('link', { name: shown }).waitFor();
  }
  assert((await staffNav.getByRole('link', { name: 'Users' }).count()) === 0, 'an analyst sees no "Users" link');
  await analystPage.goto(`${config.baseUrl}/admin/users`);
  await analystPage.getByRole('heading', { name: 'Not authorized' }).waitFor();
  await context.close();
}

async function adminScreens(state) {
  const context = await state.browser.newContext(DESKTOP);
  const page = await context.newPage();
  await signIn(page, config.staff.admin1, config.staffPassword);
  await page.waitForURL('**/dashboard');
  state.admin = { context, page };

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await page.getByRole('heading', { name: 'Users and roles' }).waitFor();
  await page.locator(`[data-username="${need(state, 'applicant').username}"]`).waitFor();
  await checkA11y(page, 'admin users');
  await screenshot(page, '13-admin-users');
  await page.getByRole('searchbox', { name: 'Username or email' }).fill(`${need(state, 'applicant').username}@EXAMPLE`);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/\?q=/);
  await waitFor(async () => (await page.locator('tbody tr[data-username]').count()) === 1, { what: 'the search to find only the applicant' });
  await page.locator(`[data-username="${need(state, 'applicant').username}"]`).waitFor();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log' }).waitFor();
  await page.getByLabel('Action').fill('stage.approved');
  await page.getByLabel('Entity type').fill('approval_stage');
  await page.getByLabel('Actor').fill(need(state, 'manager'));
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/action=stage\.approved.*actor=/);
  await waitFor(
    async () => {
      const actors = await page.locator('tbody tr td:nth-child(2)').allTextContents();
      return actors.length > 0 && actors.every((a) => a === state.manager);
    },
    { what: "the list to hold only the manager's entries" },
  );
  await checkA11y(page, 'audit log');
  await screenshot(page, '14-audit-log');
}

async function dashboardDrillDown(state) {
  const { page } = need(state, 'admin');
  const requestId = need(state, 'requestId');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  const outcomes = page.locator('[data-chart="outcomes"]');
  await outcomes.getByRole('table').waitFor();
  await checkA11y(page, 'dashboard');
  await screenshot(page, '15-dashboard');

  // Click the "Approved" bar: bars follow the table's row order.
  const statuses = await outcomes.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')));
  const index = statuses.indexOf('approved');
  assert(index >= 0, `the outcomes include approved requests (got ${statuses.join(', ')})`);
  await outcomes.locator('.MuiBarChart-element').nth(index).click();
  await page.waitForURL('**/requests?**');
  const url = new URL(page.url());
  assert(url.searchParams.getAll('status').join(',') === 'approved', `drill-down filters on approved (${url.search})`);
  assert(url.searchParams.get('created_from') && url.searchParams.get('created_to'), `drill-down keeps the date range (${url.search})`);
  await page.getByRole('heading', { name: 'All requests' }).waitFor();
  await page.locator(`[data-request-id="${requestId}"]`).waitFor();
  const shown = await page.locator('tbody [data-status]').evaluateAll((chips) => chips.map((c) => c.getAttribute('data-status')));
  assert(shown.length > 0 && shown.every((s) => s === 'approved'), `only approved requests are listed (${shown.join(', ')})`);
  await screenshot(page, '16-drill-down-list');

  // The same drill-down from the chart's text alternative (keyboard users), with an amount band.
  await page.goto(`${config.baseUrl}/dashboard?band=medium`);
  const funnelLink = page.locator('[data-chart="funnel"] tbody tr').nth(3).getByRole('link');
  await funnelLink.click();
  await page.waitForURL('**/requests?**');
  const banded = new URL(page.url()).searchParams;
  assert(banded.get('amount_min') === '10000.01' && banded.get('amount_max') === '100000.00', `the band becomes an amount range (${banded})`);
  await page.locator(`[data-request-id="${requestId}"]`).waitFor();
  await page.getByLabel('Minimum amount').and(page.locator('input')).waitFor();
  assert((await page.getByLabel('Minimum amount').inputValue()) === '10000.01', 'the list shows the filters it read from the URL');

  // A time-to-decision bar: the requests with a manager stage decided, as many as its table row counts.
  await page.goto(`${config.baseUrl}/dashboard`);
  const timing = page.locator('[data-chart="timing"]');
  await timing.getByRole('table').waitFor();
  const roles = await timing.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-role')));
  const stage = roles.indexOf('manager');
  assert(stage >= 0, `a manager stage has been decided (got ${roles.join(', ')})`);
  const counted = Number(await timing.locator('tbody tr').nth(stage).getByRole('link').textContent());
  // The median bars come first, one per stage in the table's order.
  await timing.locator('.MuiBarChart-element').nth(stage).click();
  await page.waitForURL('**/requests?**');
  const timed = new URL(page.url()).searchParams;
  assert(timed.get('stage_role') === 'manager' && timed.get('created_from') && timed.get('created_to'), `the bar drills down to its stage in the period (${timed})`);
  await page.locator(`[data-request-id="${requestId}"]`).waitFor();
  const stageFilter = page.getByRole('combobox', { name: 'Stage decided' });
  assert((await stageFilter.textContent()).includes('Manager'), 'the list shows why it is narrowed');
  const listed = await page.locator('tbody tr[data-request-id]').count();
  assert(listed === Math.min(counted, 20), `the list holds the ${counted} request(s) the bar counts (shows ${listed})`);
  await checkA11y(page, 'request list (time-to-decision drill-down)');
  await page.getByRole('button', { name: 'Clear' }).click();
  await page.waitForURL((url) => url.pathname === '/requests' && url.search === '');
  // The URL changes first; the form follows it on the next render.
  await stageFilter.filter({ hasText: 'Any' }).waitFor({ timeout: 10_000 });
  await state.admin.context.close();
}

async function phoneWidth(state) {
  const applicant = need(state, 'applicant');
  const context = await state.browser.newContext(PHONE);
  const page = await context.newPage();
  await signIn(page, applicant.username, applicant.password);
  await page.getByRole('heading', { name: 'My requests' }).waitFor();
  await page.locator('tbody tr').first().waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `no horizontal scrolling at 375 px (overflow ${overflow} px)`);
  await checkA11y(page, 'my requests (375 px)');
  await screenshot(page, '17-phone-my-requests');
  await page.getByRole('button', { name: 'Open navigation' }).click();
  await page.getByRole('link', { name: 'New request' }).last().click();
  await page.getByRole('heading', { name: 'New credit request' }).waitFor();
  const formOverflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(formOverflow <= 0, `the form fits 375 px (overflow ${formOverflow} px)`);
  await screenshot(page, '18-phone-new-request');
  await context.close();
}

async function focusedElement(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    const style = element ? getComputedStyle(element) : null;
    return {
      text: element?.textContent?.trim() ?? '',
      outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : 'none',
    };
  });
}

async function keyboardOnly(state) {
  const applicant = need(state, 'applicant');
  const context = await state.browser.newContext(DESKTOP);
  const page = await context.newPage();
  await page.goto(`${config.baseUrl}/login`);
  await page.getByLabel('Username').waitFor();
  await page.keyboard.type(applicant.username); // the field has focus when the page opens
  await page.keyboard.press('Tab');
  await page.keyboard.type(applicant.password);
  await page.keyboard.press('Enter');
  await page.waitForURL('**/requests');

  await page.goto(`${config.baseUrl}/requests`);
  await page.getByRole('heading', { name: 'My requests' }).waitFor();
  await page.keyboard.press('Tab');
  let focused = await focusedElement(page);
  assert(focused.text === 'Skip to main content', `the first Tab reaches the skip link (got "${focused.text}")`);
  assert(!focused.outline.startsWith('none'), `the skip link shows focus (${focused.outline})`);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  focused = await focusedElement(page);
  assert(focused.text === 'New request', `after skipping, Tab reaches the page's first control (got "${focused.text}")`);
  assert(!focused.outline.startsWith('none'), `buttons show focus (${focused.outline})`);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'New credit request' }).waitFor();
  await context.close();
}

async function signOut(state) {
  const { page, context } = need(state, 'applicant');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.waitForURL('**/login');
  const stored = await page.evaluate(() => Object.keys(sessionStorage).length);
  assert(stored === 0, 'signing out forgets the refresh token');
  await page.goto(`${config.baseUrl}/requests`);
  await page.waitForURL('**/login**');
  await context.close();
}

export const FLOWS = [
  ['register, then see the login and registration screens', registerApplicant],
  ['an applicant submits a request and sees it pending approval', submitRequest],
  ['a declined request shows its reasons', declinedRequestShowsReasons],
  ['an approver decides from the inbox', approverDecidesFromInbox],
  ['an approver approves from the link in the email', approverFollowsEmailedLink],
  ['the applicant sees the final decision', applicantSeesFinalDecision],
  ['an applicant withdraws an open request', applicantWithdraws],
  ['navigation follows the role, even by URL', roleBasedNavigation],
  ['admin screens: users and audit log', adminScreens],
  ['dashboard drill-down lands on the filtered list', dashboardDrillDown],
  ['works at phone width', phoneWidth],
  ['keyboard only: sign in, skip link, visible focus', keyboardOnly],
  ['signing out ends the session', signOut],
];
