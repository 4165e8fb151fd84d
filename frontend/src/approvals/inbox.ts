// The inbox's search and sort: done here, over the stages the API returned (an approver's
// inbox is small, and the API returns all of it, oldest due first).
import type { PendingStage } from '../api/types';
import { toCents } from '../common/money';
import { i18n } from '../i18n';

export const INBOX_SORTS = ['due', '-due', '-amount', 'amount', '-risk'] as const;
export type InboxSort = (typeof INBOX_SORTS)[number];

export function inboxSortLabel(sort: InboxSort): string {
  return i18n.t(`inbox.sorts.${sort}`);
}

const RISK_ORDER = { high: 0, medium: 1, low: 2 } as const;
const FAR = Number.MAX_SAFE_INTEGER;

function due(entry: PendingStage): number {
  return entry.due_at ? new Date(entry.due_at).getTime() : FAR;
}

function compare(a: PendingStage, b: PendingStage, sort: InboxSort): number {
  switch (sort) {
    case 'due':
      return due(a) - due(b);
    case '-due':
      return due(b) - due(a);
    case 'amount':
    case '-amount': {
      const order = toCents(a.request.amount) < toCents(b.request.amount) ? -1 : toCents(a.request.amount) > toCents(b.request.amount) ? 1 : 0;
      return sort === 'amount' ? order : -order;
    }
    case '-risk':
      return (a.request.risk_tier ? RISK_ORDER[a.request.risk_tier] : 3) - (b.request.risk_tier ? RISK_ORDER[b.request.risk_tier] : 3);
  }
}

/**
 * The entries whose applicant, purpose or reference contains `search` (any case), in `sort` order; ties
 * keep the API's order (oldest due first).
 */
export function searchInbox(entries: PendingStage[], search: string, sort: InboxSort): PendingStage[] {
  const term = search.trim().toLocaleLowerCase();
  const found = term
    ? entries.filter(
        (e) =>
          e.applicant_name.toLocaleLowerCase().includes(term) ||
          e.request.purpose.toLocaleLowerCase().includes(term) ||
          e.request.id.slice(0, 8).includes(term),
      )
    : entries;
  return found
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => compare(a.entry, b.entry, sort) || a.index - b.index)
    .map(({ entry }) => entry);
}
