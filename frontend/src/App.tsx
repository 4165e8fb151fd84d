import { lazy, Suspense } from 'react';
import { useTranslation } from 'react-i18next';
import { Route, Routes } from 'react-router';

import { NotificationsPage } from './account/NotificationsPage';
import { OutOfOfficePage } from './account/OutOfOfficePage';
import { AuditLogPage } from './admin/AuditLogPage';
import { DeadLettersPage } from './admin/DeadLettersPage';
import { RetentionPage } from './admin/RetentionPage';
import { UsersPage } from './admin/UsersPage';
import { DecisionPage } from './approvals/DecisionPage';
import { InboxPage } from './approvals/InboxPage';
import { LinkDecisionPage } from './approvals/LinkDecisionPage';
import { ReviewPage } from './approvals/ReviewPage';
import { HomeRedirect, RequireAuth, RequireRole } from './auth/guards';
import { ForgotPasswordPage } from './auth/ForgotPasswordPage';
import { LoginPage } from './auth/LoginPage';
import { RegisterPage } from './auth/RegisterPage';
import { ResetPasswordPage } from './auth/ResetPasswordPage';
import { VerifyEmailPage } from './auth/VerifyEmailPage';
import { ADMINS, APPROVERS, POLICY_AUTHORS, REVIEWERS, STAFF } from './auth/roles';
import { AppLayout } from './common/AppLayout';
import { Loading } from './common/feedback';
import { NotFoundPage } from './common/NotFoundPage';
import { PolicyEditorPage } from './policy/PolicyEditorPage';
import { PolicyListPage } from './policy/PolicyListPage';
import { NewRequestPage } from './requests/NewRequestPage';
import { AdverseActionNoticePage } from './requests/AdverseActionNotice';
import { RequestDetailPage } from './requests/RequestDetailPage';
import { RequestListPage } from './requests/RequestListPage';

// The charts library is large: load it only for the people who open the dashboard.
const DashboardPage = lazy(() => import('./dashboard/DashboardPage').then((m) => ({ default: m.DashboardPage })));

/** Every screen and who may open it. The gateway serves index.html for all these paths. */
export function App() {
  const { t } = useTranslation();
  return (
    <Routes>
      <Route element={<AppLayout />}>
        <Route path="login" element={<LoginPage />} />
        <Route path="register" element={<RegisterPage />} />
        {/* The emailed links: no sign-in, the token is the credential. */}
        <Route path="approvals/:token" element={<LinkDecisionPage />} />
        <Route path="verify-email" element={<VerifyEmailPage />} />
        <Route path="forgot-password" element={<ForgotPasswordPage />} />
        <Route path="reset-password" element={<ResetPasswordPage />} />
        <Route element={<RequireAuth />}>
          <Route index element={<HomeRedirect />} />
          <Route path="requests" element={<RequestListPage />} />
          <Route
            path="requests/new"
            element={
              <RequireRole roles={['applicant']}>
                <NewRequestPage />
              </RequireRole>
            }
          />
          <Route path="requests/:id" element={<RequestDetailPage />} />
          <Route path="requests/:id/notice" element={<AdverseActionNoticePage />} />
          <Route
            path="inbox"
            element={
              <RequireRole roles={APPROVERS}>
                <InboxPage />
              </RequireRole>
            }
          />
          <Route
            path="inbox/:requestId"
            element={
              <RequireRole roles={APPROVERS}>
                <DecisionPage />
              </RequireRole>
            }
          />
          <Route
            path="reviews/:reviewId"
            element={
              <RequireRole roles={REVIEWERS}>
                <ReviewPage />
              </RequireRole>
            }
          />
          <Route
            path="dashboard"
            element={
              <RequireRole roles={STAFF}>
                <Suspense fallback={<Loading label={t('dashboard.loadingPage')} />}>
                  <DashboardPage />
                </Suspense>
              </RequireRole>
            }
          />
          <Route
            path="admin/users"
            element={
              <RequireRole roles={ADMINS}>
                <UsersPage />
              </RequireRole>
            }
          />
          <Route
            path="admin/audit"
            element={
              <RequireRole roles={ADMINS}>
                <AuditLogPage />
              </RequireRole>
            }
          />
          <Route
            path="policies"
            element={
              <RequireRole roles={POLICY_AUTHORS}>
                <PolicyListPage />
              </RequireRole>
            }
          />
          <Route
            path="policies/:id"
            element={
              <RequireRole roles={POLICY_AUTHORS}>
                <PolicyEditorPage />
              </RequireRole>
            }
          />
          <Route
            path="admin/dead-letters"
            element={
              <RequireRole roles={ADMINS}>
                <DeadLettersPage />
              </RequireRole>
            }
          />
          <Route
            path="admin/retention"
            element={
              <RequireRole roles={ADMINS}>
                <RetentionPage />
              </RequireRole>
            }
          />
          <Route path="account/notifications" element={<NotificationsPage />} />
          <Route
            path="account/out-of-office"
            element={
              <RequireRole roles={APPROVERS}>
                <OutOfOfficePage />
              </RequireRole>
            }
          />
          <Route path="*" element={<NotFoundPage />} />
        </Route>
      </Route>
    </Routes>
  );
}
