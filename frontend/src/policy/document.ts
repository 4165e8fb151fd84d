// The credit policy document as the editor handles it (shared/credit/policy.py's CreditPolicy),
// the differences between two versions, and validation problems by field.

export type Metric = 'credit_score' | 'debt_to_income' | 'monthly_income' | 'delinquencies_24m' | 'bankruptcies_7y';
export type Operator = 'lt' | 'lte' | 'gt' | 'gte' | 'eq';
export type Tier = 'low' | 'medium' | 'high';

export const METRICS: Metric[] = ['credit_score', 'debt_to_income', 'monthly_income', 'delinquencies_24m', 'bankruptcies_7y'];
export const OPERATORS: Operator[] = ['lt', 'lte', 'gt', 'gte', 'eq'];
export const TIERS: Tier[] = ['low', 'medium', 'high'];

export interface Condition {
  metric: Metric;
  op: Operator;
  value: string;
}

export interface RejectionRule extends Condition {
  code: string;
  message: string;
  rank?: number | null;
}

export interface TierRule {
  tier: Tier;
  when: 'any' | 'all';
  conditions: Condition[];
}

export interface Band {
  above?: string | null;
  max_amount: string | null;
  tiers?: Tier[] | null;
  roles: string[];
}

export interface PolicyDocument {
  reference_annual_rate: string;
  max_reasons: number;
  rejection_rules: RejectionRule[];
  risk_tiers: TierRule[];
  default_tier: Tier;
  approval_chains: Band[];
  high_risk_adds_level: boolean;
  stage_sla_hours: number;
  role_sla_hours?: Record<string, number>;
  approver_levels?: string[];
  share_rejection_comment?: boolean;
  /** Whether applicants see their request's risk tier; absent means "hidden". */
  risk_tier_for_applicants?: 'hidden' | 'shown';
  /** The reasons people choose from for an adverse action; the notice quotes them. */
  decline_reasons?: { code: string; message: string }[];
}

export const BUILTIN_LEVELS = ['analyst', 'manager', 'director'];

/** The approver levels, lowest first (the built-in ladder when the document names none). */
export function levelsOf(document: PolicyDocument): string[] {
  return document.approver_levels ?? BUILTIN_LEVELS;
}

export interface Difference {
  path: string;
  before: string;
  after: string;
}

function shown(value: unknown): string {
  return value === undefined ? '—' : JSON.stringify(value);
}

/** Every leaf that differs between `before` and `after`, by its dotted path. */
export function diff(before: unknown, after: unknown, path = ''): Difference[] {
  const isObject = (value: unknown) => typeof value === 'object' && value !== null;
  if (isObject(before) && isObject(after) && Array.isArray(before) === Array.isArray(after)) {
    const left = before as Record<string, unknown>;
    const right = after as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(left), ...Object.keys(right)])];
    return keys.flatMap((key) => diff(left[key], right[key], path ? `${path}.${key}` : key));
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ path, before: shown(before), after: shown(after) }];
}

interface Problem {
  loc: (string | number)[];
  msg: string;
}

/** The API's problems by field path ("rejection_rules.2.message"), without the "document" root. */
export function problemsByField(details: unknown): Record<string, string> {
  if (!Array.isArray(details)) return {};
  const found: Record<string, string> = {};
  for (const problem of details as Problem[]) {
    const loc = problem.loc[0] === 'document' ? problem.loc.slice(1) : problem.loc;
    const key = loc.join('.');
    found[key] = found[key] ? `${found[key]} ${problem.msg}` : problem.msg;
  }
  return found;
}
