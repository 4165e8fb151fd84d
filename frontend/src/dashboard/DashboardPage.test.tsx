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
