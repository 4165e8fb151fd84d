// The request list's filters live in the URL query, so a filtered list can be bookmarked,
// shared, and opened from a dashboard chart (drill-down). Dates are UTC days (YYYY-MM-DD),
// both ends inclusive; money is as typed. `toRequestQuery` turns them into the API's terms.
import type { RequestQuery, RequestStatus, StageRole } from '../api/types';
import { dayError, endOfDay, isDay, startOfDay } from '../common/dates';
import { moneyError, parseMoney, toCents } from '../common/money';
import { REQUEST_STATUSES } from '../common/status';
import { i18n } from '../i18n';
import { formatDayInput, parseDayInput } from '../i18n/format';

export type Sort = NonNullable<RequestQuery['sort']>;

export interface ListFilters {
  status: RequestStatus[];
  created_from: string;
  created_to: string;
  amount_min: string;
  amount_max: string;
  /** Only requests with a stage of this role decided: a time-to-decision bar's drill-down. */
  stage_role: StageRole | '';
  sort: Sort;
}

export const STAGE_ROLES: StageRole[] = ['analyst', 'manager', 'director', 'admin'];

export const SORTS: Sort[] = ['-created_at', 'created_at', '-amount', 'amount'];

/** A sort order in words, in the current language. */
export function sortLabel(sort: Sort): string {
  return i18n.t(`filters.sorts.${sort}`);
}

export const NO_FILTERS: ListFilters = {
  status: [],
  created_from: '',
  created_to: '',
  amount_min: '',
  amount_max: '',
  stage_role: '',
  sort: '-created_at',
};

const TEXT_KEYS = ['created_from', 'created_to', 'amount_min', 'amount_max'] as const;

export function filtersFromSearch(params: URLSearchParams): ListFilters {
  const status = params
    .getAll('status')
    .flatMap((value) => value.split(','))
    .filter((value): value is RequestStatus => (REQUEST_STATUSES as string[]).includes(value));
  const sort = params.get('sort');
  const stageRole = params.get('stage_role');
  const filters: ListFilters = {
    ...NO_FILTERS,
    status: [...new Set(status)],
    stage_role: STAGE_ROLES.find((role) => role === stageRole) ?? '',
    sort: SORTS.find((s) => s === sort) ?? NO_FILTERS.sort,
  };
  for (const key of TEXT_KEYS) filters[key] = params.get(key) ?? '';
  return filters;
}

export function filtersToSearch(filters: Partial<ListFilters>): URLSearchParams {
  const params = new URLSearchParams();
  for (const status of filters.status ?? []) params.append('status', status);
  for (const key of TEXT_KEYS) {
    const value = filters[key]?.trim();
    if (value) params.set(key, value);
  }
  if (filters.stage_role) params.set('stage_role', filters.stage_role);
  if (filters.sort && filters.sort !== NO_FILTERS.sort) params.set('sort', filters.sort);
  return params;
}

export type FilterErrors = Partial<Record<(typeof TEXT_KEYS)[number], string>>;

const DAY_KEYS = ['created_from', 'created_to'] as const;

/** The filters as the form shows them: days in the language's format. */
export function toDraft(filters: ListFilters): ListFilters {
  return { ...filters, created_from: formatDayInput(filters.created_from), created_to: formatDayInput(filters.created_to) };
}

/** The form's filters with their days read back as YYYY-MM-DD (left as typed when unreadable). */
export function fromDraft(draft: ListFilters): ListFilters {
  const filters = { ...draft };
  for (const key of DAY_KEYS) filters[key] = draft[key].trim() ? (parseDayInput(draft[key]) ?? draft[key].trim()) : '';
  return filters;
}

export function validateFilters(filters: ListFilters): FilterErrors {
  const errors: FilterErrors = {};
  for (const key of DAY_KEYS) {
    if (filters[key] && !isDay(filters[key])) errors[key] = dayError();
  }
  if (!errors.created_from && !errors.created_to && filters.created_from && filters.created_to) {
    if (filters.created_from > filters.created_to) errors.created_to = i18n.t('validation.endBeforeStart');
  }
  for (const key of ['amount_min', 'amount_max'] as const) {
    const problem = moneyError(filters[key], { required: false });
    if (problem) errors[key] = problem;
  }
  const min = parseMoney(filters.amount_min);
  const max = parseMoney(filters.amount_max);
  if (!errors.amount_max && min !== null && max !== null && toCents(min) > toCents(max)) {
    errors.amount_max = i18n.t('validation.maxBelowMin');
  }
  return errors;
}

/** Valid filters in the API's terms; invalid parts are left out (the form shows why). */
export function toRequestQuery(filters: ListFilters): RequestQuery {
  const errors = validateFilters(filters);
  const query: RequestQuery = { sort: filters.sort };
  if (filters.status.length > 0) query.status = filters.status;
  if (filters.stage_role) query.stage_role = filters.stage_role;
  if (filters.created_from && !errors.created_from) query.created_from = startOfDay(filters.created_from);
  if (filters.created_to && !errors.created_to) query.created_to = endOfDay(filters.created_to);
  const min = errors.amount_min ? null : parseMoney(filters.amount_min);
  const max = errors.amount_max ? null : parseMoney(filters.amount_max);
  if (min !== null) query.amount_min = min;
  if (max !== null) query.amount_max = max;
  return query;
}

/** How many filters narrow the list (the sort order does not). */
export function activeFilters(filters: ListFilters): number {
  return (filters.status.length > 0 ? 1 : 0) + (filters.stage_role !== '' ? 1 : 0) + TEXT_KEYS.filter((key) => filters[key] !== '').length;
}

export function hasFilters(filters: ListFilters): boolean {
  return activeFilters(filters) > 0;
}
