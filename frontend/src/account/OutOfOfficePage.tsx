import Typography from '@mui/material/Typography';
import { useTranslation } from 'react-i18next';

import { PageHeader } from '../common/PageHeader';
import { AbsenceEditor } from './AbsenceEditor';

/** An approver's own out-of-office windows and delegate (linked from the account menu). */
export function OutOfOfficePage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('absences.title')}>
        <Typography color="text.secondary">{t('absences.intro')}</Typography>
      </PageHeader>
      <AbsenceEditor userId="me" />
    </>
  );
}
