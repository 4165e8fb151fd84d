import type { CreditRequest, CreditRequestDetail, PendingStage, Stage } from '../api/types';

export function creditRequest(id: string, changes: Partial<CreditRequest> = {}): CreditRequest {
  return {
    id,
    applicant_id: '00000000-0000-4000-8000-000000000009',
    amount: '5000.00',
    term_months: 24,
    purpose: `Purpose ${id}`,
    monthly_income: '6000.00',
    monthly_debt: '300.00',
    employment_status: 'employed',
    credit_score: 760,
    delinquencies_24m: 0,
    bankruptcies_7y: 0,
    status: 'approved',
    risk_tier: 'low',
    decision_reasons: [],
    created_at: '2026-11-28T10:00:00Z',
    updated_at: '2026-11-28T10:00:00Z',
    decided_at: null,
    ...changes,
  };
}

export function stage(level: number, changes: Partial<Stage> = {}): Stage {
  return {
    id: `stage-${level}`,
    level,
    role: level === 1 ? 'analyst' : level === 2 ? 'manager' : 'director',
    status: 'waiting',
    assignee: null,
    decided_by: null,
    approver_first_name: null,
    decided_at: null,
    comment: null,
    due_at: null,
    ...changes,
  };
}

export function detail(id: string, changes: Partial<CreditRequestDetail> = {}): CreditRequestDetail {
  return { ...creditRequest(id), stages: [], score_result: null, policy_version: null, ...changes };
}

/** A request waiting at stage 1 of 2 with the analyst "ana_lyst" (Ana), due 30 Nov 2026 10:00 UTC. */
export function pendingAtStageOne(id = 'r-1'): CreditRequestDetail {
  return detail(id, {
    status: 'pending_approval',
    amount: '50000.00',
    stages: [
      stage(1, { status: 'pending', assignee: 'ana_lyst', approver_first_name: 'Ana', due_at: '2026-11-30T10:00:00Z' }),
      stage(2),
    ],
  });
}

/** A request as the API sends it to its applicant: no staff usernames, and no risk tier (hidden unless the policy shows it). */
export function applicantView(request: CreditRequestDetail): CreditRequestDetail {
  return { ...request, risk_tier: null, stages: request.stages.map((s) => ({ ...s, assignee: null, decided_by: null })) };
}

export function pending(id: string, changes: Partial<PendingStage> = {}, request: Partial<CreditRequest> = {}): PendingStage {
  return {
    stage_id: `s-${id}`,
    level: 1,
    role: 'analyst',
    due_at: '2026-11-30T10:00:00Z',
    overdue: false,
    applicant_name: `Applicant ${id}`,
    request: creditRequest(id, { status: 'pending_approval', ...request }),
    ...changes,
  };
}
