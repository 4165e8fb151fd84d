import { describe, expect, it } from 'vitest';

import { dashboardFromSearch, dashboardToSearch, daysBetween, drilldown, toStatsQuery } from './drilldown';

const NOW = new Date('2026-11-28T12:00:00Z');

describe('dashboard filters and drill-down', () => {
  it('defaults to the last 30 UTC days and any amount', () => {
    expect(dashboardFromSearch(new URLSearchParams(), NOW)).toEqual({
      from: '2026-10-30',
      to: '2026-11-28',
      status: [],
      band: 'any',
    });
  });

  it('asks the stats API with the list filters it shares', () => {
    const filters = dashboardFromSearch(new URLSearchParams('from=2026-11-01&to=2026-11-28&band=large&status=approved'), NOW);
    expect(dashboardToSearch(filters).toString()).toBe('from=2026-11-01&to=2026-11-28&status=approved&band=large');
    expect(toStatsQuery(filters)).toEqual({
      created_from: '2026-11-01T00:00:00Z',
      created_to: '2026-11-29T00:00:00Z',
      status: ['approved'],
      amount_min: '100000.01',
    });
  });

  it('drills a day bar down to that day, status and amount band', () => {
    const filters = dashboardFromSearch(new URLSearchParams('from=2026-11-01&to=2026-11-28&band=medium'), NOW);
    expect(drilldown(filters, { statuses: ['approved'], day: '2026-11-03' })).toBe(
      '/requests?status=approved&created_from=2026-11-03&created_to=2026-11-03&amount_min=10000.01&amount_max=100000.00',
    );
  });

  it("narrows the dashboard's status filter, never widens it", () => {
    const filters = dashboardFromSearch(new URLSearchParams('from=2026-11-01&to=2026-11-02&status=approved'), NOW);
    expect(drilldown(filters, { statuses: ['approved', 'rejected'] })).toBe(
      '/requests?status=approved&created_from=2026-11-01&created_to=2026-11-02',
    );
    expect(drilldown(filters)).toBe('/requests?status=approved&created_from=2026-11-01&created_to=2026-11-02');
  });

  it('drills a time-to-decision bar down to the requests with that stage decided, with every dashboard filter', () => {
    const filters = dashboardFromSearch(new URLSearchParams('from=2026-11-01&to=2026-11-28&band=large&status=approved&status=rejected'), NOW);
    expect(drilldown(filters, { stageRole: 'manager' })).toBe(
      '/requests?status=approved&status=rejected&created_from=2026-11-01&created_to=2026-11-28&amount_min=100000.01&stage_role=manager',
    );
    const all = dashboardFromSearch(new URLSearchParams('from=2026-11-01&to=2026-11-28'), NOW);
    expect(drilldown(all, { stageRole: 'analyst' })).toBe('/requests?created_from=2026-11-01&created_to=2026-11-28&stage_role=analyst');
    expect(drilldown(all)).not.toContain('stage_role');
  });

  it('lists every day of the range', () => {
    expect(daysBetween('2026-02-27', '2026-03-01')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01']);
    expect(daysBetween('2026-03-02', '2026-03-01')).toEqual([]);
  });
});
