import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { useTranslation } from 'react-i18next';

import type { AuditEntry } from '../api/types';
import { changes, details } from './auditChange';

/** An audit entry's changes, one per line ("role: analyst → manager"), then its details. */
export function AuditChange({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  const changed = changes(entry);
  const extra = details(entry);
  if (changed.length === 0 && extra.length === 0) return <Typography variant="body2">—</Typography>;
  return (
    <Box component="ul" sx={{ listStyle: 'none', p: 0, m: 0, fontSize: '0.875rem', overflowWrap: 'anywhere' }}>
      {changed.map((change) => (
        <li key={`change-${change.field}`} data-field={change.field}>
          <Box component="span" sx={{ fontWeight: 600 }}>
            {change.field}
          </Box>
          {': '}
          {change.before !== undefined && change.after !== undefined ? (
            <>
              <Box component="del" sx={{ color: 'text.secondary' }}>
                {change.before}
              </Box>
              <span aria-hidden="true"> → </span>
              <span className="visually-hidden"> {t('audit.changedTo')} </span>
              <Box component="ins" sx={{ textDecoration: 'none', fontWeight: 600 }}>
                {change.after}
              </Box>
            </>
          ) : change.after !== undefined ? (
            <>{change.after}</>
          ) : (
            <>
              <Box component="del">{change.before}</Box> <span>{t('audit.removed')}</span>
            </>
          )}
        </li>
      ))}
      {extra.map((item) => (
        <li key={`detail-${item.field}`} data-detail={item.field}>
          <Box component="span" sx={{ color: 'text.secondary' }}>
            {item.field}: {item.value}
          </Box>
        </li>
      ))}
    </Box>
  );
}
