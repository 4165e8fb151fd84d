import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';

import { AbsenceEditor } from '../account/AbsenceEditor';
import type { User } from '../api/types';

/** Roles that hold approval stages, so have out-of-office windows an administrator may set. */
function holdsStages(role: string): boolean {
  return role !== 'applicant' && role !== 'risk_officer';
}

/** An administrator sets or cancels a user's out-of-office window, in a dialog. */
export function UserAbsenceButton({ user }: { user: User }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  if (!holdsStages(user.role) || !user.is_active) return null;
  const titleId = `absence-title-${user.id}`;
  return (
    <>
      <Button size="small" onClick={() => setOpen(true)} aria-label={t('absences.openFor', { user: user.username })} sx={{ mt: 0.5, px: 0 }}>
        {t('absences.open')}
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} aria-labelledby={titleId} maxWidth="md" fullWidth>
        <DialogTitle id={titleId}>{t('absences.adminTitle', { user: user.username })}</DialogTitle>
        <DialogContent>{open ? <AbsenceEditor userId={user.id} /> : null}</DialogContent>
        <DialogActions>
          <Button onClick={() => setOpen(false)}>{t('absences.close')}</Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
