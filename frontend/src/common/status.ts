import type { RequestStatus, StageStatus } from '../api/types';
import { i18n } from '../i18n';

export const REQUEST_STATUSES: RequestStatus[] = [
  'submitted',
  'pending_approval',
  'approved',
  'rejected',
  'auto_rejected',
  'withdrawn',
];

/** A request's or a stage's status in words, in the current language. */
export function statusLabel(status: RequestStatus | StageStatus): string {
  return i18n.t(`status.${status}`);
}

/** Requests that can still change: their pages refresh themselves. */
export function isOpen(status: RequestStatus): boolean {
  return status === 'submitted' || status === 'pending_approval';
}
