import Button from '@mui/material/Button';
import Typography from '@mui/material/Typography';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';

import { PageHeader } from './PageHeader';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <>
      <PageHeader title={t('notFound.title')} />
      <Typography sx={{ mb: 2 }}>{t('notFound.body')}</Typography>
      <Button component={Link} to="/" variant="contained">
        {t('common.goHome')}
      </Button>
    </>
  );
}
