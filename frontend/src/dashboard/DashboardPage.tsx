import Box from '@mui/material/Box';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { BarChart } from '@mui/x-charts/BarChart';
import { type ReactNode, useMemo } from 'react';
import { useNavigate, useSearchParams } from 'react-router';

import * as api from '../api/endpoints';
import type { RequestStatus, Stats } from '../api/types';
import { ROLE_LABELS } from '../auth/roles';
import { DataTable } from '../common/DataTable';
import { durationUnit, formatDay, formatDuration } from '../common/dates';
import { EmptyState, ErrorState, Loading } from '../common/feedback';
import { formatMoney } from '../common/money';
import { PageHeader } from '../common/PageHeader';
import { RouterLink } from '../common/RouterLink';
import { REQUEST_STATUSES, STATUS_LABELS } from '../common/status';
import { useResource } from '../common/useResource';
import { ChartCard } from './ChartCard';
import { DashboardFiltersForm } from './DashboardFiltersForm';
import {
  type DashboardFilters,
  dashboardFromSearch,
  dashboardToSearch,
  daysBetween,
  drilldown,
  toStatsQuery,
} from './drilldown';

const HEIGHT = 280;

/** Bar colours: distinct, each at least 3:1 against white (non-text contrast). */
const STATUS_COLORS: Record<RequestStatus, string> = {
  submitted: '#01579b',
  pending_approval: '#9a4a00',
  approved: '#2e7d32',
  rejected: '#c62828',
  auto_rejected: '#6a1b9a',
  withdrawn: '#616161',
};

function percent(part: number, whole: number): string {
  return whole === 0 ? '–' : `${Math.round((part / whole) * 100)} %`;
}

/** A chart's numbers: the first column names the row, the others are aligned right. */
function ChartTable({ label, head, children }: { label: string; head: string[]; children: ReactNode }) {
  return (
    <DataTable label={label} columns={head.map((h, i) => ({ label: h, align: i === 0 ? 'left' : 'right' }))} outlined={false}>
      {children}
    </DataTable>
  );
}

export function DashboardPage() {
  const [params, setParams] = useSearchParams();
  const navigate = useNavigate();
  const search = params.toString();
  const filters = useMemo(() => dashboardFromSearch(new URLSearchParams(search)), [search]);
  const stats = useResource((signal) => api.getStats(toStatsQuery(filters), { signal }), [search]);

  return (
    <>
      <PageHeader title="Dashboard">
        <Typography color="text.secondary">
          Requests created in the period. Select a bar, or a number in a table, to open the requests behind it.
        </Typography>
      </PageHeader>
      <DashboardFiltersForm value={filters} onApply={(next) => setParams(dashboardToSearch(next))} />
      {stats.loading && stats.data ? <LinearProgress aria-label="Updating the dashboard" sx={{ mb: 1 }} /> : null}
      {stats.error ? (
        <ErrorState error={stats.error} onRetry={stats.reload} title="The metrics could not be loaded" />
      ) : !stats.data ? (
        <Loading label="Loading the metrics…" />
      ) : stats.data.total === 0 ? (
        <EmptyState title="No requests match these filters in this period." />
      ) : (
        <Charts stats={stats.data} filters={filters} open={(to) => navigate(to)} />
      )}
    </>
  );
}

function Charts({ stats, filters, open }: { stats: Stats; filters: DashboardFilters; open: (to: string) => void }) {
  const count = (status: RequestStatus) => stats.outcomes.find((o) => o.status === status)?.count ?? 0;
  const closed = count('approved') + count('rejected') + count('auto_rejected');
  const days = daysBetween(filters.from, filters.to);
  const present = REQUEST_STATUSES.filter((s) => stats.volume.some((v) => v.status === s));
  const volume = days.map((day) => {
    const row: Record<string, string | number> = { day };
    for (const status of present) row[status] = stats.volume.find((v) => v.day === day && v.status === status)?.count ?? 0;
    return row;
  });
  const link = (to: string, text: ReactNode) => <RouterLink to={to}>{text}</RouterLink>;
  const unit = durationUnit(Math.max(0, ...stats.time_to_decision.map((t) => t.average_seconds)));

  return (
    <>
      <Box
        component="dl"
        sx={{ display: 'grid', gridTemplateColumns: { xs: '1fr 1fr', md: 'repeat(4, 1fr)' }, gap: 2, m: 0, mb: 3 }}
      >
        {[
          ['Requests', String(stats.total)],
          ['Amount requested', formatMoney(stats.amount)],
          ['Approval rate (of closed)', percent(count('approved'), closed)],
          ['Rejection rate (of closed)', percent(count('rejected') + count('auto_rejected'), closed)],
        ].map(([label, value]) => (
          <Paper key={label} variant="outlined" sx={{ p: 2 }}>
            <Typography component="dt" variant="body2" color="text.secondary">
              {label}
            </Typography>
            <Typography component="dd" variant="h5" sx={{ m: 0 }}>
              {value}
            </Typography>
          </Paper>
        ))}
      </Box>
      <Box sx={{ display: 'grid', gap: 3, gridTemplateColumns: { xs: 'minmax(0, 1fr)', lg: 'repeat(2, minmax(0, 1fr))' } }}>
        <ChartCard
          id="volume"
          title="Requests per day"
          description="Requests created each day (UTC), stacked by their current status."
          chart={
            <BarChart
              height={HEIGHT}
              dataset={volume}
              xAxis={[{ scaleType: 'band', dataKey: 'day', valueFormatter: (day: string) => day.slice(5) }]}
              yAxis={[{ tickMinStep: 1, width: 40 }]}
              series={present.map((status) => ({
                id: status,
                dataKey: status,
                label: STATUS_LABELS[status],
                stack: 'requests',
                color: STATUS_COLORS[status],
              }))}
              onItemClick={(_, item) => {
                const day = days[item.dataIndex];
                if (day) open(drilldown(filters, { statuses: [item.seriesId as RequestStatus], day }));
              }}
            />
          }
          table={
            <ChartTable label="Requests per day and status" head={['Day', 'Status', 'Requests', 'Amount']}>
              {stats.volume.map((v) => (
                <TableRow key={`${v.day}-${v.status}`}>
                  <TableCell>{formatDay(v.day)}</TableCell>
                  <TableCell align="right">{STATUS_LABELS[v.status]}</TableCell>
                  <TableCell align="right">
                    {link(drilldown(filters, { statuses: [v.status], day: v.day }), v.count)}
                  </TableCell>
                  <TableCell align="right">{formatMoney(v.amount)}</TableCell>
                </TableRow>
              ))}
            </ChartTable>
          }
        />
        <ChartCard
          id="outcomes"
          title="Outcomes"
          description="Requests by status: approval and rejection rates over the closed ones."
          chart={
            <BarChart
              height={HEIGHT}
              dataset={stats.outcomes.map((o) => ({ status: STATUS_LABELS[o.status], count: o.count }))}
              xAxis={[{ scaleType: 'band', dataKey: 'status', colorMap: { type: 'ordinal', values: stats.outcomes.map((o) => STATUS_LABELS[o.status]), colors: stats.outcomes.map((o) => STATUS_COLORS[o.status]) } }]}
              yAxis={[{ tickMinStep: 1, width: 40 }]}
              series={[{ id: 'outcomes', dataKey: 'count', label: 'Requests' }]}
              hideLegend
              onItemClick={(_, item) => {
                const outcome = stats.outcomes[item.dataIndex];
                if (outcome) open(drilldown(filters, { statuses: [outcome.status] }));
              }}
            />
          }
          table={
            <ChartTable label="Outcomes" head={['Status', 'Requests', 'Share', 'Amount']}>
              {stats.outcomes.map((o) => (
                <TableRow key={o.status} data-status={o.status}>
                  <TableCell>{STATUS_LABELS[o.status]}</TableCell>
                  <TableCell align="right">{link(drilldown(filters, { statuses: [o.status] }), o.count)}</TableCell>
                  <TableCell align="right">{percent(o.count, stats.total)}</TableCell>
                  <TableCell align="right">{formatMoney(o.amount)}</TableCell>
                </TableRow>
              ))}
            </ChartTable>
          }
        />
        <ChartCard
          id="timing"
          title="Time to decision by stage"
          description="Time from a stage's assignment to its decision, for the stages decided so far."
          chart={
            stats.time_to_decision.length === 0 ? (
              <Typography sx={{ py: 4 }}>No stage has been decided yet.</Typography>
            ) : (
              <BarChart
                height={HEIGHT}
                dataset={stats.time_to_decision.map((t) => ({
                  stage: ROLE_LABELS[t.role],
                  median: t.median_seconds / unit.seconds,
                  average: t.average_seconds / unit.seconds,
                }))}
                xAxis={[{ scaleType: 'band', dataKey: 'stage' }]}
                yAxis={[{ label: unit.name, width: 60 }]}
                series={[
                  { dataKey: 'median', label: 'Median', color: '#1565c0', valueFormatter: (v) => (v === null ? '' : `${v.toFixed(1)} ${unit.name}`) },
                  { dataKey: 'average', label: 'Average', color: '#9a4a00', valueFormatter: (v) => (v === null ? '' : `${v.toFixed(1)} ${unit.name}`) },
                ]}
                onItemClick={(_, item) => {
                  const timing = stats.time_to_decision[item.dataIndex];
                  if (timing) open(drilldown(filters, { stageRole: timing.role }));
                }}
              />
            )
          }
          table={
            <ChartTable label="Time to decision by stage" head={['Stage', 'Stages decided', 'Requests', 'Median', 'Average']}>
              {stats.time_to_decision.map((t) => (
                <TableRow key={t.role} data-role={t.role}>
                  <TableCell>{ROLE_LABELS[t.role]}</TableCell>
                  <TableCell align="right">{t.decided}</TableCell>
                  <TableCell align="right">{link(drilldown(filters, { stageRole: t.role }), t.requests)}</TableCell>
                  <TableCell align="right">{formatDuration(t.median_seconds)}</TableCell>
                  <TableCell align="right">{formatDuration(t.average_seconds)}</TableCell>
                </TableRow>
              ))}
            </ChartTable>
          }
        />
        <ChartCard
          id="funnel"
          title="Funnel"
          description="From submitted to approved: how many requests reached each step."
          chart={
            <BarChart
              height={HEIGHT}
              layout="horizontal"
              dataset={stats.funnel.map((f) => ({ step: f.label, count: f.count }))}
              yAxis={[{ scaleType: 'band', dataKey: 'step', width: 170 }]}
              xAxis={[{ tickMinStep: 1 }]}
              series={[{ id: 'funnel', dataKey: 'count', label: 'Requests', color: '#1565c0' }]}
              hideLegend
              onItemClick={(_, item) => {
                const step = stats.funnel[item.dataIndex];
                if (step) open(drilldown(filters, { statuses: step.statuses }));
              }}
            />
          }
          table={
            <ChartTable label="Funnel" head={['Step', 'Requests', 'Of submitted']}>
              {stats.funnel.map((f) => (
                <TableRow key={f.step}>
                  <TableCell>{f.label}</TableCell>
                  <TableCell align="right">{link(drilldown(filters, { statuses: f.statuses }), f.count)}</TableCell>
                  <TableCell align="right">{percent(f.count, stats.total)}</TableCell>
                </TableRow>
              ))}
            </ChartTable>
          }
        />
      </Box>
    </>
  );
}
