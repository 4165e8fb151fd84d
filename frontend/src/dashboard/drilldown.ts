// The dashboard's filters (kept in its URL) and the drill-down from a chart's bar to the
// request list behind it: the same status, day range and amount band, as list filters.
import type { RequestStatus, StageRole, StatsQuery } from '../api/types';
import { endOfDay, isDay, startOfDay, utcDay } from '../common/dates';
import { REQUEST_STATUSES } from '../common/status';
import { filtersToSearch } from '../requests/filters';

export type AmountBand = 'any' | 'small' | 'medium' | 'large';

/** The bands follow the policy's approval chains: analyst; + manager; + director. */
export const AMOUNT_BANDS: { value: AmountBand; label: string; min?: string; max?: string }[] = [
  { value: 'any', label: 'Any amount' },
  { value: 'small', label: 'Up to $10,000', max: '10000.00' },
  { value: 'medium', label: '$10,000.01 to $100,000', min: '10000.01', max: '100000.00' },
  { value: 'large', label: 'Over $100,000', min: '100000.01' },
];

export interface DashboardFilters {
  from: string;
  to: string;
  status: RequestStatus[];
  band: AmountBand;
}

export const DEFAULT_DAYS = 30;

export function dashboardFromSearch(params: URLSearchParams, now: Date = new Date()): DashboardFilters {
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const band = params.get('band');
  return {
    from: isDay(from) ? from : utcDay(-(DEFAULT_DAYS - 1), now),
    to: isDay(to) ? to : utcDay(0, now),
    status: params.getAll('status').filter((s): s is RequestStatus => (REQUEST_STATUSES as string[]).includes(s)),
    band: AMOUNT_BANDS.some((b) => b.value === band) ? (band as AmountBand) : 'any',
  };
}

export function dashboardToSearch(filters: DashboardFilters): URLSearchParams {
  const params = new URLSearchParams({ from: filters.from, to: filters.to });
  for (const status of filters.status) params.append('status', status);
  if (filters.band !== 'any') params.set('band', filters.band);
  return params;
}

function band(filters: DashboardFilters) {
  return AMOUNT_BANDS.find((b) => b.value === filters.band) ?? { value: 'any' as const, label: '' };
}

export function toStatsQuery(filters: DashboardFilters): StatsQuery {
  const { min, max } = band(filters);
  return {
    created_from: startOfDay(filters.from),
    created_to: endOfDay(filters.to),
    ...(filters.status.length > 0 ? { status: filters.status } : {}),
    ...(min ? { amount_min: min } : {}),
    ...(max ? { amount_max: max } : {}),
  };
}

/**
 * The request list URL behind a chart item. `statuses` are the item's own (a bar's status, a
 * funnel step's); empty means any. They narrow the dashboard's status filter, never widen it.
 * `day` narrows the date range to one UTC day. `stageRole` keeps the requests with a stage of
 * that role decided: those a time-to-decision bar averages over.
 */
export function drilldown(
  filters: DashboardFilters,
  { statuses = [], day, stageRole }: { statuses?: RequestStatus[]; day?: string; stageRole?: StageRole } = {},
): string {
  const status =
    statuses.length === 0
      ? filters.status
      : filters.status.length === 0
        ? statuses
        : statuses.filter((s) => filters.status.includes(s));
  const { min, max } = band(filters);
  const search = filtersToSearch({
    status,
    created_from: day ?? filters.from,
    created_to: day ?? filters.to,
    amount_min: min ?? '',
    amount_max: max ?? '',
    stage_role: stageRole ?? '',
  });
  return `/requests?${search.toString()}`;
}

/** Every UTC day from `from` to `to`, inclusive (at most `limit`). */
export function daysBetween(from: string, to: string, limit = 366): string[] {
  const days: string[] = [];
  const cursor = new Date(`${from}T00:00:00Z`);
  const end = new Date(`${to}T00:00:00Z`);
  while (cursor <= end && days.length < limit) {
    days.push(cursor.toISOString().slice(0, 10));
    cursor.setUTCDate(cursor.getUTCDate() + 1);
  }
  return days;
}
