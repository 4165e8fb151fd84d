import { describe, expect, it } from 'vitest';

import {
  activeFilters,
  filtersFromSearch,
  filtersToSearch,
  fromDraft,
  hasFilters,
  NO_FILTERS,
  toDraft,
  toRequestQuery,
  validateFilters,
} from './filters';

describe('request list filters in the URL', () => {
  it('round-trips through the query string', () => {
    const filters = {
      ...NO_FILTERS,
      status: ['approved', 'rejected'] as const,
      created_from: '2026-11-01',
      created_to: '2026-11-28',
      amount_min: '1000',
      amount_max: '5000.50',
    };
    const search = filtersToSearch({ ...filters, status: [...filters.status] });
    expect(search.toString()).toBe(
      'status=approved&status=rejected&created_from=2026-11-01&created_to=2026-11-28&amount_min=1000&amount_max=5000.50',
    );
    expect(filtersFromSearch(search)).toEqual({ ...filters, status: ['approved', 'rejected'] });
  });

  it('reads the decided-stage filter of a time-to-decision drill-down, and asks the API for it', () => {
    const filters = filtersFromSearch(new URLSearchParams('created_from=2026-11-01&stage_role=director'));
    expect(filters).toEqual({ ...NO_FILTERS, created_from: '2026-11-01', stage_role: 'director' });
    expect(hasFilters({ ...NO_FILTERS, stage_role: 'director' })).toBe(true);
    expect(filtersToSearch(filters).toString()).toBe('created_from=2026-11-01&stage_role=director');
    expect(toRequestQuery(filters)).toEqual({ sort: '-created_at', created_from: '2026-11-01T00:00:00Z', stage_role: 'director' });
    for (const bad of ['applicant', 'ceo', '']) {
      const ignored = filtersFromSearch(new URLSearchParams({ stage_role: bad }));
      expect(ignored.stage_role).toBe('');
      expect(toRequestQuery(ignored)).not.toHaveProperty('stage_role');
      expect(hasFilters(ignored)).toBe(false);
    }
  });

  it('ignores unknown statuses and sorts', () => {
    const filters = filtersFromSearch(new URLSearchParams('status=lost&status=approved,withdrawn&sort=purpose'));
    expect(filters.status).toEqual(['approved', 'withdrawn']);
    expect(filters.sort).toBe('-created_at');
  });

  it('asks the API for whole UTC days and money strings', () => {
    const query = toRequestQuery(
      filtersFromSearch(new URLSearchParams('status=approved&created_from=2026-11-28&created_to=2026-11-28&amount_min=1,000')),
    );
    expect(query).toEqual({
      sort: '-created_at',
      status: ['approved'],
      created_from: '2026-11-28T00:00:00Z',
      created_to: '2026-11-29T00:00:00Z',
      amount_min: '1000.00',
    });
  });

  it('explains invalid filters and leaves them out of the query', () => {
    const filters = filtersFromSearch(
      new URLSearchParams('created_from=2026-11-28&created_to=2026-11-01&amount_min=500&amount_max=100&sort=amount'),
    );
    expect(validateFilters(filters)).toEqual({
      created_to: 'The end date must not be before the start date.',
      amount_max: 'The maximum must not be below the minimum.',
    });
    expect(toRequestQuery(filters)).toEqual({ sort: 'amount', created_from: '2026-11-28T00:00:00Z', amount_min: '500.00' });
    expect(toRequestQuery({ ...filters, amount_min: 'lots' })).toMatchObject({ amount_max: '100.00' });
    expect(toRequestQuery({ ...filters, amount_min: 'lots' })).not.toHaveProperty('amount_min');
  });
});

describe('the filter form and its days', () => {
  it('shows days in the language and reads them back, leaving what it cannot read for the error', () => {
    const filters = { ...NO_FILTERS, created_from: '2026-11-01', created_to: '2026-11-28' };
    expect(toDraft(filters)).toMatchObject({ created_from: '11/01/2026', created_to: '11/28/2026' });
    expect(fromDraft({ ...filters, created_from: '11/1/2026', created_to: '31/12/2026' })).toMatchObject({
      created_from: '2026-11-01',
      created_to: '31/12/2026',
    });
    expect(validateFilters(fromDraft({ ...filters, created_to: '31/12/2026' })).created_to).toMatch(/^Enter a date as MM\/DD\/YYYY/);
  });

  it('counts the filters that narrow the list', () => {
    expect(activeFilters(NO_FILTERS)).toBe(0);
    expect(activeFilters({ ...NO_FILTERS, status: ['approved', 'rejected'], amount_min: '5', sort: 'amount' })).toBe(2);
  });
});
