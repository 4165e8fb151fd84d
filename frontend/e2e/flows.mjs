// The flows, in order; later ones continue the story of the earlier ones through `state`.
// Every screen is scanned by axe at its own width and at 390 px, in the light and the dark
// theme (checkA11yEverywhere); the phone flows also run in a real mobile context.
import {
  announcements,
  apiAs,
  approvalLinkFor,
  assert,
  assigneeOf,
  checkA11y,
  checkA11yEverywhere,
  config,
  firstNameOf,
  focused,
  PHONE_SIZE,
  recordAnnouncements,
  screenshot,
  signIn,
  verificationLinkFor,
  waitFor,
} from './support.mjs';

const DESKTOP = { viewport: { width: 1280, height: 900 } };
const PHONE = { viewport: PHONE_SIZE, isMobile: true, hasTouch: true };
const STANDING = '[data-testid="request-standing"]';

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

async function pageText(page) {
  return page.locator('main').innerText();
}

/** Headings in document order, to check what comes before what. */
async function headings(page) {
  return page.locator('main h2').allTextContents();
}

async function registerApplicant(state) {
  const context = await state.browser.newContext(DESKTOP);
  const page = await context.newPage();
  await page.goto(`${config.baseUrl}/`);
  await page.waitForURL('**/login**');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await checkA11yEverywhere(page, 'login');
  await screenshot(page, '01-login');
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
  await checkA11yEverywhere(page, 'forgot password');
  await page.goto(`${config.baseUrl}/reset-password?token=not-a-real-token`);
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await checkA11yEverywhere(page, 'reset password');
  await page.goto(`${config.baseUrl}/login`);

  await page.getByRole('link', { name: 'Create an account' }).click();
  await page.getByRole('heading', { name: 'Create an account' }).waitFor();
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByText('Use at least 10 characters.').waitFor();
  await checkA11yEverywhere(page, 'register (with validation messages)');
  const username = `browser-${Date.now().toString(36)}`;
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Full name').fill('Browser Applicant');
  await page.getByLabel('Email').fill(`${username}@example.com`);
  await page.getByLabel('Password').fill('applicant-password-1');
  await screenshot(page, '02-register');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL('**/requests/new');
  // Until the address is verified the app says so, and the API refuses a submission.
  await page.getByTestId('verify-email-banner').waitFor();
  await checkA11yEverywhere(page, 'new request (email not verified yet)');
  await page.goto(`${config.baseUrl}${await verificationLinkFor(`${username}@example.com`)}`);
  await page.getByText('Your email address is confirmed.').waitFor();
  await checkA11yEverywhere(page, 'email verified');
  await page.goto(`${config.baseUrl}/requests/new`);
  await page.getByRole('heading', { name: 'New credit request' }).waitFor();
  // The app reads the account again on this navigation: the banner goes once it has.
  await waitFor(async () => (await page.getByTestId('verify-email-banner').count()) === 0, { what: 'the banner gone once verified' });
  state.applicant = { username, password: 'applicant-password-1', context, page };
}

async function submitRequest(state) {
  const { page } = need(state, 'applicant');
  await page.getByRole('heading', { name: 'New credit request' }).waitFor();
  await page.getByRole('button', { name: 'Submit request' }).click();
  await page.getByText('Enter an amount.').first().waitFor();
  await checkA11yEverywhere(page, 'new request (with validation messages)');
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
  // The page updates by itself: no reload. The confirmation stays although scoring has run.
  await page.locator('[data-status="pending_approval"]').first().waitFor({ timeout: 45_000 });
  const standing = page.locator(STANDING);
  await standing.filter({ hasText: /stage 1 of 2: with \S+, the analyst, due / }).waitFor({ timeout: 45_000 });
  await page.getByTestId('submitted-confirmation').filter({ hasText: 'We received your request' }).waitFor();
  await page.getByText('What happens next:').waitFor();
  await page.getByText('If the analyst approves, your request moves on to stage 2 (the manager).').waitFor();
  // Applicants see a role and a first name, never staff usernames, and not the internal
  // risk tier (the API sends neither).
  const analyst = await assigneeOf(state.requestId, 1);
  const analystName = await firstNameOf(analyst);
  await standing.filter({ hasText: `stage 1 of 2: with ${analystName}, the analyst, due ` }).waitFor();
  const text = await pageText(page);
  assert(!text.includes(analyst), `the applicant's page does not name the analyst (${analyst})`);
  assert(!text.includes('Risk tier'), 'the applicant does not see the risk tier');
  await page.getByText(`With ${analystName}, the analyst, due `).first().waitFor();
  await checkA11yEverywhere(page, 'request detail');
  await screenshot(page, '04-request-detail-pending');

  // A second window (its own session: sessions are per tab) follows the request: its live
  // region must speak every status change from here to the final decision.
  const watchContext = await state.browser.newContext(DESKTOP);
  const watch = await watchContext.newPage();
  await signIn(watch, state.applicant.username, state.applicant.password);
  await watch.goto(`${config.baseUrl}/requests/${state.requestId}`);
  await recordAnnouncements(watch, STANDING);
  state.applicant.watch = watchContext;

  await page.getByRole('link', { name: 'My requests' }).click();
  await page.getByRole('heading', { name: 'My requests' }).waitFor();
  await page.locator(`[data-request-id="${state.requestId}"]`).waitFor();
  await checkA11yEverywhere(page, 'my requests');
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
  await page.locator(STANDING).filter({ hasText: 'Declined by the automatic analysis on' }).waitFor();
  await page.getByTestId('submitted-confirmation').waitFor();
  await page.getByRole('heading', { name: 'Reasons for the automatic decision' }).waitFor();
  const reasons = await page.locator('main ul li').allTextContents();
  assert(reasons.some((r) => /income/i.test(r)), `the reason is in plain words (${reasons.join(' | ')})`);
  assert(!(await pageText(page)).includes('NO_INCOME'), 'the applicant sees no raw reason code');
  await page.getByText('You can file a new request once they no longer apply.').waitFor();
  await checkA11yEverywhere(page, 'request detail (auto-rejected)');
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
  // The risk tier and the due date are in the row.
  await row.locator('[data-risk="low"]').waitFor();
  assert(/\d{4}, \d{1,2}:\d{2} [AP]M UTC/.test(await row.innerText()), 'the row shows the due date');
  await checkA11yEverywhere(page, 'inbox');
  await screenshot(page, '07-inbox');
  // Search (client-side) and sort, kept in the URL.
  await page.getByRole('searchbox', { name: 'Search' }).fill('no such purpose');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByText('No stage in your inbox matches').waitFor();
  await page.getByRole('searchbox', { name: 'Search' }).fill('workshop');
  await page.getByRole('button', { name: 'Search' }).click();
  await row.waitFor();
  await page.getByRole('combobox', { name: 'Sort by' }).click();
  await page.getByRole('option', { name: 'Largest amount first' }).click();
  await page.waitForURL(/sort=-amount/);
  await row.waitFor();
  await checkA11yEverywhere(page, 'inbox (searched and sorted)');

  await row.getByRole('link').click();
  await page.getByRole('heading', { name: 'Decision: stage 1 of 2' }).waitFor();
  // The facts come before the form.
  const order = await headings(page);
  assert(order.indexOf('Your decision') > order.indexOf('Automatic analysis'), `facts above the form (${order.join(' | ')})`);
  assert(order.indexOf('Your decision') > order.indexOf('Approval history'), `history above the form (${order.join(' | ')})`);
  // The stored analysis of 50,000 over 60 months at the default 12% reference rate, with 300
  // of other debt on an income of 20,000: (300 + 1,112.22) / 20,000 = 7.06%.
  const analysis = page.getByRole('region', { name: 'Automatic analysis' });
  await analysis.getByText('$1,112.22').waitFor();
  await analysis.getByText('7.06%').waitFor();
  await analysis.getByRole('heading', { name: 'Credit bureau report' }).waitFor();
  await page.getByRole('button', { name: 'Reject' }).click();
  await page.getByText('A rejection needs a comment explaining it.').waitFor();
  // And its principal reasons, from the policy's catalogue (the applicant's notice quotes them).
  await page.getByText('A rejection needs 1 to 4 principal reasons.').waitFor();
  await checkA11yEverywhere(page, 'decision page');
  await screenshot(page, '08-decision-page');
  await page.getByLabel('Comment').fill('Income and purpose verified.');
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await page.getByText('The request moves on to the next approver.').waitFor();
  // Focus moves to the result, which offers the next request of the inbox (or says there is none).
  await waitFor(async () => (await focused(page)).testId === 'decision-outcome', { what: 'focus on the decision result' });
  await waitFor(
    async () => (await page.getByTestId('next-request').count()) > 0 || (await page.getByText('Nothing else waits for your decision.').count()) > 0,
    { what: 'the next request offered' },
  );
  await checkA11yEverywhere(page, 'decision recorded (next request)');
  await screenshot(page, '19-decision-recorded-next');
  await page.getByRole('link', { name: 'Back to the inbox' }).first().click();
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
  const order = await headings(page);
  assert(order.indexOf('Your decision') > order.indexOf('Automatic analysis'), `facts above the form (${order.join(' | ')})`);
  await checkA11yEverywhere(page, 'deep link page');
  await screenshot(page, '09-deep-link');
  await page.getByRole('button', { name: 'Approve', exact: true }).click();
  await page.getByText('The credit request is now approved.').waitFor();
  await waitFor(async () => (await focused(page)).testId === 'decision-outcome', { what: 'focus on the decision result' });
  await screenshot(page, '10-deep-link-decided');

  await page.reload();
  await page.getByText('This link has already been used').waitFor();
  await checkA11yEverywhere(page, 'deep link page (used link)');
  await page.goto(`${config.baseUrl}/approvals/not-a-real-token`);
  await page.getByText('This link is not valid').waitFor();
  await context.close();
  state.manager = manager;
}

async function applicantSeesFinalDecision(state) {
  const { page, watch: watchContext } = need(state, 'applicant');
  const requestId = need(state, 'requestId');
  need(state, 'manager');
  const [watch] = watchContext.pages();
  // The tab left open announced each change, in the same live region.
  await watch.locator(STANDING).filter({ hasText: 'Status: Approved on' }).waitFor({ timeout: 45_000 });
  const heard = await announcements(watch);
  assert(heard.attached, 'the live region stayed in place (a replaced region announces nothing)');
  assert(heard.texts.some((t) => t.includes('stage 2 of 2')), `stage 2 was announced (${heard.texts.join(' | ')})`);
  assert(heard.texts.at(-1).startsWith('Status: Approved on'), `the approval was announced (${heard.texts.join(' | ')})`);
  await watchContext.close();

  await page.goto(`${config.baseUrl}/requests/${requestId}`);
  await page.locator('[data-status="approved"]').first().waitFor({ timeout: 45_000 });
  await page.getByText(`Approved by ${await firstNameOf(state.analyst)}, the analyst, on`, { exact: false }).waitFor();
  await page.getByText(`Approved by ${await firstNameOf(state.manager)}, the manager, on`, { exact: false }).waitFor();
  await page.getByText('Income and purpose verified.', { exact: false }).waitFor();
  await page.getByText('We have emailed you the decision.', { exact: false }).waitFor();
  const text = await pageText(page);
  for (const username of [state.analyst, state.manager]) {
    assert(!text.includes(username), `the applicant's page does not name ${username}`);
  }
  assert((await page.getByRole('button', { name: 'Withdraw request' }).count()) === 0, 'a decided request cannot be withdrawn');
  await checkA11yEverywhere(page, 'request detail (approved)');
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
  await recordAnnouncements(page, STANDING);
  await page.getByRole('button', { name: 'Withdraw request' }).click();
  const dialog = page.getByRole('dialog', { name: 'Withdraw this request?' });
  await checkA11yEverywhere(page, 'withdraw confirmation');
  await dialog.getByRole('button', { name: 'Withdraw' }).click();
  await page.locator('[data-status="withdrawn"]').first().waitFor();
  await page.locator(STANDING).filter({ hasText: 'Status: Withdrawn on' }).waitFor();
  const heard = await announcements(page);
  assert(heard.attached && heard.texts.at(-1).startsWith('Status: Withdrawn'), `the withdrawal was announced (${heard.texts.join(' | ')})`);
  // The confirmation stays, and has the focus (the pressed button is gone).
  await waitFor(async () => (await focused(page)).testId === 'withdrawn-confirmation', { what: 'focus on the withdrawal confirmation' });
  await page.getByText('You withdrew this request on', { exact: false }).waitFor();
  assert((await page.getByRole('button', { name: 'Withdraw request' }).count()) === 0, 'a withdrawn request offers no withdraw');
  await checkA11yEverywhere(page, 'request detail (withdrawn)');
  await screenshot(page, '20-request-withdrawn');
}

async function applicantInPortuguese(state) {
  const { page } = need(state, 'applicant');
  await page.goto(`${config.baseUrl}/requests`);
  await page.getByRole('heading', { name: 'My requests' }).waitFor();
  await page.getByRole('button', { name: /Language: English/ }).click();
  await page.getByRole('menuitem', { name: 'Português (Brasil)' }).click();
  await page.getByRole('heading', { name: 'Minhas solicitações' }).waitFor();
  assert((await page.evaluate(() => document.documentElement.lang)) === 'pt-BR', 'the page says it is in Portuguese');
  // Money and dates follow the language.
  await page.getByText('US$ 50.000,00').first().waitFor();
  await checkA11yEverywhere(page, 'my requests (pt-BR)');
  await screenshot(page, '21-pt-br-my-requests');
  await page.locator(`[data-request-id="${need(state, 'requestId')}"]`).getByRole('link').click();
  await page.locator(STANDING).filter({ hasText: 'Situação: Aprovada em' }).waitFor();
  await page.getByText(`Aprovada por ${await firstNameOf(need(state, 'analyst'))}, o analista, em`, { exact: false }).waitFor();
  await checkA11yEverywhere(page, 'request detail (pt-BR)');
  await screenshot(page, '22-pt-br-request-detail');
  await page.getByRole('link', { name: 'Nova solicitação' }).first().click();
  await page.getByRole('heading', { name: 'Nova solicitação de crédito' }).waitFor();
  await page.getByLabel('Valor', { exact: false }).first().fill('1.500,5');
  await page.getByText('US$ 1.500,50').first().waitFor();
  await checkA11yEverywhere(page, 'new request (pt-BR)');
  await screenshot(page, '23-pt-br-new-request');
  // The choice is remembered across a reload; switch back for the flows that follow.
  await page.reload();
  await page.getByRole('heading', { name: 'Nova solicitação de crédito' }).waitFor();
  await page.getByRole('button', { name: /Idioma: Português/ }).click();
  await page.getByRole('menuitem', { name: 'English' }).click();
  await page.getByRole('heading', { name: 'New credit request' }).waitFor();
}

async function roleBasedNavigation(state) {
  const { page } = need(state, 'applicant');
  await page.goto(`${config.baseUrl}/requests`);
  const nav = page.getByRole('navigation', { name: 'Main' }).first();
  await nav.getByRole('link', { name: 'My requests' }).waitFor();
  for (const hidden of ['Users', 'Audit log', 'Dead letters', 'Dashboard', 'Inbox', 'All requests']) {
    assert((await nav.getByRole('link', { name: hidden }).count()) === 0, `an applicant sees no "${hidden}" link`);
  }
  for (const path of ['/admin/users', '/admin/audit', '/admin/dead-letters', '/dashboard', '/inbox']) {
    await page.goto(`${config.baseUrl}${path}`);
    await page.getByRole('heading', { name: 'Not authorized' }).waitFor();
  }
  await checkA11yEverywhere(page, 'not authorized');
  await screenshot(page, '12-not-authorized');
  await page.goto(`${config.baseUrl}/no-such-page`);
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  await checkA11yEverywhere(page, 'page not found');

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

async function chooseOption(page, label, option) {
  await page.getByRole('combobox', { name: label }).click();
  await page.getByRole('option', { name: option, exact: true }).click();
}

async function adminScreens(state) {
  const context = await state.browser.newContext(DESKTOP);
  const page = await context.newPage();
  await signIn(page, config.staff.admin1, config.staffPassword);
  await page.waitForURL('**/dashboard');
  state.admin = { context, page };

  // A person of their own for the role and active changes, so later flows keep theirs.
  const spare = `spare-${Date.now().toString(36)}`;
  await fetch(`${config.baseUrl}/api/v1/users`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ username: spare, email: `${spare}@example.com`, password: 'spare-password-2026', full_name: 'Spare Person' }),
  });

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Users' }).click();
  await page.getByRole('heading', { name: 'Users and roles' }).waitFor();
  // Found by a search: the first page holds only the first 50 usernames, and a long test run
  // registers more people than that before this flow.
  const applicantName = need(state, 'applicant').username;
  await page.goto(`${config.baseUrl}/admin/users?q=${encodeURIComponent(applicantName)}`);
  await page.locator(`[data-username="${applicantName}"]`).waitFor();
  await checkA11yEverywhere(page, 'admin users');
  await screenshot(page, '13-admin-users');
  await page.getByRole('searchbox', { name: 'Username or email' }).fill(spare);
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForURL(/\?q=/);
  await waitFor(async () => (await page.locator('tbody tr[data-username]').count()) === 1, { what: 'the search to find only the spare user' });

  // A role change asks first; cancelling changes nothing.
  await chooseOption(page, `Role of ${spare}`, 'Analyst');
  const dialog = page.getByRole('dialog', { name: `Make ${spare} Analyst?` });
  await dialog.waitFor();
  await checkA11yEverywhere(page, 'confirm role change');
  await screenshot(page, '24-admin-confirm-role');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  assert((await page.getByRole('combobox', { name: `Role of ${spare}` }).textContent()).includes('Applicant'), 'cancelling keeps the role');
  // Deactivating asks, then saves.
  await page.getByRole('switch', { name: `${spare} is active` }).click();
  const deactivate = page.getByRole('dialog', { name: `Deactivate ${spare}?` });
  await deactivate.getByRole('button', { name: 'Confirm' }).click();
  await page.getByTestId('user-change-result').filter({ hasText: `${spare} is now Applicant, deactivated.` }).waitFor();
  await page.getByRole('switch', { name: `${spare} is active` }).click();
  await page.getByRole('dialog', { name: `Reactivate ${spare}?` }).getByRole('button', { name: 'Confirm' }).click();
  await page.getByTestId('user-change-result').filter({ hasText: `${spare} is now Applicant, active.` }).waitFor();

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { name: 'Audit log' }).waitFor();
  // The action filter is a list of the actions the system records.
  await chooseOption(page, 'Action', 'User changed');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/action=user\.updated/);
  // Changes read as before → after, not JSON.
  const change = page.locator('tbody tr[data-action="user.updated"] [data-field="is_active"]').first();
  await change.waitFor();
  const [was, is] = [await change.locator('del').textContent(), await change.locator('ins').textContent()];
  assert(was === 'no' && is === 'yes', `a readable change: is_active no → yes (got ${was} → ${is})`);
  assert(!(await pageText(page)).includes('{"'), 'no raw JSON in the audit list');
  await checkA11yEverywhere(page, 'audit log (user changes)');
  await screenshot(page, '14-audit-log');

  await chooseOption(page, 'Action', 'Stage approved');
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

  // "Load older entries" moves the focus to the first entry it added. Staff reads are audited
  // one by one, so reading the request 60 times makes sure there is a second page.
  const admin = await apiAs(config.staff.admin1);
  for (let i = 0; i < 60; i += 1) await admin.get(`/credit-requests/${need(state, 'requestId')}`);
  await page.goto(`${config.baseUrl}/admin/audit?action=credit_request.viewed`);
  const more = page.getByRole('button', { name: 'Load older entries' });
  await more.click();
  await waitFor(async () => (await focused(page)).listIndex === 50, { what: 'focus on the first entry loaded (the 51st)' });
  await context.close();
}

/** Sends a message straight to one of this run's dead-letter queues (LocalStack's SQS API). */
async function deadLetter(queue, body) {
  const prefix = process.env.RESOURCE_PREFIX ?? 'credit';
  const response = await fetch(`${config.awsEndpoint}/`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': 'AmazonSQS.SendMessage',
      // LocalStack reads the region from the credential scope; it checks no signature.
      Authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: JSON.stringify({ QueueUrl: `${config.awsEndpoint}/queue/us-east-1/000000000000/${prefix}-${queue}-dlq`, MessageBody: body }),
  });
  assert(response.ok, `sending to ${queue}-dlq: ${response.status} ${await response.text()}`);
}

async function adminRedrivesDeadLetters(state) {
  // A message the score step could never read, as if it had failed five times.
  await deadLetter('score', JSON.stringify({ poison: 'browser flow' }));
  const context = await state.browser.newContext(DESKTOP);
  const page = await context.newPage();
  await signIn(page, config.staff.admin1, config.staffPassword);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dead letters' }).click();
  await page.getByRole('heading', { name: 'Dead-letter queues' }).waitFor();
  const score = page.getByRole('row', { name: /score-dlq/ });
  await score.getByText('Show the sample of score-dlq').click();
  await score.getByText('browser flow').waitFor();
  await checkA11yEverywhere(page, 'dead letters');
  await screenshot(page, '30-dead-letters');

  await score.getByRole('button', { name: 'Redrive score-dlq' }).click();
  const dialog = page.getByRole('dialog', { name: 'Redrive score-dlq?' });
  await dialog.waitFor();
  await checkA11yEverywhere(page, 'confirm redrive');
  await dialog.getByRole('button', { name: 'Redrive' }).click();
  await page.getByText('1 message is going back to score.').waitFor();
  await waitFor(
    async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return (await score.getByRole('button', { name: 'Redrive score-dlq' }).isDisabled()) && (await score.getByText('Empty').count()) === 1;
    },
    { what: 'score-dlq to be empty after the redrive' },
  );
  const audited = await (await apiAs(config.staff.admin1)).get('/audit-logs?action=dead_letters.redriven');
  assert(audited.items.some((e) => e.entity_id === 'score'), 'the redrive is in the audit log');
  await context.close();
}

async function dashboardDrillDown(state) {
  const context = await state.browser.newContext(DESKTOP);
  const page = await context.newPage();
  await signIn(page, config.staff.admin1, config.staffPassword);
  const requestId = need(state, 'requestId');
  await page.waitForURL('**/dashboard');
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  const outcomes = page.locator('[data-chart="outcomes"]');
  await outcomes.getByRole('table').waitFor();
  // No chart takes a tab stop of its own: the tables' links are the keyboard's way in.
  const chartStops = await page.locator('[data-chart] [role="img"] [tabindex]:not([tabindex="-1"])').count();
  assert(chartStops === 0, `the charts add no tab stops (found ${chartStops})`);
  await checkA11yEverywhere(page, 'dashboard');
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
  // The date filters show the days in the format their hint and error use.
  const from = await page.getByLabel('Created from (UTC)').inputValue();
  assert(/^\d{2}\/\d{2}\/\d{4}$/.test(from), `the day shows as MM/DD/YYYY (${from})`);
  await page.getByLabel('Created from (UTC)').fill('2026-13-45');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.getByText(/^Enter a date as MM\/DD\/YYYY, such as \d{2}\/\d{2}\/\d{4}\.$/).waitFor();
  await checkA11yEverywhere(page, 'request list (drill-down, date error)');
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
  // Durations read in words with the right plural ("1 second", not "1 seconds").
  const durations = await timing.locator('tbody tr td:nth-child(4)').allTextContents();
  assert(durations.every((d) => /^1 (second|minute|hour|day)$|^[\d.]+ (seconds|minutes|hours|days)$/.test(d)), `durations in words (${durations.join(', ')})`);
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
  await checkA11yEverywhere(page, 'request list (time-to-decision drill-down)');
  await page.getByRole('button', { name: 'Clear', exact: true }).click();
  await page.waitForURL((url) => url.pathname === '/requests' && url.search === '');
  // The URL changes first; the form follows it on the next render.
  await stageFilter.filter({ hasText: 'Any' }).waitFor({ timeout: 10_000 });
  await context.close();
}

async function noOverflow(page, what) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert(overflow <= 0, `${what}: no horizontal scrolling at 390 px (overflow ${overflow} px)`);
}

async function phoneWidth(state) {
  const applicant = need(state, 'applicant');
  const context = await state.browser.newContext(PHONE);
  const page = await context.newPage();
  await signIn(page, applicant.username, applicant.password);
  await page.getByRole('heading', { name: 'My requests' }).waitFor();
  await page.locator('tbody tr').first().waitFor();
  await noOverflow(page, 'my requests');
  // Status and date go under the purpose: the table fits, nothing to scroll.
  assert((await page.getByText('Scroll sideways to see every column.').count()) === 0, 'my requests fit a phone without scrolling');
  assert((await page.locator('thead th').count()) === 2, 'two columns on a phone');
  // The filters are folded away on a phone, one tap from the list.
  const toggle = page.getByRole('button', { name: 'Show filters' });
  assert((await toggle.getAttribute('aria-expanded')) === 'false', 'the filters start folded on a phone');
  assert(!(await page.getByRole('button', { name: 'Apply filters' }).isVisible()), 'folded filters take no room');
  await checkA11yEverywhere(page, 'my requests (phone)');
  await screenshot(page, '17-phone-my-requests');
  await toggle.click();
  await page.getByRole('button', { name: 'Apply filters' }).waitFor();
  await checkA11yEverywhere(page, 'my requests, filters open (phone)');
  await screenshot(page, '25-phone-filters-open');
  // The drawer: each link in a list item (axe "list").
  await page.getByRole('button', { name: 'Open navigation' }).click();
  await page.locator('#nav-drawer').getByRole('link', { name: 'New request' }).waitFor();
  await checkA11yEverywhere(page, 'navigation drawer (phone)');
  await screenshot(page, '26-phone-drawer');
  await page.locator('#nav-drawer').getByRole('link', { name: 'New request' }).click();
  await page.getByRole('heading', { name: 'New credit request' }).waitFor();
  await noOverflow(page, 'the form');
  await screenshot(page, '18-phone-new-request');
  await context.close();

  // Staff screens on a phone: users and audit as cards, dashboard tables that say they scroll.
  const staff = await state.browser.newContext(PHONE);
  const admin = await staff.newPage();
  await signIn(admin, config.staff.admin1, config.staffPassword);
  await admin.goto(`${config.baseUrl}/admin/users?q=${encodeURIComponent(applicant.username)}`);
  const card = admin.locator(`li[data-username="${applicant.username}"]`);
  await card.waitFor();
  const nameWidth = await card.getByText(applicant.username, { exact: true }).evaluate((e) => e.getBoundingClientRect().width);
  assert(nameWidth > 150, `the username has room on a phone (${nameWidth} px)`);
  await noOverflow(admin, 'users');
  // The role filter fills its line (it shrank to ~45 px, its content's width, before).
  const roleFilter = await admin.locator('.MuiTextField-root:has(#user-role-filter)').evaluate((e) => e.getBoundingClientRect().width);
  assert(roleFilter > 150, `the role filter has room on a phone (${roleFilter} px)`);
  await checkA11yEverywhere(admin, 'admin users (phone)');
  await screenshot(admin, '27-phone-users');
  await admin.goto(`${config.baseUrl}/admin/audit`);
  const entry = admin.locator('li[data-action]').first();
  await entry.waitFor();
  const clipped = await entry.evaluate((e) => e.scrollWidth > e.clientWidth + 1);
  assert(!clipped, 'an audit entry fits the phone (its action is not cut off)');
  await noOverflow(admin, 'audit');
  await checkA11yEverywhere(admin, 'audit log (phone)');
  await screenshot(admin, '28-phone-audit');
  await admin.goto(`${config.baseUrl}/dashboard`);
  await admin.locator('[data-chart="volume"] table').waitFor();
  await noOverflow(admin, 'dashboard');
  const volume = admin.locator('[data-chart="volume"]');
  const scrolls = await volume.locator('table').evaluate((t) => t.parentElement.scrollWidth > t.parentElement.clientWidth);
  if (scrolls) {
    await volume.getByText('Scroll sideways to see every column.').waitFor();
    await volume.getByRole('region', { name: /scrolls sideways/ }).waitFor();
  }
  await checkA11yEverywhere(admin, 'dashboard (phone)');
  await screenshot(admin, '29-phone-dashboard');
  await staff.close();
}

async function darkTheme(state) {
  const applicant = need(state, 'applicant');
  const context = await state.browser.newContext({ ...DESKTOP, colorScheme: 'dark' });
  const page = await context.newPage();
  await signIn(page, applicant.username, applicant.password);
  await page.getByRole('heading', { name: 'My requests' }).waitFor();
  // It follows the system's dark preference...
  await page.waitForFunction(() => document.documentElement.getAttribute('data-color-scheme') === 'dark');
  await screenshot(page, '30-dark-my-requests');
  await page.goto(`${config.baseUrl}/requests/${need(state, 'requestId')}`);
  await page.locator(STANDING).waitFor();
  await checkA11y(page, 'request detail (dark, system)');
  await screenshot(page, '31-dark-request-detail');
  // ...until the person picks a theme, which is remembered.
  await page.getByRole('button', { name: 'Switch to the light theme' }).click();
  await page.waitForFunction(() => document.documentElement.getAttribute('data-color-scheme') === 'light');
  await page.reload();
  await page.locator(STANDING).waitFor();
  assert((await page.evaluate(() => document.documentElement.getAttribute('data-color-scheme'))) === 'light', 'the choice survives a reload');
  await page.getByRole('button', { name: 'Switch to the dark theme' }).waitFor();
  await context.close();
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
  let now = await focusedWithOutline(page);
  assert(now.text === 'Skip to main content', `the first Tab reaches the skip link (got "${now.text}")`);
  assert(!now.outline.startsWith('none'), `the skip link shows focus (${now.outline})`);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  now = await focusedWithOutline(page);
  assert(now.text === 'New request', `after skipping, Tab reaches the page's first control (got "${now.text}")`);
  assert(!now.outline.startsWith('none'), `buttons show focus (${now.outline})`);
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { name: 'New credit request' }).waitFor();
  await context.close();
}

async function focusedWithOutline(page) {
  return page.evaluate(() => {
    const element = document.activeElement;
    const style = element ? getComputedStyle(element) : null;
    return {
      text: element?.textContent?.trim() ?? '',
      outline: style ? `${style.outlineStyle} ${style.outlineWidth}` : 'none',
    };
  });
}

async function signOut(state) {
  const { page, context } = need(state, 'applicant');
  await page.getByRole('button', { name: 'Sign out' }).click();
  // Signing out waits for the server to revoke the session before it leaves the page; on a
  // loaded machine that has outlasted the default 30 s.
  await page.waitForURL(/\/login(\?.*)?$/, { timeout: 90_000 });
  const stored = await page.evaluate(() => Object.keys(sessionStorage).length);
  assert(stored === 0, 'signing out forgets the refresh token');
  await page.goto(`${config.baseUrl}/requests`);
  await page.waitForURL('**/login**');
  await context.close();
}

export const FLOWS = [
  ['register, then see the login and registration screens', registerApplicant],
  ['an applicant submits a request and sees where it stands', submitRequest],
  ['a declined request shows its reasons in plain words', declinedRequestShowsReasons],
  ['an approver searches the inbox, decides, and is offered the next request', approverDecidesFromInbox],
  ['an approver approves from the link in the email', approverFollowsEmailedLink],
  ['the applicant hears and sees the final decision', applicantSeesFinalDecision],
  ['an applicant withdraws an open request', applicantWithdraws],
  ['an applicant switches to Portuguese', applicantInPortuguese],
  ['navigation follows the role, even by URL', roleBasedNavigation],
  ['admin screens: confirmed user changes, audit list and readable changes', adminScreens],
  ['an admin reads a dead-letter queue and redrives it', adminRedrivesDeadLetters],
  ['dashboard drill-down lands on the filtered list', dashboardDrillDown],
  ['works at phone width (390 px)', phoneWidth],
  ['dark theme follows the system, and the toggle is remembered', darkTheme],
  ['keyboard only: sign in, skip link, visible focus', keyboardOnly],
  ['signing out ends the session', signOut],
];
