import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, Outlet, useLocation } from 'react-router';

import type { Role } from '../api/types';
import { Loading } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { useAuth } from './AuthProvider';
import { accessRole, homeFor, roleLabel } from './roles';

/** Pages for signed-in people: others go to the login page, and come back after. */
export function RequireAuth() {
  const { t } = useTranslation();
  const { status } = useAuth();
  const location = useLocation();
  if (status === 'starting') return <Loading label={t('auth.restoring')} />;
  if (status === 'signed-out') {
    const next = `${location.pathname}${location.search}`;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <Outlet />;
}

/** A page only some roles may open; anyone else gets "not authorized", even by URL. */
export function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const { user } = useAuth();
  if (user === null || !roles.includes(accessRole(user.role))) return <NotAuthorized role={user?.role} />;
  return children;
}

export function NotAuthorized({ role }: { role: string | undefined }) {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('auth.notAuthorized')} />
      <Typography sx={{ mb: 2 }}>
        {role ? t('auth.roleMayNot', { role: roleLabel(role) }) : t('auth.mayNot')} {t('auth.askAdmin')}
      </Typography>
      <Button component={Link} to={role ? homeFor(role) : '/'} variant="contained">
        {t('common.goHome')}
      </Button>
    </>
  );
}

export function HomeRedirect() {
  const { user } = useAuth();
  return <Navigate to={user ? homeFor(user.role) : '/login'} replace />;
}
