import type { Role } from '../api/types';
import { i18n } from '../i18n';

export const STAFF: Role[] = ['analyst', 'manager', 'director', 'admin'];
/** Who may have approval stages assigned (admins receive escalations above director). */
export const APPROVERS: Role[] = ['analyst', 'manager', 'director', 'admin'];
export const ADMINS: Role[] = ['admin'];

/** A role in words, in the current language ("Analyst", "Analista"). */
export function roleLabel(role: Role): string {
  return i18n.t(`roles.${role}`);
}

export interface NavItem {
  to: string;
  /** The link's text: a key of the `nav` translations. */
  label: 'newRequest' | 'myRequests' | 'inbox' | 'allRequests' | 'dashboard' | 'users' | 'audit';
  roles: Role[];
}

/** The navigation: each person sees only what their role may open. */
export const NAV_ITEMS: NavItem[] = [
  { to: '/requests/new', label: 'newRequest', roles: ['applicant'] },
  { to: '/requests', label: 'myRequests', roles: ['applicant'] },
  { to: '/inbox', label: 'inbox', roles: APPROVERS },
  { to: '/requests', label: 'allRequests', roles: STAFF },
  { to: '/dashboard', label: 'dashboard', roles: STAFF },
  { to: '/admin/users', label: 'users', roles: ADMINS },
  { to: '/admin/audit', label: 'audit', roles: ADMINS },
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
