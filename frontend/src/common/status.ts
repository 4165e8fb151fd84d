import type { RequestStatus, StageStatus } from '../api/types';
import { i18n } from '../i18n';

export const REQUEST_STATUSES: RequestStatus[] = [
  'submitted',
  'pending_approval',
  'info_requested',
  'offer_made',
  'review_requested',
  'approved',
  'rejected',
  'auto_rejected',
  'offer_declined',
  'incomplete',
  'withdrawn',
];

/** A request's or a stage's status in words, in the current language. */
export function statusLabel(status: RequestStatus | StageStatus): string {
  return i18n.t(`status.${status}`);
}

const OPEN: ReadonlySet<RequestStatus> = new Set([
  'submitted',
  'pending_approval',
  'info_requested',
  'offer_made',
  'review_requested',
]);

/** Requests that can still change: their pages refresh themselves. */
export function isOpen(status: RequestStatus): boolean {
  return OPEN.has(status);
}
