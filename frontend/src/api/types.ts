// The API's shapes (see /api/v1/openapi.json). Money is a decimal string such as "1500.00":
// it is never parsed into a float.

export type Role = 'applicant' | 'analyst' | 'manager' | 'director' | 'admin';

export type RequestStatus =
  | 'submitted'
  | 'auto_rejected'
  | 'pending_approval'
  | 'approved'
  | 'rejected'
  | 'withdrawn';

export type StageStatus = 'waiting' | 'pending' | 'approved' | 'rejected' | 'cancelled';
export type RiskTier = 'low' | 'medium' | 'high';
export type EmploymentStatus = 'employed' | 'self_employed' | 'unemployed' | 'retired' | 'student';
export type Money = string;

export interface TokenPair {
  access_token: string;
  refresh_token: string;
  token_type: string;
  expires_in: number;
}

export interface User {
  id: string;
  username: string;
  email: string;
  full_name: string;
  role: Role;
  is_active: boolean;
  created_at: string;
}

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

export interface Registration {
  username: string;
  email: string;
  password: string;
  full_name: string;
}

export interface CreditApplication {
  amount: Money;
  term_months: number;
  purpose: string;
  monthly_income: Money;
  monthly_debt: Money;
  employment_status: EmploymentStatus;
  credit_score: number;
  delinquencies_24m: number;
  bankruptcies_7y: number;
}

export interface DecisionReason {
  code: string;
  message: string;
}

export interface CreditRequest extends CreditApplication {
  id: string;
  applicant_id: string;
  status: RequestStatus;
  risk_tier: RiskTier | null;
  decision_reasons: DecisionReason[];
  created_at: string;
  updated_at: string;
  decided_at: string | null;
}

export interface Stage {
  id: string;
  level: number;
  role: Role;
  status: StageStatus;
  assignee: string | null;
  decided_by: string | null;
  decided_at: string | null;
  comment: string | null;
  due_at: string | null;
}

/** What the credit bureau reported. Third-party data: the API sends it to staff only. */
export interface BureauReport {
  credit_score: number;
  delinquencies_24m: number;
  bankruptcies_7y: number;
}

/** The automatic analysis's figures. A ratio is a four-place decimal string such as "0.3125". */
export interface ScoreResult {
  installment: Money;
  debt_to_income: string | null;
  bureau_report: BureauReport | null;
}

export interface CreditRequestDetail extends CreditRequest {
  stages: Stage[];
  score_result: ScoreResult | null;
}

/** The roles whose stages the dashboard times (and the request list filters by). */
export type StageRole = 'analyst' | 'manager' | 'director' | 'admin';

/** The request list's filters, in the API's terms (timestamps, money strings). */
export interface RequestQuery {
  status?: RequestStatus[];
  created_from?: string;
  created_to?: string;
  amount_min?: Money;
  amount_max?: Money;
  /** Only requests with a stage of this role assigned and decided. */
  stage_role?: StageRole;
  sort?: 'created_at' | '-created_at' | 'amount' | '-amount';
  limit?: number;
  cursor?: string;
}

export interface PendingStage {
  stage_id: string;
  level: number;
  role: Role;
  due_at: string | null;
  overdue: boolean;
  request: CreditRequest;
}

export interface Decision {
  decision: 'approve' | 'reject';
  comment: string;
}

export interface LinkSummary {
  stage_id: string;
  level: number;
  role: Role;
  approver: string;
  expires_at: string;
  request: CreditRequest;
  score_result: ScoreResult | null;
}

export interface UserChange {
  role?: Role;
  is_active?: boolean;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor_id: string | null;
  actor: string;
  action: string;
  entity_type: string;
  entity_id: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  details: Record<string, unknown> | null;
}

export interface AuditQuery {
  actor_id?: string;
  /** A username, "anonymous" or "system:<step>", as entries show it. */
  actor?: string;
  action?: string;
  entity_type?: string;
  entity_id?: string;
  at_from?: string;
  at_to?: string;
  limit?: number;
  cursor?: string;
}

export interface StatsQuery {
  status?: RequestStatus[];
  created_from?: string;
  created_to?: string;
  amount_min?: Money;
  amount_max?: Money;
}

export interface Stats {
  total: number;
  amount: Money;
  volume: { day: string; status: RequestStatus; count: number; amount: Money }[];
  outcomes: { status: RequestStatus; count: number; amount: Money }[];
  /** `decided` counts stages; `requests`, the requests they belong to (the drill-down's rows). */
  time_to_decision: { role: StageRole; decided: number; requests: number; average_seconds: number; median_seconds: number }[];
  funnel: { step: string; label: string; count: number; statuses: RequestStatus[] }[];
}
