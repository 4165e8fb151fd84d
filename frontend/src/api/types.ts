// The API's shapes, by the names the app uses: thin aliases over the types generated from
// the OpenAPI document (schema.ts, `npm run api:types`), so the app cannot drift from the API.
// Money is a decimal string such as "1500.00": it is never parsed into a float.
import type { components, paths } from './schema';

type Schemas = components['schemas'];
type Query<P extends keyof paths, M extends 'get'> = NonNullable<NonNullable<paths[P][M]>['parameters']['query']>;

export type Role = Schemas['Role'];
export type RequestStatus = Schemas['RequestStatus'];
export type StageStatus = Schemas['StageStatus'];
export type RiskTier = Schemas['RiskTier'];
export type EmploymentStatus = Schemas['EmploymentStatus'];
export type Money = string;

export type TokenPair = Schemas['TokenOut'];
export type User = Schemas['UserOut'];
export type UserDetail = Schemas['UserDetail'];
export type Registration = Schemas['UserCreate'];
export type UserChange = Schemas['UserUpdate'];

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** What an applicant sends; the app always sends money as decimal strings. */
export type CreditApplication = Omit<Schemas['CreditRequestCreate'], 'amount' | 'monthly_income' | 'monthly_debt'> & {
  amount: Money;
  monthly_income: Money;
  monthly_debt: Money;
};
export type DecisionReason = Schemas['DecisionReason'];
export type CreditRequest = Schemas['CreditRequestOut'];
export type CreditRequestDetail = Schemas['CreditRequestDetail'];
export type Stage = Schemas['StageOut'];
/** One entry of a request's conversation: a staff-only note, or a message. */
export type ConversationEntry = Schemas['MessageOut'];
export type NewConversationEntry = Schemas['MessageIn'];
/** What the credit bureau reported. Third-party data: the API sends it to staff only. */
export type BureauReport = Schemas['BureauReport'];
/** The automatic analysis's figures. A ratio is a four-place decimal string such as "0.3125". */
export type ScoreResult = Schemas['ScoreResultOut'];
export type PendingStage = Schemas['PendingStage'];
export type Decision = Schemas['Decision'];
export type LinkSummary = Schemas['LinkSummary'];
/** A round of an approver's questions and the applicant's answer (request more information). */
export type InformationRequest = Schemas['InformationRequestOut'];
export type InformationAnswer = Schemas['InformationAnswer'];
export type Amendments = Schemas['Amendments'];
export type Offer = Schemas['OfferOut'];
export type CounterofferTerms = Schemas['CounterofferTerms'];
/** A reason an approver may give for a rejection, from the active policy's catalogue. */
export type DeclineReason = Schemas['DeclineReasonOut'];
/** An adverse action notice as the applicant received it (Reg B 1002.9, FCRA 615(a)). */
export type AdverseActionNotice = Schemas['AdverseActionNoticeOut'];
export type AuditEntry = Schemas['AuditEntry'];
export type Stats = Schemas['StatsOut'];
/** A step's dead-letter queue: its depth, the oldest sampled message's age, a sample body. */
export type DeadLetterQueue = Schemas['DeadLetterQueue'];
export type RedriveResult = Schemas['RedriveResult'];
export type RetentionRun = Schemas['RetentionRunOut'];

/** The request list's filters, in the API's terms (timestamps, money strings). */
export type RequestQuery = Query<'/api/v1/credit-requests', 'get'>;
/** The roles whose stages the dashboard times (and the request list filters by). */
export type StageRole = NonNullable<RequestQuery['stage_role']>;
export type AuditQuery = Query<'/api/v1/audit-logs', 'get'>;
export type StatsQuery = Query<'/api/v1/stats', 'get'>;

/** A credit policy version: its life cycle and who moved it (the history). */
export type PolicyVersion = Schemas['PolicyVersionOut'];
export type PolicyVersionDetail = Schemas['PolicyVersionDetail'];
export type PolicyStatus = Schemas['PolicyStatus'];
export type Simulation = Schemas['SimulationOut'];
export type SimulationSummary = Schemas['SimulationSummary'];
export type ChangedRequest = Schemas['ChangedRequest'];

/** Human review of an automatic decline: the applicant's view, the reviewer's, and what each sends. */
export type ReviewStatus = Schemas['ReviewStatus'];
export type Review = Schemas['ReviewOut'];
export type ReviewAsk = Schemas['ReviewAsk'];
export type CorrectedData = Schemas['CorrectedData'];
export type ReviewDetail = Schemas['ReviewDetail'];
export type ReviewDecision = Schemas['ReviewDecision'];
export type AssignedReview = Schemas['AssignedReview'];
