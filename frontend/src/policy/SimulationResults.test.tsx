import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { ApiError } from '../api/errors';
import type { ChangedRequest, Simulation } from '../api/types';
import { renderAt } from '../test/render';
import { SimulationResults } from './SimulationResults';

vi.mock('../api/endpoints');

function change(id: string): ChangedRequest {
  return {
    request_id: `${id}-0000-4000-8000-000000000000`,
    created_at: '2026-11-28T10:00:00Z',
    amount: '5000.00',
    current: { outcome: 'pending_approval', risk_tier: 'low', chain: ['analyst'], reasons: [] },
    candidate: { outcome: 'auto_rejected', risk_tier: null, chain: [], reasons: ['LOW_CREDIT_SCORE'] },
  };
}

function simulation(changes: ChangedRequest[], next_cursor: string | null, run_at = '2026-11-28T12:00:00Z'): Simulation {
  return {
    version: 2,
    against_version: 1,
    requests: 3,
    run_at,
    run_by: 'risk_two',
    document_sha256: 'abc',
    outcomes: { current: { pending_approval: 3 }, candidate: { pending_approval: 1, auto_rejected: 2 } },
    current: { approval_rate: 1, auto_decline_rate: 0 },
    candidate: { approval_rate: 0.33, auto_decline_rate: 0.67 },
    approval_rate_change: -0.67,
    auto_decline_rate_change: 0.67,
    tier_shifts: {},
    chain_lengths: {},
    changed: 2,
    changes,
    next_cursor,
  };
}

function open() {
  return renderAt(<SimulationResults versionId="p-2" latest={simulation([change('aaaaaaaa')], 'c1')} stored={null} />);
}

/** The results as the editor shows them, with "Simulate again" replacing the run shown. */
function Rerun({ first, second }: { first: Simulation; second: Simulation }) {
  const [latest, setLatest] = useState(first);
  return (
    <>
      <button type="button" onClick={() => setLatest(second)}>
        Simulate again
      </button>
      <SimulationResults versionId="p-2" latest={latest} stored={null} />
    </>
  );
}

const NEWER_RUN = '2026-11-28T12:05:00Z';

describe('SimulationResults', () => {
  beforeEach(() => vi.resetAllMocks());

  it('appends the next page of changed requests once, however often "Load more" is pressed', async () => {
    let loaded: (page: Simulation) => void = () => undefined;
    vi.mocked(api.policySimulation).mockReturnValue(new Promise((resolve) => (loaded = resolve)));
    open();

    await userEvent.dblClick(screen.getByRole('button', { name: 'Load more' }));

    expect(screen.getByRole('button', { name: 'Loading more…' })).toBeDisabled();
    expect(api.policySimulation).toHaveBeenCalledOnce();
    expect(api.policySimulation).toHaveBeenCalledWith('p-2', 'c1', expect.anything());
    loaded(simulation([change('bbbbbbbb')], null));
    expect(await screen.findByText('bbbbbbbb')).toBeVisible();
    expect(screen.getAllByTestId('simulation-change')).toHaveLength(2);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('says why the next page could not be loaded, and offers it again', async () => {
    vi.mocked(api.policySimulation).mockRejectedValue(new ApiError(503, 'unavailable', 'The database is busy.'));
    open();

    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));

    expect(await screen.findByText('The database is busy.')).toBeVisible();
    expect(screen.getAllByTestId('simulation-change')).toHaveLength(1);
    expect(screen.getByRole('button', { name: 'Load more' })).toBeEnabled();
  });

  it('drops a page of a newer run instead of appending it to the list of the run shown', async () => {
    vi.mocked(api.policySimulation).mockResolvedValue(simulation([change('bbbbbbbb')], null, NEWER_RUN));
    open();

    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));

    expect(await screen.findByText(/ran a newer simulation of this version/)).toBeVisible();
    expect(screen.queryByText('bbbbbbbb')).toBeNull();
    expect(screen.getAllByTestId('simulation-change')).toHaveLength(1);
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('says a newer run replaced the one shown when the API refuses its cursor', async () => {
    vi.mocked(api.policySimulation).mockRejectedValue(new ApiError(409, 'simulation_superseded', 'A newer simulation replaced it.'));
    open();

    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));

    expect(await screen.findByText(/ran a newer simulation of this version/)).toBeVisible();
    expect(screen.queryByText('A newer simulation replaced it.')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
  });

  it('keeps a page of the earlier run, arriving late, off the list of a run made meanwhile', async () => {
    let loaded: (page: Simulation) => void = () => undefined;
    vi.mocked(api.policySimulation).mockReturnValue(new Promise((resolve) => (loaded = resolve)));
    renderAt(<Rerun first={simulation([change('aaaaaaaa')], 'c1')} second={simulation([change('cccccccc')], 'c2', NEWER_RUN)} />);

    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await userEvent.click(screen.getByRole('button', { name: 'Simulate again' }));
    loaded(simulation([change('bbbbbbbb')], null));

    expect(await screen.findByText('cccccccc')).toBeVisible();
    expect(screen.queryByText('bbbbbbbb')).toBeNull();
    expect(screen.queryByText('aaaaaaaa')).toBeNull();
    expect(screen.getByRole('button', { name: 'Load more' })).toBeEnabled();
  });
});
