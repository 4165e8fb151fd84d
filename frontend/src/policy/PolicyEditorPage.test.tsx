import { fireEvent, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { beforeEach, describe, expect, it, vi } from 'vitest';

import * as api from '../api/endpoints';
import { ApiError } from '../api/errors';
import type { PolicyVersionDetail } from '../api/types';
import { useUser } from '../auth/AuthProvider';
import { makeUser, renderAt } from '../test/render';
import { PolicyEditorPage } from './PolicyEditorPage';

vi.mock('../api/endpoints');
vi.mock('../auth/AuthProvider');

const DOCUMENT = {
  reference_annual_rate: '0.12',
  max_reasons: 4,
  rejection_rules: [
    { code: 'LOW_CREDIT_SCORE', metric: 'credit_score', op: 'lt', value: '580', message: 'The credit score of {actual} is below {limit}.' },
  ],
  risk_tiers: [{ tier: 'high', when: 'any', conditions: [{ metric: 'debt_to_income', op: 'gt', value: '0.36' }] }],
  default_tier: 'medium',
  approval_chains: [
    { max_amount: '10000', roles: ['analyst'] },
    { max_amount: null, roles: ['analyst', 'manager'] },
  ],
  high_risk_adds_level: true,
  stage_sla_hours: 48,
};

function version(changes: Partial<PolicyVersionDetail> = {}): PolicyVersionDetail {
  return {
    id: 'p-2',
    version: 2,
    status: 'draft',
    scheduled: false,
    reason: null,
    created_by: 'risk_one',
    created_at: '2026-11-28T10:00:00Z',
    proposed_by: null,
    proposed_at: null,
    approved_by: null,
    approved_at: null,
    activated_by: null,
    activated_at: null,
    active_from: null,
    retired_at: null,
    document: structuredClone(DOCUMENT),
    simulation: null,
    ...changes,
  };
}

function open() {
  return renderAt(<PolicyEditorPage />, { url: '/policies/p-2', path: '/policies/:id' });
}

describe('PolicyEditorPage', () => {
  beforeEach(() => {
    vi.resetAllMocks();
    vi.mocked(useUser).mockReturnValue(makeUser({ username: 'risk_one', role: 'risk_officer' }));
    const active = version({ id: 'p-1', version: 1, status: 'active' });
    vi.mocked(api.getPolicy).mockImplementation((id) => Promise.resolve(id === 'p-1' ? active : version()));
    vi.mocked(api.listPolicies).mockResolvedValue({ items: [active], next_cursor: null });
  });

  it('edits thresholds as fields with units and shows the change against the active version', async () => {
    const user = userEvent.setup();
    open();

    const threshold = await screen.findByLabelText('Threshold for Credit score');
    expect(threshold).toHaveValue('580');
    expect(screen.getAllByText('points')[0]).toBeVisible();
    expect(screen.getByText('No changes from the active version.')).toBeVisible();

    await user.clear(threshold);
    await user.type(threshold, '600');

    const [row] = await screen.findAllByTestId('policy-diff-row');
    expect(within(row!).getByText('rejection_rules.0.value')).toBeVisible();
    expect(within(row!).getByText('"600"')).toBeVisible();
  });

  it("shows another officer's draft read-only, and proposes it as it is", async () => {
    const user = userEvent.setup();
    vi.mocked(useUser).mockReturnValue(makeUser({ username: 'risk_two', role: 'risk_officer' }));
    vi.mocked(api.proposePolicy).mockResolvedValue(version({ status: 'proposed', proposed_by: 'risk_two' }));
    open();

    expect(await screen.findByLabelText('Threshold for Credit score')).toBeDisabled();
    expect(screen.getByText(/Only risk_one, who drafted this version, can change it/)).toBeVisible();
    expect(screen.queryByRole('button', { name: 'Save draft' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Add a band' })).toBeNull();
    await user.type(screen.getByLabelText('Reason for the change'), 'Ready as risk_one left it.');
    await user.click(screen.getByRole('button', { name: 'Propose' }));

    expect(await screen.findByTestId('policy-status')).toHaveTextContent('Proposed');
    expect(api.updatePolicy).not.toHaveBeenCalled();
    expect(api.proposePolicy).toHaveBeenCalledWith('p-2', 'Ready as risk_one left it.');
  });

  it('adds a band as a row, and shows each problem of a refused proposal next to its field', async () => {
    const user = userEvent.setup();
    vi.mocked(api.updatePolicy).mockResolvedValue(version());
    vi.mocked(api.proposePolicy).mockRejectedValue(
      new ApiError(422, 'policy_invalid', 'The policy is not consistent.', [
        { loc: ['document', 'approval_chains', 2, 'above'], msg: 'Overlaps the band below it (low risk).', type: 'overlap' },
      ]),
    );
    open();

    await user.click(await screen.findByRole('button', { name: 'Add a band' }));
    expect(screen.getByLabelText('Band 3: roles')).toHaveValue('analyst');
    await user.type(screen.getByLabelText('Reason for the change'), 'Tighter bands for large loans.');
    await user.click(screen.getByRole('button', { name: 'Propose' }));

    expect(await screen.findByTestId('policy-error')).toHaveTextContent('The policy is not consistent.');
    expect(screen.getByText('Overlaps the band below it (low risk).')).toBeVisible();
    expect(screen.getByLabelText('Band 3: above')).toHaveAttribute('aria-invalid', 'true');
  });

  it('freezes a proposal and offers the simulation and approval', async () => {
    vi.mocked(api.getPolicy).mockResolvedValue(version({ status: 'proposed', proposed_by: 'risk_one', proposed_at: '2026-11-28T11:00:00Z', reason: 'Tighter.' }));
    open();

    expect(await screen.findByLabelText('Threshold for Credit score')).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Approve' })).toBeVisible();
    expect(screen.getByRole('button', { name: 'Simulate on the last 1,000 requests' })).toBeVisible();
    expect(screen.getByText(/Not simulated yet/)).toBeVisible();
    expect(screen.getByTestId('policy-history')).toHaveTextContent('proposed by risk_one');
  });

  it("activates an approved version from a moment in the person's local time, and says so", async () => {
    vi.mocked(api.getPolicy).mockResolvedValue(version({ status: 'approved', proposed_by: 'risk_two', approved_by: 'risk_one', reason: 'Tighter.' }));
    vi.mocked(api.activatePolicy).mockResolvedValue(version({ status: 'approved', scheduled: true }));
    open();

    const activeFrom = await screen.findByLabelText('Active from (optional)');
    expect(screen.getByText('Your local time. Empty: at once.')).toBeVisible();
    fireEvent.change(activeFrom, { target: { value: '2026-12-01T09:30' } });
    await userEvent.click(screen.getByRole('button', { name: 'Activate' }));

    expect(api.activatePolicy).toHaveBeenCalledWith('p-2', new Date(2026, 11, 1, 9, 30).toISOString());
  });
});
