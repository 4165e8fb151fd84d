// The dashboard's filters (kept in its URL) and the drill-down from a chart's bar to the
// request list behind it: the same status, day range and amount band, as list filters.
import type { RequestStatus, StageRole, StatsQuery } from '../api/types';
import { endOfDay, isDay, startOfDay, utcDay } from '../common/dates';
import { REQUEST_STATUSES } from '../common/status';
import { i18n } from '../i18n';
import { formatMoney } from '../i18n/format';
import { filtersToSearch, STAGE_ROLES } from '../requests/filters';

export type AmountBand = 'any' | 'small' | 'medium' | 'large';

/** The bands follow the policy's approval chains: analyst; + manager; + director. */
export const AMOUNT_BANDS: { value: AmountBand; min?: string; max?: string; above?: string }[] = [
  { value: 'any' },
  { value: 'small', max: '10000.00' },
  { value: 'medium', min: '10000.01', max: '100000.00' },
  { value: 'large', min: '100000.01', above: '100000.00' },
];

/** An amount band in words, with its amounts in the current language's money format. */
export function bandLabel(value: AmountBand): string {
  const band = AMOUNT_BANDS.find((b) => b.value === value);
  if (!band || value === 'any') return i18n.t('dashboard.bands.any');
  if (band.min && band.max) return i18n.t('dashboard.bands.between', { min: formatMoney(band.min), max: formatMoney(band.max) });
  if (band.max) return i18n.t('dashboard.bands.upTo', { max: formatMoney(band.max) });
  return i18n.t('dashboard.bands.over', { min: formatMoney(band.above ?? band.min ?? '0') });
}

/** Whether a role is one the dashboard times (a stage role), for the time-to-decision drill-down. */
export function isStageRole(role: string): role is StageRole {
  return (STAGE_ROLES as string[]).includes(role);
}

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
  return AMOUNT_BANDS.find((b) => b.value === filters.band) ?? { value: 'any' as const };
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
