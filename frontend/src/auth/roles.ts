import { ROLES, ROUTE_ROLES, type Operation } from '../api/access.generated';
import type { Role } from '../api/types';
import { i18n } from '../i18n';

/** Who may call an operation, from the API's route table (generated; never written here). */
export function rolesOf(operation: Operation): Role[] {
  return [...(ROUTE_ROLES[operation] ?? [])];
}

export const STAFF = rolesOf('GET /api/v1/stats');
/** Who may have approval stages assigned (admins receive escalations above director). */
export const APPROVERS = rolesOf('GET /api/v1/approvals');
export const ADMINS = rolesOf('GET /api/v1/users');
/** Who reviews automatic declines the applicant contested (analysts), and admins, who oversee them. */
export const REVIEWERS = rolesOf('GET /api/v1/reviews/{review_id}');
/** Who writes and approves credit policy versions (risk officers and admins). */
export const POLICY_AUTHORS = rolesOf('GET /api/v1/policies');

/**
 * The built-in role whose access a user's role has: itself, or an approver's for an approver
 * level the credit policy defines (such as `credit_committee`), as the API decides it.
 */
export function accessRole(role: string): Role {
  return (ROLES as readonly string[]).includes(role) ? (role as Role) : 'analyst';
}

/** A role in words, in the current language ("Analyst", "Analista"); a policy-defined level by its name. */
export function roleLabel(role: string): string {
  if ((ROLES as readonly string[]).includes(role)) return i18n.t(`roles.${role as Role}`);
  const words = role.replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export interface NavItem {
  to: string;
  /** The link's text: a key of the `nav` translations. */
  label: 'newRequest' | 'myRequests' | 'inbox' | 'allRequests' | 'dashboard' | 'users' | 'audit' | 'deadLetters' | 'retention' | 'notifications' | 'policies' | 'outOfOffice';
  roles: Role[];
}

/** The navigation: each person sees only what their role may open. */
export const NAV_ITEMS: NavItem[] = [
  { to: '/requests/new', label: 'newRequest', roles: rolesOf('POST /api/v1/credit-requests') },
  { to: '/requests', label: 'myRequests', roles: ['applicant'] },
  { to: '/inbox', label: 'inbox', roles: APPROVERS },
  { to: '/requests', label: 'allRequests', roles: STAFF },
  { to: '/dashboard', label: 'dashboard', roles: STAFF },
  { to: '/admin/users', label: 'users', roles: ADMINS },
  { to: '/admin/audit', label: 'audit', roles: ADMINS },
  { to: '/admin/dead-letters', label: 'deadLetters', roles: rolesOf('GET /api/v1/dead-letters') },
  { to: '/admin/retention', label: 'retention', roles: rolesOf('GET /api/v1/retention/runs') },
  { to: '/policies', label: 'policies', roles: POLICY_AUTHORS },
  { to: '/account/notifications', label: 'notifications', roles: rolesOf('GET /api/v1/users/me/notifications') },
  { to: '/account/out-of-office', label: 'outOfOffice', roles: rolesOf('GET /api/v1/users/me/absences') },
];

export function navFor(role: string): NavItem[] {
  return NAV_ITEMS.filter((item) => item.roles.includes(accessRole(role)));
}

/** Where a person lands after signing in. */
export function homeFor(role: string): string {
  if (role === 'applicant') return '/requests';
  if (role === 'admin') return '/dashboard';
  if (role === 'risk_officer') return '/policies';
  return '/inbox';
}
