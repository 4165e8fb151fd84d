import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import type { Stats } from '../api/types';
import { renderAt } from '../test/render';
import { DashboardPage } from './DashboardPage';

vi.mock('../api/endpoints');

const STATS: Stats = {
  total: 3,
  amount: '150000.00',
  volume: [{ day: '2026-11-03', status: 'approved', count: 3, amount: '150000.00' }],
  outcomes: [{ status: 'approved', count: 3, amount: '150000.00' }],
  time_to_decision: [
    { role: 'analyst', decided: 4, requests: 3, average_seconds: 7200, median_seconds: 3600 },
    { role: 'manager', decided: 1, requests: 1, average_seconds: 1800, median_seconds: 1800 },
  ],
  funnel: [{ step: 'submitted', label: 'Submitted', count: 3, statuses: [] }],
};

describe('DashboardPage', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(api.getStats).mockResolvedValue(STATS);
  });

  it("links each stage's requests to the list filtered by that stage and the dashboard's filters", async () => {
    renderAt(<DashboardPage />, { url: '/dashboard?from=2026-11-01&to=2026-11-28&band=medium' });

    const timing = await screen.findByRole('table', { name: 'Time to decision by stage' });
    const analyst = within(timing).getByRole('row', { name: /Analyst/ });
    expect(within(analyst).getAllByRole('cell').map((c) => c.textContent)).toEqual(['Analyst', '4', '3', expect.any(String), expect.any(String)]);

    await userEvent.click(within(analyst).getByRole('link', { name: '3' }));

    expect(screen.getByTestId('location')).toHaveTextContent(
      '/requests?created_from=2026-11-01&created_to=2026-11-28&amount_min=10000.01&amount_max=100000.00&stage_role=analyst',
    );
  });
});

describe('the dashboard, read by keyboard and in words', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(api.getStats).mockResolvedValue({
      ...STATS,
      total: 7,
      outcomes: [
        { status: 'approved', count: 1, amount: '5000.00' },
        { status: 'rejected', count: 6, amount: '60000.00' },
      ],
      time_to_decision: [{ role: 'analyst', decided: 1, requests: 1, average_seconds: 1, median_seconds: 1 }],
    });
  });

  it('gives each chart a name and no tab stop of its own (its table is the keyboard way in)', async () => {
    const { container } = renderAt(<DashboardPage />, { url: '/dashboard?from=2026-11-01&to=2026-11-28' });
    await screen.findByRole('table', { name: 'Outcomes' });
    const charts = screen.getAllByRole('img', { name: /: chart\. The table below lists the same numbers\.$/ });
    expect(charts.map((c) => c.getAttribute('aria-label'))).toEqual([
      'Requests per day: chart. The table below lists the same numbers.',
      'Outcomes: chart. The table below lists the same numbers.',
      'Time to decision by stage: chart. The table below lists the same numbers.',
      'Funnel: chart. The table below lists the same numbers.',
    ]);
    expect(container.querySelectorAll('[data-chart] [role="img"] [tabindex]:not([tabindex="-1"])')).toHaveLength(0);
  });

  it('writes shares, durations and counts with the one formatter each', async () => {
    renderAt(<DashboardPage />, { url: '/dashboard?from=2026-11-01&to=2026-11-28' });
    const outcomes = await screen.findByRole('table', { name: 'Outcomes' });
    const rejected = within(outcomes).getByRole('row', { name: /Declined/ });
    expect(within(rejected).getAllByRole('cell').map((c) => c.textContent)).toEqual(['Declined', '6', '85.71%', '$60,000.00']);
    const timing = screen.getByRole('table', { name: 'Time to decision by stage' });
    expect(within(timing).getAllByRole('cell').map((c) => c.textContent)).toEqual(['Analyst', '1', '1', '1 second', '1 second']);
    expect(screen.getByText('Approval rate (of closed)').nextElementSibling).toHaveTextContent('14.29%');
  });
});
