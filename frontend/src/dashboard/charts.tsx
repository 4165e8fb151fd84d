import Box from '@mui/material/Box';
import Paper from '@mui/material/Paper';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { BarChart } from '@mui/x-charts/BarChart';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

import type { RequestStatus, Stats } from '../api/types';
import { roleLabel } from '../auth/roles';
import { DataTable } from '../common/DataTable';
import { RouterLink } from '../common/RouterLink';
import { REQUEST_STATUSES, statusLabel } from '../common/status';
import { useEffectiveMode } from '../common/ThemeToggle';
import { i18n } from '../i18n';
import { durationUnit, formatDay, formatDuration, formatInUnit, formatMoney, formatNumber, formatPercent, unitName } from '../i18n/format';
import { CHART_COLORS } from '../theme';
import { ChartCard } from './ChartCard';
import { type DashboardFilters, daysBetween, drilldown, isStageRole } from './drilldown';

// The dashboard's charts, one component per chart: each draws its figure and the table of the
// same numbers (for screen readers and for reading exact values), and drills down on a click.

const HEIGHT = 280;

/** What every chart is given: the figures, the filters they were read with, and how to drill down. */
export interface ChartProps {
  stats: Stats;
  filters: DashboardFilters;
  open: (to: string) => void;
}

/** A share of a whole, as a percentage ("–" when there is no whole). */
export function share(part: number, whole: number): string {
  return whole === 0 ? '–' : formatPercent(part / whole);
}

const link = (to: string, text: ReactNode) => <RouterLink to={to}>{text}</RouterLink>;

/** A chart's numbers: the first column names the row, the others are aligned right. */
function ChartTable({ label, head, children }: { label: string; head: string[]; children: ReactNode }) {
  return (
    <DataTable label={label} columns={head.map((h, i) => ({ label: h, align: i === 0 ? 'left' : 'right' }))} outlined={false}>
      {children}
    </DataTable>
  );
}

const countOf = (stats: Stats, status: RequestStatus) => stats.outcomes.find((o) => o.status === status)?.count ?? 0;

/** The headline numbers: requests, amount, approval and rejection rates of closed requests. */
export function KeyFigures({ stats }: { stats: Stats }) {
  const { t } = useTranslation();
  const count = (status: RequestStatus) => countOf(stats, status);
  const closed = count('approved') + count('rejected') + count('auto_rejected');
  return (
    <Box component="dl" sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr 1fr', md: 'repeat(4, 1fr)' }, gap: 2, m: 0, mb: 3 }}>
      {[
        [t('dashboard.kpi.requests'), formatNumber(stats.total)],
        [t('dashboard.kpi.amount'), formatMoney(stats.amount)],
        [t('dashboard.kpi.approvalRate'), share(count('approved'), closed)],
        [t('dashboard.kpi.rejectionRate'), share(count('rejected') + count('auto_rejected'), closed)],
      ].map(([label, value]) => (
        <Paper key={label} variant="outlined" sx={{ p: 2, minWidth: 0 }}>
          <Typography component="dt" variant="body2" color="text.secondary">
            {label}
          </Typography>
          <Typography component="dd" variant="h5" sx={{ m: 0, overflowWrap: 'anywhere', fontSize: { xs: '1.2rem', sm: '1.5rem' } }}>
            {value}
          </Typography>
        </Paper>
      ))}
    </Box>
  );
}

/** Requests per day, stacked by status. */
export function VolumeChart({ stats, filters, open }: ChartProps) {
  const { t } = useTranslation();
  const colors = CHART_COLORS[useEffectiveMode()];
  const days = daysBetween(filters.from, filters.to);
  const present = REQUEST_STATUSES.filter((s) => stats.volume.some((v) => v.status === s));
  const volume = days.map((day) => {
    const row: Record<string, string | number> = { day };
    for (const status of present) row[status] = stats.volume.find((v) => v.day === day && v.status === status)?.count ?? 0;
    return row;
  });
  const shortDay = (day: string) => formatDay(day).replace(/,? \d{4}$|\s?de \d{4}$/, '');
  return (
    <ChartCard
      id="volume"
      title={t('dashboard.volume.title')}
      description={t('dashboard.volume.description')}
      chart={
        <BarChart
          height={HEIGHT}
          disableKeyboardNavigation
          dataset={volume}
          xAxis={[{ scaleType: 'band', dataKey: 'day', valueFormatter: (day: string) => shortDay(day) }]}
          yAxis={[{ tickMinStep: 1, width: 40 }]}
          series={present.map((status) => ({
            id: status,
            dataKey: status,
            label: statusLabel(status),
            stack: 'requests',
            color: colors[status],
          }))}
          onItemClick={(_, item) => {
            const day = days[item.dataIndex];
            if (day) open(drilldown(filters, { statuses: [item.seriesId as RequestStatus], day }));
          }}
        />
      }
      table={
        <ChartTable
          label={t('dashboard.volume.table')}
          head={[t('dashboard.columns.day'), t('dashboard.columns.status'), t('dashboard.columns.requests'), t('dashboard.columns.amount')]}
        >
          {stats.volume.map((v) => (
            <TableRow key={`${v.day}-${v.status}`}>
              <TableCell sx={{ whiteSpace: 'nowrap' }}>{formatDay(v.day)}</TableCell>
              <TableCell align="right">{statusLabel(v.status)}</TableCell>
              <TableCell align="right">{link(drilldown(filters, { statuses: [v.status], day: v.day }), formatNumber(v.count))}</TableCell>
              <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                {formatMoney(v.amount)}
              </TableCell>
            </TableRow>
          ))}
        </ChartTable>
      }
    />
  );
}

/** How many requests ended (or stand) in each status. */
export function OutcomesChart({ stats, filters, open }: ChartProps) {
  const { t } = useTranslation();
  const colors = CHART_COLORS[useEffectiveMode()];
  return (
    <ChartCard
      id="outcomes"
      title={t('dashboard.outcomes.title')}
      description={t('dashboard.outcomes.description')}
      chart={
        <BarChart
          height={HEIGHT}
          disableKeyboardNavigation
          dataset={stats.outcomes.map((o) => ({ status: statusLabel(o.status), count: o.count }))}
          xAxis={[
            {
              scaleType: 'band',
              dataKey: 'status',
              colorMap: { type: 'ordinal', values: stats.outcomes.map((o) => statusLabel(o.status)), colors: stats.outcomes.map((o) => colors[o.status]) },
            },
          ]}
          yAxis={[{ tickMinStep: 1, width: 40 }]}
          series={[{ id: 'outcomes', dataKey: 'count', label: t('dashboard.columns.requests') }]}
          hideLegend
          onItemClick={(_, item) => {
            const outcome = stats.outcomes[item.dataIndex];
            if (outcome) open(drilldown(filters, { statuses: [outcome.status] }));
          }}
        />
      }
      table={
        <ChartTable
          label={t('dashboard.outcomes.table')}
          head={[t('dashboard.columns.status'), t('dashboard.columns.requests'), t('dashboard.columns.share'), t('dashboard.columns.amount')]}
        >
          {stats.outcomes.map((o) => (
            <TableRow key={o.status} data-status={o.status}>
              <TableCell>{statusLabel(o.status)}</TableCell>
              <TableCell align="right">{link(drilldown(filters, { statuses: [o.status] }), formatNumber(o.count))}</TableCell>
              <TableCell align="right">{share(o.count, stats.total)}</TableCell>
              <TableCell align="right" sx={{ whiteSpace: 'nowrap' }}>
                {formatMoney(o.amount)}
              </TableCell>
            </TableRow>
          ))}
        </ChartTable>
      }
    />
  );
}

/** Time to decision per approval stage: median and average, in one unit that fits them. */
export function TimingChart({ stats, filters, open }: ChartProps) {
  const { t } = useTranslation();
  const colors = CHART_COLORS[useEffectiveMode()];
  const timings = stats.time_to_decision.filter((timing) => isStageRole(timing.role));
  const unit = durationUnit(Math.max(0, ...timings.map((timing) => timing.average_seconds)));
  const inUnit = (v: number | null) => (v === null ? '' : formatInUnit(v, unit));
  return (
    <ChartCard
      id="timing"
      title={t('dashboard.timing.title')}
      description={t('dashboard.timing.description')}
      chart={
        timings.length === 0 ? (
          <Typography sx={{ py: 4 }}>{t('dashboard.timing.none')}</Typography>
        ) : (
          <BarChart
            height={HEIGHT}
            disableKeyboardNavigation
            dataset={timings.map((timing) => ({
              stage: roleLabel(timing.role),
              median: timing.median_seconds / unit.seconds,
              average: timing.average_seconds / unit.seconds,
            }))}
            xAxis={[{ scaleType: 'band', dataKey: 'stage' }]}
            yAxis={[{ label: unitName(unit), width: 60 }]}
            series={[
              { dataKey: 'median', label: t('dashboard.columns.median'), color: colors.median, valueFormatter: inUnit },
              { dataKey: 'average', label: t('dashboard.columns.average'), color: colors.average, valueFormatter: inUnit },
            ]}
            onItemClick={(_, item) => {
              const timing = timings[item.dataIndex];
              if (timing && isStageRole(timing.role)) open(drilldown(filters, { stageRole: timing.role }));
            }}
          />
        )
      }
      table={
        <ChartTable
          label={t('dashboard.timing.table')}
          head={[
            t('dashboard.columns.stage'),
            t('dashboard.columns.decided'),
            t('dashboard.columns.requests'),
            t('dashboard.columns.median'),
            t('dashboard.columns.average'),
          ]}
        >
          {timings.map((timing) => (
            <TableRow key={timing.role} data-role={timing.role}>
              <TableCell>{roleLabel(timing.role)}</TableCell>
              <TableCell align="right">{formatNumber(timing.decided)}</TableCell>
              <TableCell align="right">
                {isStageRole(timing.role) ? link(drilldown(filters, { stageRole: timing.role }), formatNumber(timing.requests)) : timing.requests}
              </TableCell>
              <TableCell align="right">{formatDuration(timing.median_seconds)}</TableCell>
              <TableCell align="right">{formatDuration(timing.average_seconds)}</TableCell>
            </TableRow>
          ))}
        </ChartTable>
      }
    />
  );
}

/** How far submitted requests got: the funnel from submission to approval. */
export function FunnelChart({ stats, filters, open }: ChartProps) {
  const { t } = useTranslation();
  const colors = CHART_COLORS[useEffectiveMode()];
  // The API names its funnel steps in English; the steps the app knows read in its language.
  const stepLabel = (step: { step: string; label: string }) =>
    i18n.exists(`dashboard.funnelSteps.${step.step}`) ? t(`dashboard.funnelSteps.${step.step}` as 'dashboard.funnelSteps.submitted') : step.label;
  return (
    <ChartCard
      id="funnel"
      title={t('dashboard.funnel.title')}
      description={t('dashboard.funnel.description')}
      chart={
        <BarChart
          height={HEIGHT}
          disableKeyboardNavigation
          layout="horizontal"
          dataset={stats.funnel.map((f) => ({ step: stepLabel(f), count: f.count }))}
          yAxis={[{ scaleType: 'band', dataKey: 'step', width: 170 }]}
          xAxis={[{ tickMinStep: 1 }]}
          series={[{ id: 'funnel', dataKey: 'count', label: t('dashboard.columns.requests'), color: colors.median }]}
          hideLegend
          onItemClick={(_, item) => {
            const step = stats.funnel[item.dataIndex];
            if (step) open(drilldown(filters, { statuses: step.statuses }));
          }}
        />
      }
      table={
        <ChartTable
          label={t('dashboard.funnel.table')}
          head={[t('dashboard.columns.step'), t('dashboard.columns.requests'), t('dashboard.columns.ofSubmitted')]}
        >
          {stats.funnel.map((f) => (
            <TableRow key={f.step}>
              <TableCell>{stepLabel(f)}</TableCell>
              <TableCell align="right">{link(drilldown(filters, { statuses: f.statuses }), formatNumber(f.count))}</TableCell>
              <TableCell align="right">{share(f.count, stats.total)}</TableCell>
            </TableRow>
          ))}
        </ChartTable>
      }
    />
  );
}
