// One function per API operation the app uses.
import { isAxiosError } from 'axios';

import { http, refreshToken } from './client';
import type {
  AdverseActionNotice,
  AssignedReview,
  AuditEntry,
  AuditQuery,
  CounterofferTerms,
  CreditApplication,
  CreditRequest,
  ConversationEntry,
  CreditRequestDetail,
  DeadLetterQueue,
  Decision,
  InformationAnswer,
  InformationRequest,
  DeclineReason,
  LinkSummary,
  NewConversationEntry,
  Page,
  PolicyVersion,
  PolicyVersionDetail,
  Simulation,
  PendingStage,
  RedriveResult,
  RetentionRun,
  Registration,
  RequestQuery,
  Review,
  ReviewAsk,
  ReviewDecision,
  ReviewDetail,
  ReviewStatus,
  Role,
  Stats,
  StatsQuery,
  TokenPair,
  User,
  UserChange,
  UserDetail,
} from './types';

type Options = { signal?: AbortSignal };

export async function login(username: string, password: string): Promise<TokenPair> {
  const form = new URLSearchParams({ username, password });
  return (await http.post<TokenPair>('/token', form)).data;
}

export async function logout(): Promise<void> {
  await http.post('/logout', { refresh_token: refreshToken() });
}

export async function register(data: Registration): Promise<User> {
  return (await http.post<User>('/users', data)).data;
}

/** Follow an emailed verification link (its token): the address it was sent to is verified. */
export async function verifyEmail(token: string): Promise<void> {
  await http.post('/email-verifications', { token });
}

/** Email the signed-in user a new verification link. */
export async function resendVerification(): Promise<void> {
  await http.post('/users/me/email-verification');
}

/** Ask for a password-reset link: the answer is the same whether or not the address has an account. */
export async function requestPasswordReset(email: string): Promise<void> {
  await http.post('/password-resets', { email });
}

/** Set a new password with an emailed reset link's token (once; signs out every session). */
export async function resetPassword(token: string, password: string): Promise<void> {
  await http.post('/password-resets/confirm', { token, password });
}

export async function currentUser(options: Options = {}): Promise<User> {
  return (await http.get<User>('/users/me', options)).data;
}

export async function listRequests(params: RequestQuery, options: Options = {}): Promise<Page<CreditRequest>> {
  return (await http.get<Page<CreditRequest>>('/credit-requests', { params, ...options })).data;
}

export async function getRequest(id: string, options: Options = {}): Promise<CreditRequestDetail> {
  return (await http.get<CreditRequestDetail>(`/credit-requests/${encodeURIComponent(id)}`, options)).data;
}

/** The request's adverse action notice (404 when it has none). */
export async function getNotice(id: string, options: Options = {}): Promise<AdverseActionNotice> {
  return (await http.get<AdverseActionNotice>(`/credit-requests/${encodeURIComponent(id)}/notice`, options)).data;
}

/** The active policy's reasons a rejection chooses from. */
export async function declineReasons(options: Options = {}): Promise<DeclineReason[]> {
  return (await http.get<DeclineReason[]>('/decline-reasons', options)).data;
}

export async function submitRequest(data: CreditApplication): Promise<CreditRequest> {
  return (await http.post<CreditRequest>('/credit-requests', data)).data;
}

export async function withdrawRequest(id: string): Promise<CreditRequest> {
  return (await http.post<CreditRequest>(`/credit-requests/${encodeURIComponent(id)}/withdraw`)).data;
}

/** A request's whole conversation, oldest first (all pages: a conversation is short). */
export async function listMessages(id: string, options: Options = {}): Promise<ConversationEntry[]> {
  const items: ConversationEntry[] = [];
  let cursor: string | null = null;
  do {
    const params: Record<string, string | number> = cursor ? { limit: 100, cursor } : { limit: 100 };
    const url = `/credit-requests/${encodeURIComponent(id)}/messages`;
    const page: Page<ConversationEntry> = (await http.get<Page<ConversationEntry>>(url, { ...options, params })).data;
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

export async function postMessage(id: string, entry: NewConversationEntry): Promise<ConversationEntry> {
  return (await http.post<ConversationEntry>(`/credit-requests/${encodeURIComponent(id)}/messages`, entry)).data;
}

/** Accept (or decline) the counteroffer on your own request: the request page as it now is. */
export async function answerOffer(id: string, answer: 'accept' | 'decline'): Promise<CreditRequestDetail> {
  return (await http.post<CreditRequestDetail>(`/credit-requests/${encodeURIComponent(id)}/offer/${answer}`)).data;
}

/** What a final approver chooses a counteroffer's terms and reasons from (the active policy). */
export async function counterofferTerms(options: Options = {}): Promise<CounterofferTerms> {
  return (await http.get<CounterofferTerms>('/counteroffer-terms', options)).data;
}

export async function decideRequest(id: string, decision: Decision): Promise<CreditRequest> {
  return (await http.post<CreditRequest>(`/credit-requests/${encodeURIComponent(id)}/decision`, decision)).data;
}

/** Every stage awaiting the signed-in approver, soonest due first (all pages: an inbox is short). */
export async function myApprovals(options: Options = {}): Promise<PendingStage[]> {
  const items: PendingStage[] = [];
  let cursor: string | null = null;
  do {
    const params: Record<string, string | number> = cursor ? { limit: 100, cursor } : { limit: 100 };
    const page: Page<PendingStage> = (await http.get<Page<PendingStage>>('/approvals', { ...options, params })).data;
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

export async function getApprovalLink(token: string, options: Options = {}): Promise<LinkSummary> {
  return (await http.get<LinkSummary>(`/approval-links/${encodeURIComponent(token)}`, options)).data;
}

export async function decideByLink(token: string, decision: Decision): Promise<CreditRequest> {
  return (await http.post<CreditRequest>(`/approval-links/${encodeURIComponent(token)}`, decision)).data;
}

/** `search` matches part of a username or email, in any case. */
/** The users matching part of a username or email (`search`) and holding `role`, if given. */
export async function listUsers(cursor: string | null, filter: { search?: string; role?: Role | '' } = {}, options: Options = {}): Promise<Page<User>> {
  const search = filter.search?.trim() ?? '';
  const params = { limit: 50, ...(cursor === null ? {} : { cursor }), ...(search ? { q: search } : {}), ...(filter.role ? { role: filter.role } : {}) };
  return (await http.get<Page<User>>('/users', { params, ...options })).data;
}

/** The user with how many of their pending stages `change` would move to other approvers. */
export async function userChangePreview(id: string, change: UserChange, options: Options = {}): Promise<UserDetail> {
  return (await http.get<UserDetail>(`/users/${encodeURIComponent(id)}`, { ...options, params: change })).data;
}

export async function updateUser(id: string, change: UserChange): Promise<User> {
  return (await http.patch<User>(`/users/${encodeURIComponent(id)}`, change)).data;
}

export async function listAudit(params: AuditQuery, options: Options = {}): Promise<Page<AuditEntry>> {
  return (await http.get<Page<AuditEntry>>('/audit-logs', { params, ...options })).data;
}

/** A CSV export as the API wrote it: the file, its name, and whether it was cut short. */
export interface CsvFile {
  blob: Blob;
  name: string;
  truncated: boolean;
}

async function csvExport(path: string, params: object): Promise<CsvFile> {
  const response = await http.get<Blob>(path, { params, responseType: 'blob' }).catch(readErrorBody);
  const disposition = String(response.headers['content-disposition'] ?? '');
  return {
    blob: response.data,
    name: /filename="([^"]+)"/.exec(disposition)?.[1] ?? 'export.csv',
    truncated: response.headers['x-export-truncated'] === 'true',
  };
}

/** A download's error body arrives as a Blob too: read the API's JSON error out of it, for toApiError. */
async function readErrorBody(error: unknown): Promise<never> {
  const response = isAxiosError(error) ? error.response : undefined;
  if (response?.data instanceof Blob) {
    try {
      response.data = JSON.parse(await response.data.text());
    } catch {
      // Not JSON (a proxy's page): toApiError names the status instead.
    }
  }
  throw error;
}

/** The requests the list's filters select, as CSV (staff). */
export function exportRequests(params: Omit<RequestQuery, 'cursor' | 'limit' | 'sort'>): Promise<CsvFile> {
  return csvExport('/exports/credit-requests', params);
}

/** The audit entries the log's filters select, as CSV (admins). */
export function exportAudit(params: Omit<AuditQuery, 'cursor' | 'limit'>): Promise<CsvFile> {
  return csvExport('/exports/audit-logs', params);
}

export async function getStats(params: StatsQuery, options: Options = {}): Promise<Stats> {
  return (await http.get<Stats>('/stats', { params, ...options })).data;
}

export async function listPolicies(cursor: string | null, options: Options = {}): Promise<Page<PolicyVersion>> {
  return (await http.get<Page<PolicyVersion>>('/policies', { params: { cursor: cursor ?? undefined }, ...options })).data;
}

export async function getPolicy(id: string, options: Options = {}): Promise<PolicyVersionDetail> {
  return (await http.get<PolicyVersionDetail>(`/policies/${encodeURIComponent(id)}`, options)).data;
}

export async function createPolicy(): Promise<PolicyVersionDetail> {
  return (await http.post<PolicyVersionDetail>('/policies', {})).data;
}

export async function updatePolicy(id: string, document: Record<string, unknown>): Promise<PolicyVersionDetail> {
  return (await http.put<PolicyVersionDetail>(`/policies/${encodeURIComponent(id)}`, { document })).data;
}

export async function proposePolicy(id: string, reason: string): Promise<PolicyVersionDetail> {
  return (await http.post<PolicyVersionDetail>(`/policies/${encodeURIComponent(id)}/propose`, { reason })).data;
}

export async function approvePolicy(id: string): Promise<PolicyVersionDetail> {
  return (await http.post<PolicyVersionDetail>(`/policies/${encodeURIComponent(id)}/approve`)).data;
}

export async function activatePolicy(id: string, activeFrom: string | null): Promise<PolicyVersionDetail> {
  const body = activeFrom ? { active_from: activeFrom } : {};
  return (await http.post<PolicyVersionDetail>(`/policies/${encodeURIComponent(id)}/activate`, body)).data;
}

export async function simulatePolicy(id: string, requests: number): Promise<Simulation> {
  return (await http.post<Simulation>(`/policies/${encodeURIComponent(id)}/simulate`, { requests })).data;
}

export async function policySimulation(id: string, cursor: string | null, options: Options = {}): Promise<Simulation> {
  const params = { cursor: cursor ?? undefined };
  return (await http.get<Simulation>(`/policies/${encodeURIComponent(id)}/simulation`, { params, ...options })).data;
}

export async function listDeadLetters(options: Options = {}): Promise<DeadLetterQueue[]> {
  return (await http.get<DeadLetterQueue[]>('/dead-letters', options)).data;
}

/** Moves a queue's dead letters back to it (audited); answers once the move has started. */
export async function redriveDeadLetters(queue: string): Promise<RedriveResult> {
  return (await http.post<RedriveResult>(`/dead-letters/${encodeURIComponent(queue)}/redrive`)).data;
}

export async function listRetentionRuns(cursor: string | null, options: Options = {}): Promise<Page<RetentionRun>> {
  const params = { cursor: cursor ?? undefined };
  return (await http.get<Page<RetentionRun>>('/retention/runs', { params, ...options })).data;
}

/** Runs the retention job now: a dry run only counts; otherwise personal data due is removed (audited). */
export async function runRetention(dryRun: boolean): Promise<RetentionRun> {
  return (await http.post<RetentionRun>('/retention/runs', { dry_run: dryRun })).data;
}

export async function listInformationRequests(requestId: string, options: Options = {}): Promise<InformationRequest[]> {
  return (await http.get<InformationRequest[]>(`/credit-requests/${encodeURIComponent(requestId)}/information-requests`, options)).data;
}

export async function askForInformation(requestId: string, questions: string): Promise<InformationRequest> {
  return (await http.post<InformationRequest>(`/credit-requests/${encodeURIComponent(requestId)}/information-requests`, { questions })).data;
}

export async function askForInformationByLink(token: string, questions: string): Promise<InformationRequest> {
  return (await http.post<InformationRequest>(`/approval-links/${encodeURIComponent(token)}/information-request`, { questions })).data;
}

export async function answerInformation(requestId: string, answer: InformationAnswer): Promise<CreditRequest> {
  return (await http.post<CreditRequest>(`/credit-requests/${encodeURIComponent(requestId)}/information-answer`, answer)).data;
}

/** Whether the applicant may ask for a human review of the request's automatic decline, and the review asked for. */
export async function getReviewStatus(requestId: string, options: Options = {}): Promise<ReviewStatus> {
  return (await http.get<ReviewStatus>(`/credit-requests/${encodeURIComponent(requestId)}/review`, options)).data;
}

/** The applicant asks a person to review their automatic decline. */
export async function askForReview(requestId: string, body: ReviewAsk): Promise<Review> {
  return (await http.post<Review>(`/credit-requests/${encodeURIComponent(requestId)}/review`, body)).data;
}

/** The reviews of automatic declines awaiting the signed-in analyst's outcome. */
export async function myReviews(options: Options = {}): Promise<AssignedReview[]> {
  return (await http.get<AssignedReview[]>('/reviews', options)).data;
}

export async function getReview(reviewId: string, options: Options = {}): Promise<ReviewDetail> {
  return (await http.get<ReviewDetail>(`/reviews/${encodeURIComponent(reviewId)}`, options)).data;
}

/** The reviewer confirms or overturns the decline, with their rationale. */
export async function decideReview(reviewId: string, body: ReviewDecision): Promise<CreditRequest> {
  return (await http.post<CreditRequest>(`/reviews/${encodeURIComponent(reviewId)}/decision`, body)).data;
}
