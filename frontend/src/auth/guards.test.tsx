import { screen, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import type { Role } from '../api/types';
import { AppLayout } from '../common/AppLayout';
import { i18n } from '../i18n';
import { makeUser, renderAt } from '../test/render';
import { useAuth } from './AuthProvider';
import { RequireAuth, RequireRole } from './guards';
import { navFor } from './roles';

vi.mock('./AuthProvider');

function signInAs(role: Role | null) {
  vi.mocked(useAuth).mockReturnValue({
    status: role ? 'signed-in' : 'signed-out',
    user: role ? makeUser({ role }) : null,
    notice: null,
    login: vi.fn(),
    logout: vi.fn(),
    reloadUser: vi.fn(),
  });
}

describe('role-based access', () => {
  it('shows "not authorized" to an applicant who opens an admin page by URL', () => {
    signInAs('applicant');
    renderAt(
      <RequireRole roles={['admin']}>
        <p>Admin things</p>
      </RequireRole>,
    );
    expect(screen.getByRole('heading', { name: 'Not authorized' })).toBeVisible();
    expect(screen.getByText(/Your role \(Applicant\) may not open this page/)).toBeVisible();
    expect(screen.queryByText('Admin things')).not.toBeInTheDocument();
  });

  it('lets the role in', () => {
    signInAs('admin');
    renderAt(
      <RequireRole roles={['admin']}>
        <p>Admin things</p>
      </RequireRole>,
    );
    expect(screen.getByText('Admin things')).toBeVisible();
  });

  it('sends a signed-out visitor to the login page, to come back after', () => {
    signInAs(null);
    renderAt(<RequireAuth />, { url: '/admin/audit?action=x', path: '/admin/audit' });
    expect(screen.getByTestId('location')).toHaveTextContent('/login?next=%2Fadmin%2Faudit%3Faction%3Dx');
  });

  it.each([
    ['applicant', ['New request', 'My requests', 'Notifications']],
    ['analyst', ['Inbox', 'All requests', 'Dashboard', 'Notifications', 'Out of office']],
    ['admin', ['Inbox', 'All requests', 'Dashboard', 'Users', 'Audit log', 'Dead letters', 'Data retention', 'Credit policy', 'Notifications', 'Out of office']],
    ['risk_officer', ['All requests', 'Dashboard', 'Credit policy', 'Notifications']],
  ] as [Role, string[]][])('shows a %s only their navigation', (role, labels) => {
    signInAs(role);
    expect(navFor(role).map((item) => i18n.t(`nav.${item.label}`))).toEqual(labels);
    renderAt(<AppLayout />);
    const nav = screen.getAllByRole('navigation', { name: 'Main' })[0];
    if (nav === undefined) throw new Error('no main navigation');
    expect(within(nav).getAllByRole('link').map((link) => link.textContent)).toEqual(labels);
  });
});
