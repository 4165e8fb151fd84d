import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Typography from '@mui/material/Typography';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';

import * as api from '../api/endpoints';
import { EmptyState, ErrorState, Loading } from '../common/feedback';
import { PageHeader } from '../common/PageHeader';
import { useResource } from '../common/useResource';
import { type ChartProps, FunnelChart, KeyFigures, OutcomesChart, TimingChart, VolumeChart } from './charts';
import { DashboardFiltersForm } from './DashboardFiltersForm';
import { dashboardFromSearch, dashboardToSearch, toStatsQuery } from './drilldown';

export function DashboardPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const search = params.toString();
  const filters = useMemo(() => dashboardFromSearch(new URLSearchParams(search)), [search]);
  const stats = useResource((signal) => api.getStats(toStatsQuery(filters), { signal }), [search]);

  return (
    <>
      <PageHeader title={t('dashboard.title')}>
        <Typography color="text.secondary">{t('dashboard.intro')}</Typography>
      </PageHeader>
      <DashboardFiltersForm value={filters} onApply={(next) => setParams(dashboardToSearch(next))} />
      {stats.loading && stats.data ? <LinearProgress aria-label={t('dashboard.updating')} sx={{ mb: 1 }} /> : null}
      {stats.error ? (
        <ErrorState error={stats.error} onRetry={stats.reload} title={t('dashboard.loadError')} />
      ) : !stats.data ? (
        <Loading label={t('dashboard.loading')} />
      ) : stats.data.total === 0 ? (
        <EmptyState title={t('dashboard.empty')} />
      ) : (
        <Charts stats={stats.data} filters={filters} open={(to) => navigate(to)} />
      )}
    </>
  );
}

function Charts(props: ChartProps) {
  return (
    <>
      <KeyFigures stats={props.stats} />
      <Box sx={{ display: 'grid', gap: 3, gridTemplateColumns: { xs: 'minmax(0, 1fr)', lg: 'repeat(2, minmax(0, 1fr))' } }}>
        <VolumeChart {...props} />
        <OutcomesChart {...props} />
        <TimingChart {...props} />
        <FunnelChart {...props} />
      </Box>
    </>
  );
}
