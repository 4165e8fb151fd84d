import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';
import { Link, Navigate, Outlet, useLocation } from 'react-router';

import type { Role } from '../api/types';
import { Loading } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { useAuth } from './AuthProvider';
import { homeFor, ROLE_LABELS } from './roles';

/** Pages for signed-in people: others go to the login page, and come back after. */
export function RequireAuth() {
  const { status } = useAuth();
  const location = useLocation();
  if (status === 'starting') return <Loading label="Restoring your session…" />;
  if (status === 'signed-out') {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}

/** A page only some roles may open; anyone else gets "not authorized", even by URL. */
export function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { user } = useAuth();
  if (user === null || !roles.includes(user.role)) return <NotAuthorized role={user?.role} />;
  return children;
}

export function NotAuthorized({ role }: { role: Role | undefined }) {
  return (
    <>
      <PageHeader title="Not authorized" />
      <Typography sx={{ mb: 2 }}>
        {role ? `Your role (${ROLE_LABELS[role]}) may not open this page.` : 'You may not open this page.'} If you
        think you should, ask an administrator.
      </Typography>
      <Button component={Link} to={role ? homeFor(role) : '/'} variant="contained">
        Go to your start page
      </Button>
    </>
  );
}

export function HomeRedirect() {
  const { user } = useAuth();
  return <Navigate to={user ? homeFor(user.role) : '/login'} replace />;
}
