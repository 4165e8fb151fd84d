// One function per API operation the app uses.
import { http, refreshToken } from './client';
import type {
  AuditEntry,
  AuditQuery,
  CreditApplication,
  CreditRequest,
  CreditRequestDetail,
  DeadLetterQueue,
  Decision,
  LinkSummary,
  Page,
  PendingStage,
  RedriveResult,
  Registration,
  RequestQuery,
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

export async function currentUser(options: Options = {}): Promise<User> {
  return (await http.get<User>('/users/me', options)).data;
}

export async function listRequests(params: RequestQuery, options: Options = {}): Promise<Page<CreditRequest>> {
  return (await http.get<Page<CreditRequest>>('/credit-requests', { params, ...options })).data;
}

export async function getRequest(id: string, options: Options = {}): Promise<CreditRequestDetail> {
  return (await http.get<CreditRequestDetail>(`/credit-requests/${encodeURIComponent(id)}`, options)).data;
}

export async function submitRequest(data: CreditApplication): Promise<CreditRequest> {
  return (await http.post<CreditRequest>('/credit-requests', data)).data;
}

export async function withdrawRequest(id: string): Promise<CreditRequest> {
  return (await http.post<CreditRequest>(`/credit-requests/${encodeURIComponent(id)}/withdraw`)).data;
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
export async function listUsers(cursor: string | null, search = '', options: Options = {}): Promise<Page<User>> {
  const params = { limit: 50, ...(cursor === null ? {} : { cursor }), ...(search.trim() ? { q: search.trim() } : {}) };
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

export async function getStats(params: StatsQuery, options: Options = {}): Promise<Stats> {
  return (await http.get<Stats>('/stats', { params, ...options })).data;
}

export async function listDeadLetters(options: Options = {}): Promise<DeadLetterQueue[]> {
  return (await http.get<DeadLetterQueue[]>('/dead-letters', options)).data;
}

/** Moves a queue's dead letters back to it (audited); answers once the move has started. */
export async function redriveDeadLetters(queue: string): Promise<RedriveResult> {
  return (await http.post<RedriveResult>(`/dead-letters/${encodeURIComponent(queue)}/redrive`)).data;
}
