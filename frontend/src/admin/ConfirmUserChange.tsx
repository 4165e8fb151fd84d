import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import { useTranslation } from 'react-i18next';

import type { User, UserChange } from '../api/types';
import { roleLabel } from '../auth/roles';
import { SubmitButton } from '../common/SubmitButton';
import { i18n } from '../i18n';

export interface PendingChange {
  user: User;
  change: UserChange;
}

/** What is about to change, in words: the dialog's title. */
export function changeTitle({ user, change }: PendingChange): string {
  if (change.role) return i18n.t('users.confirmRoleTitle', { user: user.username, role: roleLabel(change.role) });
  return change.is_active
    ? i18n.t('users.confirmActivateTitle', { user: user.username })
    : i18n.t('users.confirmDeactivateTitle', { user: user.username });
}

/**
 * Asks before a role or active-flag change is saved, and says what it does to the approval
 * stages waiting for that person. `pendingStages` is how many will move to other approvers;
 * null until the API has said (then the dialog says what happens without a count).
 */
export function ConfirmUserChange({
  pending,
  pendingStages,
  busy,
  error,
  onConfirm,
  onCancel,
}: {
  pending: PendingChange | null;
  pendingStages: number | null;
  busy: boolean;
  error: string | null;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const { t } = useTranslation();
  const user = pending?.user;
  const change = pending?.change;
  const losesApprovals =
    change !== undefined && user !== undefined && user.role !== 'applicant' && (change.is_active === false || change.role !== undefined);
  return (
    <Dialog open={pending !== null} onClose={busy ? undefined : onCancel} aria-labelledby="confirm-user-title" aria-describedby="confirm-user-body">
      {pending ? (
        <>
          <DialogTitle id="confirm-user-title">{changeTitle(pending)}</DialogTitle>
          <DialogContent id="confirm-user-body">
            <DialogContentText sx={{ mb: 1 }}>
              {change?.role
                ? t('users.confirmRoleBody', { user: pending.user.username, from: roleLabel(pending.user.role), to: roleLabel(change.role) })
                : change?.is_active
                  ? t('users.confirmActivateBody', { user: pending.user.username })
                  : t('users.confirmDeactivateBody', { user: pending.user.username })}
            </DialogContentText>
            {losesApprovals ? (
              <DialogContentText data-testid="pending-stages">
                {pendingStages === null
                  ? t('users.pendingStagesUnknown', { user: pending.user.username })
                  : pendingStages === 0
                    ? t('users.pendingStagesNone', { user: pending.user.username })
                    : t('users.pendingStagesMove', { count: pendingStages, user: pending.user.username })}
              </DialogContentText>
            ) : null}
            {error ? (
              <Alert severity="error" role="alert" sx={{ mt: 2 }}>
                {error}
              </Alert>
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button onClick={onCancel} disabled={busy}>
              {t('users.cancel')}
            </Button>
            <SubmitButton type="button" busy={busy} busyLabel={t('users.saving')} onClick={onConfirm}>
              {t('users.confirm')}
            </SubmitButton>
          </DialogActions>
        </>
      ) : null}
    </Dialog>
  );
}
