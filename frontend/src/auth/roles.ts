import type { Role } from '../api/types';

export const STAFF: Role[] = ['analyst', 'manager', 'director', 'admin'];
/** Who may have approval stages assigned (admins receive escalations above director). */
export const APPROVERS: Role[] = ['analyst', 'manager', 'director', 'admin'];
export const ADMINS: Role[] = ['admin'];

export const ROLE_LABELS: Record<Role, string> = {
  applicant: 'Applicant',
  analyst: 'Analyst',
  manager: 'Manager',
  director: 'Director',
  admin: 'Administrator',
};

export interface NavItem {
  to: string;
  label: string;
  roles: Role[];
}

/** The navigation: each person sees only what their role may open. */
export const NAV_ITEMS: NavItem[] = [
  { to: '/requests/new', label: 'New request', roles: ['applicant'] },
  { to: '/requests', label: 'My requests', roles: ['applicant'] },
  { to: '/inbox', label: 'Inbox', roles: APPROVERS },
  { to: '/requests', label: 'All requests', roles: STAFF },
  { to: '/dashboard', label: 'Dashboard', roles: STAFF },
  { to: '/admin/users', label: 'Users', roles: ADMINS },
  { to: '/admin/audit', label: 'Audit log', roles: ADMINS },
  { to: '/account/notifications', label: 'Notifications', roles: ['applicant', ...STAFF] },
];

export function navFor(role: Role): NavItem[] {
  return NAV_ITEMS.filter((item) => item.roles.includes(role));
}

/** Where a person lands after signing in. */
export function homeFor(role: Role): string {
  if (role === 'applicant') return '/requests';
  if (role === 'admin') return '/dashboard';
  return '/inbox';
}
