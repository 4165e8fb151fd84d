import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import Typography from '@mui/material/Typography';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * A chart with its text alternative: the same numbers in a table right below it, whose links
 * drill down like the bars do. The chart itself is one labelled image for screen readers and
 * takes no tab stop (its keyboard navigation is off): keyboard users get the table's links.
 */
export function ChartCard({ id, title, description, chart, table }: { id: string; title: string; description: string; chart: ReactNode; table: ReactNode }) {
  const { t } = useTranslation();
  return (
    <Paper component="section" variant="outlined" aria-labelledby={`${id}-title`} sx={{ p: { xs: 1.5, sm: 2 }, minWidth: 0 }} data-chart={id}>
      <Typography id={`${id}-title`} component="h2" variant="h6">
        {title}
      </Typography>
      <Typography id={`${id}-description`} variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        {description}
      </Typography>
      <Box role="img" aria-label={t('dashboard.chartLabel', { title })} aria-describedby={`${id}-description`} sx={{ width: '100%', minWidth: 0 }}>
        {chart}
      </Box>
      {table}
    </Paper>
  );
}
