import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Collapse from '@mui/material/Collapse';
import Paper from '@mui/material/Paper';
import { useTheme } from '@mui/material/styles';
import Typography from '@mui/material/Typography';
import useMediaQuery from '@mui/material/useMediaQuery';
import { type FormEvent, type ReactNode, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A list's filter form behind a "Filters" button: folded away on phones, where it would fill
 * the first screen, open on wider screens. The button says how many filters apply, so a
 * narrowed list is never unexplained.
 */
export function CollapsibleFilters({
  label,
  active,
  onSubmit,
  children,
}: {
  /** The form's accessible name ("Filter requests"). */
  label: string;
  /** How many filters currently narrow the list. */
  active: number;
  onSubmit: (event: FormEvent) => void;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  const theme = useTheme();
  const phone = useMediaQuery(theme.breakpoints.down('sm'), { noSsr: true });
  const [open, setOpen] = useState(!phone);
  const panel = useId();

  return (
    <Paper variant="outlined" sx={{ mb: 2 }}>
      <Box sx={{ display: 'flex', alignItems: 'center', gap: 1, px: 2, py: 1 }}>
        <Button
          aria-expanded={open}
          aria-controls={panel}
          onClick={() => setOpen((o) => !o)}
          sx={{ fontWeight: 700 }}
          endIcon={<span aria-hidden="true">{open ? '▴' : '▾'}</span>}
        >
          {open ? t('filters.hide') : t('filters.show')}
        </Button>
        <Typography variant="body2" color="text.secondary">
          {active > 0 ? t('filters.active', { count: active }) : t('filters.none')}
        </Typography>
      </Box>
      <Collapse in={open} id={panel}>
        <Box component="form" role="search" aria-label={label} onSubmit={onSubmit} noValidate sx={{ px: 2, pb: 2 }}>
          {children}
        </Box>
      </Collapse>
    </Paper>
  );
}
